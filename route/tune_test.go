package route

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minyi/learn"
)

// cvFolds is how many folds the nlp cross-validation uses (2–3 while iterating, 5 to report).
var cvFolds = flag.Int("folds", 5, "folds of the shanghai_petition cross-validation (-tune)")

// rerankL2 sets how TestCrossValidationNLP fits the reranking weights.
var (
	rerankL2     = flag.Float64("l2", 1e-3, "L2 penalty of the reranking weights (-tune)")
	tuneFlat     = flag.Bool("flat", false, "train the flat department model too (-tune)")
	noBase       = flag.Bool("nobase", false, "skip the char-gram baseline (-tune)")
	tuneOracles  = flag.Bool("oracles", false, "log the accuracy with the type or district known (-tune)")
	tuneLogit    = flag.Bool("logit", false, "fit the weights as a conditional logit, nested (-tune)")
	tuneAscend   = flag.Bool("ascend", false, "fit the weights by coordinate ascent on acc+top3 (-tune)")
	hierC        = flag.Float64("hierc", 0, "C of the hierarchical models, 0 = the default's (-tune)")
	tuneK        = flag.Int("k", 0, "neighbours of the similar-cases vote, 0 = the default's (-tune)")
	tuneKWide    = flag.Int("kwide", 0, "neighbours of the district and type votes, 0 = the default's (-tune)")
	ascendPasses = flag.Int("passes", 4, "coordinate ascent passes (-tune)")
	foldCache    = flag.Bool("foldcache", false, "keep each fold's trained router in the temp dir and reuse it (-tune; bump foldCacheVersion when training changes)")
)

// foldCacheVersion names what a cached fold router was trained with. v4 caches on disk hold routers
// trained before the replies were (the bump went in with a throwaway run): v7 skips them.
const foldCacheVersion = "v7"

// trainedFold trains a router on one fold, or with -foldcache loads the one saved by an earlier run.
func trainedFold(t *testing.T, o Options, f int, train []Labeled) *Router {
	t.Helper()
	r := NewWithOptions(nil, nil, o)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("minyi-route-fold-%s-%d-%d-%v-%g-%d.bin", foldCacheVersion, *cvFolds, f, o.Flat, o.HierLearn.C, len(train)))
	if *foldCache {
		if b, err := os.ReadFile(path); err == nil && r.UnmarshalBinary(b) == nil {
			return r
		}
	}
	if err := r.Train(train); err != nil {
		t.Fatal(err)
	}
	if *foldCache {
		if b, err := r.MarshalBinary(); err == nil {
			_ = os.WriteFile(path, b, 0o600)
		}
	}
	return r
}

// TestCrossValidationNLP is the cross-validation behind DefaultOptions: the letters are analysed
// by the real nlp Analyzer (as `minyi eval route` does), each fold trains the router once and
// ranks its test letters' candidates with the default weights; with -ascend (or -logit) the
// reranking weights are fitted on the other folds' candidates (nested, so the figure is honest)
// and then on all folds (the values to put in defaultWeights); with -boost the boosting trees are
// fitted on top of the weights the same way, nested and then on all folds (written to boost.json).
// The trees read the weighted score, so new weights call for refitting the trees with them.
// The character 1–3-gram linear baseline is scored on the same folds. Heavy, so opt-in:
//
//	CGO_ENABLED=0 go test ./route -run TestCrossValidationNLP -tune -folds 5 -v -timeout 60m
//	CGO_ENABLED=0 go test ./route -run TestCrossValidationNLP -tune -folds 10 -nobase -boost -v -timeout 90m
//	CGO_ENABLED=0 go test ./route -run TestCrossValidationNLP -tune -folds 3 -nobase -ascend -passes 6 -foldcache -v -timeout 60m
func TestCrossValidationNLP(t *testing.T) {
	if !*tune {
		t.Skip("heavy: run with -tune")
	}
	rows := loadShanghaiAnalyzed(t)
	base := DefaultOptions()
	base.Hier = true
	base.Flat = *tuneFlat
	if *hierC > 0 {
		base.HierLearn.C = *hierC
	}
	if *tuneK > 0 {
		base.K = *tuneK
	}
	if *tuneKWide > 0 {
		base.KWide = *tuneKWide
	}
	var all []foldCands
	var gold []string
	var basePreds [][]string
	for f, fold := range folds(rows, *cvFolds) {
		start := time.Now()
		r := trainedFold(t, base, f, fold[0])
		trained := time.Since(start)
		diagnoseHier(t, r, fold[1])
		for i := range fold[1] {
			c, _, _ := r.components(&fold[1][i].Item, &fold[1][i].Analysis)
			all = append(all, foldCands{gold: fold[1][i].Department, fold: f, cands: c})
		}
		if *noBase {
			continue
		}
		g, p := charGramBaseline(t, fold[0], fold[1])
		gold, basePreds = append(gold, g...), append(basePreds, p...)
		t.Logf("fold %d: router trained in %s, all in %s", f, trained.Round(time.Second), time.Since(start).Round(time.Second))
	}
	if !*noBase {
		b := score(gold, basePreds)
		t.Logf("baseline char 1-3-gram linear SVM, %d-fold CV: acc %.3f top3 %.3f macroF1 %.3f", *cvFolds, b.Accuracy, b.AccAt3, b.MacroF1)
	}
	eval := func(weights func(fold int) []float64) EvalReport {
		g := make([]string, len(all))
		p := make([][]string, len(all))
		for i, fc := range all {
			o := base
			o.Weights = weights(fc.fold)
			g[i] = fc.gold
			p[i] = rank(fc.cands, &o)
		}
		return score(g, p)
	}
	show := func(what string, weights func(fold int) []float64) {
		rep := eval(weights)
		t.Logf("%s: acc %.3f top3 %.3f macroF1 %.3f", what, rep.Accuracy, rep.AccAt3, rep.MacroF1)
	}
	// The shipped trees were fitted on these folds' candidates: ranking them with the trees would
	// score the trees in-sample, so the defaults here are the weights alone and the trees are
	// scored nested (-boost).
	shipped := base.Boost
	base.Boost = nil
	show("defaults (weights, no trees)", func(int) []float64 { return base.Weights })
	breakdown(t, all, &base)
	if *boostFlag {
		boostCV(t, all, base)
	} else if shipped != nil {
		t.Logf("the shipped trees (%d) are scored with -boost, fitted on the other folds", len(shipped.Trees))
	}
	if *tuneOracles {
		oracles(t, all, &base)
	}
	// Nested: each fold's letters are ranked with weights fitted on the other folds' candidates.
	for _, l2 := range []float64{*rerankL2} {
		if !*tuneLogit {
			break
		}
		fitted := make([][]float64, *cvFolds)
		for f := range fitted {
			fitted[f] = fitWeights(all, func(i int) bool { return all[i].fold != f }, base, l2)
		}
		show(fmt.Sprintf("reranker fitted on the other folds (l2 %g)", l2), func(f int) []float64 { return fitted[f] })
		w := fitWeights(all, func(int) bool { return true }, base, l2)
		t.Logf("weights fitted on all folds:%s", sortedWeights(w))
		t.Logf("as code:%s", weightsLiteral(w))
	}
	if *tuneAscend {
		fitted := make([][]float64, *cvFolds)
		for f := range fitted {
			fitted[f] = ascend(all, func(i int) bool { return all[i].fold != f }, base)
		}
		show("coordinate ascent on the other folds", func(f int) []float64 { return fitted[f] })
		w := ascend(all, func(int) bool { return true }, base)
		t.Logf("ascended weights on all folds:%s", sortedWeights(w))
		t.Logf("as code:%s", weightsLiteral(w))
		o := base
		o.Weights = w
		breakdown(t, all, &o)
	}
}

// diagnoseHier logs how often each hierarchical model ranks the truth first and in its top 3, so
// the weakest step is the one improved.
func diagnoseHier(t *testing.T, r *Router, test []Labeled) {
	if r.hier == nil {
		return
	}
	var n, h1, h3 [3]int
	for i := range test {
		fs := r.featuresOf(&test[i].Item, &test[i].Analysis)
		hs := r.hier.predict(learn.HashAll(nil, fs))
		typ, dist, street := hierKeys(test[i].Department)
		for j, m := range r.hier.models() {
			want := []string{typ, dist, street}[j]
			if m == nil || want == "" {
				continue
			}
			n[j]++
			for k, s := range m.Predict(fs)[:min(3, len(m.Labels()))] {
				if s.Label == want {
					h3[j]++
					if k == 0 {
						h1[j]++
					}
				}
			}
		}
		_ = hs
	}
	for j, what := range []string{"unit type", "district", "street"} {
		t.Logf("  %s model: %d letters, top-1 %.3f, top-3 %.3f", what, n[j], float64(h1[j])/float64(max(n[j], 1)), float64(h3[j])/float64(max(n[j], 1)))
	}
}
