package nlp

import "testing"

// TestIsStopMatchesMap checks the stop-word bit per dictionary node against the
// stop-word set on every token of real messages and on every stop word itself.
func TestIsStopMatchesMap(t *testing.T) {
	a := mustAnalyzer(t)
	sc := new(scratch)
	texts := []string{}
	for _, m := range append(readMessages(t), benchMessages(t)...) {
		texts = append(texts, m.Title+"\n"+m.Body)
	}
	for w := range a.stop {
		texts = append(texts, w)
	}
	stops := 0
	for _, text := range texts {
		segs := a.dict.cut(text, sc)
		for k, w := range sc.fillTexts(segs) {
			got, want := a.isStop(segs[k], w), a.stop[w]
			if got != want {
				t.Fatalf("token %q (node %d): isStop %v, stop set %v", w, segs[k].node, got, want)
			}
			if got {
				stops++
			}
		}
	}
	if stops == 0 {
		t.Fatal("no stop word met: the test checks nothing")
	}
}
