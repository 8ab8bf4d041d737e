package route

import (
	"fmt"
	"time"
)

// EvalReport is how well a router trained on one set routes another.
type EvalReport struct {
	NTrain   int     `json:"n_train"`
	NTest    int     `json:"n_test"`
	Accuracy float64 `json:"accuracy"` // first suggestion is the department that replied
	AccAt3   float64 `json:"acc_at_3"` // that department is among the three suggestions
	MacroF1  float64 `json:"macro_f1"` // over departments in the test labels or the predictions
	Seconds  float64 `json:"seconds"`  // training plus routing time
}

// Evaluate trains a router (no directory, no rules: history alone) on train and scores its
// suggestions on test. opt overrides DefaultOptions.
func Evaluate(train, test []Labeled, opt ...Options) (EvalReport, error) {
	o := DefaultOptions()
	if len(opt) > 0 {
		o = opt[0]
	}
	start := time.Now()
	r := NewWithOptions(nil, nil, o)
	if err := r.Train(train); err != nil {
		return EvalReport{}, fmt.Errorf("evaluate: %w", err)
	}
	gold := make([]string, len(test))
	preds := make([][]string, len(test))
	for i := range test {
		gold[i] = test[i].Department
		for _, s := range r.Suggest(&test[i].Item, &test[i].Analysis) {
			preds[i] = append(preds[i], s.Department)
		}
	}
	rep := score(gold, preds)
	rep.NTrain = len(train)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// score computes accuracy, top-3 accuracy and macro-F1 from gold labels and ranked predictions.
func score(gold []string, preds [][]string) EvalReport {
	rep := EvalReport{NTest: len(gold)}
	if len(gold) == 0 {
		return rep
	}
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	var hit1, hit3 int
	for i, g := range gold {
		p := ""
		if len(preds[i]) > 0 {
			p = preds[i][0]
		}
		if p == g {
			hit1++
			tp[g]++
		} else {
			fn[g]++
			if p != "" {
				fp[p]++
			}
		}
		for j, q := range preds[i] {
			if j < 3 && q == g {
				hit3++
				break
			}
		}
	}
	labels := map[string]bool{}
	for _, m := range []map[string]int{tp, fp, fn} {
		for l := range m {
			labels[l] = true
		}
	}
	var f1 float64
	for l := range labels {
		if d := 2*tp[l] + fp[l] + fn[l]; d > 0 {
			f1 += 2 * float64(tp[l]) / float64(d)
		}
	}
	rep.Accuracy = float64(hit1) / float64(len(gold))
	rep.AccAt3 = float64(hit3) / float64(len(gold))
	rep.MacroF1 = f1 / float64(len(labels))
	return rep
}
