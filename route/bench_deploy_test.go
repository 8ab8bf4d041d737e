package route_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minyi/demo"
	"minyi/domain"
	"minyi/nlp"
	"minyi/route"

	"minyi/internal/cputime"
)

// BenchmarkSuggestDeployed measures routing as the shipped console and `minyi bench ingest` do
// it: the 惠州 directory and rules without a learned model, over the 329 demo messages analysed
// by the real nlp Analyzer (as app's analyseRecord hands them to Suggest); cpu-µs/msg is the
// process CPU time per message, garbage collection included:
// CGO_ENABLED=0 go test ./route -run XXX -bench SuggestDeployed -benchmem
func BenchmarkSuggestDeployed(b *testing.B) {
	items, err := demo.Items(time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	an, err := nlp.Load(context.Background(), filepath.Join(os.TempDir(), "minyi-nlp-cache"))
	if err != nil {
		b.Fatalf("load nlp: %v", err)
	}
	as := make([]domain.Analysis, len(items))
	for i := range items {
		as[i] = an.Analyze(items[i].Title, items[i].Body)
	}
	r := route.New(route.DefaultDirectory(), route.DefaultRules())
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	cpu0 := cputime.Used().Seconds()
	for b.Loop() {
		k := i % len(items)
		if len(r.Suggest(&items[k], &as[k])) == 0 {
			b.Fatalf("no suggestion for %q", items[k].Title)
		}
		i++
	}
	b.ReportMetric((cputime.Used().Seconds()-cpu0)/float64(i)*1e6, "cpu-µs/msg")
}
