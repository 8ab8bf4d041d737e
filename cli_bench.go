package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"minyi/app"
	"minyi/domain"
	"minyi/store"
)

// benchReport is what `minyi bench` prints (as JSON with --json).
type benchReport struct {
	Command string                 `json:"command"`
	Items   int                    `json:"items"`
	Seed    int64                  `json:"seed"`
	DataDir string                 `json:"data_dir"`
	Kept    bool                   `json:"kept"` // the data directory is kept (--dir) for later runs
	OpenMS  float64                `json:"open_ms"`
	Ingest  *app.BenchIngestReport `json:"ingest,omitempty"` // absent when --dir already held the items
	Search  *app.BenchSearchReport `json:"search,omitempty"`
	// ReopenMS are the times from opening the store and index of the filled directory until
	// the first search answers (segmenter already loaded, as in a running console), per run.
	ReopenMS []float64 `json:"reopen_ms,omitempty"`
	// SettleSeconds is how long bench ingest waited after the ingest for the index's merges to
	// end (and then 3 s without one) before measuring IdleRSSMB.
	SettleSeconds float64 `json:"settle_seconds,omitempty"`
	IdleRSSMB     float64 `json:"idle_rss_mb"` // VmRSS at the end, after a GC returned free memory
	PeakRSSMB     float64 `json:"peak_rss_mb"` // VmHWM
	TotalSeconds  float64 `json:"total_seconds"`
}

// cmdBench generates synthetic messages, runs them through the real pipeline into a data
// directory and reports throughput, latencies and memory. Without --dir the directory is a
// temporary one, removed afterwards; with --dir it is kept and a later run reuses its items.
func cmdBench(env *cliEnv, args []string) error {
	if len(args) == 0 || (args[0] != "ingest" && args[0] != "search") {
		return usageErr("bench 需要子命令 ingest 或 search，如 minyi bench ingest --items 100000 --json")
	}
	sub := args[0]
	fs := flag.NewFlagSet("bench "+sub, flag.ContinueOnError)
	items := fs.Int("items", 10000, "")
	seed := fs.Int64("seed", 1, "")
	asJSON := fs.Bool("json", false, "")
	dir := fs.String("dir", "", "")
	chunk := fs.Int("chunk", 0, "") // 0: as many as an import hands the pipeline at once
	queries := fs.Int("queries", 200, "")
	recallTerms := fs.Int("recall-terms", 200, "")
	gogc := fs.Int("gogc", 0, "")
	cpuProfile := fs.String("cpuprofile", "", "")
	if rest, err := parseFlags(fs, args[1:]); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageErr("bench 不接受参数 %q", rest[0])
	}
	if *items <= 0 || *chunk < 0 || *queries <= 0 || *recallTerms < 0 {
		return usageErr("--items、--queries 须为正数，--chunk、--recall-terms 不能为负数")
	}
	if *gogc > 0 {
		debug.SetGCPercent(*gogc)
	}
	start := time.Now()
	rep := benchReport{Command: sub, Items: *items, Seed: *seed, Kept: *dir != ""}
	dataDir := *dir
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "minyi-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	rep.DataDir = dataDir
	benv := *env
	benv.dataDir = dataDir
	t0 := time.Now()
	p, err := benv.open(slog.LevelError)
	if err != nil {
		return err
	}
	defer func() {
		if p != nil {
			p.Close()
		}
	}()
	rep.OpenMS = ms(time.Since(t0))

	// Reuse what a kept directory already holds; ingest the rest.
	if sub == "ingest" {
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	docs, err := benchDocs(env.ctx, p.store)
	if err != nil {
		return err
	}
	if have := len(docs); have < *items {
		last := time.Now()
		ing, more, err := app.BenchIngest(env.ctx, p.core, *seed, have, *items-have, *chunk, func(done int) {
			if time.Since(last) >= 10*time.Second {
				fmt.Fprintf(env.stderr, "已入库 %d / %d 条\n", have+done, *items)
				last = time.Now()
			}
		})
		if err != nil {
			return err
		}
		rep.Ingest = &ing
		docs = append(docs, more...)
		if sub == "ingest" {
			// Idle means after scorch's background merges of the load are over.
			t := time.Now()
			if err := p.index.Settle(env.ctx, 3*time.Second, 10*time.Minute); err != nil {
				return err
			}
			rep.SettleSeconds = time.Since(t).Seconds()
		}
	}
	if sub == "search" {
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
		sr, err := app.BenchSearch(env.ctx, p.core, docs, *seed, *queries, *recallTerms)
		if err != nil {
			return err
		}
		stop()
		rep.Search = &sr
		// (d) open until the first search answers, three times.
		for range 3 {
			p.index.Close()
			p.store.Close()
			p.index, p.store = nil, nil
			t := time.Now()
			if p.store, err = store.Open(env.ctx, benv.dbPath()); err != nil {
				return err
			}
			if p.index, err = openIndex(env.ctx, benv.indexPath(), p.nlp, p.log); err != nil {
				return err
			}
			c := app.New(app.Deps{DataDir: dataDir, Store: p.store, Index: p.index, NLP: p.nlp, Log: p.log})
			if _, err := c.Search(env.ctx, app.SearchQuery{Query: "渣土车", District: "惠城区", Sort: "time"}); err != nil {
				return err
			}
			rep.ReopenMS = append(rep.ReopenMS, ms(time.Since(t)))
		}
	}
	debug.FreeOSMemory()
	rep.IdleRSSMB, rep.PeakRSSMB = app.ProcMemMB()
	rep.TotalSeconds = time.Since(start).Seconds()
	if *asJSON {
		return printJSON(env.stdout, rep)
	}
	printBench(env, rep)
	return nil
}

// startProfile starts a CPU profile into path (none when path is empty). bench profiles the
// work it times: the ingest for bench ingest, the queries (not the ingest) for bench search.
// The returned stop ends the profile and closes its file; calling it again does nothing.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	var once sync.Once
	return func() { once.Do(func() { pprof.StopCPUProfile(); f.Close() }) }, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchDocs lists the id and time of every stored record, for a kept directory's second run.
func benchDocs(ctx context.Context, s *store.Store) ([]app.BenchDoc, error) {
	var docs []app.BenchDoc
	err := s.Scan(ctx, 0, func(r *domain.Record) error {
		docs = append(docs, app.BenchDoc{ID: r.ID, Time: r.Time})
		return nil
	})
	return docs, err
}

func printBench(env *cliEnv, rep benchReport) {
	w := env.stdout
	fmt.Fprintf(w, "数据目录 %s（%d 条，种子 %d）打开 %.0f 毫秒\n", rep.DataDir, rep.Items, rep.Seed, rep.OpenMS)
	if in := rep.Ingest; in != nil {
		fmt.Fprintf(w, "入库 %d 条（新 %d，重复 %d）：%.1f 秒，%.0f 条/秒，CPU %.1f 秒（%.0f 条/CPU 秒）；索引 %.0f MB，库 %.0f MB；RSS %.0f MB，峰值 %.0f MB\n",
			in.Items, in.New, in.Duplicates, in.Seconds, in.ItemsPerSec, in.CPUSeconds, in.ItemsPerCPUSec, in.IndexMB, in.StoreMB, in.RSSMB, in.PeakRSSMB)
	}
	if s := rep.Search; s != nil {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "类别\t次数\tp50 毫秒\tp95 毫秒\tp99 毫秒\t平均命中")
		for _, c := range s.Classes {
			fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.0f\n", c.Name, c.Queries, c.P50MS, c.P95MS, c.P99MS, c.MeanTotal)
		}
		tw.Flush()
		r := s.Recall
		fmt.Fprintf(w, "子串召回 %.4f，精确 %.4f（%d 个词，应中 %d，命中 %d，正确 %d，窗口 %s）\n",
			r.Recall, r.Precision, r.Terms, r.Expected, r.Found, r.Correct, r.Window)
		if len(rep.ReopenMS) > 0 {
			sorted := slices.Clone(rep.ReopenMS)
			slices.Sort(sorted)
			fmt.Fprintf(w, "重新打开到首次检索：%s 毫秒（中位数 %.0f）\n", joinFloats(rep.ReopenMS), sorted[len(sorted)/2])
		}
	}
	fmt.Fprintf(w, "结束时 RSS %.0f MB，峰值 %.0f MB，共 %.0f 秒\n", rep.IdleRSSMB, rep.PeakRSSMB, rep.TotalSeconds)
}

func joinFloats(xs []float64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " / "
		}
		s += strconv.FormatFloat(x, 'f', 0, 64)
	}
	return s
}
