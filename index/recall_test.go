package index

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"minyi/domain"
)

// realMessages reads up to n messages from the evaluation data's unlabelled train split, or none
// when the data is not there (the test then runs on generated text only).
func realMessages(tb testing.TB, n int) []*domain.Record {
	tb.Helper()
	f, err := os.Open(filepath.Join("/work/shared/data", "teddy2020c_unlabeled", "train.jsonl"))
	if err != nil {
		tb.Logf("no real messages: %v", err)
		return nil
	}
	defer f.Close()
	seg := newToySeg()
	var out []*domain.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() && len(out) < n {
		var m struct{ Title, Body string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatalf("real message: %v", err)
		}
		seq := uint64(900000 + len(out))
		r := &domain.Record{ID: fmt.Sprintf("R%06d", seq), Seq: seq, Item: domain.Item{Title: m.Title, Body: m.Body}}
		r.Analysis.Words = seg.Words(m.Title + " " + m.Body)
		out = append(out, r)
	}
	return out
}

// matchIDs returns every record q matches, through the same query compilation as Search but
// without loading stored fields (which would make this test slow, not more thorough).
func matchIDs(tb testing.TB, ix *Index, q Query, size int) map[string]bool {
	tb.Helper()
	main, err := ix.mainQuery(&compiler{seg: ix.seg}, q)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := ix.idx.Search(bleve.NewSearchRequestOptions(main, size, 0, false))
	if err != nil {
		tb.Fatal(err)
	}
	if res.Total > uint64(size) {
		tb.Fatalf("%+v: total %d above size %d", q, res.Total, size)
	}
	got := make(map[string]bool, len(res.Hits))
	for _, h := range res.Hits {
		got[h.ID] = true
	}
	return got
}

// sampleTerms draws count random 1–4 character substrings of CJK runs of the corpus.
func sampleTerms(r *rand.Rand, texts []string, count int) []string {
	var out []string
	for len(out) < count {
		rs := []rune(texts[r.IntN(len(texts))])
		if len(rs) == 0 {
			continue
		}
		i := r.IntN(len(rs))
		n := 1 + r.IntN(4)
		if i+n > len(rs) {
			continue
		}
		ok := true
		for _, c := range rs[i : i+n] {
			ok = ok && isCJK(c)
		}
		if ok {
			out = append(out, string(rs[i:i+n]))
		}
	}
	return out
}

// TestSubstringRecallPrecision compares search results for random 1–4 character terms with
// strings.Contains over the whole corpus (generated plus, when present, real messages).
func TestSubstringRecallPrecision(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few thousand records")
	}
	recs := append(newCorpusGen(7).corpus(2000), realMessages(t, 1000)...)
	ix := mustOpen(t)
	mustPut(t, ix, recs...)
	texts := make([]string, len(recs))
	for i, r := range recs {
		texts[i] = r.Title + "\n" + r.Body
	}
	terms := sampleTerms(rand.New(rand.NewPCG(11, 12)), texts, 300)
	type tally struct{ tp, fp, fn int }
	byLen := map[int]*tally{}
	total := &tally{}
	for _, term := range terms {
		want := map[string]bool{}
		for i, r := range recs {
			if strings.Contains(texts[i], term) {
				want[r.ID] = true
			}
		}
		got := matchIDs(t, ix, Query{Text: term}, len(recs))
		l := len([]rune(term))
		if byLen[l] == nil {
			byLen[l] = &tally{}
		}
		for id := range got {
			if want[id] {
				byLen[l].tp++
				total.tp++
			} else {
				byLen[l].fp++
				total.fp++
				if total.fp <= 5 {
					t.Logf("false positive %q in %s", term, id)
				}
			}
		}
		for id := range want {
			if !got[id] {
				byLen[l].fn++
				total.fn++
				if total.fn <= 5 {
					t.Logf("missed %q in %s", term, id)
				}
			}
		}
	}
	pr := func(x *tally) (float64, float64) {
		return float64(x.tp) / float64(x.tp+x.fn), float64(x.tp) / float64(x.tp+x.fp)
	}
	for l := 1; l <= 4; l++ {
		if x := byLen[l]; x != nil {
			rec, prec := pr(x)
			t.Logf("%d chars: recall %.4f precision %.4f (tp %d fp %d fn %d)", l, rec, prec, x.tp, x.fp, x.fn)
		}
	}
	rec, prec := pr(total)
	t.Logf("all %d terms over %d records: recall %.4f precision %.4f", len(terms), len(recs), rec, prec)
	if rec < 0.99 || prec < 0.95 {
		t.Fatalf("recall %.4f (want ≥ 0.99), precision %.4f (want ≥ 0.95)", rec, prec)
	}
}
