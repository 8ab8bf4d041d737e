package route

import (
	"flag"
	"testing"

	"minyi/learn"
)

// tune runs the cross-validations on the Shanghai data (TestCrossValidation without nlp analyses,
// TestCrossValidationNLP, which chose DefaultOptions' weights). They are heavy, so opt-in:
//
//	CGO_ENABLED=0 go test ./route -run TestCrossValidation -tune -v -timeout 60m
var tune = flag.Bool("tune", false, "run 5-fold CV on shanghai_petition: weight grid search and char-gram baseline")

// foldCands is one test letter's candidates under one fold's trained router.
type foldCands struct {
	gold  string
	fold  int
	cands []*cand
}

func TestCrossValidation(t *testing.T) {
	if !*tune {
		t.Skip("heavy: run with -tune")
	}
	rows := loadShanghai(t)
	fs := folds(rows, 5)
	base := DefaultOptions()
	var all []foldCands
	var gold []string
	var basePreds [][]string
	for f, fold := range fs {
		r := NewWithOptions(nil, nil, base)
		if err := r.Train(fold[0]); err != nil {
			t.Fatal(err)
		}
		for i := range fold[1] {
			c, _, _ := r.components(&fold[1][i].Item, &fold[1][i].Analysis)
			all = append(all, foldCands{gold: fold[1][i].Department, cands: c})
		}
		g, p := charGramBaseline(t, fold[0], fold[1])
		gold, basePreds = append(gold, g...), append(basePreds, p...)
		t.Logf("fold %d done", f)
	}
	b := score(gold, basePreds)
	t.Logf("baseline char 1-3-gram linear SVM, 5-fold CV: acc %.3f top3 %.3f macroF1 %.3f", b.Accuracy, b.AccAt3, b.MacroF1)
	eval := func(o Options) EvalReport {
		g := make([]string, len(all))
		p := make([][]string, len(all))
		for i, fc := range all {
			g[i] = fc.gold
			p[i] = rank(fc.cands, &o)
		}
		return score(g, p)
	}
	d := eval(base)
	t.Logf("router defaults without nlp analyses, 5-fold CV: acc %.3f top3 %.3f macroF1 %.3f", d.Accuracy, d.AccAt3, d.MacroF1)
}

// charGramBaseline is the anchor both cross-validations compare against: the same learner on
// character 1–3-grams of title+body only, no places, trained on train. It returns test's gold
// departments and the baseline's top 3 for each.
func charGramBaseline(tb testing.TB, train, test []Labeled) (gold []string, top3 [][]string) {
	tb.Helper()
	var ex []learn.Example
	for _, l := range train {
		ex = append(ex, learn.Example{Features: appendCharGrams(nil, "c", l.Item.Title+"\n"+l.Item.Body), Label: l.Department})
	}
	m, err := learn.Train(ex, learn.Options{Seed: 1, CalibFolds: -1})
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range test {
		var p []string
		for _, s := range m.Predict(appendCharGrams(nil, "c", l.Item.Title+"\n"+l.Item.Body))[:3] {
			p = append(p, s.Label)
		}
		gold = append(gold, l.Department)
		top3 = append(top3, p)
	}
	return gold, top3
}
