package app

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"minyi/domain"
	"minyi/index"
)

// The bench command's measurements: synthetic messages through the real pipeline (Ingest:
// NLP → route → bbolt → bleve) into a data directory, then timed searches per query class and
// a substring recall/precision check against strings.Contains over the stored texts.

// BenchDoc is what the search bench remembers of each ingested message: enough to select the
// messages of a time window, whose text it then reads back from the store.
type BenchDoc struct {
	ID   string
	Time time.Time
}

// BenchIngestReport is the outcome of an ingest run.
type BenchIngestReport struct {
	Items       int     `json:"items"`
	New         int     `json:"new"`
	Duplicates  int     `json:"duplicates"`
	Seed        int64   `json:"seed"`
	Seconds     float64 `json:"seconds"`     // wall time in Ingest (generation excluded)
	CPUSeconds  float64 `json:"cpu_seconds"` // process CPU time in Ingest (Linux), which the shared machine does not distort
	ItemsPerSec float64 `json:"items_per_sec"`
	// ItemsPerCPUSec is items per second of process CPU time: on an idle machine with g cores the
	// wall-clock rate approaches g × this, whatever else shares the machine while measuring.
	ItemsPerCPUSec float64 `json:"items_per_cpu_sec"`
	GenSeconds     float64 `json:"gen_seconds"` // time spent generating items, not counted above
	// GCCPUSeconds is the part of CPUSeconds the Go garbage collector used (runtime/metrics).
	GCCPUSeconds float64 `json:"gc_cpu_seconds"`
	RSSMB        float64 `json:"rss_mb"`      // VmRSS after ingest, after a GC returned free memory
	PeakRSSMB    float64 `json:"peak_rss_mb"` // VmHWM, the process's peak
	IndexMB      float64 `json:"index_mb"`
	StoreMB      float64 `json:"store_mb"`
	Chunk        int     `json:"chunk"` // items per Ingest call (Ingest commits 1,024 per transaction)
	GoMaxProcs   int     `json:"gomaxprocs"`
}

// BenchIngest generates items [from, from+n) of seed and ingests them chunk at a time. progress,
// when set, is called after each chunk with the items done.
func BenchIngest(ctx context.Context, c *Core, seed int64, from, n, chunk int, progress func(done int)) (BenchIngestReport, []BenchDoc, error) {
	if chunk <= 0 {
		chunk = batchSize // as a file import hands them over
	}
	rep := BenchIngestReport{Items: n, Seed: seed, Chunk: chunk, GoMaxProcs: runtime.GOMAXPROCS(0)}
	syn, err := NewSynth(seed)
	if err != nil {
		return rep, nil, err
	}
	docs := make([]BenchDoc, 0, n)
	cpu0, gc0 := cpuSeconds(), gcCPUSeconds()
	var ingest, gen time.Duration
	// Like a file import, one indexer serves every chunk; the time includes waiting for it.
	ix := c.startIndexing(ctx)
	defer ix.finish()
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return rep, docs, err
		}
		t0 := time.Now()
		items := make([]domain.Item, 0, chunk)
		for i := start; i < min(start+chunk, n); i++ {
			items = append(items, syn.Item(from+i))
		}
		t1 := time.Now()
		out, err := c.ingestWith(ctx, items, ix, nil)
		if start+chunk >= n {
			ix.finish() // the last chunk's records are searchable before the clock stops
		}
		t2 := time.Now()
		gen += t1.Sub(t0)
		ingest += t2.Sub(t1)
		if err != nil {
			return rep, docs, fmt.Errorf("ingest items %d…: %w", from+start, err)
		}
		for k, o := range out {
			if o.Duplicate {
				rep.Duplicates++
				continue
			}
			rep.New++
			docs = append(docs, BenchDoc{ID: o.ID, Time: items[k].Time})
		}
		if progress != nil {
			progress(start + len(items))
		}
	}
	rep.CPUSeconds = cpuSeconds() - cpu0
	rep.GCCPUSeconds = gcCPUSeconds() - gc0
	rep.Seconds, rep.GenSeconds = ingest.Seconds(), gen.Seconds()
	if rep.Seconds > 0 {
		rep.ItemsPerSec = float64(n) / rep.Seconds
	}
	if rep.CPUSeconds > 0 {
		rep.ItemsPerCPUSec = float64(n) / rep.CPUSeconds
	}
	debug.FreeOSMemory()
	rep.RSSMB, rep.PeakRSSMB = ProcMemMB()
	rep.IndexMB = dirMB(filepath.Join(c.DataDir, "index"))
	if st, err := os.Stat(c.Store.Path()); err == nil {
		rep.StoreMB = float64(st.Size()) / (1 << 20)
	}
	return rep, docs, nil
}

// ProcMemMB reads the process's resident memory now and at its peak (VmRSS, VmHWM) from
// /proc/self/status; zero where there is no /proc.
func ProcMemMB() (rss, peak float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// gcCPUSeconds is the CPU time the garbage collector has used so far, as the runtime estimates it.
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// cpuSeconds is the process's user+system CPU time from /proc/self/stat (clock ticks of 1/100 s
// on Linux); zero elsewhere.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if k := strings.LastIndexByte(s, ')'); k >= 0 {
		s = s[k+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// dirMB is the size of the files under dir.
func dirMB(dir string) float64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return float64(n) / (1 << 20)
}

// BenchClass is the latency of one class of queries.
type BenchClass struct {
	Name      string  `json:"name"`
	About     string  `json:"about"`
	Queries   int     `json:"queries"`
	P50MS     float64 `json:"p50_ms"`
	P95MS     float64 `json:"p95_ms"`
	P99MS     float64 `json:"p99_ms"`
	MeanMS    float64 `json:"mean_ms"`
	MeanTotal float64 `json:"mean_total"` // average result-set size, so the latencies can be judged
	// CPUMeanMS is the process CPU time per query (Linux; 10 ms clock ticks over the whole
	// class), which load from other processes on a shared machine does not inflate as it does
	// the wall-clock latencies.
	CPUMeanMS float64 `json:"cpu_mean_ms"`
}

// BenchRecall is the substring check: for random 1–4 character terms, the index's matches in a
// time window against strings.Contains over the stored title+body of every message of that
// window. Counts are (term, message) pairs over all terms.
type BenchRecall struct {
	Terms     int      `json:"terms"`
	Expected  int      `json:"expected"` // pairs where the text contains the term
	Found     int      `json:"found"`    // pairs the index returned
	Correct   int      `json:"correct"`  // pairs in both
	Recall    float64  `json:"recall"`
	Precision float64  `json:"precision"`
	Window    string   `json:"window"`           // the typical window length
	Misses    []string `json:"misses,omitempty"` // a few terms with a miss or a false hit, "term id"
}

// BenchSearchReport is the outcome of a search run.
type BenchSearchReport struct {
	Items   int          `json:"items"`
	Seed    int64        `json:"seed"`
	Classes []BenchClass `json:"classes"`
	Recall  BenchRecall  `json:"recall"`
}

// benchTerms are words officers search for; queries combine them with random corpus substrings.
var benchTerms = []string{"渣土车", "噪音", "油烟", "占道经营", "违建", "垃圾", "积水", "路灯", "井盖", "停车", "物业", "停水",
	"工资", "电梯", "遛狗", "红绿灯", "公交", "扬尘", "学位", "社保", "挂号", "施工", "安全隐患", "多次反映"}

// BenchSearch times n queries of each class against what BenchIngest stored, after a few
// warm-up queries, then runs the recall/precision check with recallTerms terms.
func BenchSearch(ctx context.Context, c *Core, docs []BenchDoc, seed int64, n, recallTerms int) (BenchSearchReport, error) {
	rep := BenchSearchReport{Items: len(docs), Seed: seed}
	r := rand.New(rand.NewPCG(uint64(seed), 0xbe4c))
	districts := make([]string, 0, len(synthPlaces))
	for _, p := range synthPlaces {
		districts = append(districts, p.district)
	}
	phrases, err := benchPhrases(ctx, c, docs, r, 64)
	if err != nil {
		return rep, err
	}
	classes := []struct {
		name, about string
		run         func() (int, error)
	}{
		{"a_filters_facets_time", "词 + 区县/渠道筛选 + 全部分面 + 按时间倒序 + 高亮，20 条（检索页默认路径 Core.Search）", func() (int, error) {
			q := SearchQuery{Query: pick(r, benchTerms), District: pick(r, districts), Sort: "time", Limit: 20}
			if r.IntN(2) == 0 {
				q.Channel = pick(r, synthChannels).channel
			}
			res, err := c.Search(ctx, q)
			return res.Total, err
		}},
		{"b_relevance", "一到两个词按相关度，20 条，高亮，无分面（index.Search）", func() (int, error) {
			text := pick(r, benchTerms)
			if r.IntN(2) == 0 {
				text += " " + pick(r, benchTerms)
			}
			res, err := c.Index.Search(ctx, index.Query{Text: text, Sort: index.SortRelevance, Limit: 20, Highlight: true})
			if err != nil {
				return 0, err
			}
			return int(res.Total), nil
		}},
		{"b2_relevance_facets", "同 b，但经 Core.Search（带分面，检索页的实际路径）", func() (int, error) {
			res, err := c.Search(ctx, SearchQuery{Query: pick(r, benchTerms), Sort: "relevance", Limit: 20})
			return res.Total, err
		}},
		{"c_phrase_time", "带引号的短语（取自语料的 4–8 字），按时间倒序，20 条，分面与高亮（Core.Search）", func() (int, error) {
			res, err := c.Search(ctx, SearchQuery{Query: `"` + pick(r, phrases) + `"`, Sort: "time", Limit: 20})
			return res.Total, err
		}},
		{"e_deep_page", "时间倒序连续翻页：第 1–50 页（每页 20 条），取后 49 页的耗时", nil},
	}
	for _, cl := range classes {
		var lat []time.Duration
		total := 0
		// cpu is the CPU seconds of the timed queries.
		cpu := 0.0
		if cl.run == nil { // deep paging: pages 2..50 of one query, each continuing the previous
			for range max(1, n/49) {
				q := SearchQuery{Query: pick(r, benchTerms), Sort: "time", Limit: 20}
				for page := range 50 {
					q.Offset = page * 20
					t0, c0 := time.Now(), cpuSeconds()
					res, err := c.Search(ctx, q)
					if err != nil {
						return rep, fmt.Errorf("bench %s: %w", cl.name, err)
					}
					if page > 0 {
						lat = append(lat, time.Since(t0))
						cpu += cpuSeconds() - c0
						total += res.Total
					}
				}
			}
		} else {
			for range 5 { // warm-up: the first queries load segments and caches
				if _, err := cl.run(); err != nil {
					return rep, fmt.Errorf("bench %s: %w", cl.name, err)
				}
			}
			c0 := cpuSeconds()
			for range n {
				t0 := time.Now()
				tot, err := cl.run()
				if err != nil {
					return rep, fmt.Errorf("bench %s: %w", cl.name, err)
				}
				lat = append(lat, time.Since(t0))
				total += tot
			}
			cpu = cpuSeconds() - c0
		}
		class := classOf(cl.name, cl.about, lat, total)
		if len(lat) > 0 {
			class.CPUMeanMS = cpu * 1000 / float64(len(lat))
		}
		rep.Classes = append(rep.Classes, class)
	}
	rep.Recall, err = benchRecall(ctx, c, docs, r, recallTerms)
	return rep, err
}

// classOf summarises latencies.
func classOf(name, about string, lat []time.Duration, total int) BenchClass {
	cl := BenchClass{Name: name, About: about, Queries: len(lat)}
	if len(lat) == 0 {
		return cl
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	cl.P50MS, cl.P95MS, cl.P99MS = at(0.50), at(0.95), at(0.99)
	cl.MeanMS = ms(sum / time.Duration(len(lat)))
	cl.MeanTotal = float64(total) / float64(len(lat))
	return cl
}

// benchPhrases picks k phrases of 4–8 Han characters from random stored messages.
func benchPhrases(ctx context.Context, c *Core, docs []BenchDoc, r *rand.Rand, k int) ([]string, error) {
	var out []string
	for tries := 0; len(out) < k && tries < 20*k && len(docs) > 0; tries++ {
		rec, err := c.Store.Get(ctx, pick(r, docs).ID)
		if err != nil {
			return nil, err
		}
		if p := hanSubstring([]rune(rec.Body), r, 4+r.IntN(5)); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, "渣土车")
	}
	return out, nil
}

// hanSubstring returns a random run of n Han characters of text, or "" when the pick is not
// all Han.
func hanSubstring(text []rune, r *rand.Rand, n int) string {
	if len(text) < n {
		return ""
	}
	start := r.IntN(len(text) - n + 1)
	for _, ch := range text[start : start+n] {
		if !unicode.Is(unicode.Han, ch) {
			return ""
		}
	}
	return string(text[start : start+n])
}

// recallWindowDocs is about how many messages one recall window holds: small enough to page
// through every match, large enough for rare terms to occur.
const recallWindowDocs = 2000

// benchRecall checks substring recall and precision for terms random 1–4 Han characters long,
// each taken from a random stored message (so it occurs) or, one time in four, made of random
// characters of the corpus (so it may not). The index query is the bare term with a time window.
func benchRecall(ctx context.Context, c *Core, docs []BenchDoc, r *rand.Rand, terms int) (BenchRecall, error) {
	out := BenchRecall{}
	if len(docs) == 0 || terms <= 0 {
		return out, nil
	}
	byTime := slices.Clone(docs)
	slices.SortFunc(byTime, func(a, b BenchDoc) int { return a.Time.Compare(b.Time) })
	winLen := min(len(byTime), recallWindowDocs)
	out.Window = byTime[len(byTime)-1].Time.Sub(byTime[0].Time).Truncate(time.Hour).String()
	var spans []time.Duration
	for range terms {
		// A window of winLen consecutive messages in time order: [since, until).
		lo := r.IntN(len(byTime) - winLen + 1)
		window := byTime[lo : lo+winLen]
		since, until := window[0].Time, window[len(window)-1].Time.Add(time.Nanosecond)
		for lo > 0 && byTime[lo-1].Time.Equal(since) { // the window's first instant, whole
			lo--
		}
		spans = append(spans, until.Sub(since))
		texts := map[string]string{}
		for _, d := range byTime[lo:] {
			if !d.Time.Before(until) {
				break
			}
			rec, err := c.Store.Get(ctx, d.ID)
			if err != nil {
				return out, err
			}
			texts[d.ID] = rec.Title + "\n" + rec.Body
		}
		term := ""
		for term == "" {
			src := []rune(texts[pick(r, window).ID])
			n := 1 + r.IntN(4)
			if r.IntN(4) == 0 { // characters from anywhere: often absent
				var b strings.Builder
				for b.Len() < 3*n {
					if ch := src[r.IntN(len(src))]; unicode.Is(unicode.Han, ch) {
						b.WriteRune(ch)
					}
				}
				term = b.String()
			} else {
				term = hanSubstring(src, r, n)
			}
		}
		want := map[string]bool{}
		for id, text := range texts {
			if strings.Contains(text, term) {
				want[id] = true
			}
		}
		got := map[string]bool{}
		q := index.Query{Text: term, Since: since, Until: until, Sort: index.SortTime, Limit: index.MaxLimit}
		for {
			res, err := c.Index.Search(ctx, q)
			if err != nil {
				return out, fmt.Errorf("recall %q: %w", term, err)
			}
			for _, h := range res.Hits {
				got[h.ID] = true
			}
			q.Offset += len(res.Hits)
			if len(res.Hits) < q.Limit {
				break
			}
		}
		out.Terms++
		out.Expected += len(want)
		out.Found += len(got)
		bad := ""
		for id := range got {
			if want[id] {
				out.Correct++
			} else if bad == "" {
				bad = "误中 " + term + " " + id
			}
		}
		for id := range want {
			if !got[id] && bad == "" {
				bad = "漏检 " + term + " " + id
			}
		}
		if bad != "" && len(out.Misses) < 10 {
			out.Misses = append(out.Misses, bad)
		}
	}
	if out.Expected > 0 {
		out.Recall = float64(out.Correct) / float64(out.Expected)
	}
	if out.Found > 0 {
		out.Precision = float64(out.Correct) / float64(out.Found)
	}
	if len(spans) > 0 {
		slices.Sort(spans)
		out.Window = spans[len(spans)/2].Truncate(time.Hour).String() + fmt.Sprintf("（约 %d 条/窗口）", winLen)
	}
	return out, nil
}
