package learn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// calibrate fits the softmax inverse temperature on out-of-fold decision
// values: SVM scores on their own training rows are overconfident, so the
// temperature is chosen where the model has not seen the rows. A single
// temperature keeps the ranking of labels. With opt.TuneBias it first finds
// per-class bias offsets that maximise that metric on the same scores.
func calibrate(d *dataset, opt Options) (invTemp float64, offsets []float64) {
	n, nc := d.rows(), len(d.labels)
	offsets = make([]float64, nc)
	k := opt.CalibFolds
	if n < 2*k {
		return 1, offsets
	}
	fold := stratifiedFolds(d.y, nc, k, opt.Seed)
	scores := make([]float64, n*nc)
	// Folds are independent and fill disjoint rows of scores: train them in
	// parallel (the result does not depend on the schedule).
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, min(runtime.GOMAXPROCS(0), k)))
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
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
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
		})
	}
	wg.Wait()
	if opt.TuneBias != MetricNone {
		offsets = tuneOffsets(scores, d.y, nc, opt.TuneBias)
		for i := range n {
			for c := range nc {
				scores[i*nc+c] += offsets[c]
			}
		}
	}
	return fitInvTemp(scores, d.y, nc), offsets
}

// tuneOffsets searches additive per-class offsets to the decision values that
// maximise the metric of the argmax predictions, by coordinate ascent over a
// grid. Two-class models get one mirrored offset (+δ, −δ) so that their
// weights stay mirrored. The search never returns offsets scoring below zero
// offsets.
func tuneOffsets(scores []float64, y []int, nc int, metric Metric) []float64 {
	off := make([]float64, nc)
	eval := func() float64 { return predictionMetric(scores, off, y, nc, metric) }
	best := eval()
	params := nc
	if nc == 2 {
		params = 1
	}
	for range 3 {
		improved := false
		for p := range params {
			keep := off[p]
			bestV := keep
			for step := -20; step <= 20; step++ {
				v := keep + float64(step)*0.025
				off[p] = v
				if nc == 2 {
					off[1-p] = -v
				}
				if m := eval(); m > best+1e-12 {
					best, bestV, improved = m, v, true
				}
			}
			off[p] = bestV
			if nc == 2 {
				off[1-p] = -bestV
			}
		}
		if !improved {
			break
		}
	}
	return off
}

// predictionMetric scores argmax(scores+off) against y.
func predictionMetric(scores, off []float64, y []int, nc int, metric Metric) float64 {
	tp := make([]int, nc)
	fp := make([]int, nc)
	fn := make([]int, nc)
	correct := 0
	for i, yi := range y {
		s := scores[i*nc : i*nc+nc]
		best := 0
		for c := 1; c < nc; c++ {
			if s[c]+off[c] > s[best]+off[best] {
				best = c
			}
		}
		if best == yi {
			correct++
			tp[yi]++
		} else {
			fp[best]++
			fn[yi]++
		}
	}
	if metric == MetricAccuracy {
		return float64(correct) / float64(max(len(y), 1))
	}
	var sum float64
	labels := 0
	for c := range nc {
		if tp[c]+fp[c]+fn[c] == 0 {
			continue
		}
		labels++
		sum += 2 * float64(tp[c]) / float64(2*tp[c]+fp[c]+fn[c])
	}
	return sum / float64(max(labels, 1))
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
