package route

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"minyi/learn"
)

// cvFolds is how many folds the nlp cross-validation uses (2–3 while iterating, 5 to report).
var cvFolds = flag.Int("folds", 5, "folds of the shanghai_petition cross-validation (-tune)")

// TestCrossValidationNLP is the cross-validation behind DefaultOptions: the letters are analysed
// by the real nlp Analyzer (as `minyi eval route` does), each fold trains the flat and the
// hierarchical models once, and the score weights are searched on the cached candidates. The
// character 1–3-gram linear baseline is scored on the same folds. Heavy, so opt-in:
//
//	CGO_ENABLED=0 go test ./route -run TestCrossValidationNLP -tune -folds 5 -v -timeout 60m
func TestCrossValidationNLP(t *testing.T) {
	if !*tune {
		t.Skip("heavy: run with -tune")
	}
	rows := loadShanghaiAnalyzed(t)
	base := DefaultOptions()
	base.Hier = true
	var all []foldCands
	var gold []string
	var basePreds [][]string
	for f, fold := range folds(rows, *cvFolds) {
		start := time.Now()
		r := NewWithOptions(nil, nil, base)
		if err := r.Train(fold[0]); err != nil {
			t.Fatal(err)
		}
		trained := time.Since(start)
		diagnoseHier(t, r, fold[1])
		for i := range fold[1] {
			c, _, _ := r.components(&fold[1][i].Item, &fold[1][i].Analysis)
			all = append(all, foldCands{gold: fold[1][i].Department, cands: c})
		}
		var ex []learn.Example
		for _, l := range fold[0] {
			ex = append(ex, learn.Example{Features: appendCharGrams(nil, "c", l.Item.Title+"\n"+l.Item.Body), Label: l.Department})
		}
		m, err := learn.Train(ex, learn.Options{Seed: 1, CalibFolds: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range fold[1] {
			var p []string
			for _, s := range m.Predict(appendCharGrams(nil, "c", l.Item.Title+"\n"+l.Item.Body))[:3] {
				p = append(p, s.Label)
			}
			gold = append(gold, l.Department)
			basePreds = append(basePreds, p)
		}
		t.Logf("fold %d: router trained in %s, all in %s", f, trained.Round(time.Second), time.Since(start).Round(time.Second))
	}
	b := score(gold, basePreds)
	t.Logf("baseline char 1-3-gram linear SVM, %d-fold CV: acc %.3f top3 %.3f macroF1 %.3f", *cvFolds, b.Accuracy, b.AccAt3, b.MacroF1)
	eval := func(o Options) EvalReport {
		g := make([]string, len(all))
		p := make([][]string, len(all))
		for i, fc := range all {
			g[i] = fc.gold
			p[i] = rank(fc.cands, &o)
		}
		return score(g, p)
	}
	show := func(what string, o Options) {
		rep := eval(o)
		t.Logf("%s: acc %.3f top3 %.3f macroF1 %.3f", what, rep.Accuracy, rep.AccAt3, rep.MacroF1)
	}
	hier := base
	hier.WFlat, hier.WKNN, hier.WDistrict, hier.WStreet, hier.WMismatch = 0, 0, 0, 0, 0
	hier.WType, hier.WDist, hier.WStreetM, hier.WRenorm = 1, 1, 1, 1
	show("hierarchical models only", hier)
	show("defaults", DefaultOptions())
	best, bestO := eval(base), base
	try := func(o Options) {
		rep := eval(o)
		if rep.Accuracy+rep.AccAt3 > best.Accuracy+best.AccAt3 {
			best, bestO = rep, o
		}
	}
	for _, wf := range []float64{0} {
		for _, wt := range []float64{0.25, 0.5, 0.75} {
			for _, wd := range []float64{0.5, 1, 1.5, 2} {
				for _, ws := range []float64{1, 1.5, 2, 3} {
					for _, rn := range []float64{0.5, 1} {
						o := hier
						o.WFlat, o.WType, o.WDist, o.WStreetM, o.WRenorm = wf, wt, wd, ws, rn
						try(o)
					}
				}
			}
		}
	}
	t.Logf("best model weights %s: acc %.3f top3 %.3f macroF1 %.3f", weights(bestO), best.Accuracy, best.AccAt3, best.MacroF1)
	for _, k := range []float64{1, 2, 3, 4} {
		for _, di := range []float64{0, 0.5, 1} {
			for _, st := range []float64{1, 2, 3} {
				for _, mm := range []float64{0.5, 1, 2} {
					o := bestO
					o.WKNN, o.WDistrict, o.WStreet, o.WMismatch = k, di, st, mm
					try(o)
				}
			}
		}
	}
	t.Logf("best weights %s: acc %.3f top3 %.3f macroF1 %.3f", weights(bestO), best.Accuracy, best.AccAt3, best.MacroF1)
}

func weights(o Options) string {
	return fmt.Sprintf("flat=%.1f type=%.1f dist=%.1f street=%.1f renorm=%.1f knn=%.1f district=%.1f street=%.1f mismatch=%.1f",
		o.WFlat, o.WType, o.WDist, o.WStreetM, o.WRenorm, o.WKNN, o.WDistrict, o.WStreet, o.WMismatch)
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
