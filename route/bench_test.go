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

// BenchmarkSuggestShanghai measures routing on a model trained on all 4,602 Shanghai letters
// (about 520 departments), the size the < 1 ms per message target is about, with the boosting
// trees (as shipped) and with the weights alone:
// CGO_ENABLED=0 go test ./route -run XXX -bench SuggestShanghai -benchmem
func BenchmarkSuggestShanghai(b *testing.B) {
	rows := loadShanghaiAnalyzed(b)
	r := New(nil, nil)
	if err := r.Train(rows); err != nil {
		b.Fatal(err)
	}
	trees := r.opt.Boost
	for _, bc := range []struct {
		name  string
		boost *Boost
	}{{"trees", trees}, {"weights", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			r.opt.Boost = bc.boost
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l := &rows[i%len(rows)]
				if len(r.Suggest(&l.Item, &l.Analysis)) == 0 {
					b.Fatal("no suggestion")
				}
				i++
			}
		})
	}
}
