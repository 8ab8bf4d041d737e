package route

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// boostFlag makes TestCrossValidationNLP fit the boosting trees: nested on the folds (the figure to
// report), then on all folds, written to boost.json (what defaultBoost embeds).
var boostFlag = flag.Bool("boost", false, "fit the boosting trees, nested and on all folds, and rewrite boost.json (-tune)")

// boostFit are the settings of fitBoost. The CV was flat across depth 2–4, 15–40 candidates and
// 25–300 trees (top-3 0.652–0.658), so these are the first tried, not the best of a search.
type boostFit struct {
	Top    int     // candidates per letter rescored (the best by the weighted score)
	Trees  int     // boosting rounds
	Depth  int     // levels of splits per tree
	Eta    float64 // shrinkage of each tree's leaves
	Lambda float64 // L2 penalty of a leaf value
	MinH   float64 // least hessian in a child of a split
	Bins   int     // quantile bins per input (at most 256)
}

var defaultBoostFit = boostFit{Top: 25, Trees: 100, Depth: 3, Eta: 0.1, Lambda: 1, MinH: 1, Bins: 32}

// boostLetter is one letter's best candidates as the trees see them.
type boostLetter struct {
	x    [][boostInputs]float64
	base []float64 // weighted scores
	gold int       // index of the truth among them, -1 when it is not
	dept []string
}

// boostLetters takes each letter's Top best candidates by o's weighted score (o.Boost is ignored).
func boostLetters(all []foldCands, o Options, top int) []boostLetter {
	o.Boost = nil
	out := make([]boostLetter, 0, len(all))
	for _, fc := range all {
		s := o.scores(fc.cands)
		idx := bestOf(fc.cands, s, top) // what Options.scores rescores
		l := boostLetter{gold: -1}
		for _, i := range idx {
			var x [boostInputs]float64
			boostInput(fc.cands[i], s[i], s[idx[0]], &x)
			l.x = append(l.x, x)
			l.base = append(l.base, s[i])
			l.dept = append(l.dept, fc.cands[i].dept)
			if fc.cands[i].dept == fc.gold {
				l.gold = len(l.x) - 1
			}
		}
		out = append(out, l)
	}
	return out
}

// fitBoost fits trees by Newton boosting of the softmax loss over each letter's candidates,
// starting from the weighted scores; letters whose truth is not among them teach nothing.
func fitBoost(ls []boostLetter, p boostFit) *Boost {
	type row struct{ l, i int }
	var rows []row
	for li, l := range ls {
		if l.gold >= 0 {
			for i := range l.x {
				rows = append(rows, row{li, i})
			}
		}
	}
	b := &Boost{Inputs: boostInputNames(), Top: p.Top}
	if len(rows) == 0 {
		return b
	}
	// Quantile thresholds per input; a row's bin is how many thresholds lie below its value.
	thr := make([][]float64, boostInputs)
	vals := make([]float64, len(rows))
	for f := range boostInputs {
		for k, r := range rows {
			vals[k] = ls[r.l].x[r.i][f]
		}
		sort.Float64s(vals)
		for q := 1; q < p.Bins; q++ {
			v := vals[q*len(vals)/p.Bins]
			if v < vals[len(vals)-1] && (len(thr[f]) == 0 || v > thr[f][len(thr[f])-1]) {
				thr[f] = append(thr[f], v)
			}
		}
	}
	bin := make([][boostInputs]uint8, len(rows))
	for k, r := range rows {
		for f := range boostInputs {
			bin[k][f] = uint8(sort.SearchFloat64s(thr[f], ls[r.l].x[r.i][f]))
		}
	}
	F := make([]float64, len(rows))
	for k, r := range rows {
		F[k] = ls[r.l].base[r.i]
	}
	g, h := make([]float64, len(rows)), make([]float64, len(rows))
	node := make([]int, len(rows))
	type hist struct{ g, h [256]float64 }
	for range p.Trees {
		for k := 0; k < len(rows); { // gradients of each letter's softmax loss
			e, mx := k, math.Inf(-1)
			for ; e < len(rows) && rows[e].l == rows[k].l; e++ {
				mx = max(mx, F[e])
			}
			var z float64
			for j := k; j < e; j++ {
				z += math.Exp(F[j] - mx)
			}
			for j := k; j < e; j++ {
				q := math.Exp(F[j]-mx) / z
				g[j], h[j] = q, max(q*(1-q), 1e-6)
				if rows[j].i == ls[rows[j].l].gold {
					g[j] = q - 1
				}
			}
			k = e
		}
		t := []boostNode{{}}
		clear(node)
		level := []int{0}
		for range p.Depth {
			hs := make(map[int]*[boostInputs]hist, len(level))
			for _, n := range level {
				hs[n] = new([boostInputs]hist)
			}
			for k := range rows {
				if hh, ok := hs[node[k]]; ok {
					for f := range boostInputs {
						hh[f].g[bin[k][f]] += g[k]
						hh[f].h[bin[k][f]] += h[k]
					}
				}
			}
			var next []int
			for _, n := range level {
				hh := hs[n]
				var G, H float64 // the node's totals: any one input's bins hold all its rows
				for q := range hh[0].g {
					G, H = G+hh[0].g[q], H+hh[0].h[q]
				}
				best, bf, bb := 0.0, -1, 0
				for f := range boostInputs {
					var gl, hl float64
					for q := range thr[f] {
						gl, hl = gl+hh[f].g[q], hl+hh[f].h[q]
						gr, hr := G-gl, H-hl
						if hl < p.MinH || hr < p.MinH {
							continue
						}
						if gain := gl*gl/(hl+p.Lambda) + gr*gr/(hr+p.Lambda) - G*G/(H+p.Lambda); gain > best {
							best, bf, bb = gain, f, q
						}
					}
				}
				t[n].V = -G / (H + p.Lambda) * p.Eta
				if bf < 0 {
					continue
				}
				var gl, hl float64
				for q := 0; q <= bb; q++ {
					gl, hl = gl+hh[bf].g[q], hl+hh[bf].h[q]
				}
				t[n].F, t[n].T, t[n].L, t[n].R, t[n].V = bf, thr[bf][bb], len(t), len(t)+1, 0
				t = append(t, boostNode{V: -gl / (hl + p.Lambda) * p.Eta}, boostNode{V: -(G - gl) / (H - hl + p.Lambda) * p.Eta})
				next = append(next, t[n].L, t[n].R)
			}
			for k, r := range rows {
				if n := &t[node[k]]; n.L != 0 {
					if ls[r.l].x[r.i][n.F] <= n.T {
						node[k] = n.L
					} else {
						node[k] = n.R
					}
				}
			}
			level = next
		}
		for k := range rows {
			F[k] += t[node[k]].V // node[k] is now the leaf row k reached
		}
		b.Trees = append(b.Trees, t)
	}
	return b
}

// boostRank ranks a synthetic letter's candidates by weighted score plus b's trees (real letters
// are ranked by rank, through Options.scores).
func boostRank(l boostLetter, b *Boost) []string {
	s := slices.Clone(l.base)
	if b != nil {
		for i := range s {
			s[i] += b.value(&l.x[i])
		}
	}
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return s[idx[x]] > s[idx[y]] })
	out := make([]string, 0, 3)
	for _, i := range idx[:min(3, len(idx))] {
		out = append(out, l.dept[i])
	}
	return out
}

// writeBoost rewrites boost.json with b, one tree per line so a refit's diff stays readable.
func writeBoost(t *testing.T, b *Boost) {
	var sb strings.Builder
	in, _ := json.Marshal(b.Inputs)
	sb.WriteString("{\"inputs\":" + string(in) + ",\n\"top\":" + strconv.Itoa(b.Top) + ",\n\"trees\":[\n")
	for i, tr := range b.Trees {
		js, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(js)
		if i < len(b.Trees)-1 {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("]}\n")
	if _, err := ParseBoost([]byte(sb.String())); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("boost.json", []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultBoostParses(t *testing.T) {
	b := defaultBoost()
	if len(b.Trees) == 0 || b.Top < 3 {
		t.Fatalf("embedded boost: %d trees over the best %d", len(b.Trees), b.Top)
	}
}

func TestParseBoostRejects(t *testing.T) {
	in, _ := json.Marshal(boostInputNames())
	for _, tc := range []struct{ name, json, want string }{
		{"not json", `{"inputs":`, "read boost trees"},
		{"other inputs", `{"inputs":["type"],"top":25,"trees":[[{"v":1}]]}`, "this version computes"},
		{"no candidates", `{"inputs":` + string(in) + `,"top":0,"trees":[]}`, "rescore 0 candidates"},
		{"empty tree", `{"inputs":` + string(in) + `,"top":5,"trees":[[]]}`, "tree 0 is empty"},
		{"child before parent", `{"inputs":` + string(in) + `,"top":5,"trees":[[{"l":1,"r":2},{"l":1,"r":2},{"v":1}]]}`, "tree 0 node 1"},
		{"child outside", `{"inputs":` + string(in) + `,"top":5,"trees":[[{"l":1,"r":9},{"v":1}]]}`, "tree 0 node 0"},
		{"input outside", `{"inputs":` + string(in) + `,"top":5,"trees":[[{"f":99,"l":1,"r":2},{"v":1},{"v":2}]]}`, "bad split"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBoost([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestFitBoostLearnsAnInteraction builds letters whose truth a linear score cannot find: the
// candidate with the most similar-case votes is right only when its unit type is likely too, and
// otherwise the runner-up by type is. The fitted trees must rank held-out letters better.
func TestFitBoostLearnsAnInteraction(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	letters := func(n int) []boostLetter {
		var out []boostLetter
		for range n {
			l := boostLetter{gold: -1}
			for i := range 8 {
				var x [boostInputs]float64
				x[fKNN] = rng.Float64()
				x[fType] = -3 * rng.Float64()
				x[bScore] = x[fKNN]
				l.x = append(l.x, x)
				l.base = append(l.base, x[fKNN])
				l.dept = append(l.dept, string(rune('a'+i)))
			}
			byVote := slices.MaxFunc(indexes(8), func(a, b int) int { return cmpF(l.x[a][fKNN], l.x[b][fKNN]) })
			byType := slices.MaxFunc(indexes(8), func(a, b int) int { return cmpF(l.x[a][fType], l.x[b][fType]) })
			l.gold = byType
			if l.x[byVote][fType] > -1 {
				l.gold = byVote
			}
			out = append(out, l)
		}
		return out
	}
	train, test := letters(2000), letters(500)
	b := fitBoost(train, boostFit{Top: 8, Trees: 60, Depth: 3, Eta: 0.3, Lambda: 1, MinH: 1, Bins: 32})
	hits := func(b *Boost) int {
		n := 0
		for _, l := range test {
			if boostRank(l, b)[0] == l.dept[l.gold] {
				n++
			}
		}
		return n
	}
	before, after := hits(nil), hits(b)
	t.Logf("top-1 on held-out letters: %d → %d of %d", before, after, len(test))
	if after < before+len(test)/10 {
		t.Fatalf("trees did not learn the interaction: top-1 %d → %d of %d", before, after, len(test))
	}
}

// TestScoresRescoreOnlyTheBest checks that the trees move only the best candidates and that the
// rest stay below them.
func TestScoresRescoreOnlyTheBest(t *testing.T) {
	o := DefaultOptions()
	o.Boost = &Boost{Inputs: boostInputNames(), Top: 2, Trees: [][]boostNode{{{F: bScore, T: 2, L: 1, R: 2}, {V: 10}, {V: -10}}}}
	var cands []*cand
	for i, knn := range []float64{0.9, 0.6, 0.3, 0.1} {
		cands = append(cands, &cand{dept: string(rune('a' + i)), vote: knn})
	}
	s := o.scores(cands)
	got := rank(cands, &o)
	if got[0] != "b" || got[1] != "a" {
		t.Fatalf("rank = %v (scores %v), want b (its score ≤ 2 gains 10) before a (loses 10)", got, s)
	}
	if s[2] >= s[0] || s[3] >= s[0] {
		t.Fatalf("scores %v: candidates beyond the best 2 ranked above a rescored one", s)
	}
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// boostCV scores trees fitted on the other folds' candidates (nested, the figure to report) by
// rank, as Suggest orders them, then fits them on all folds and rewrites boost.json. all's folds
// come from routers trained without the letters they rank, so the trees learn from rankings like
// those of unseen letters.
func boostCV(t *testing.T, all []foldCands, o Options) {
	p := defaultBoostFit
	ls := boostLetters(all, o, p.Top)
	gold := make([]string, len(all))
	preds := make([][]string, len(all))
	for f := range *cvFolds {
		var train []boostLetter
		for i, l := range ls {
			if all[i].fold != f {
				train = append(train, l)
			}
		}
		fo := o
		fo.Boost = fitBoost(train, p)
		for i, fc := range all {
			if fc.fold == f {
				gold[i], preds[i] = fc.gold, rank(fc.cands, &fo)
			}
		}
	}
	rep := score(gold, preds)
	t.Logf("weights + trees fitted on the other folds (%+v): acc %.3f top3 %.3f macroF1 %.3f", p, rep.Accuracy, rep.AccAt3, rep.MacroF1)
	b := fitBoost(ls, p)
	writeBoost(t, b)
	t.Logf("boost.json rewritten: %d trees fitted on all %d letters", len(b.Trees), len(ls))
}

func TestBestOfIsOrdersHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 25, 60} {
		var cands []*cand
		var s []float64
		for i := range 50 {
			cands = append(cands, &cand{dept: string(rune('一' + i))})
			s = append(s, float64(rng.IntN(10))) // many ties, broken by name
		}
		want := order(cands, s)[:min(n, len(cands))]
		if got := bestOf(cands, s, n); !slices.Equal(got, want) {
			t.Fatalf("bestOf(%d) = %v, order's head %v", n, got, want)
		}
	}
}
