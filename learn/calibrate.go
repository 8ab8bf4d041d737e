package learn

import (
	"math"
	"math/rand/v2"
)

// calibrate fits the softmax inverse temperature on out-of-fold decision
// values: SVM scores on their own training rows are overconfident, so the
// temperature is chosen where the model has not seen the rows. A single
// temperature keeps the ranking of labels, so accuracy is unchanged.
func calibrate(d *dataset, opt Options) float64 {
	n, nc := d.rows(), len(d.labels)
	k := opt.CalibFolds
	if n < 2*k {
		return 1
	}
	fold := stratifiedFolds(d.y, nc, k, opt.Seed)
	scores := make([]float64, n*nc)
	for f := range k {
		var train, test []int
		for i, fi := range fold {
			if fi == f {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		if len(test) == 0 || len(train) == 0 {
			continue
		}
		w, bias := trainOvR(d, train, opt)
		for _, i := range test {
			s := scores[i*nc : i*nc+nc]
			for c := range nc {
				v := bias[c]
				for kk := d.rowPtr[i]; kk < d.rowPtr[i+1]; kk++ {
					v += w[c][d.idx[kk]] * d.val[kk]
				}
				s[c] = v
			}
		}
	}
	return fitInvTemp(scores, d.y, nc)
}

// fitInvTemp minimises the mean negative log-likelihood of softmax(t·s) over
// log t by golden-section search (the NLL is convex in t).
func fitInvTemp(scores []float64, y []int, nc int) float64 {
	buf := make([]float64, nc)
	nll := func(u float64) float64 {
		t := math.Exp(u)
		var sum float64
		for i, yi := range y {
			copy(buf, scores[i*nc:i*nc+nc])
			sum -= logSoftmaxAt(buf, t, yi)
		}
		return sum
	}
	lo, hi := math.Log(0.01), math.Log(200.0)
	const phi = 0.6180339887498949
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := nll(a), nll(b)
	for range 60 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = nll(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

// logSoftmaxAt is log softmax(t·s)[y].
func logSoftmaxAt(s []float64, t float64, y int) float64 {
	mx := math.Inf(-1)
	for _, v := range s {
		mx = max(mx, t*v)
	}
	var sum float64
	for _, v := range s {
		sum += math.Exp(t*v - mx)
	}
	return t*s[y] - mx - math.Log(sum)
}

// stratifiedFolds assigns each row a fold in [0,k) so that every label is
// spread evenly over the folds; deterministic for a seed.
func stratifiedFolds(y []int, nc, k int, seed int64) []int {
	byClass := make([][]int, nc)
	for i, c := range y {
		byClass[c] = append(byClass[c], i)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	fold := make([]int, len(y))
	next := 0
	for _, rows := range byClass {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for _, i := range rows {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	return fold
}
