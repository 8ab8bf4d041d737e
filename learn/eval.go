package learn

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// ClassScore is precision, recall and F1 of one label.
type ClassScore struct {
	Precision, Recall, F1 float64
	Support               int // test examples with this label
}

// Report holds evaluation metrics. MacroF1 averages F1 over the labels that
// occur in the test data or in the predictions (as scikit-learn does); AccAt3
// counts the true label among the three most probable; LogLoss is the mean
// negative log probability of the true label (lower means better calibrated).
type Report struct {
	N                         int
	Accuracy, MacroF1, AccAt3 float64
	LogLoss                   float64
	PerClass                  map[string]ClassScore
}

// Evaluate scores the model on labelled test examples.
func Evaluate(m *Model, test []Example) Report {
	var t tally
	for _, e := range test {
		t.add(e.Label, m.Predict(e.Features))
	}
	return t.report()
}

// CrossValidate trains on folds-1 parts and predicts the held-out part, for
// each of `folds` stratified, deterministic (opt.Seed) parts, and reports the
// metrics over all pooled held-out predictions.
func CrossValidate(examples []Example, folds int, opt Options) (Report, error) {
	if folds < 2 {
		return Report{}, fmt.Errorf("%w: %d folds", ErrBadOptions, folds)
	}
	var labels []string
	for _, e := range examples {
		labels = append(labels, e.Label)
	}
	slices.Sort(labels)
	labels = slices.Compact(labels)
	y := make([]int, len(examples))
	for i, e := range examples {
		y[i], _ = slices.BinarySearch(labels, e.Label)
	}
	fold := stratifiedFolds(y, len(labels), folds, opt.Seed)
	var t tally
	for f := range folds {
		var train, test []Example
		for i, e := range examples {
			if fold[i] == f {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		if len(test) == 0 {
			continue
		}
		m, err := Train(train, opt)
		if err != nil {
			return Report{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		for _, e := range test {
			t.add(e.Label, m.Predict(e.Features))
		}
	}
	return t.report(), nil
}

// tally accumulates predictions for a Report.
type tally struct {
	n, correct, top3 int
	logLoss          float64
	tp, fp, fn       map[string]int
	support          map[string]int
}

func (t *tally) add(truth string, pred []Scored) {
	if t.tp == nil {
		t.tp, t.fp, t.fn, t.support = map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	}
	t.n++
	t.support[truth]++
	p := 0.0
	for k, s := range pred {
		if s.Label == truth {
			p = s.Prob
			if k < 3 {
				t.top3++
			}
		}
	}
	t.logLoss -= math.Log(max(p, 1e-15))
	got := ""
	if len(pred) > 0 {
		got = pred[0].Label
	}
	if got == truth {
		t.correct++
		t.tp[truth]++
		return
	}
	t.fn[truth]++
	if got != "" {
		t.fp[got]++
	}
}

func (t *tally) report() Report {
	r := Report{N: t.n, PerClass: map[string]ClassScore{}}
	if t.n == 0 {
		return r
	}
	r.Accuracy = float64(t.correct) / float64(t.n)
	r.AccAt3 = float64(t.top3) / float64(t.n)
	r.LogLoss = t.logLoss / float64(t.n)
	for l := range t.support {
		r.PerClass[l] = ClassScore{}
	}
	for l := range t.fp {
		r.PerClass[l] = ClassScore{}
	}
	var sum float64
	for _, l := range slices.Sorted(maps.Keys(r.PerClass)) {
		tp, fp, fn := float64(t.tp[l]), float64(t.fp[l]), float64(t.fn[l])
		var cs ClassScore
		cs.Support = t.support[l]
		if tp+fp > 0 {
			cs.Precision = tp / (tp + fp)
		}
		if tp+fn > 0 {
			cs.Recall = tp / (tp + fn)
		}
		if cs.Precision+cs.Recall > 0 {
			cs.F1 = 2 * cs.Precision * cs.Recall / (cs.Precision + cs.Recall)
		}
		r.PerClass[l] = cs
		sum += cs.F1
	}
	r.MacroF1 = sum / float64(len(r.PerClass))
	return r
}
