package route

import (
	"testing"

	"minyi/domain"
)

// BenchmarkSuggest measures routing one message with rules, the 惠州 directory and a small learned
// history: CGO_ENABLED=0 go test ./route -run XXX -bench Suggest -benchmem
func BenchmarkSuggest(b *testing.B) {
	r := New(DefaultDirectory(), DefaultRules())
	if err := r.Train(history()); err != nil {
		b.Fatal(err)
	}
	it := &domain.Item{Title: "渣土车夜间撒漏", Body: "惠城区江北街道每天夜间渣土车经过，泥土撒满路面，影响出行，希望城管部门处理。"}
	a := &domain.Analysis{}
	b.ReportAllocs()
	for b.Loop() {
		if len(r.Suggest(it, a)) == 0 {
			b.Fatal("no suggestion")
		}
	}
}
