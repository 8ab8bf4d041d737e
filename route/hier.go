package route

import (
	"fmt"
	"math"

	"minyi/learn"
)

// streetType is the unit type every street/town office shares: what it handles does not depend
// on which street it is, so one class learns from all of them.
const streetType = "街镇"

// hierModel routes in three steps that each learn from far more letters than one department
// has: the unit type (a city bureau by name, a kind of district unit such as 教育局, or a
// street/town office), the district, and the street. A department's score composes the three,
// so 静安区教育局 learns its topic from every district's 教育局 letters and its place from every
// 静安 letter. Departments outside history are never composed: every name comes from history.
type hierModel struct {
	typ, dist, street *learn.Model
	parts             []namePart // per Router.names index
	typDists          [][]int    // per type label: district labels it exists in
	distStreets       [][]int    // per district label: its street labels
}

// namePart places one department in the three models' label lists; -1 = not applicable.
type namePart struct {
	typ, dist, street int
}

// models lists the three models in a fixed order (persistence).
func (h *hierModel) models() [3]*learn.Model { return [3]*learn.Model{h.typ, h.dist, h.street} }

// modelPtrs is models as destinations to load into.
func (h *hierModel) modelPtrs() [3]**learn.Model {
	return [3]**learn.Model{&h.typ, &h.dist, &h.street}
}

// hierKeys names the three labels of a department: its unit type, its district and its street
// (district+street), "" when it has none. City-level bodies are their own type.
func hierKeys(name string) (typ, dist, street string) {
	u := parseUnitName(name)
	switch {
	case u.district == "":
		return name, "", ""
	case u.street != "":
		return streetType, u.district, u.district + u.street
	default:
		return "区:" + u.unit, u.district, ""
	}
}

// trainHier fits the three models on the letters' features. labels are the departments.
// replies (with rlabels) are the features of history's replies, each one more example of its
// department: they teach the district and street models the places a department serves and the
// unit-type model what it handles (see Labeled.Reply). 5-fold CV on shanghai_petition (folds
// keeping identical letters together): acc 0.509 → 0.512, top-3 0.623 → 0.638; without them in
// the unit-type model 0.506/0.627; weighted twice 0.511/0.638.
func trainHier(docs [][]string, labels []string, replies [][]string, rlabels []string, opt learn.Options) (*hierModel, error) {
	var tex, dex, sex []learn.Example
	add := func(fs []string, dept string) {
		t, d, s := hierKeys(dept)
		tex = append(tex, learn.Example{Features: fs, Label: t})
		if d != "" {
			dex = append(dex, learn.Example{Features: fs, Label: d})
		}
		if s != "" {
			sex = append(sex, learn.Example{Features: fs, Label: s})
		}
	}
	for i, fs := range docs {
		add(fs, labels[i])
	}
	for i, fs := range replies {
		add(fs, rlabels[i])
	}
	h := &hierModel{}
	var err error
	for _, m := range []struct {
		dst *(*learn.Model)
		ex  []learn.Example
		of  string
	}{{&h.typ, tex, "unit types"}, {&h.dist, dex, "districts"}, {&h.street, sex, "streets"}} {
		if distinct(m.ex) < 2 {
			continue
		}
		if *m.dst, err = learn.Train(m.ex, opt); err != nil {
			return nil, fmt.Errorf("train router model of %s on %d letters: %w", m.of, len(m.ex), err)
		}
	}
	if h.typ == nil {
		return nil, nil
	}
	return h, nil
}

func distinct(ex []learn.Example) int {
	seen := map[string]bool{}
	for _, e := range ex {
		seen[e.Label] = true
	}
	return len(seen)
}

// index maps department names onto the models' labels (after training or loading).
func (h *hierModel) index(names []string) {
	pos := func(m *learn.Model) map[string]int {
		out := map[string]int{}
		if m != nil {
			for i, l := range m.Labels() {
				out[l] = i
			}
		}
		return out
	}
	tp, dp, sp := pos(h.typ), pos(h.dist), pos(h.street)
	look := func(p map[string]int, k string) int {
		if i, ok := p[k]; ok && k != "" {
			return i
		}
		return -1
	}
	h.parts = make([]namePart, len(names))
	h.typDists = make([][]int, len(tp))
	h.distStreets = make([][]int, len(dp))
	seenTD := map[[2]int]bool{}
	seenDS := map[[2]int]bool{}
	for i, n := range names {
		t, d, s := hierKeys(n)
		p := namePart{typ: look(tp, t), dist: look(dp, d), street: look(sp, s)}
		h.parts[i] = p
		if p.typ >= 0 && p.dist >= 0 && !seenTD[[2]int{p.typ, p.dist}] {
			seenTD[[2]int{p.typ, p.dist}] = true
			h.typDists[p.typ] = append(h.typDists[p.typ], p.dist)
		}
		if p.dist >= 0 && p.street >= 0 && !seenDS[[2]int{p.dist, p.street}] {
			seenDS[[2]int{p.dist, p.street}] = true
			h.distStreets[p.dist] = append(h.distStreets[p.dist], p.street)
		}
	}
}

// hierScores are one message's log probabilities under the three models.
type hierScores struct {
	typ, dist, street []float64
}

func (h *hierModel) predict(hashes []uint64) hierScores {
	var s hierScores
	for _, m := range []struct {
		m   *learn.Model
		dst *[]float64
	}{{h.typ, &s.typ}, {h.dist, &s.dist}, {h.street, &s.street}} {
		if m.m != nil {
			*m.dst = m.m.ProbsHashed(hashes, nil)
		}
	}
	return s
}

// logp is the log of p, floored so that one model's certainty cannot veto a department alone.
func logp(p float64) float64 { return math.Log(max(p, 1e-6)) }

// components writes the hierarchical evidence of department i into c: the unit type's log
// probability, the district's given that unit type exists there, and the street's given its
// district. renorm (0..1) is how far the district (street) probabilities are renormalised over
// the districts the type exists in (the streets of the district).
func (h *hierModel) components(i int, s *hierScores, c *cand) {
	p := h.parts[i]
	if p.typ < 0 || s.typ == nil {
		return
	}
	c.hier = true
	c.ltype = logp(s.typ[p.typ])
	if p.dist >= 0 && s.dist != nil {
		c.ldist = logp(s.dist[p.dist])
		var z float64
		for _, d := range h.typDists[p.typ] {
			z += s.dist[d]
		}
		c.ldistZ = logp(z)
	}
	if p.street >= 0 && s.street != nil {
		c.lstreet = logp(s.street[p.street])
		if p.dist >= 0 {
			var z float64
			for _, st := range h.distStreets[p.dist] {
				z += s.street[st]
			}
			c.lstreetZ = logp(z)
		}
	}
}

// hierReasons explains the hierarchical evidence of a candidate to the officer: which kind of
// unit handles such matters, and which district or street the letter reads as being about.
func hierReasons(c *cand) []string {
	if !c.hier {
		return nil
	}
	var rs []string
	typ, dist, street := hierKeys(c.dept)
	if p := math.Exp(c.ltype); p >= 0.15 {
		switch {
		case typ == streetType:
			rs = append(rs, fmt.Sprintf("此类事项多由属地街道/镇办理（估计 %.0f%%）", 100*p))
		case dist != "":
			rs = append(rs, fmt.Sprintf("此类事项多由各区「%s」办理（估计 %.0f%%）", typ[len("区:"):], 100*p))
		default:
			rs = append(rs, fmt.Sprintf("此类事项多由该市级部门办理（估计 %.0f%%）", 100*p))
		}
	}
	if c.district || c.street {
		return rs // the place found in the text is already given
	}
	if street != "" {
		if p := math.Exp(c.lstreet); p >= 0.2 {
			rs = append(rs, fmt.Sprintf("属地判断：%s（估计 %.0f%%）", street, 100*p))
		}
	} else if dist != "" {
		if p := math.Exp(c.ldist); p >= 0.3 {
			rs = append(rs, fmt.Sprintf("属地判断：%s（估计 %.0f%%）", dist, 100*p))
		}
	}
	return rs
}
