package index

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

// TestScorerMatchesBleve checks that relevance pages scored from the postings (scoreTop) equal
// the pages bleve's searchers score, hit for hit and score for score, with the scoring window
// both wider and narrower than the matches, on an index with several segments and deletions.
func TestScorerMatchesBleve(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t)
	ix.chunk = 300
	recs := newCorpusGen(21).corpus(1500)
	mustPut(t, ix, recs...)
	for _, r := range recs[40:90] {
		r.Body += "，渣土车又来了。"
	}
	mustPut(t, ix, recs[40:90]...)
	if err := ix.Delete(ctx, "M0000003", "M0000500"); err != nil {
		t.Fatal(err)
	}
	queries := []Query{
		{Text: "渣土车"},
		{Text: "居民"},
		{Text: "噪音 扰民"},
		{Text: "扬尘 OR 油烟"},
		{Text: "停车收费"},
		{Text: "工资", District: "惠城区"},
		{Text: "12345 热线"},
		{Text: "物业 小区", Offset: 30},
		{Text: "渣土车", Since: recs[200].Time, Until: recs[900].Time},
		{Text: "噪音 OR 时间:2021-01-05..2021-01-20"},
	}
	for _, window := range []int{maxScored, 100} {
		ix.maxScored = window
		for _, q := range queries {
			q.Sort, q.Limit, q.Highlight = SortRelevance, 60, true
			main, err := ix.mainQuery(&compiler{seg: ix.seg}, q)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := planScore(main); !ok {
				t.Fatalf("%q: the postings scorer does not take it", q.Text)
			}
			ix.bleveScores = true
			want := mustSearch(t, ix, q)
			ix.bleveScores = false
			got := mustSearch(t, ix, q)
			if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
				t.Fatalf("window %d, %q: total %d with %d hits, bleve %d with %d", window, q.Text,
					got.Total, len(got.Hits), want.Total, len(want.Hits))
			}
			if len(got.Hits) == 0 {
				t.Fatalf("window %d, %q: no hits to compare", window, q.Text)
			}
			// Equal scores are ordered by internal document number, which a background merge
			// between the two searches may change: compare each score's hits as a set, and
			// only the scores of the tie the page ends in.
			byScore(got.Hits)
			byScore(want.Hits)
			last := want.Hits[len(want.Hits)-1].Score
			for i := range got.Hits {
				g, w := got.Hits[i], want.Hits[i]
				if g.Score != w.Score || w.Score != last && (g.ID != w.ID || g.Snippet != w.Snippet) {
					t.Fatalf("window %d, %q, hit %d: %s %v, bleve %s %v", window, q.Text, i, g.ID, g.Score, w.ID, w.Score)
				}
			}
		}
	}
}

// TestPlanScoreDeclines checks that query parts the scorer does not reproduce go to bleve.
func TestPlanScoreDeclines(t *testing.T) {
	ix := mustOpen(t)
	for _, text := range []string{"噪", "部门:城管", "噪音 -扰民"} {
		main, err := ix.mainQuery(&compiler{seg: ix.seg}, Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := planScore(main); ok {
			t.Errorf("%q: planScore took a query with a prefix, wildcard or negation", text)
		}
	}
}

// TestSelectFirst checks the quickselect behind the relevance candidates against a full sort.
func TestSelectFirst(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 10, 257, 5000} {
		for _, k := range []int{1, n / 3, n - 1, n} {
			if k < 1 {
				continue
			}
			refs := make([]docRef, n)
			for i := range refs {
				// Few distinct times so that seq (and then position) must break ties.
				refs[i] = docRef{k1: int64(r.IntN(20)), k2: uint64(r.IntN(50)), seg: int32(r.IntN(3)), doc: uint32(i)}
			}
			want := slices.Clone(refs)
			slices.SortFunc(want, func(a, b docRef) int {
				if a.before(b) {
					return -1
				}
				return 1
			})
			selectFirst(refs, k)
			got := slices.Clone(refs[:k])
			slices.SortFunc(got, func(a, b docRef) int {
				if a.before(b) {
					return -1
				}
				return 1
			})
			if !slices.Equal(got, want[:k]) {
				t.Fatalf("n %d, k %d: the first k differ from a full sort's", n, k)
			}
		}
	}
}

// TestScoreRarest checks that a searched string of several bigrams scores through its rarest
// bigram alone while every bigram must still match.
func TestScoreRarest(t *testing.T) {
	ix := mustOpen(t)
	mustPut(t, ix,
		newRec(1, "反映问题", "居民反映路灯不亮"),
		newRec(2, "反映", "多次反映无果"),
		newRec(3, "反映映", "再次反映"),
	)
	c := &compiler{seg: ix.seg, ix: ix, scored: true}
	q := c.scoreRarest(substring("多次反映", false))
	cq, ok := q.(*query.ConjunctionQuery)
	if !ok || len(cq.Conjuncts) != 3 {
		t.Fatalf("多次反映 compiled to %#v, want a conjunction of its 3 bigrams", q)
	}
	var scored []string
	for _, x := range cq.Conjuncts {
		if tq := x.(*query.TermQuery); tq.Boost() != 0 {
			scored = append(scored, tq.Term)
		}
	}
	// 多次 is in one record, 次反 in one, 反映 in all three: the first of the rarest scores.
	if !slices.Equal(scored, []string{"多次"}) {
		t.Fatalf("scored bigrams %v, want [多次]", scored)
	}
	// A time-sorted page reads no scores, so its query keeps every boost.
	unscored := (&compiler{seg: ix.seg, ix: ix}).scoreRarest(substring("多次反映", false))
	for _, x := range unscored.(*query.ConjunctionQuery).Conjuncts {
		if x.(*query.TermQuery).Boost() != 1 {
			t.Fatalf("time-sorted 多次反映 has boosts changed: %#v", unscored)
		}
	}
	res := mustSearch(t, ix, Query{Text: "多次反映", Sort: SortRelevance})
	if res.Total != 1 || res.Hits[0].ID != "M000002" || res.Hits[0].Score <= 0 {
		t.Fatalf("多次反映 found %v, want only M000002 with a positive score", res.Hits)
	}
}
