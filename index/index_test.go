package index

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

func TestSubstringAndWholeWordRanking(t *testing.T) {
	ix := mustOpen(t)
	mustPut(t, ix,
		newRec(1, "渣土车夜间施工", "每天晚上渣土车经过，噪音很大。"),
		newRec(2, "工地扬尘", "工地的渣土没有覆盖，扬尘严重。"),
		newRec(3, "路灯不亮", "小区门口路灯不亮，晚上出行不便。"),
		newRec(4, "噪声投诉", "凌晨施工噪声扰民。"),
	)
	tests := []struct {
		q    string
		want []string // exact set, first element must rank first when rankFirst
		rank bool
	}{
		{q: "渣土车", want: []string{"M000001"}},
		{q: "土车", want: []string{"M000001"}},
		{q: "渣土", want: []string{"M000002", "M000001"}, rank: true}, // whole word 渣土 in 2, only inside 渣土车 in 1
		{q: "噪", want: []string{"M000001", "M000004"}},
		{q: "灯不", want: []string{"M000003"}},
		{q: "路灯不亮", want: []string{"M000003"}},
		{q: "夜间施工", want: []string{"M000001"}},
		{q: "施工", want: []string{"M000001", "M000004"}},
		{q: "月亮", want: nil},
		{q: "晚上 噪音", want: []string{"M000001"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res := mustSearch(t, ix, Query{Text: tc.q})
			got := ids(res)
			if tc.rank {
				if !slices.Equal(got, tc.want) {
					t.Fatalf("ranked ids = %v, want %v", got, tc.want)
				}
				return
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("ids = %v, want %v", got, want)
			}
			if res.Total != uint64(len(want)) {
				t.Fatalf("total = %d, want %d", res.Total, len(want))
			}
		})
	}
}

func TestQuerySyntax(t *testing.T) {
	ix := mustOpen(t)
	withDept := func(d string) recOpt { return func(r *domain.Record) { r.Department = d } }
	withDistrict := func(d string) recOpt { return func(r *domain.Record) { r.Analysis.District = d } }
	withCat := func(c string) recOpt { return func(r *domain.Record) { r.Analysis.Category = c } }
	mustPut(t, ix,
		newRec(1, "渣土车噪音", "渣土车噪音扰民，拨打12345多次。", withDept("市城管局"), withDistrict("惠城区")),
		newRec(2, "空气质量", "PM2.5超标，工地扬尘。", withDept("市生态环境局"), withDistrict("惠阳区"), withCat("环境保护")),
		newRec(3, "噪音", "广场舞噪音，晚上十点后还在跳。", withDept("惠城区政府"), withDistrict("惠城区")),
		newRec(4, "车辆噪音扰民", "货车夜间鸣笛，噪音扰民。", withDistrict("惠阳区")),
	)
	tests := []struct{ q, want string }{
		{`噪音`, "M000001 M000003 M000004"},
		{`"噪音扰民"`, "M000001 M000004"},
		{`“噪音扰民”`, "M000001 M000004"},
		{`噪音 -扰民`, "M000003"},
		{`噪音 NOT 扰民`, "M000003"},
		{`噪音 AND 扰民`, "M000001 M000004"},
		{`扬尘 OR 广场舞`, "M000002 M000003"},
		{`(扬尘 OR 广场舞) 噪音`, "M000003"},
		{`标题:噪音`, "M000001 M000003 M000004"},
		{`标题:"车辆噪音"`, "M000004"},
		{`标题:广场舞`, ""},
		{`标题:噪`, "M000001 M000003 M000004"}, // a character starting a title bigram
		{`标题:音`, "M000001 M000003 M000004"}, // a title's last character
		{`标题:"车"`, "M000001 M000004"},       // first, middle and last of a run
		{`标题:笛`, ""},                        // only in a body
		{`标题:"噪音扰"`, "M000004"},
		{`部门:城管`, "M000001"},
		{`部门:市城管局`, "M000001"},
		{`区县:惠城区 噪音`, "M000001 M000003"},
		{`分类:环境保护`, "M000002"},
		{`12345`, "M000001"},
		{`pm2.5`, "M000002"},
		{`ＰＭ２．５`, "M000002"},
		{`时间:2024-03-01`, "M000001 M000002 M000003 M000004"},
		{`时间:2024-03-02..2024-03-31`, ""},
		{`时间:2024-02-01..2024-02-28`, ""},
		{`-噪音`, "M000002"},
		{`编号:M000003`, "M000003"},
		{`AND OR`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			got := ids(mustSearch(t, ix, Query{Text: tc.q, Limit: 100}))
			slices.Sort(got)
			if s := strings.Join(got, " "); s != tc.want {
				t.Fatalf("ids = %q, want %q", s, tc.want)
			}
		})
	}
}

func TestFiltersFacetsAndSort(t *testing.T) {
	ix := mustOpen(t)
	var recs []*domain.Record
	for i := 1; i <= 30; i++ {
		ch := domain.ChannelHotline
		if i%3 == 0 {
			ch = domain.ChannelPetition
		}
		r := newRec(uint64(i), "投诉", "小区物业问题", func(r *domain.Record) {
			r.Channel = ch
			r.Time = time.Date(2024, time.Month(1+i%4), 1+i, 10, 0, 0, 0, cst)
			if i%2 == 0 {
				r.Status = domain.StatusClosed
			}
			r.Suggestions = []domain.Suggestion{{Department: "住建局"}}
		})
		recs = append(recs, r)
	}
	mustPut(t, ix, recs...)
	count := func(pred func(*domain.Record) bool) int {
		n := 0
		for _, r := range recs {
			if pred(r) {
				n++
			}
		}
		return n
	}
	since := time.Date(2024, 2, 1, 0, 0, 0, 0, cst)
	until := time.Date(2024, 4, 1, 0, 0, 0, 0, cst)
	tests := []struct {
		name string
		q    Query
		want int
	}{
		{"channel", Query{Channel: domain.ChannelPetition}, count(func(r *domain.Record) bool { return r.Channel == domain.ChannelPetition })},
		{"status+channel", Query{Status: domain.StatusClosed, Channel: domain.ChannelPetition}, count(func(r *domain.Record) bool {
			return r.Status == domain.StatusClosed && r.Channel == domain.ChannelPetition
		})},
		{"since-until", Query{Since: since, Until: until}, count(func(r *domain.Record) bool { return !r.Time.Before(since) && r.Time.Before(until) })},
		{"text+filter", Query{Text: "物业", Status: domain.StatusNew, Sort: SortTime}, count(func(r *domain.Record) bool { return r.Status == domain.StatusNew })},
		{"suggested dept", Query{Department: "住建局"}, 30},
		{"empty range", Query{Since: until, Until: since}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Facets = true
			tc.q.Limit = 100
			res := mustSearch(t, ix, tc.q)
			if int(res.Total) != tc.want || len(res.Hits) != tc.want {
				t.Fatalf("total %d hits %d, want %d", res.Total, len(res.Hits), tc.want)
			}
			sum := 0
			for _, n := range res.Facets["channel"] {
				sum += n
			}
			if sum != tc.want {
				t.Fatalf("channel facet sums to %d, want %d (%v)", sum, tc.want, res.Facets["channel"])
			}
			months := 0
			for m, n := range res.Facets["month"] {
				if _, err := time.Parse("2006-01", m); err != nil {
					t.Fatalf("month facet key %q: %v", m, err)
				}
				months += n
			}
			if months != tc.want {
				t.Fatalf("month facet sums to %d, want %d", months, tc.want)
			}
			for i := 1; i < len(res.Hits); i++ {
				if res.Hits[i].Time.After(res.Hits[i-1].Time) {
					t.Fatalf("hits not newest first at %d: %v after %v", i, res.Hits[i].Time, res.Hits[i-1].Time)
				}
			}
		})
	}
	asc := mustSearch(t, ix, Query{Sort: SortTimeAsc, Limit: 30})
	for i := 1; i < len(asc.Hits); i++ {
		if asc.Hits[i].Time.Before(asc.Hits[i-1].Time) {
			t.Fatalf("time_asc out of order at %d", i)
		}
	}
}

func TestDeepPagingMatchesOffsets(t *testing.T) {
	for _, tc := range []struct {
		name      string
		windowMin int
		text      string
		slow      bool // bleve's searchers (sorted pass or time windows) instead of bitmaps
	}{
		{"bitmaps", windowThreshold, "", false},
		{"bitmaps with text", windowThreshold, "积水", false},
		{"one sorted pass", windowThreshold, "", true},
		{"time windows", 10, "", true},
		{"time windows with text", 10, "积水", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := mustOpen(t)
			ix.windowMin = tc.windowMin
			ix.slowOnly = tc.slow
			var recs []*domain.Record
			for i := 1; i <= 95; i++ {
				recs = append(recs, newRec(uint64(i), "积水", "道路积水", func(r *domain.Record) {
					// Spread over years, with many equal times: seq breaks ties.
					r.Time = time.Date(2018+i%5, time.Month(1+i%12), 1+i%3, 0, 0, 0, 0, cst)
				}))
			}
			mustPut(t, ix, recs...)
			full := mustSearch(t, ix, Query{Text: tc.text, Sort: SortTime, Limit: 95})
			if full.Total != 95 || len(full.Hits) != 95 {
				t.Fatalf("total %d hits %d, want 95", full.Total, len(full.Hits))
			}
			for i := 1; i < len(full.Hits); i++ {
				if full.Hits[i].Time.After(full.Hits[i-1].Time) {
					t.Fatalf("not newest first at %d", i)
				}
			}
			ix.cursors.clear()
			var paged []string
			for off := 0; off < 95; off += 10 {
				res := mustSearch(t, ix, Query{Text: tc.text, Sort: SortTime, Limit: 10, Offset: off})
				if res.Total != 95 {
					t.Fatalf("page at %d: total %d", off, res.Total)
				}
				paged = append(paged, ids(res)...)
			}
			if !slices.Equal(ids(full), paged) {
				t.Fatalf("paged order differs from one page:\n%v\n%v", ids(full), paged)
			}
			if tc.slow && len(ix.cursors.m) == 0 {
				t.Fatal("paging stored no cursors")
			}
			// A jump to an offset no cursor covers falls back to from/size.
			jump := ids(mustSearch(t, ix, Query{Text: tc.text, Sort: SortTime, Limit: 5, Offset: 42}))
			if !slices.Equal(jump, ids(full)[42:47]) {
				t.Fatalf("jump page = %v, want %v", jump, ids(full)[42:47])
			}
		})
	}
}

func TestPutUpsertDeleteSeqAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(ctx, dir, newToySeg())
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := ix.IndexedSeq(); s != 0 {
		t.Fatalf("empty IndexedSeq = %d", s)
	}
	mustPut(t, ix, newRec(7, "路灯", "路灯不亮"), newRec(3, "积水", "道路积水"), newRec(5, "供暖", "供暖不热"))
	mustPut(t, ix, newRec(4, "供暖", "供暖不热")) // a lower Seq must not move the mark back
	r := newRec(3, "积水已处理", "排水管道已疏通")
	mustPut(t, ix, r)
	if n, _ := ix.Count(); n != 4 {
		t.Fatalf("count = %d, want 4", n)
	}
	if got := ids(mustSearch(t, ix, Query{Text: "积水"})); !slices.Equal(got, []string{"M000003"}) {
		t.Fatalf("after upsert 积水 = %v", got)
	}
	if got := ids(mustSearch(t, ix, Query{Text: "道路"})); len(got) != 0 {
		t.Fatalf("old text still found: %v", got)
	}
	if err := ix.Delete(ctx, "M000005", "nope"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(ctx, dir, newToySeg())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer ix.Close()
	if s, _ := ix.IndexedSeq(); s != 7 {
		t.Fatalf("IndexedSeq after reopen = %d, want 7", s)
	}
	if n, _ := ix.Count(); n != 3 {
		t.Fatalf("count after delete+reopen = %d, want 3", n)
	}
}

func TestOpenCorrupt(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"garbage meta", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{not json"), 0o644)
		}},
		{"foreign files", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o644)
		}},
		{"garbage root", func(t *testing.T, dir string) {
			ix, err := Open(ctx, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			mustPut(t, ix, newRec(1, "a", "b"))
			ix.Close()
			os.WriteFile(filepath.Join(dir, "store", "root.bolt"), []byte(strings.Repeat("x", 4096)), 0o644)
		}},
		{"old schema", func(t *testing.T, dir string) {
			ix, err := Open(ctx, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			ix.idx.SetInternal([]byte(keySchema), []byte("minyi-index-0"))
			ix.Close()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			_, err := Open(ctx, dir, nil)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("open = %v, want ErrCorrupt", err)
			}
			if tc.name == "foreign files" {
				if _, err := Recreate(ctx, dir, nil); err == nil {
					t.Fatal("Recreate deleted a directory that is not an index")
				}
				return
			}
			ix, err := Recreate(ctx, dir, nil)
			if err != nil {
				t.Fatalf("recreate: %v", err)
			}
			defer ix.Close()
			if n, _ := ix.Count(); n != 0 {
				t.Fatalf("recreated index has %d docs", n)
			}
		})
	}
}

func TestSnippetIsPlainTextWithMarkers(t *testing.T) {
	ix := mustOpen(t)
	body := strings.Repeat("前情提要。", 40) + `<script>alert(1)</script>渣土车凌晨作业` + "\uE000伪造\uE001" + strings.Repeat("后续说明。", 40)
	mustPut(t, ix, newRec(1, "标题<b>", body))
	res := mustSearch(t, ix, Query{Text: "渣土车", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %d", len(res.Hits))
	}
	s := res.Hits[0].Snippet
	if !strings.Contains(s, "alert(1)</script>\uE000渣土车\uE001") {
		t.Fatalf("snippet lacks literal markup + marked match: %q", s)
	}
	if strings.Count(s, markOpen) != 1 || strings.Count(s, markClose) != 1 {
		t.Fatalf("forged or missing markers: %q", s)
	}
	if n := len([]rune(s)); n > snippetRunes+4 {
		t.Fatalf("snippet has %d runes", n)
	}
	if res.Hits[0].Title != "标题<b>" {
		t.Fatalf("title = %q", res.Hits[0].Title)
	}
	plain := mustSearch(t, ix, Query{Text: "渣土车"})
	if strings.ContainsAny(plain.Hits[0].Snippet, markOpen+markClose) {
		t.Fatalf("unhighlighted snippet has markers: %q", plain.Hits[0].Snippet)
	}
}

func TestSimilar(t *testing.T) {
	ix := mustOpen(t)
	d := func(s string) recOpt { return func(r *domain.Record) { r.Analysis.District = s } }
	mustPut(t, ix,
		newRec(1, "渣土车噪音扰民", "夜间渣土车噪音扰民，影响居民休息。", d("惠城区")),
		newRec(2, "渣土车夜间噪音", "渣土车晚上噪音很大，影响休息。", d("惠城区")),
		newRec(3, "路灯不亮", "小区路灯不亮。", d("惠阳区")),
		newRec(4, "渣土车撒漏", "渣土车撒漏，道路污染。", d("惠阳区")),
		newRec(5, "供暖不热", "供暖不热，影响居民生活。", d("惠城区")),
	)
	hits, err := ix.Similar(context.Background(), "M000001", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != "M000002" {
		t.Fatalf("similar = %+v, want M000002 first", hits)
	}
	for _, h := range hits {
		if h.ID == "M000001" {
			t.Fatal("similar returned the record itself")
		}
		if h.ID == "M000003" {
			t.Fatal("similar returned an unrelated record")
		}
	}
	if _, err := ix.Similar(context.Background(), "M999999", 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing id: %v", err)
	}
}

func TestAllFacetsMatchBleveFacets(t *testing.T) {
	ix := mustOpen(t)
	recs := newCorpusGen(5).corpus(300)
	mustPut(t, ix, recs...)
	// Replace some records so the dictionaries hold terms of deleted documents.
	for _, r := range recs[:40] {
		r.Status = domain.StatusClosed
		r.Analysis.District = "新区"
	}
	mustPut(t, ix, recs[:40]...)
	fast := mustSearch(t, ix, Query{Facets: true})
	// A filter that matches everything forces bleve's own facet pass.
	slow := mustSearch(t, ix, Query{Facets: true, Since: time.Date(1990, 1, 1, 0, 0, 0, 0, cst)})
	if fast.Total != 300 || slow.Total != 300 {
		t.Fatalf("totals %d %d, want 300", fast.Total, slow.Total)
	}
	for _, f := range facetFields {
		if !maps.Equal(fast.Facets[f.name], slow.Facets[f.name]) {
			t.Errorf("facet %s: dictionary %v, bleve %v", f.name, fast.Facets[f.name], slow.Facets[f.name])
		}
	}
	if fast.Facets["district"]["新区"] != 40 {
		t.Fatalf("district facet = %v", fast.Facets["district"])
	}
}

func TestPutManyBatches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(ctx, dir, newToySeg())
	if err != nil {
		t.Fatal(err)
	}
	ix.chunk = 7
	recs := newCorpusGen(9).corpus(100)
	slices.Reverse(recs) // Put must not depend on the caller's order
	mustPut(t, ix, recs...)
	if s, _ := ix.IndexedSeq(); s != 100 {
		t.Fatalf("IndexedSeq = %d, want 100", s)
	}
	if n, _ := ix.Count(); n != 100 {
		t.Fatalf("count = %d, want 100", n)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := ix.Put(cancelled, newCorpusGen(10).corpus(30)); !errors.Is(err, context.Canceled) {
		t.Fatalf("put with cancelled context: %v", err)
	}
	if s, _ := ix.IndexedSeq(); s != 100 {
		t.Fatalf("IndexedSeq moved by a cancelled put: %d", s)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Put(ctx, recs[:1]); !errors.Is(err, ErrClosed) {
		t.Fatalf("put after close: %v", err)
	}
	if _, err := ix.Search(ctx, Query{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("search after close: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	ix, err = Open(ctx, dir, newToySeg())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if s, _ := ix.IndexedSeq(); s != 100 {
		t.Fatalf("IndexedSeq after reopen = %d, want 100", s)
	}
	newest := slices.MaxFunc(recs, func(a, b *domain.Record) int { return a.Time.Compare(b.Time) })
	res := mustSearch(t, ix, Query{Limit: 1})
	if res.Total != 100 || len(res.Hits) != 1 || res.Hits[0].ID != newest.ID {
		t.Fatalf("newest = %+v (total %d), want %s of 100", res.Hits, res.Total, newest.ID)
	}
}
