package index

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"minyi/domain"

	"minyi/internal/cputime"
)

var (
	benchN   = flag.Int("index.n", 20000, "records in the search benchmarks' index")
	benchDir = flag.String("index.dir", "", "keep the search benchmarks' index here and reuse it when it already has -index.n records")
)

// BenchmarkPut measures bulk indexing of generated records, 10,000 per Put call, including
// waiting for the last batch to reach disk. Run with -benchtime=100000x for a 100k-record figure.
func BenchmarkPut(b *testing.B) {
	pool := newCorpusGen(1).corpus(4000) // small: a big pool would make every GC cycle rescan it
	dir := b.TempDir()
	ix, err := Open(context.Background(), dir, newToySeg())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Used()
	ctx := context.Background()
	batch := make([]*domain.Record, 0, 5*putChunk) // a bulk load hands Put several chunks at once
	for i := 0; i < b.N; i++ {
		r := *pool[i%len(pool)]
		r.ID = fmt.Sprintf("B%08d", i)
		r.Seq = uint64(i + 1)
		batch = append(batch, &r)
		if len(batch) == cap(batch) || i == b.N-1 {
			if err := ix.Put(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := cputime.Used() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	// The machine is shared: CPU time per record is the figure that survives other load.
	// On an otherwise idle 2-core machine throughput is about 2 cores / cpu-µs per doc.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/doc")
	if n, err := dirSize(dir); err == nil {
		b.ReportMetric(float64(n)/float64(b.N), "disk-B/doc")
	}
}

// benchIndex opens (building when needed) an index of -index.n generated records.
func benchIndex(b *testing.B) (*Index, string) {
	b.Helper()
	ctx := context.Background()
	dir := *benchDir
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "ix")
	}
	ix, err := Open(ctx, dir, newToySeg())
	if err != nil {
		b.Fatal(err)
	}
	have, _ := ix.Count()
	if have < uint64(*benchN) {
		g := newCorpusGen(1)
		start := time.Now()
		for lo := int(have); lo < *benchN; lo += 10000 {
			recs := make([]*domain.Record, 0, 10000)
			for s := lo; s < min(lo+10000, *benchN); s++ {
				recs = append(recs, g.record(uint64(s+1)))
			}
			if err := ix.Put(ctx, recs); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("built %d records in %v", *benchN-int(have), time.Since(start))
		if err := ix.Close(); err != nil { // persist fully, so Open below measures a real reopen
			b.Fatal(err)
		}
		if ix, err = Open(ctx, dir, newToySeg()); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { ix.Close() })
	return ix, dir
}

// latencies collects per-query durations and reports their percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) { l.reportAs(b, "") }

// reportAs reports p50 and p95 with a unit prefix ("cpu-" for CPU time per query).
func (l latencies) reportAs(b *testing.B, prefix string) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	ms := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), prefix+"p50-ms")
	b.ReportMetric(ms(0.95), prefix+"p95-ms")
}

// BenchmarkSearch measures the query classes of issue 6 against one generated index.
func BenchmarkSearch(b *testing.B) {
	ix, dir := benchIndex(b)
	ctx := context.Background()
	words := []string{"渣土车", "噪音", "物业", "拖欠工资", "路灯", "公交", "油烟", "停水", "井盖", "学位", "食品", "违建",
		"乱停", "12345", "PM2.5", "居民", "投诉", "小区", "安全隐患", "凌晨", "扰民", "工资", "医保", "排水", "土车", "噪"}
	phrases := []string{`"严重影响居民休息"`, `"希望有关部门尽快处理"`, `"存在严重安全隐患"`, `"拖欠工资"`, `"油烟直接排到居民楼"`, `"多次拨打12345热线"`}
	if fi, err := dirSize(dir); err == nil {
		n, _ := ix.Count()
		b.Logf("index: %d docs, %.1f MB on disk, %.0f bytes/doc", n, float64(fi)/1e6, float64(fi)/float64(max(n, 1)))
	}
	run := func(name string, mk func(r *rand.Rand, i int) Query) {
		b.Run(name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			// Wall latency suffers from whatever else runs on the shared machine; the process's
			// CPU time per query (nothing else runs in it) is the figure that survives load.
			var lat, cpu latencies
			for i := 0; b.Loop(); i++ {
				q := mk(r, i)
				t0, c0 := time.Now(), cputime.Used()
				res, err := ix.Search(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				cpu = append(cpu, cputime.Used()-c0)
				if i == 0 {
					b.Logf("%+v → total %d", q.Text, res.Total)
				}
			}
			lat.report(b)
			cpu.reportAs(b, "cpu-")
		})
	}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	run("relevance", func(r *rand.Rand, _ int) Query { return Query{Text: pick(r, words)} })
	run("filtered_facets_time_highlight", func(r *rand.Rand, _ int) Query {
		return Query{Text: pick(r, words), District: pick(r, genDistricts), Status: pick(r, genStatuses),
			Facets: true, Sort: SortTime, Highlight: true}
	})
	run("filters_facets_time_notext", func(r *rand.Rand, _ int) Query {
		return Query{District: pick(r, genDistricts), Category: genMatters[r.IntN(len(genMatters))].category,
			Facets: true, Sort: SortTime, Highlight: true}
	})
	run("phrase_time", func(r *rand.Rand, _ int) Query { return Query{Text: pick(r, phrases), Sort: SortTime, Highlight: true} })
	run("all_time", func(r *rand.Rand, _ int) Query { return Query{} })
	since, until := time.Date(2021, 2, 1, 0, 0, 0, 0, cst), time.Date(2021, 3, 1, 0, 0, 0, 0, cst)
	run("relevance_daterange", func(r *rand.Rand, _ int) Query {
		return Query{Text: pick(r, words), Since: since, Until: until, Highlight: true}
	})
	run("title_phrase_daterange_time", func(r *rand.Rand, _ int) Query { // bleve's slow path
		return Query{Text: `标题:"` + pick(r, []string{"渣土车", "拖欠工资", "安全隐患", "噪音扰民"}) + `"`,
			Since: since, Until: until, Sort: SortTime, Highlight: true, Facets: true}
	})
	run("all_time_facets", func(r *rand.Rand, _ int) Query { return Query{Facets: true} })
	run("deep_paging_time", func(r *rand.Rand, i int) Query {
		return Query{Text: "居民", Sort: SortTime, Offset: (i % 200) * DefaultLimit} // pages 0..199 in order
	})
}

// BenchmarkOpen measures a cold open of the benchmark index until its first search answers.
func BenchmarkOpen(b *testing.B) {
	ix, dir := benchIndex(b)
	ix.Close()
	ctx := context.Background()
	var lat latencies
	for b.Loop() {
		t0 := time.Now()
		ix, err := Open(ctx, dir, newToySeg())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ix.Search(ctx, Query{Text: "噪音", District: "惠城区", Facets: true}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		b.StopTimer()
		ix.Close()
		b.StartTimer()
	}
	lat.report(b)
}

// dirSize is the total size of the files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

// BenchmarkColumns measures reading the time/seq sort columns of every segment of the
// benchmark index, what the first search after opening it pays.
func BenchmarkColumns(b *testing.B) {
	ix, _ := benchIndex(b)
	for b.Loop() {
		ix.columns.clear()
		sv, err := ix.snapshot()
		if err != nil {
			b.Fatal(err)
		}
		sv.Close()
	}
}

// BenchmarkAnalyze measures building and analysing one record's document, the part of Put that
// runs in Minyi's code (bleve's segment building is BenchmarkPut's remainder).
func BenchmarkAnalyze(b *testing.B) {
	pool := newCorpusGen(1).corpus(1000)
	ix := &Index{}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Used()
	defer func() { b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/doc") }()
	for i := 0; i < b.N; i++ {
		doc, err := ix.document(pool[i%len(pool)])
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range doc.Fields {
			if f.Options().IsIndexed() {
				f.Analyze()
			}
		}
	}
}
