package nlp

import (
	"math"
	"testing"

	"minyi/learn"
)

// TestFusedMatchesModels checks that the interleaved prediction of the three
// shipped models gives, on real messages, the probabilities each model gives
// on its own features (up to float rounding).
func TestFusedMatchesModels(t *testing.T) {
	a := mustAnalyzer(t)
	cl := a.classifiers.Load()
	if cl == nil {
		t.Skip("no classifiers")
	}
	if cl.fused == nil {
		t.Fatal("the shipped models were not fused")
	}
	msgs := append(readMessages(t), benchMessages(t)...)
	// One message long enough (over 65535 features) for Probs to fall back to
	// the models one by one.
	long := testMessage{Title: msgs[0].Title}
	for len(long.Body) < 200000 {
		long.Body += msgs[len(long.Body)%len(msgs)].Body
	}
	msgs = append(msgs, long)
	var fb featureBuf
	var parts []learn.FusedPart
	var fused [3][]float64
	ms := [3]*learn.Model{cl.category, cl.sentiment, cl.emotion}
	worst := 0.0
	for _, m := range msgs {
		text := m.Title + "\n" + m.Body
		words := a.Words(text)
		fb.extract(cl.union, cl.priors, text, words)
		parts = fb.parts(&cl.specs, parts[:0])
		cl.fused.Probs(parts, fused[:])
		for i, model := range ms {
			want := model.ProbsHashed(featureHashes(cl.specs[i], text, words, nil), nil)
			if len(fused[i]) != len(want) {
				t.Fatalf("%s: model %d: %d probabilities, want %d", m.Title, i, len(fused[i]), len(want))
			}
			for c := range want {
				d := math.Abs(fused[i][c] - want[c])
				worst = max(worst, d)
				if d > 1e-9 {
					t.Errorf("%s: model %d class %d: fused %v, alone %v", m.Title, i, c, fused[i][c], want[c])
				}
			}
		}
	}
	t.Logf("%d messages, largest difference %.3g", len(msgs), worst)
}
