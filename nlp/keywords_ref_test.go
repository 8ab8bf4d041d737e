package nlp

import (
	"cmp"
	"slices"
	"strings"
	"testing"
)

// keywordsBySorting is the former keywords: candidates sorted by word to add up
// counts, then all words sorted by weight. keywords must rank exactly as it does.
func (a *Analyzer) keywordsBySorting(sc *scratch, segs []seg, titleLen int, n int) []string {
	var cands []kwCand
	for k, s := range segs {
		w := sc.texts[k]
		if !a.keywordCandidate(s, w) {
			continue
		}
		tf := 1.0
		if sc.off[s.rs] < titleLen {
			tf = 2
		}
		cands = append(cands, kwCand{w: w, tf: tf, first: int32(k), node: s.node})
	}
	slices.SortFunc(cands, func(x, y kwCand) int {
		if x.node != y.node {
			return cmp.Compare(x.node, y.node)
		}
		if x.node == 0 {
			if c := strings.Compare(x.w, y.w); c != 0 {
				return c
			}
		}
		return cmp.Compare(x.first, y.first)
	})
	custom := a.idf.Load()
	common := custom.commonLimit()
	var words []kwCand
	for i := 0; i < len(cands); {
		c := cands[i]
		for i++; i < len(cands) && cands[i].node == c.node && cands[i].w == c.w; i++ {
			c.tf += cands[i].tf
		}
		idf := a.dictIDF(c.node)
		if custom != nil {
			idf = custom.Weight(c.w)
		}
		if idf <= common {
			continue
		}
		c.score = c.tf * idf
		words = append(words, c)
	}
	slices.SortFunc(words, func(x, y kwCand) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return cmp.Compare(x.first, y.first)
	})
	out := []string{}
	for _, k := range words[:min(n, len(words))] {
		out = append(out, k.w)
	}
	return out
}

// TestKeywordsMatchSorting compares keywords with the sorting implementation on
// real messages, for several list lengths.
func TestKeywordsMatchSorting(t *testing.T) {
	a := mustAnalyzer(t)
	msgs := append(readMessages(t), benchMessages(t)...)
	sc := new(scratch)
	for _, m := range msgs {
		text := m.Title + "\n" + m.Body
		segs := a.dict.cut(text, sc)
		sc.fillTexts(segs)
		for _, n := range []int{0, 1, 3, defaultKeywords, 50} {
			got := a.keywords(sc, segs, len(m.Title), n)
			want := a.keywordsBySorting(sc, segs, len(m.Title), n)
			if !slices.Equal(got, want) {
				t.Errorf("%s, n=%d: keywords %q, want %q", m.Title, n, got, want)
			}
		}
	}
}
