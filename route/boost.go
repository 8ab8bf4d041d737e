package route

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Boost rescores a letter's best candidates with a sum of small regression trees over their
// evidence (the reranking features, the weighted score and its gap to the best). The weighted
// score is linear: it cannot say that a similar-case vote counts for less when the unit type is
// unlikely, or that a same-day batch matters only for street offices no place points at. The
// trees learn such corrections from the letters the weights ranked, fitted as a conditional logit
// over each letter's candidates, starting from the weighted score (see boost_test.go). With the
// trees fitted on the other folds, top-3 rises from 0.638 to 0.657 in 5-fold cross-validation and
// from 0.650 to 0.663 in 10-fold.
type Boost struct {
	Inputs []string      `json:"inputs"` // names of the trees' inputs: featureNames, then "score", "gap"
	Top    int           `json:"top"`    // how many of the best candidates by the weighted score are rescored
	Trees  [][]boostNode `json:"trees"`
}

// boostNode is one node of a tree: a split (x[F] ≤ T goes to L, else to R) or, when L is 0, a leaf
// worth V.
type boostNode struct {
	F int     `json:"f,omitempty"`
	T float64 `json:"t,omitempty"`
	L int     `json:"l,omitempty"`
	R int     `json:"r,omitempty"`
	V float64 `json:"v,omitempty"`
}

// Inputs of the trees beyond the reranking features.
const (
	bScore      = nFeatures + iota // the weighted score
	bGap                           // the weighted score minus the best candidate's
	boostInputs                    // how many inputs a tree reads
)

// boostInputNames are the names Boost.Inputs must hold, in order.
func boostInputNames() []string {
	return append(featureNames[:len(featureNames):len(featureNames)], "score", "gap")
}

//go:embed boost.json
var boostJSON []byte

// defaultBoost returns the embedded trees, fitted on the Shanghai letters' 10-fold
// cross-validation candidates (routers trained on nine tenths of the letters, the nearest to one
// trained on all) by `go test ./route -run TestCrossValidationNLP -tune -folds 10 -boost`.
func defaultBoost() *Boost {
	b, err := ParseBoost(boostJSON)
	if err != nil {
		// The embedded file is covered by tests; failing here is a build defect.
		panic(fmt.Sprintf("embedded boost.json: %v", err))
	}
	return b
}

// ParseBoost reads trees written by MarshalJSON, checking that they read the inputs this version
// computes and that every node points inside its tree.
func ParseBoost(data []byte) (*Boost, error) {
	var b Boost
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("read boost trees: %w", err)
	}
	if !slices.Equal(b.Inputs, boostInputNames()) {
		return nil, fmt.Errorf("boost trees read inputs %v, this version computes %v", b.Inputs, boostInputNames())
	}
	if b.Top < 1 {
		return nil, fmt.Errorf("boost trees rescore %d candidates, want at least 1", b.Top)
	}
	for i, t := range b.Trees {
		if len(t) == 0 {
			return nil, fmt.Errorf("boost tree %d is empty", i)
		}
		for j, n := range t {
			if n.L == 0 {
				continue
			}
			// Children come after their parent, so walking a tree always ends.
			if n.L <= j || n.R <= j || n.L >= len(t) || n.R >= len(t) || n.F < 0 || n.F >= boostInputs {
				return nil, fmt.Errorf("boost tree %d node %d: bad split %+v", i, j, n)
			}
		}
	}
	return &b, nil
}

// value is the sum of the trees' leaves for x.
func (b *Boost) value(x *[boostInputs]float64) float64 {
	var s float64
	for _, t := range b.Trees {
		i := 0
		for t[i].L != 0 {
			if x[t[i].F] <= t[i].T {
				i = t[i].L
			} else {
				i = t[i].R
			}
		}
		s += t[i].V
	}
	return s
}

// boostInput writes the trees' inputs for candidate c, whose weighted score is s, the best
// weighted score of its letter being top.
func boostInput(c *cand, s, top float64, x *[boostInputs]float64) {
	var v [nFeatures]float64
	c.vector(&v)
	copy(x[:nFeatures], v[:])
	x[bScore], x[bGap] = s, s-top
}

// scores is the learned score of each candidate: the weighted score (with rules), then, for the
// Boost.Top best by it, plus the trees' value.
func (o *Options) scores(cands []*cand) []float64 {
	s := make([]float64, len(cands))
	for i, c := range cands {
		s[i] = o.score(c)
	}
	if o.Boost == nil || len(cands) == 0 {
		return s
	}
	best := bestOf(cands, s, o.Boost.Top)
	top := s[best[0]]
	var x [boostInputs]float64
	floor := math.Inf(1)
	rescored := make([]bool, len(s))
	for _, i := range best {
		boostInput(cands[i], s[i], top, &x)
		s[i] += o.Boost.value(&x)
		rescored[i] = true
		floor = min(floor, s[i])
	}
	// The rest stay below every rescored candidate, as the trees were fitted on the best alone.
	for i := range s {
		if !rescored[i] && s[i] >= floor {
			s[i] = floor - 1e-9
		}
	}
	return s
}

// bestOf returns the indexes of the n best scores, best first, ties by name: order's first n,
// without sorting every candidate (a letter has one per department of history).
func bestOf(cands []*cand, s []float64, n int) []int {
	better := func(i, j int) bool {
		if s[i] != s[j] {
			return s[i] > s[j]
		}
		return cands[i].dept < cands[j].dept
	}
	out := make([]int, 0, n+1)
	for i := range cands {
		if len(out) == n && !better(i, out[n-1]) {
			continue
		}
		k := sort.Search(len(out), func(k int) bool { return better(i, out[k]) })
		out = slices.Insert(out, k, i)
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}
