package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// dataset is the training examples as L2-normalised TF-IDF rows over hashed buckets.
type dataset struct {
	labels   []string  // sorted distinct labels
	y        []int     // label index per row
	weight   []float64 // example weight per row
	rowPtr   []int     // row i is idx/val[rowPtr[i]:rowPtr[i+1]]
	idx      []uint32
	val      []float64
	dim      int
	tf       TFMode
	viewNorm bool
	idf      []float64 // per bucket; 0 = dropped
}

func (d *dataset) rows() int { return len(d.y) }

// Train fits a calibrated linear model. Deterministic for a given seed.
func Train(examples []Example, opt Options) (*Model, error) {
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, err
	}
	d, err := buildDataset(examples, opt)
	if err != nil {
		return nil, err
	}
	all := make([]int, d.rows())
	for i := range all {
		all[i] = i
	}
	w, bias := trainOvR(d, all, opt)
	invTemp := 1.0
	if opt.CalibFolds >= 2 {
		var offsets []float64
		invTemp, offsets = calibrate(d, opt)
		for c := range bias {
			bias[c] += offsets[c]
		}
	}
	m := newModel(d, w, bias)
	m.invTemp = invTemp
	return m, nil
}

func (o Options) validate() error {
	switch {
	case o.HashBits < 10 || o.HashBits > 24:
		return fmt.Errorf("%w: HashBits %d outside 10..24", ErrBadOptions, o.HashBits)
	case math.IsInf(o.C, 0) || math.IsNaN(o.C):
		return fmt.Errorf("%w: C %v", ErrBadOptions, o.C)
	case o.Loss != LossSquaredHinge && o.Loss != LossHinge:
		return fmt.Errorf("%w: loss %d", ErrBadOptions, o.Loss)
	case o.TF < TFSublinear || o.TF > TFRaw:
		return fmt.Errorf("%w: tf mode %d", ErrBadOptions, o.TF)
	case o.BalancePow < 0 || o.BalancePow > 4 || math.IsNaN(o.BalancePow):
		return fmt.Errorf("%w: BalancePow %v outside 0..4", ErrBadOptions, o.BalancePow)
	case o.NBMix < 0 || o.NBMix > 1 || math.IsNaN(o.NBMix):
		return fmt.Errorf("%w: NBMix %v outside 0..1", ErrBadOptions, o.NBMix)
	case o.TuneBias < MetricNone || o.TuneBias > MetricMacroF1:
		return fmt.Errorf("%w: bias metric %d", ErrBadOptions, o.TuneBias)
	case o.TuneBias != MetricNone && o.CalibFolds < 2:
		return fmt.Errorf("%w: bias tuning needs calibration folds", ErrBadOptions)
	}
	return nil
}

// buildDataset hashes, counts and weighs the examples' features.
func buildDataset(examples []Example, opt Options) (*dataset, error) {
	var labels []string
	for _, e := range examples {
		if e.Label != "" {
			labels = append(labels, e.Label)
		}
	}
	if len(labels) == 0 {
		return nil, ErrNoData
	}
	slices.Sort(labels)
	labels = slices.Compact(labels)
	if len(labels) < 2 {
		return nil, fmt.Errorf("%w: only %q", ErrOneClass, labels[0])
	}
	dim := 1 << opt.HashBits
	mask := uint64(dim - 1)
	d := &dataset{labels: labels, dim: dim, tf: opt.TF, viewNorm: opt.ViewNorm, rowPtr: []int{0}}
	var cnt []float32
	var view []uint8
	df := make([]int32, dim)
	sc := &scratch{}
	for _, e := range examples {
		if e.Label == "" {
			continue
		}
		y, _ := slices.BinarySearch(labels, e.Label)
		wt := e.Weight
		if wt <= 0 || math.IsNaN(wt) || math.IsInf(wt, 0) {
			wt = 1
		}
		sc.hashes = HashAll(sc.hashes, e.Features)
		sc.count(sc.hashes, mask)
		for k, b := range sc.idx {
			df[b]++
			d.idx = append(d.idx, b)
			cnt = append(cnt, sc.cnt[k])
			view = append(view, sc.view[k])
		}
		d.y = append(d.y, y)
		d.weight = append(d.weight, wt)
		d.rowPtr = append(d.rowPtr, len(d.idx))
	}
	n := float64(d.rows())
	d.idf = make([]float64, dim)
	for b, f := range df {
		switch {
		case f == 0 || int(f) < opt.MinDF:
		case opt.NoIDF:
			d.idf[b] = 1
		default:
			d.idf[b] = quantIDF(math.Log((1+n)/(1+float64(f))) + 1)
		}
	}
	// Weigh, drop unseen buckets, normalise; compact rows in place.
	d.val = make([]float64, len(d.idx))
	out := 0
	start := 0
	for i := 0; i < d.rows(); i++ {
		end := d.rowPtr[i+1]
		rs := out
		for k := start; k < end; k++ {
			b := d.idx[k]
			if d.idf[b] == 0 {
				continue
			}
			d.idx[out], d.val[out], view[out] = b, tfWeight(opt.TF, cnt[k])*d.idf[b], view[k]
			out++
		}
		normalise(d.val[rs:out], view[rs:out], opt.ViewNorm)
		start = end
		d.rowPtr[i+1] = out
	}
	d.idx, d.val = d.idx[:out], d.val[:out]
	return d, nil
}

// quantIDF rounds an IDF to the 1/1024 grid the model file stores, so a
// trained model and its reloaded copy score identically.
func quantIDF(v float64) float64 {
	q := math.Round(v * 1024)
	q = min(max(q, 1), 65535)
	return float64(float32(q / 1024))
}

// trainOvR fits one binary SVM per class on the given rows (one SVM when there
// are two classes: the second class's weights are its negation). It returns
// class-major weights w[c][bucket] and biases.
func trainOvR(d *dataset, rows []int, opt Options) ([][]float64, []float64) {
	nc := len(d.labels)
	w := make([][]float64, nc)
	bias := make([]float64, nc)
	cw := classWeights(d, rows, opt)
	if nc == 2 {
		w[1], bias[1] = solveMixed(d, rows, 1, cw, opt)
		w[0] = make([]float64, d.dim)
		for j, v := range w[1] {
			w[0][j] = -v
		}
		bias[0] = -bias[1]
		return w, bias
	}
	workers := min(runtime.GOMAXPROCS(0), nc, 4)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for c := range next {
				w[c], bias[c] = solveMixed(d, rows, c, cw, opt)
			}
		})
	}
	for c := range nc {
		next <- c
	}
	close(next)
	wg.Wait()
	return w, bias
}

// classWeights returns the cost multiplier per label.
func classWeights(d *dataset, rows []int, opt Options) []float64 {
	nc := len(d.labels)
	cw := make([]float64, nc)
	for c := range cw {
		cw[c] = 1
	}
	if opt.ClassWeight != WeightBalanced {
		return cw
	}
	count := make([]float64, nc)
	for _, i := range rows {
		count[d.y[i]]++
	}
	for c := range cw {
		if count[c] > 0 {
			cw[c] = math.Pow(float64(len(rows))/(float64(nc)*count[c]), opt.BalancePow)
		}
	}
	return cw
}

// nbRatios returns the naive Bayes log-count ratio per bucket for class pos
// against the rest (Wang & Manning 2012), over the given rows.
func nbRatios(d *dataset, rows []int, pos int, alpha float64) []float64 {
	p := make([]float64, d.dim)
	q := make([]float64, d.dim)
	for _, i := range rows {
		t := q
		if d.y[i] == pos {
			t = p
		}
		for k := d.rowPtr[i]; k < d.rowPtr[i+1]; k++ {
			t[d.idx[k]] += d.val[k]
		}
	}
	var sp, sq float64
	for b := range p {
		if d.idf[b] == 0 {
			continue
		}
		p[b] += alpha
		q[b] += alpha
		sp += p[b]
		sq += q[b]
	}
	r := p
	for b := range r {
		if d.idf[b] == 0 {
			r[b] = 0
			continue
		}
		r[b] = math.Log((p[b] / sp) / (q[b] / sq))
	}
	return r
}

// solveMixed fits class pos against the rest: a plain SVM, an NB-SVM, or the
// NBMix-weighted average of both. Both are trained to a functional margin of
// 1, so their decision values share a scale and the average of the two linear
// models is itself one linear model: the ensemble costs nothing to predict.
func solveMixed(d *dataset, rows []int, pos int, cw []float64, opt Options) ([]float64, float64) {
	switch opt.NBMix {
	case 0:
		return solveBinary(d, rows, pos, cw, opt, false)
	case 1:
		return solveBinary(d, rows, pos, cw, opt, true)
	}
	w, b := solveBinary(d, rows, pos, cw, opt, false)
	wn, bn := solveBinary(d, rows, pos, cw, opt, true)
	mix := opt.NBMix
	for j := range w {
		w[j] = (1-mix)*w[j] + mix*wn[j]
	}
	return w, (1-mix)*b + mix*bn
}

// solveBinary fits class pos against the rest by dual coordinate descent
// (Hsieh et al. 2008, LIBLINEAR solvers 1 and 3) with a regularised bias
// feature of value 1. NB scaling, when on, is folded into the returned weights.
func solveBinary(d *dataset, rows []int, pos int, cw []float64, opt Options, nb bool) ([]float64, float64) {
	// xs are the feature values this solve sees: the shared TF-IDF values, or
	// a copy scaled by the NB ratios (only the rows in use).
	var r []float64
	xs := d.val
	if nb {
		r = nbRatios(d, rows, pos, opt.NBAlpha)
		xs = make([]float64, len(d.val))
		for _, i := range rows {
			for k := d.rowPtr[i]; k < d.rowPtr[i+1]; k++ {
				xs[k] = d.val[k] * r[d.idx[k]]
			}
		}
	}
	idx := d.idx
	n := len(rows)
	y := make([]float64, n)
	upper := make([]float64, n)
	diag := make([]float64, n)
	qd := make([]float64, n)
	for t, i := range rows {
		y[t] = -1
		if d.y[i] == pos {
			y[t] = 1
		}
		ci := opt.C * d.weight[i] * cw[d.y[i]]
		if opt.Loss == LossHinge {
			upper[t] = ci
		} else {
			upper[t] = math.Inf(1)
			diag[t] = 0.5 / ci
		}
		q := 1 + diag[t] // the bias feature contributes 1
		for _, v := range xs[d.rowPtr[i]:d.rowPtr[i+1]] {
			q += v * v
		}
		qd[t] = q
	}
	w := make([]float64, d.dim)
	var b float64
	alpha := make([]float64, n)
	order := make([]int, n)
	for t := range order {
		order[t] = t
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(pos)+0x9e3779b97f4a7c15))
	// Shrinking as in LIBLINEAR: rows whose alpha sits at a bound with a
	// gradient pointing outward leave the active set until convergence is
	// checked on all rows again.
	active := n
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	for range opt.MaxEpochs {
		rng.Shuffle(active, func(a, c int) { order[a], order[c] = order[c], order[a] })
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for s := 0; s < active; s++ {
			t := order[s]
			i := rows[t]
			ri, rx := idx[d.rowPtr[i]:d.rowPtr[i+1]], xs[d.rowPtr[i]:d.rowPtr[i+1]]
			sc := b
			for k, j := range ri {
				sc += w[j] * rx[k]
			}
			g := y[t]*sc - 1 + diag[t]*alpha[t]
			pg := 0.0
			switch {
			case alpha[t] == 0:
				if g > pgMaxOld {
					active--
					order[s], order[active] = order[active], order[s]
					s--
					continue
				}
				pg = min(g, 0)
			case alpha[t] >= upper[t]:
				if g < pgMinOld {
					active--
					order[s], order[active] = order[active], order[s]
					s--
					continue
				}
				pg = max(g, 0)
			default:
				pg = g
			}
			pgMax, pgMin = max(pgMax, pg), min(pgMin, pg)
			if math.Abs(pg) < 1e-12 {
				continue
			}
			old := alpha[t]
			alpha[t] = min(max(old-g/qd[t], 0), upper[t])
			delta := (alpha[t] - old) * y[t]
			if delta == 0 {
				continue
			}
			for k, j := range ri {
				w[j] += delta * rx[k]
			}
			b += delta
		}
		if pgMax-pgMin <= opt.Tol {
			if active == n {
				break
			}
			active = n
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMax, pgMin
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	if r != nil {
		for j := range w {
			w[j] *= r[j]
		}
	}
	return w, b
}

// newModel packs class-major float64 weights into the model's bucket-major
// float32 layout, quantised as the model file stores them.
func newModel(d *dataset, w [][]float64, bias []float64) *Model {
	nc := len(d.labels)
	m := &Model{
		labels:   slices.Clone(d.labels),
		bits:     uint8(bitsOf(d.dim)),
		tf:       d.tf,
		viewNorm: d.viewNorm,
		nc:       nc,
		w:        make([]float32, d.dim*nc),
		bias:     make([]float32, nc),
		scale:    make([]float64, nc),
		idf:      make([]float32, d.dim),
	}
	for b, v := range d.idf {
		m.idf[b] = float32(v)
	}
	for c := range nc {
		m.bias[c] = float32(bias[c])
		scale := quantScale(w[c], d.idf)
		m.scale[c] = scale
		for b, v := range w[c] {
			if d.idf[b] == 0 {
				continue // never seen: can never be scored
			}
			m.w[b*nc+c] = dequant(quant(v, scale), scale)
		}
	}
	return m
}

func bitsOf(dim int) int {
	b := 0
	for 1<<b < dim {
		b++
	}
	return b
}
