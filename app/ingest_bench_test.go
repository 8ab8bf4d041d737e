package app

import (
	"context"
	"testing"

	"minyi/route"
)

// BenchmarkIngest20k runs 20,000 synthetic messages through the whole pipeline (NLP, routing,
// bbolt, bleve, duplicates, alerts) into a fresh data dir: the hot path of `minyi bench ingest`.
func BenchmarkIngest20k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := mustCore(b)
		c.Router = route.New(route.DefaultDirectory(), route.DefaultRules())
		b.StartTimer()
		rep, _, err := BenchIngest(context.Background(), c, 1, 0, 20000, 4096, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rep.ItemsPerCPUSec, "items/cpu-s")
	}
}
