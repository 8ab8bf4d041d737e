package index

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

// TestBitmapPathMatchesBleve runs the same queries through the bitmap path and through bleve's
// searchers over an index of several segments with replaced and deleted records, and requires
// the same totals, facets and pages.
func TestBitmapPathMatchesBleve(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t)
	ix.chunk = 400 // several segments
	recs := newCorpusGen(11).corpus(2500)
	for _, r := range recs[1200:1203] {
		r.Time = time.Time{} // records without a time sort last either way
	}
	mustPut(t, ix, recs...)
	// Replace some records (their old versions stay in older segments, deleted) and delete others.
	for _, r := range recs[100:160] {
		r.Status = domain.StatusClosed
		r.Analysis.District = "新区"
		r.Body += "，已经改过。"
	}
	mustPut(t, ix, recs[100:160]...)
	if err := ix.Delete(ctx, "M0000007", "M0000200", "M0002499"); err != nil {
		t.Fatal(err)
	}
	// Equal times so seq must break ties.
	same := recs[2400].Time
	for _, r := range recs[2401:2420] {
		r.Time = same
	}
	mustPut(t, ix, recs[2401:2420]...)

	texts := make([]string, 0, len(recs))
	for _, r := range recs {
		texts = append(texts, r.Title+"\n"+r.Body)
	}
	r := rand.New(rand.NewPCG(7, 8))
	queries := []Query{
		{},
		{Text: "渣土车"},
		{Text: "噪"},
		{Text: "居民", Offset: 1900},
		{Text: `"严重影响居民休息"`},
		{Text: "噪音 -扰民"},
		{Text: "扬尘 OR 油烟"},
		{Text: "(物业 OR 停水) 小区 NOT 电梯"},
		{Text: "12345"},
		{Text: "pm2.5"},
		{Text: "部门:城管"},
		{Text: "区县:惠城区 投诉"},
		{Text: "时间:2021-01-05..2021-01-20"},
		{Text: "编号:M0000003,M0000150"},
		{Text: "AND OR"},
		{Text: "小区停车收费不合理"},
		{District: "惠阳区", Status: domain.StatusNew},
		{Text: "工资", Channel: domain.ChannelHotline, Sentiment: domain.SentimentNegative},
		{Text: "路", Since: recs[500].Time, Until: recs[1500].Time},
		{Since: recs[300].Time},
		{Until: recs[300].Time},
		{Department: "市住建局", Category: "城乡建设"},
		{Text: "已经改过"},
		{District: "新区"},
	}
	for _, term := range sampleTerms(r, texts, 40) {
		queries = append(queries, Query{Text: term})
	}
	type variant struct {
		sort  string
		dense uint64 // block scan above this many matches per segment
	}
	variants := []variant{{SortTime, denseScan}, {SortTime, 0}, {SortTimeAsc, denseScan}, {SortTimeAsc, 0}, {SortRelevance, denseScan}}
	for _, base := range queries {
		for _, v := range variants {
			sort := v.sort
			ix.denseScan = v.dense
			q := base
			q.Sort, q.Facets, q.Highlight = sort, true, true
			if q.Limit == 0 {
				q.Limit = 50
				if sort == SortRelevance {
					q.Limit = MaxLimit // every match, so a tie is never cut at the page's end
				}
			}
			ix.slowOnly = true
			want := mustSearch(t, ix, q)
			ix.slowOnly = false
			got := mustSearch(t, ix, q)
			// Every query here must really take the bitmap path, not fall back to bleve.
			main, err := ix.mainQuery(&compiler{seg: ix.seg}, q)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ix.searchBitmaps(ctx, q, main, SortTime, 1, 0, nil); err != nil {
				t.Fatalf("%+v: bitmap path: %v", q, err)
			}
			if _, err := ix.relevanceSearch(ctx, q, main, 1, 0, nil); err != nil {
				t.Fatalf("%+v: relevance path: %v", q, err)
			}
			if got.Total != want.Total {
				t.Fatalf("%+v: total %d, bleve %d", q, got.Total, want.Total)
			}
			for _, f := range facetFields {
				if !maps.Equal(got.Facets[f.name], want.Facets[f.name]) {
					t.Fatalf("%+v: facet %s = %v, bleve %v", q, f.name, got.Facets[f.name], want.Facets[f.name])
				}
			}
			if sort == SortRelevance {
				// Equal scores are ordered by internal document number, which a background
				// merge between the two searches may change: compare each score's hits as a
				// set, or only the scores when the page cuts through a tie.
				byScore(got.Hits)
				byScore(want.Hits)
				if want.Total > uint64(len(want.Hits)) {
					for _, r := range []*Result{got, want} {
						for i := range r.Hits {
							r.Hits[i] = Hit{Score: r.Hits[i].Score}
						}
					}
				}
			}
			if g, w := ids(got), ids(want); !slices.Equal(g, w) {
				t.Fatalf("%+v: hits %v…, bleve %v…", q, g[:min(10, len(g))], w[:min(10, len(w))])
			}
			for i := range got.Hits {
				g, w := got.Hits[i], want.Hits[i]
				if g.Score != w.Score {
					t.Fatalf("%+v: hit %s score %v, bleve %v", q, g.ID, g.Score, w.Score)
				}
				g.Score, w.Score = 0, 0
				if !g.Time.Equal(w.Time) {
					t.Fatalf("%+v: hit %s time %v, bleve %v", q, g.ID, g.Time, w.Time)
				}
				g.Time, w.Time = time.Time{}, time.Time{}
				if g != w {
					t.Fatalf("%+v: hit\n%+v\nbleve\n%+v", q, g, w)
				}
			}
		}
	}
}

// TestBitmapPagingMatchesBleve pages through time-sorted results in small pages (each page
// continuing from the previous page's cursor) and requires bleve's single-page order.
func TestBitmapPagingMatchesBleve(t *testing.T) {
	ix := mustOpen(t)
	ix.chunk = 300
	recs := newCorpusGen(12).corpus(1500)
	for _, r := range recs[700:704] {
		r.Time = time.Time{}
	}
	same := recs[900].Time
	for _, r := range recs[901:930] {
		r.Time = same
	}
	mustPut(t, ix, recs...)
	for _, text := range []string{"", "小区", "噪音 OR 油烟"} {
		for _, sort := range []string{SortTime, SortTimeAsc} {
			for _, dense := range []uint64{denseScan, 0} {
				ix.slowOnly = true
				want := ids(mustSearch(t, ix, Query{Text: text, Sort: sort, Limit: MaxLimit}))
				ix.slowOnly = false
				ix.denseScan = dense
				ix.cursors.clear()
				var got []string
				for off := 0; off < len(want); off += 37 {
					got = append(got, ids(mustSearch(t, ix, Query{Text: text, Sort: sort, Limit: 37, Offset: off}))...)
				}
				if !slices.Equal(got[:min(len(got), len(want))], want) {
					t.Fatalf("%q %s dense %d: paged order differs from bleve's", text, sort, dense)
				}
			}
		}
	}
}

// byScore orders hits by score, then id.
func byScore(hits []Hit) {
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// TestColumnFiles checks that persisted segments get column files, that a damaged or stale one
// is rebuilt, and that files of merged-away segments are removed.
func TestColumnFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(ctx, dir, newToySeg())
	if err != nil {
		t.Fatal(err)
	}
	ix.chunk = 100
	recs := newCorpusGen(3).corpus(600)
	mustPut(t, ix, recs...)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	q := Query{Text: "小区", Sort: SortTime, Limit: 30}
	reopen := func() (*Index, *Result) {
		t.Helper()
		ix, err := Open(ctx, dir, newToySeg())
		if err != nil {
			t.Fatal(err)
		}
		return ix, mustSearch(t, ix, q)
	}
	ix, first := reopen()
	files, _ := filepath.Glob(filepath.Join(dir, colDir, "*.cols"))
	if len(files) == 0 {
		t.Fatal("no column files after the first search")
	}
	ix.slowOnly = true
	want := mustSearch(t, ix, q)
	if !slices.Equal(ids(first), ids(want)) {
		t.Fatalf("bitmap page %v, bleve %v", ids(first), ids(want))
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Damage every column file there is now: a merge after the reopen may have replaced the
	// segments of the files listed above (and the search since may have written the new
	// segment's), and damaging only those would leave nothing to rebuild.
	files, _ = filepath.Glob(filepath.Join(dir, colDir, "*.cols"))
	for _, f := range files {
		if err := os.WriteFile(f, []byte("damaged"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(dir, colDir, "000000000fff.zap.cols")
	if err := os.WriteFile(stale, []byte(colMagic), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, again := reopen()
	defer ix.Close()
	if !slices.Equal(ids(again), ids(want)) {
		t.Fatalf("after damaged column files: %v, want %v", ids(again), ids(want))
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale column file kept: %v", err)
	}
	if !looksLikeIndex(dir) {
		t.Fatal("an index with column files no longer looks like an index")
	}
}

// TestRelevanceScoresNewestMatches checks the bound on scored matches: a query matching more
// records than maxScored ranks only its newest maxScored matches, with bleve's scores, and still
// reports the full total and facets.
func TestRelevanceScoresNewestMatches(t *testing.T) {
	ix := mustOpen(t)
	ix.chunk = 300
	recs := newCorpusGen(4).corpus(900)
	mustPut(t, ix, recs...)
	q := Query{Text: "居民", Sort: SortRelevance, Facets: true, Limit: 40}
	ix.slowOnly = true
	all := mustSearch(t, ix, q)
	newest := mustSearch(t, ix, Query{Text: q.Text, Sort: SortTime, Limit: 200})
	ix.slowOnly = false
	ix.maxScored = 200
	got := mustSearch(t, ix, q)
	if got.Total != all.Total || all.Total <= 200 {
		t.Fatalf("total %d, bleve %d (need more than 200 matches)", got.Total, all.Total)
	}
	for _, f := range facetFields {
		if !maps.Equal(got.Facets[f.name], all.Facets[f.name]) {
			t.Fatalf("facet %s = %v, bleve %v", f.name, got.Facets[f.name], all.Facets[f.name])
		}
	}
	recent := map[string]bool{}
	for _, id := range ids(newest) {
		recent[id] = true
	}
	scores := map[string]float64{}
	for _, h := range all.Hits {
		scores[h.ID] = h.Score
	}
	for i, h := range got.Hits {
		if !recent[h.ID] {
			t.Fatalf("hit %s is not among the newest 200 matches", h.ID)
		}
		if i > 0 && h.Score > got.Hits[i-1].Score {
			t.Fatalf("hits not by score at %d", i)
		}
		if s, ok := scores[h.ID]; ok && s != h.Score {
			t.Fatalf("hit %s scored %v, bleve %v", h.ID, h.Score, s)
		}
	}
	// The positions past the bound follow in time order, and pages join without gaps.
	q.Limit = MaxLimit
	whole := mustSearch(t, ix, q)
	if len(whole.Hits) != int(all.Total) {
		t.Fatalf("one page of everything has %d hits, want %d", len(whole.Hits), all.Total)
	}
	seen := map[string]bool{}
	for i, h := range whole.Hits {
		if seen[h.ID] {
			t.Fatalf("%s twice", h.ID)
		}
		seen[h.ID] = true
		if i > 200 && h.Time.After(whole.Hits[i-1].Time) {
			t.Fatalf("past the scored matches, hit %d is newer than the one before", i)
		}
	}
	var paged []string
	for off := 0; off < int(all.Total); off += 70 {
		q.Offset, q.Limit = off, 70
		paged = append(paged, ids(mustSearch(t, ix, q))...)
	}
	if !slices.Equal(paged, ids(whole)) {
		t.Fatal("pages of 70 differ from one page of everything")
	}
}

// TestTitlePhraseFallsBack checks that a query the bitmaps cannot evaluate (a title phrase needs
// positions) is answered through bleve in every order, with the same results as bleve alone.
func TestTitlePhraseFallsBack(t *testing.T) {
	ix := mustOpen(t)
	mustPut(t, ix, newCorpusGen(13).corpus(400)...)
	q := Query{Text: `标题:"物业乱收费" 小区`, Facets: true, Limit: 100}
	main, err := ix.mainQuery(&compiler{seg: ix.seg}, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.searchBitmaps(context.Background(), q, main, SortTime, 10, 0, nil); !errors.Is(err, errSlowPath) {
		t.Fatalf("bitmap path on a title phrase: %v, want errSlowPath", err)
	}
	for _, sort := range []string{SortRelevance, SortTime, SortTimeAsc} {
		q.Sort = sort
		got := mustSearch(t, ix, q)
		ix.slowOnly = true
		want := mustSearch(t, ix, q)
		ix.slowOnly = false
		if got.Total == 0 || got.Total != want.Total || !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("%s: total %d %v, bleve %d %v", sort, got.Total, ids(got), want.Total, ids(want))
		}
	}
}
