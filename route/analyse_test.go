package route

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"minyi/learn"
)

// unitClass is the coarse kind of a department: a city-level body, a district unit or a
// street/town office.
func unitClass(name string) string {
	t, d, _ := hierKeys(name)
	switch {
	case d == "":
		return "city"
	case t == streetType:
		return "street"
	default:
		return "district"
	}
}

// TestRouteErrors analyses where the defaults rank the replying department on cross-validation
// folds: the rank of the truth, accuracy per kind of unit, and what the first suggestion is when
// the truth is missed. Heavy, so opt-in:
//
//	CGO_ENABLED=0 go test ./route -run TestRouteErrors -tune -folds 3 -v -timeout 60m
func TestRouteErrors(t *testing.T) {
	if !*tune {
		t.Skip("heavy: run with -tune")
	}
	rows := loadShanghaiAnalyzed(t)
	o := DefaultOptions()
	ranks := map[string]int{}
	type tally struct{ n, top1, top3, distOK, classOK int }
	byClass := map[string]*tally{}
	confusion := map[string]int{}
	missed := map[string]int{}
	dump, _ := os.Create(filepath.Join(os.TempDir(), "route-misses.txt"))
	if dump != nil {
		defer dump.Close()
	}
	typeConf := map[string]int{}
	for f, fold := range folds(rows, *cvFolds) {
		r := trainedFold(t, o, f, fold[0])
		seen := map[string]bool{}
		for _, n := range r.names {
			seen[n] = true
		}
		for i := range fold[1] {
			l := &fold[1][i]
			cands, _, _ := r.components(&l.Item, &l.Analysis)
			scores := make([]float64, len(cands))
			for j, c := range cands {
				scores[j] = o.score(c)
			}
			idx := order(cands, scores)
			rk := -1
			for j, k := range idx {
				if cands[k].dept == l.Department {
					rk = j + 1
					break
				}
			}
			bucket := "unseen"
			switch {
			case !seen[l.Department]:
			case rk == 1, rk == 2, rk == 3:
				bucket = fmt.Sprint(rk)
			case rk <= 5:
				bucket = "4-5"
			case rk <= 10:
				bucket = "6-10"
			case rk <= 30:
				bucket = "11-30"
			default:
				bucket = ">30"
			}
			ranks[bucket]++
			gc := unitClass(l.Department)
			tl := byClass[gc]
			if tl == nil {
				tl = &tally{}
				byClass[gc] = tl
			}
			tl.n++
			top := cands[idx[0]].dept
			if rk == 1 {
				tl.top1++
			}
			if rk >= 1 && rk <= 3 {
				tl.top3++
			}
			_, gd, _ := hierKeys(l.Department)
			_, pd, _ := hierKeys(top)
			if gd == pd {
				tl.distOK++
			}
			if unitClass(top) == gc {
				tl.classOK++
			}
			if (rk < 1 || rk > 3) && dump != nil {
				pl := r.placesOf(&l.Item, &l.Analysis)
				var tops []string
				for _, k := range idx[:3] {
					tops = append(tops, cands[k].dept)
				}
				body := []rune(l.Item.Body)
				fmt.Fprintf(dump, "RANK %d GOLD %s\nTOP %v\nPLACE %s/%s %v\nTEXT %s | %s\n\n", rk, l.Department, tops, pl.district, pl.street, pl.all, l.Item.Title, string(body[:min(len(body), 300)]))
			}
			if gt, _, _ := hierKeys(l.Department); r.hier != nil {
				fs := r.featuresOf(&l.Item, &l.Analysis)
				if pt := r.hier.typ.Predict(fs)[0].Label; pt != gt {
					typeConf[gt+" → "+pt]++
				}
			}
			if rk < 1 || rk > 3 {
				confusion[gc+"→"+unitClass(top)+sameness(gd, pd)]++
				missed[l.Department]++
			}
		}
	}
	keys := []string{"1", "2", "3", "4-5", "6-10", "11-30", ">30", "unseen"}
	var total int
	for _, n := range ranks {
		total += n
	}
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s:%d(%.3f)", k, ranks[k], float64(ranks[k])/float64(total))
	}
	t.Logf("rank of the truth:%s", b.String())
	for _, c := range []string{"city", "district", "street"} {
		tl := byClass[c]
		if tl == nil {
			continue
		}
		t.Logf("%-8s n=%d top1 %.3f top3 %.3f first has the right district %.3f, right kind %.3f", c, tl.n,
			float64(tl.top1)/float64(tl.n), float64(tl.top3)/float64(tl.n), float64(tl.distOK)/float64(tl.n), float64(tl.classOK)/float64(tl.n))
	}
	t.Logf("top-3 misses by kind of truth → kind of first suggestion: %s", topCounts(confusion, 20))
	t.Logf("most missed departments: %s", topCounts(missed, 25))
	t.Logf("unit type model's commonest confusions (truth → first): %s", topCounts(typeConf, 40))
}

func sameness(gd, pd string) string {
	if gd == pd {
		return "(same district)"
	}
	return "(other district)"
}

func topCounts(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	var b strings.Builder
	for i, e := range kvs {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "\n    %4d %s", e.v, e.k)
	}
	return b.String()
}

// breakdown logs top-1 and top-3 accuracy of o by kind of the true unit and by what place the
// letter names (district, street or none).
func breakdown(t *testing.T, all []foldCands, o *Options) {
	t.Helper()
	type tally struct{ n, top1, top3 int }
	m := map[string]*tally{}
	for _, fc := range all {
		if len(fc.cands) == 0 {
			continue
		}
		top := rank(fc.cands, o)
		c0 := fc.cands[0]
		place := "none"
		switch {
		case c0.placeStreet:
			place = "street"
		case c0.placeDist:
			place = "district"
		}
		key := unitClass(fc.gold) + "/" + place
		tl := m[key]
		if tl == nil {
			tl = &tally{}
			m[key] = tl
		}
		tl.n++
		for i, d := range top {
			if d == fc.gold {
				if i == 0 {
					tl.top1++
				}
				tl.top3++
			}
		}
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		tl := m[k]
		t.Logf("  %-18s n=%4d top1 %.3f top3 %.3f", k, tl.n, float64(tl.top1)/float64(tl.n), float64(tl.top3)/float64(tl.n))
	}
}

// oracles logs the accuracy of o when the unit type, the district or both are known in advance
// (candidates of another are dropped): how much each step of the hierarchy leaves on the table.
func oracles(t *testing.T, all []foldCands, o *Options) {
	t.Helper()
	for _, what := range []string{"kind", "type", "district", "type+district"} {
		var gold []string
		var preds [][]string
		for _, fc := range all {
			gt, gd, _ := hierKeys(fc.gold)
			var keep []*cand
			for _, c := range fc.cands {
				ct, cd, _ := hierKeys(c.dept)
				ok := true
				switch what {
				case "kind":
					ok = kindOf(c.dept) == kindOf(fc.gold)
				case "type":
					ok = ct == gt
				case "district":
					ok = cd == gd
				case "type+district":
					ok = ct == gt && cd == gd
				}
				if ok {
					keep = append(keep, c)
				}
			}
			gold = append(gold, fc.gold)
			var p []string
			if len(keep) > 0 {
				p = rank(keep, o)
			}
			preds = append(preds, p)
		}
		rep := score(gold, preds)
		t.Logf("  oracle %-13s acc %.3f top3 %.3f", what, rep.Accuracy, rep.AccAt3)
	}
}

// TestHierVariants compares learner options for the unit-type and district models by their
// top-1/top-3 accuracy on cross-validation folds. Heavy, so opt-in:
//
//	CGO_ENABLED=0 go test ./route -run TestHierVariants -tune -folds 3 -v -timeout 60m
func TestHierVariants(t *testing.T) {
	if !*tune {
		t.Skip("heavy: run with -tune")
	}
	rows := loadShanghaiAnalyzed(t)
	type variant struct {
		name string
		opt  learn.Options
		drop func(string) bool // features left out
	}
	noTime := func(f string) bool { return strings.HasPrefix(f, "day:") || strings.HasPrefix(f, "wk:") }
	variants := []variant{
		{"default", learn.Options{Seed: 1}, nil},
		{"C=0.5", learn.Options{Seed: 1, C: 0.5}, nil},
		{"C=2", learn.Options{Seed: 1, C: 2}, nil},
		{"balanced", learn.Options{Seed: 1, ClassWeight: learn.WeightBalanced}, nil},
		{"binary tf", learn.Options{Seed: 1, TF: learn.TFBinary}, nil},
		{"viewnorm", learn.Options{Seed: 1, ViewNorm: true}, nil},
		{"no day/week", learn.Options{Seed: 1}, noTime},
	}
	for _, v := range variants {
		var n, h1, h3 [2]int
		for _, fold := range folds(rows, *cvFolds) {
			r := NewWithOptions(nil, nil, DefaultOptions())
			r.setNames(nil)
			feats := func(l *Labeled) []string {
				fs := r.featuresOf(&l.Item, &l.Analysis)
				if v.drop == nil {
					return fs
				}
				out := fs[:0:0]
				for _, f := range fs {
					if !v.drop(f) {
						out = append(out, f)
					}
				}
				return out
			}
			var ex [2][]learn.Example
			for i := range fold[0] {
				typ, dist, _ := hierKeys(fold[0][i].Department)
				fs := feats(&fold[0][i])
				ex[0] = append(ex[0], learn.Example{Features: fs, Label: typ})
				if dist != "" {
					ex[1] = append(ex[1], learn.Example{Features: fs, Label: dist})
				}
			}
			for j := range 2 {
				m, err := learn.Train(ex[j], v.opt)
				if err != nil {
					t.Fatal(err)
				}
				for i := range fold[1] {
					typ, dist, _ := hierKeys(fold[1][i].Department)
					want := []string{typ, dist}[j]
					if want == "" {
						continue
					}
					n[j]++
					for k, s := range m.Predict(feats(&fold[1][i]))[:3] {
						if s.Label == want {
							h3[j]++
							if k == 0 {
								h1[j]++
							}
						}
					}
				}
			}
		}
		t.Logf("%-12s type top1 %.3f top3 %.3f | district top1 %.3f top3 %.3f", v.name,
			float64(h1[0])/float64(n[0]), float64(h3[0])/float64(n[0]), float64(h1[1])/float64(n[1]), float64(h3[1])/float64(n[1]))
	}
}
