package app

import (
	"context"
	"flag"
	"testing"

	"minyi/route"
)

var benchIngestN = flag.Int("ingest.n", 100000, "items BenchmarkIngestN ingests")

// BenchmarkIngest20k runs 20,000 synthetic messages through the whole pipeline (NLP, routing,
// bbolt, bleve, duplicates, alerts) into a fresh data dir: the hot path of `minyi bench ingest`.
func BenchmarkIngest20k(b *testing.B) { benchIngest(b, 20000) }

// BenchmarkIngestN is BenchmarkIngest20k with -ingest.n items, for figures at scale, where bleve
// merges bigger segments (run with -benchtime 1x).
func BenchmarkIngestN(b *testing.B) { benchIngest(b, *benchIngestN) }

// benchIngest reports items per CPU-second (what the shared machine does not distort), items per
// wall-clock second and the cores kept busy (CPU-seconds per second: 2 is both cores all along).
func benchIngest(b *testing.B, n int) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := mustCore(b)
		c.Router = route.New(route.DefaultDirectory(), route.DefaultRules())
		b.StartTimer()
		rep, _, err := BenchIngest(context.Background(), c, 1, 0, n, 4096, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rep.ItemsPerCPUSec, "items/cpu-s")
		b.ReportMetric(rep.ItemsPerSec, "items/s")
		b.ReportMetric(rep.CPUSeconds/rep.Seconds, "cores")
	}
}
