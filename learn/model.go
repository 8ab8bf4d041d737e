// Package learn fits small, fast linear text classifiers over string features:
// hashed features, TF-IDF weighting with L2 normalisation, one-vs-rest linear
// SVMs solved by dual coordinate descent (as LIBLINEAR does), optional naive
// Bayes log-count-ratio scaling (NB-SVM), and a softmax temperature calibrated
// on held-out folds. It is pure Go and knows nothing of text: callers turn text
// into feature strings (or their hashes).
package learn

import (
	"errors"
	"math"
	"slices"
	"sync"
)

// Example is one labelled training item: its feature strings (words, bigrams,
// char n-grams, places …; repeats count) and weight (0 = 1).
type Example struct {
	Features []string
	Label    string
	Weight   float64
}

// Loss selects the SVM loss the solver minimises.
type Loss int

// Losses. The zero value is the squared hinge (LIBLINEAR's default, L2-loss SVM).
const (
	LossSquaredHinge Loss = iota // L2-loss SVM: smooth, usually the best on text
	LossHinge                    // L1-loss SVM: the classic SVM
)

// TFMode selects how a feature's count within one example becomes its weight.
type TFMode int

// Term-frequency modes. The zero value is sublinear 1+ln(tf).
const (
	TFSublinear TFMode = iota // 1 + ln(tf)
	TFBinary                  // 1 if present
	TFRaw                     // tf
)

// ClassWeighting selects how misclassification costs are weighted per class.
type ClassWeighting int

// Class weightings. The zero value weighs every example alike.
const (
	WeightNone     ClassWeighting = iota
	WeightBalanced                // C scaled by n/(k·n_class), as scikit-learn's "balanced": helps macro-F1
)

// Options configure Train. The zero value gives sensible defaults.
type Options struct {
	Loss        Loss           // solver loss; default squared hinge
	C           float64        // inverse regularisation strength; 0 = 1
	Tol         float64        // dual CD stopping tolerance on the projected gradient; 0 = 0.1
	MaxEpochs   int            // maximum passes over the data per class; 0 = 1000
	Seed        int64          // shuffling seed; training is deterministic for a given seed
	ClassWeight ClassWeighting // per-class cost weighting
	BalancePow  float64        // with WeightBalanced, costs are (n/(k·n_class))^BalancePow; 0 = 1 (scikit-learn's "balanced"), 0.5 a milder lift of small classes
	HashBits    int            // feature hash space is 2^HashBits buckets; 0 = 18, range 10..24
	TF          TFMode         // term-frequency weighting
	NoIDF       bool           // skip inverse document frequency weighting
	ViewNorm    bool           // L2-normalise each view ("x:" feature prefix, see Hasher) separately
	NB          bool           // scale features by naive Bayes log-count ratios (NB-SVM); same as NBMix 1
	NBMix       float64        // 0..1: average a plain SVM and an NB-SVM with this weight on the NB one (one linear model)
	NBAlpha     float64        // NB smoothing; 0 = 1
	MinDF       int            // drop features seen in fewer examples; 0 = 1
	CalibFolds  int            // folds for fitting the softmax temperature; 0 = 3, negative = no calibration
	TuneBias    Metric         // shift class biases to maximise this metric on the calibration folds
}

// Metric names what bias tuning maximises.
type Metric int

// Metrics for Options.TuneBias. The zero value leaves the biases as the SVMs learned them.
const (
	MetricNone     Metric = iota
	MetricAccuracy        // fraction correct
	MetricMacroF1         // mean F1 over labels: favours small classes
)

func (o Options) withDefaults() Options {
	if o.C <= 0 {
		o.C = 1
	}
	if o.Tol <= 0 {
		o.Tol = 0.1
	}
	if o.MaxEpochs <= 0 {
		o.MaxEpochs = 1000
	}
	if o.HashBits == 0 {
		o.HashBits = 18
	}
	if o.NB && o.NBMix == 0 {
		o.NBMix = 1
	}
	if o.NBAlpha <= 0 {
		o.NBAlpha = 1
	}
	if o.MinDF <= 0 {
		o.MinDF = 1
	}
	if o.CalibFolds == 0 {
		o.CalibFolds = 3
	}
	if o.BalancePow == 0 {
		o.BalancePow = 1
	}
	return o
}

// Errors returned by Train and UnmarshalBinary.
var (
	// ErrNoData means Train got no usable example.
	ErrNoData = errors.New("learn: no training examples")
	// ErrOneClass means every training example has the same label: nothing to discriminate.
	ErrOneClass = errors.New("learn: need at least two labels")
	// ErrBadOptions means an option is out of range.
	ErrBadOptions = errors.New("learn: bad options")
	// ErrFormat means the bytes are not a model file of a known version.
	ErrFormat = errors.New("learn: not a model file")
	// ErrChecksum means the model file is damaged.
	ErrChecksum = errors.New("learn: model checksum mismatch")
)

// Scored is one label with its calibrated probability.
type Scored struct {
	Label string
	Prob  float64
}

// Model is a trained one-vs-rest linear model over hashed features. It is safe
// for concurrent use.
type Model struct {
	labels   []string
	bits     uint8
	tf       TFMode
	viewNorm bool
	nc       int
	w        []float32 // bucket-major: w[b*nc+c]
	bias     []float32 // per class
	scale    []float64 // per class: weights are multiples of it (int16 in the file)
	idf      []float32 // per bucket; 0 = never seen in training, ignored
	invTemp  float64   // softmax inverse temperature

	pool sync.Pool // *scratch
}

// Labels returns the class labels in the model's fixed (sorted) order; the
// probability slices of ProbsHashed follow this order.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// Temperature is the calibrated softmax temperature over the raw SVM scores.
func (m *Model) Temperature() float64 { return 1 / m.invTemp }

// Predict returns all labels sorted by probability (highest first); the
// probabilities are calibrated and sum to 1.
func (m *Model) Predict(features []string) []Scored {
	sc := m.getScratch()
	defer m.pool.Put(sc)
	sc.hashes = HashAll(sc.hashes, features)
	return m.scoredFrom(sc, sc.hashes)
}

// PredictHashed is Predict over feature hashes (see Hash and Hasher).
func (m *Model) PredictHashed(hashes []uint64) []Scored {
	sc := m.getScratch()
	defer m.pool.Put(sc)
	return m.scoredFrom(sc, hashes)
}

func (m *Model) scoredFrom(sc *scratch, hashes []uint64) []Scored {
	p := m.probs(sc, hashes, make([]float64, m.nc))
	out := make([]Scored, m.nc)
	for c := range out {
		out[c] = Scored{Label: m.labels[c], Prob: p[c]}
	}
	slices.SortStableFunc(out, func(a, b Scored) int {
		switch {
		case a.Prob > b.Prob:
			return -1
		case a.Prob < b.Prob:
			return 1
		}
		return 0
	})
	return out
}

// ProbsHashed writes the calibrated probabilities, in Labels order, into dst
// (grown if short) and returns it. With a reused dst it does not allocate: it
// is the hot path for classifying messages.
func (m *Model) ProbsHashed(hashes []uint64, dst []float64) []float64 {
	if cap(dst) < m.nc {
		dst = make([]float64, m.nc)
	}
	dst = dst[:m.nc]
	sc := m.getScratch()
	m.probs(sc, hashes, dst)
	m.pool.Put(sc)
	return dst
}

// Best returns the most probable label and its probability.
func (m *Model) Best(hashes []uint64) (string, float64) {
	sc := m.getScratch()
	defer m.pool.Put(sc)
	if cap(sc.probs) < m.nc {
		sc.probs = make([]float64, m.nc)
	}
	p := m.probs(sc, hashes, sc.probs[:m.nc])
	best := 0
	for c := 1; c < m.nc; c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return m.labels[best], p[best]
}

// probs fills dst with softmax(invTemp · scores).
func (m *Model) probs(sc *scratch, hashes []uint64, dst []float64) []float64 {
	m.scores(sc, hashes, dst)
	softmax(dst, m.invTemp)
	return dst
}

// scores fills dst with the raw one-vs-rest decision values.
func (m *Model) scores(sc *scratch, hashes []uint64, dst []float64) {
	idx, val := m.vector(sc, hashes)
	nc := m.nc
	for c := 0; c < nc; c++ {
		dst[c] = float64(m.bias[c])
	}
	for k, b := range idx {
		row := m.w[int(b)*nc : int(b)*nc+nc]
		v := float64(val[k])
		for c, wc := range row {
			dst[c] += v * float64(wc)
		}
	}
}

// vector turns hashes into the example's sparse TF-IDF vector, L2-normalised,
// dropping buckets never seen in training.
func (m *Model) vector(sc *scratch, hashes []uint64) ([]uint32, []float64) {
	sc.count(hashes, uint64(1)<<m.bits-1)
	n := 0
	for k, b := range sc.idx {
		idf := m.idf[b]
		if idf == 0 {
			continue
		}
		sc.idx[n] = b
		sc.val[n] = tfWeight(m.tf, sc.cnt[k]) * float64(idf)
		sc.view[n] = sc.view[k]
		n++
	}
	sc.idx, sc.val, sc.view = sc.idx[:n], sc.val[:n], sc.view[:n]
	normalise(sc.val, sc.view, m.viewNorm)
	return sc.idx, sc.val
}

// normalise scales val to unit L2 norm; with perView each view present is
// scaled to norm 1/sqrt(views present), so the whole vector still has norm 1.
func normalise(val []float64, view []uint8, perView bool) {
	if !perView {
		var norm float64
		for _, v := range val {
			norm += v * v
		}
		if norm > 0 {
			inv := 1 / math.Sqrt(norm)
			for k := range val {
				val[k] *= inv
			}
		}
		return
	}
	var norms [8]float64
	for k, v := range val {
		norms[view[k]] += v * v
	}
	present := 0
	for _, nv := range norms {
		if nv > 0 {
			present++
		}
	}
	if present == 0 {
		return
	}
	var inv [8]float64
	for i, nv := range norms {
		if nv > 0 {
			inv[i] = 1 / math.Sqrt(nv*float64(present))
		}
	}
	for k := range val {
		val[k] *= inv[view[k]]
	}
}

func tfWeight(mode TFMode, tf float32) float64 {
	if tf == 1 {
		return 1
	}
	switch mode {
	case TFBinary:
		return 1
	case TFRaw:
		return float64(tf)
	default:
		switch tf { // small counts, the common case, without a logarithm
		case 2:
			return 1 + math.Ln2
		case 3:
			return 1 + 1.0986122886681098 // ln 3
		case 4:
			return 1 + 2*math.Ln2
		}
		return 1 + math.Log(float64(tf))
	}
}

// softmax turns scores into probabilities in place, scaled by inv.
func softmax(s []float64, inv float64) {
	mx := math.Inf(-1)
	for _, v := range s {
		mx = max(mx, v*inv)
	}
	var sum float64
	for i, v := range s {
		e := math.Exp(v*inv - mx)
		s[i] = e
		sum += e
	}
	for i := range s {
		s[i] /= sum
	}
}

func (m *Model) getScratch() *scratch {
	if sc, ok := m.pool.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

// scratch holds per-call buffers so prediction does not allocate in steady state.
type scratch struct {
	hashes []uint64
	buckets
	cnt   []float32
	view  []uint8
	val   []float64
	probs []float64
}

// count groups hashes by bucket (hash & mask) into idx/cnt, in first-seen order.
func (sc *scratch) count(hashes []uint64, mask uint64) {
	sc.reset(len(hashes))
	sc.cnt, sc.val, sc.view = sc.cnt[:0], sc.val[:0], sc.view[:0]
	for _, h := range hashes {
		if i, fresh := sc.find(uint32(h & mask)); !fresh {
			sc.cnt[i]++
			continue
		}
		sc.cnt = append(sc.cnt, 1)
		sc.val = append(sc.val, 0)
		sc.view = append(sc.view, uint8(h>>viewShift))
	}
}
