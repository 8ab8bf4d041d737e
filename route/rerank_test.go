package route

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

// rerankLetter is one letter's candidates for fitting, the truth first.
type rerankLetter struct {
	cands []*cand
}

// x writes candidate i's features into v.
func (l *rerankLetter) x(i int, v *[nFeatures]float64) { l.cands[i].vector(v) }

// rerankSet keeps the letters whose truth is among their candidates, the truth moved first.
func rerankSet(all []foldCands, keep func(int) bool) []rerankLetter {
	var out []rerankLetter
	for i, fc := range all {
		if !keep(i) {
			continue
		}
		for j, c := range fc.cands {
			if c.dept == fc.gold {
				cs := append([]*cand{c}, fc.cands[:j]...)
				out = append(out, rerankLetter{cands: append(cs, fc.cands[j+1:]...)})
				break
			}
		}
	}
	return out
}

// fitLogit fits a conditional logit (softmax over each letter's candidates, truth = index 0) with
// an L2 penalty by Newton's method, starting from w0.
func fitLogit(set []rerankLetter, l2 float64, w0 []float64) []float64 {
	const n = nFeatures
	w := make([]float64, n)
	copy(w, w0)
	var xs [][nFeatures]float64
	vectors := func(l *rerankLetter) [][nFeatures]float64 {
		xs = xs[:0]
		for i := range l.cands {
			var v [nFeatures]float64
			l.x(i, &v)
			xs = append(xs, v)
		}
		return xs
	}
	loss := func(w []float64) float64 {
		var sum float64
		for li := range set {
			x := vectors(&set[li])
			m := math.Inf(-1)
			s := make([]float64, len(x))
			for i := range x {
				s[i] = dot(w, x[i][:])
				m = max(m, s[i])
			}
			var z float64
			for _, v := range s {
				z += math.Exp(v - m)
			}
			sum += m + math.Log(z) - s[0]
		}
		var r float64
		for _, v := range w {
			r += v * v
		}
		return sum/float64(len(set)) + l2/2*r
	}
	cur := loss(w)
	for it := 0; it < 25; it++ {
		var g [n]float64
		var h [n][n]float64
		for li := range set {
			x := vectors(&set[li])
			s := make([]float64, len(x))
			m := math.Inf(-1)
			for i := range x {
				s[i] = dot(w, x[i][:])
				m = max(m, s[i])
			}
			var z float64
			for i := range s {
				s[i] = math.Exp(s[i] - m)
				z += s[i]
			}
			var mu [n]float64
			for i := range x {
				p := s[i] / z
				for a := range n {
					mu[a] += p * x[i][a]
				}
			}
			for a := range n {
				g[a] += mu[a] - x[0][a]
			}
			for i := range x {
				p := s[i] / z
				if p < 1e-7 {
					continue
				}
				for a := range n {
					da := x[i][a] - mu[a]
					if da == 0 {
						continue
					}
					for b := range n {
						h[a][b] += p * da * (x[i][b] - mu[b])
					}
				}
			}
		}
		N := float64(len(set))
		for a := range n {
			g[a] = g[a]/N + l2*w[a]
			for b := range n {
				h[a][b] /= N
			}
			h[a][a] += l2
		}
		step := solve(h, g)
		improved := false
		for t := 1.0; t > 1e-4; t /= 2 {
			nw := make([]float64, n)
			for a := range n {
				nw[a] = w[a] - t*step[a]
			}
			if nl := loss(nw); nl < cur {
				improved = cur-nl > 1e-6
				w, cur = nw, nl
				break
			}
		}
		if !improved {
			break
		}
	}
	return w
}

func dot(w, x []float64) float64 {
	var s float64
	for i := range w {
		s += w[i] * x[i]
	}
	return s
}

// solve solves h·x = g for a symmetric positive definite h (Cholesky).
func solve(h [nFeatures][nFeatures]float64, g [nFeatures]float64) []float64 {
	const n = nFeatures
	var l [n][n]float64
	for i := range n {
		for j := 0; j <= i; j++ {
			s := h[i][j]
			for k := range j {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				l[i][i] = math.Sqrt(max(s, 1e-12))
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	y := make([]float64, n)
	for i := range n {
		s := g[i]
		for k := range i {
			s -= l[i][k] * y[k]
		}
		y[i] = s / l[i][i]
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= l[k][i] * x[k]
		}
		x[i] = s / l[i][i]
	}
	return x
}

// fitWeights fits reranking weights on the letters kept, starting from start's.
func fitWeights(all []foldCands, keep func(int) bool, start Options, l2 float64) []float64 {
	return fitLogit(rerankSet(all, keep), l2, start.Weights)
}

// weightsLiteral prints weights as the Go code of defaultWeights.
func weightsLiteral(w []float64) string {
	var b strings.Builder
	for i, v := range w {
		fmt.Fprintf(&b, "\n\t%.4f, // %s", v, featureNames[i])
	}
	return b.String()
}

func TestFitLogitRecoversWeights(t *testing.T) {
	// Letters whose truth is the candidate with the highest knn vote: the fitted knn weight
	// must come out positive and dominate the others.
	var set []rerankLetter
	for i := range 200 {
		l := rerankLetter{}
		for j := range 5 {
			l.cands = append(l.cands, &cand{vote: float64((i+j)%7) / 7, prior: float64((i*3+j)%5) / 5})
		}
		best := 0
		for j, c := range l.cands {
			if c.vote > l.cands[best].vote {
				best = j
			}
		}
		l.cands[0], l.cands[best] = l.cands[best], l.cands[0]
		set = append(set, l)
	}
	w := fitLogit(set, 1e-3, make([]float64, nFeatures))
	if w[fKNN] <= 1 || math.Abs(w[fPrior]) >= w[fKNN] {
		t.Errorf("fitted knn weight %.3f, prior %.3f: want knn large and dominant", w[fKNN], w[fPrior])
	}
}

func TestDefaultWeightsCoverFeatures(t *testing.T) {
	if n := len(defaultWeights()); n != nFeatures {
		t.Fatalf("defaultWeights has %d weights for %d features", n, nFeatures)
	}
	for i, name := range featureNames {
		if name == "" {
			t.Errorf("feature %d has no name", i)
		}
	}
}

func TestDayEvidence(t *testing.T) {
	keys := map[string]nameKeys{
		"上海市闵行区颛桥镇人民政府": {typ: streetType, dist: "闵行区", kind: kindStreet},
		"上海市闵行区教育局":     {typ: "区:教育局", dist: "闵行区", kind: kindDistrict},
		"上海市交通委员会":      {typ: "上海市交通委员会", kind: kindCity},
	}
	x := newDayIndex(
		[]string{"2023-06-19", "2023-06-19", "2023-06-19", "2023-06-21", ""},
		[]string{"上海市闵行区颛桥镇人民政府", "上海市闵行区颛桥镇人民政府", "上海市闵行区教育局", "上海市交通委员会", "上海市交通委员会"},
		keys)
	day, _ := dayNumber(time.Date(2023, 6, 19, 15, 4, 0, 0, time.Local))
	tests := []struct {
		dept                    string
		same, near, dist, share float64
	}{
		{"上海市闵行区颛桥镇人民政府", math.Log(3), 0, math.Log(4), 2.0 / 3},
		{"上海市闵行区教育局", math.Log(2), 0, math.Log(4), 1.0 / 3},
		{"上海市交通委员会", 0, math.Log(2), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.dept, func(t *testing.T) {
			c := &cand{dept: tc.dept}
			x.evidence(day, c, keys[tc.dept].dist)
			got := []float64{c.sameDay, c.nearDay, c.distDay, c.dayShare}
			want := []float64{tc.same, tc.near, tc.dist, tc.share}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-9 {
					t.Errorf("evidence %d = %v, want %v", i, got, want)
					break
				}
			}
		})
	}
}

func TestDaysSurviveSaveAndLoad(t *testing.T) {
	h := shanghaiHistory()
	for i := range h {
		h[i].Item.Time = time.Date(2023, 6, 1+i%5, 0, 0, 0, 0, time.UTC)
	}
	r := New(nil, nil)
	if err := r.Train(h); err != nil {
		t.Fatal(err)
	}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	loaded := New(nil, nil)
	if err := loaded.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded.days, r.days) {
		t.Errorf("loaded day index %+v, want %+v", loaded.days, r.days)
	}
	it := &domain.Item{Title: "小区停车", Body: "颛桥镇小区停车难", Time: time.Date(2023, 6, 2, 0, 0, 0, 0, time.UTC)}
	if got, want := loaded.Suggest(it, &domain.Analysis{}), r.Suggest(it, &domain.Analysis{}); !reflect.DeepEqual(got, want) {
		t.Errorf("loaded router suggests %+v, want %+v", got, want)
	}
}

// sortedWeights lists the weights largest magnitude first, for logs.
func sortedWeights(w []float64) string {
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return math.Abs(w[idx[a]]) > math.Abs(w[idx[b]]) })
	var b strings.Builder
	for _, i := range idx {
		fmt.Fprintf(&b, " %s=%.2f", featureNames[i], w[i])
	}
	return b.String()
}

// ascentLetter is one letter's candidates with their current scores, for coordinate ascent.
type ascentLetter struct {
	cands []*cand
	gold  int // -1: the truth is not a candidate
	s     []float64
	col   []float64 // scratch: the feature being moved
}

// metricMoved is top-1 plus top-3 accuracy when weight f moves by d (col holds feature f).
func metricMoved(set []ascentLetter, d float64) float64 {
	var hits int
	for i := range set {
		l := &set[i]
		if l.gold < 0 {
			continue
		}
		g := l.s[l.gold] + d*l.col[l.gold]
		above := 0
		for j, s := range l.s {
			if j != l.gold && s+d*l.col[j] > g {
				if above++; above >= 3 {
					break
				}
			}
		}
		if above == 0 {
			hits++
		}
		if above < 3 {
			hits++
		}
	}
	return float64(hits) / float64(len(set))
}

// ascend improves weights by coordinate ascent on top-1 plus top-3 accuracy (the metric the
// router is judged by) over every candidate of the letters kept.
func ascend(all []foldCands, keep func(int) bool, start Options) []float64 {
	o := start
	w := append([]float64(nil), o.Weights...)
	var set []ascentLetter
	for i, fc := range all {
		if !keep(i) {
			continue
		}
		l := ascentLetter{cands: fc.cands, gold: -1, s: make([]float64, len(fc.cands)), col: make([]float64, len(fc.cands))}
		for j, c := range fc.cands {
			l.s[j] = o.score(c)
			if c.dept == fc.gold {
				l.gold = j
			}
		}
		set = append(set, l)
	}
	best := metricMoved(set, 0)
	var v [nFeatures]float64
	for range *ascendPasses {
		moved := false
		for f := range nFeatures {
			for i := range set {
				for j, c := range set[i].cands {
					c.vector(&v)
					set[i].col[j] = v[f]
				}
			}
			bd := 0.0
			for _, d := range []float64{-2, -1, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1, 2} {
				if m := metricMoved(set, d); m > best+1e-9 {
					best, bd = m, d
				}
			}
			if bd != 0 {
				moved = true
				w[f] += bd
				for i := range set {
					for j := range set[i].s {
						set[i].s[j] += bd * set[i].col[j]
					}
				}
			}
		}
		if !moved {
			break
		}
	}
	return w
}
