package route

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"minyi/domain"
	"minyi/learn"
)

// ErrNoHistory means Train got no usable dispatch history.
var ErrNoHistory = errors.New("没有可用于学习的派单历史")

// Labeled is one past message with the department it was dispatched to (and not returned from).
type Labeled struct {
	Item       domain.Item
	Analysis   domain.Analysis
	Department string
	// Reply is the department's answer, when history has it (a case answered, the reply column
	// of a petition export). It is read in training only: the roads, estates and streets an
	// answer names teach the router where the department works.
	Reply         string
	ReplyAnalysis domain.Analysis // the reply's analysis (its words), when Reply is set
}

// Options tune the router. DefaultOptions gives the values chosen by cross-validation on the
// Shanghai petition data (see tune_test.go): 5-fold CV, identical letters kept in one fold, with
// the replies in training: the weights alone acc 0.512, top-3 0.638, macro-F1 0.288; with the
// boosting trees fitted on the other folds 0.525/0.657/0.303 (char 1–3-gram linear baseline on
// the same folds 0.416/0.528/0.187). 10-fold: 0.522/0.650/0.300, with the trees 0.532/0.663/0.313.
type Options struct {
	Learn      learn.Options // the flat department model over message features (trained when Flat)
	Flat       bool          // train the flat department model besides the hierarchy
	CharGrams  bool          // add character 1–3-grams even when the analysis has words
	K          int           // neighbours for the similar-cases vote
	KWide      int           // neighbours for the district and unit-type votes
	Candidates int           // flat-model labels considered per message before re-ranking
	// Weights score a candidate's evidence (see rerank.go: one weight per feature, in order);
	// WRule·rule strength is added, and confidence is then multiplied by exp(−WReturn·returns)
	// for a pairing returned (退单) before.
	Weights        []float64
	WRule, WReturn float64
	FlagAfter      int // returns of one pairing after which it is flagged

	// Hier trains the hierarchical models (unit type, district, street; see hierModel) with HierLearn.
	Hier      bool
	HierLearn learn.Options
	// Boost rescores the best candidates by the weighted score (nil: the weighted score alone).
	Boost *Boost
}

// DefaultOptions returns the tuned defaults.
func DefaultOptions() Options {
	return Options{
		Learn:      learn.Options{C: 0.5, Seed: 1},
		CharGrams:  true,
		K:          10,
		KWide:      30,
		Candidates: 30,
		Weights:    defaultWeights(),
		WRule:      3.0,
		WReturn:    0.7,
		FlagAfter:  2,
		Hier:       true,
		HierLearn:  learn.Options{Seed: 1, C: 4},
		Boost:      defaultBoost(),
	}
}

// Router suggests departments for messages. It is safe for concurrent use: Suggest may run
// while Returned records a 退单; Train replaces the learned part atomically.
type Router struct {
	dir   *Directory
	rules *Rules
	opt   Options

	mu     sync.RWMutex
	places *placeTable
	// both holds the compiled rules' words (patterns below bothSplit) and the place table's
	// names, so that Suggest reads a text once for both; bothFrom is the rules it was made from.
	both      *matcher
	bothSplit int
	bothFrom  *compiledRules
	units     map[string]unitName // department → where it sits (directory and history)
	names     []string            // department names seen in history, for rebuilding places on load
	keys      map[string]nameKeys // department → unit type, district and kind
	prior     map[string]float64  // department → log share of history
	floor     float64             // log prior of a department outside history
	model     *learn.Model
	hier      *hierModel
	knn       *knnIndex
	days      *dayIndex
	returns   map[string]int    // dept + "\x1f" + matter key → times returned
	why       map[string]string // same key → the latest return reason, shown to the officer
}

// New returns a router over a directory and rules (either may be nil) with DefaultOptions.
// It suggests from rules alone until Train or UnmarshalBinary gives it a learned model.
func New(dir *Directory, rules *Rules) *Router {
	return NewWithOptions(dir, rules, DefaultOptions())
}

// NewWithOptions is New with explicit options (evaluation and tuning).
func NewWithOptions(dir *Directory, rules *Rules, opt Options) *Router {
	r := &Router{dir: dir, rules: rules, opt: opt, returns: map[string]int{}, why: map[string]string{}}
	r.setNames(nil)
	return r
}

// setNames rebuilds the place table and unit map from the directory plus history names.
// Callers hold r.mu for writing (or own r exclusively).
func (r *Router) setNames(names []string) {
	r.names = names
	r.places = newPlaceTable(r.dir, names)
	r.both, r.bothSplit, r.bothFrom = nil, 0, nil
	if cr := r.rules.current(); cr != nil && r.dir != nil {
		r.both = newMatcher(append(slices.Clip(cr.pats), r.places.pats...))
		r.bothSplit, r.bothFrom = len(cr.pats), cr
	}
	r.units = map[string]unitName{}
	r.keys = map[string]nameKeys{}
	for _, n := range names {
		t, d, _ := hierKeys(n)
		r.keys[n] = nameKeys{typ: t, dist: d, kind: kindOf(n)}
	}
	districts := map[string]string{} // short → full
	for _, n := range names {
		u := parseUnitName(n)
		r.units[n] = u
		if u.district != "" {
			districts[shortPlace(u.district)] = u.district
		}
	}
	// Units named after their district without the 区 (上海市公安局闵行分局, 上海崇明生态…集团)
	// still serve that district.
	for _, n := range names {
		if u := r.units[n]; u.district == "" {
			for short, full := range districts {
				if strings.Contains(n, short) && (u.district == "" || full < u.district) {
					u.district = full
				}
			}
			r.units[n] = u
		}
	}
	if r.dir != nil {
		for _, d := range r.dir.Departments {
			u := unitName{district: d.District}
			if d.Level == LevelStreet && len(d.Jurisdiction) > 0 {
				u.street = d.Jurisdiction[0]
			}
			r.units[d.Name] = u
			if _, ok := r.keys[d.Name]; !ok {
				t, dist, _ := hierKeys(d.Name)
				r.keys[d.Name] = nameKeys{typ: t, dist: dist, kind: kindOf(d.Name)}
			}
		}
	}
}

// Train learns from dispatch history: the linear model, the similar-case index and the places
// the departments serve. It replaces what was learned before but keeps the 退单 table.
func (r *Router) Train(history []Labeled) error {
	var names []string
	seen := map[string]bool{}
	for _, h := range history {
		if h.Department != "" && !seen[h.Department] {
			seen[h.Department] = true
			names = append(names, h.Department)
		}
	}
	if len(names) == 0 {
		return ErrNoHistory
	}
	sort.Strings(names)
	tmp := &Router{dir: r.dir, opt: r.opt}
	tmp.setNames(names)
	var ex []learn.Example
	var docs, rdocs [][]string // the letters' and the replies' features
	var labels, rlabels []string
	for i := range history {
		h := &history[i]
		if h.Department == "" {
			continue
		}
		fs := tmp.featuresOf(&h.Item, &h.Analysis)
		ex = append(ex, learn.Example{Features: fs, Label: h.Department})
		docs = append(docs, fs)
		labels = append(labels, h.Department)
		if strings.TrimSpace(h.Reply) != "" {
			it := domain.Item{Body: h.Reply}
			rdocs = append(rdocs, tmp.featuresOf(&it, &h.ReplyAnalysis))
			rlabels = append(rlabels, h.Department)
		}
	}
	var model *learn.Model
	if len(names) > 1 && r.opt.Flat {
		m, err := learn.Train(ex, r.opt.Learn)
		if err != nil {
			return fmt.Errorf("train router model on %d letters: %w", len(ex), err)
		}
		model = m
	}
	var hier *hierModel
	if r.opt.Hier {
		h, err := trainHier(docs, labels, rdocs, rlabels, r.opt.HierLearn)
		if err != nil {
			return err
		}
		if h != nil {
			h.index(names)
		}
		hier = h
	}
	knn := newKNN(docs, labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setNames(names)
	r.model, r.hier, r.knn = model, hier, knn
	r.setPrior(labels)
	days := make([]string, len(docs))
	for i, fs := range docs {
		days[i] = dayOf(fs)
	}
	r.days = newDayIndex(days, labels, r.keys)
	return nil
}

// setPrior derives the departments' log shares of history from the letters' labels.
func (r *Router) setPrior(labels []string) {
	r.prior = logPrior(labels)
	r.floor = math.Log(0.5 / float64(len(labels)+len(r.prior)+1))
}

// text is the lower-cased text rules and places are matched against.
func text(it *domain.Item) string {
	if it == nil {
		return ""
	}
	return lower(it.Title + "\n" + it.Body)
}

// placesOf reads the places of a message: the analysis' district and street win, the router's
// own table fills what the analysis lacks.
func (r *Router) placesOf(it *domain.Item, a *domain.Analysis) found {
	return r.placesIn(text(it), a)
}

// placesIn is placesOf for the message's text(it).
func (r *Router) placesIn(txt string, a *domain.Analysis) found {
	return withAnalysis(r.places.find(txt), a)
}

// readText is placesIn and the rule hits for those places of the message's text(it), reading
// the text once, in place, when the rules are those the combined matcher was made from.
func (r *Router) readText(it *domain.Item, a *domain.Analysis) (found, []ruleHit) {
	cr := r.rules.current()
	if r.both == nil || cr != r.bothFrom {
		txt := text(it)
		pl := r.placesIn(txt, a)
		return pl, r.rules.match(r.dir, txt, a, pl.district, pl.street)
	}
	// text(it) without joining: "\n" is one whole rune, so lower-casing each piece is lower-casing the whole.
	var parts [3]string
	if it != nil {
		parts = [3]string{lower(it.Title), "\n", lower(it.Body)}
	}
	var buf [256]bool
	seen := buf[:0]
	if r.bothSplit <= len(buf) {
		seen = buf[:r.bothSplit]
	} else {
		seen = make([]bool, r.bothSplit)
	}
	c := r.both.presentAndCount(parts[:], seen, r.bothSplit)
	pl := r.places.tally(c.count[r.bothSplit:], r.both.lens[r.bothSplit:])
	r.both.release(c)
	pl = withAnalysis(pl, a)
	return pl, r.rules.matchSeen(cr, seen, r.dir, a, pl.district, pl.street)
}

// withAnalysis lets the analysis' district and street win over those found in the text and adds
// the hints of its places.
func withAnalysis(pl found, a *domain.Analysis) found {
	if a != nil {
		if a.District != "" {
			pl.district = a.District
		}
		if a.Street != "" {
			pl.street = a.Street
		}
	}
	pl.addHints(a)
	return pl
}

func (r *Router) featuresOf(it *domain.Item, a *domain.Analysis) []string {
	return features(it, a, r.placesOf(it, a), r.opt.CharGrams)
}

// cand is one candidate department with the evidence for its score.
type cand struct {
	dept             string
	lp               float64 // log model probability
	vote             float64 // share of similar-case similarity
	votes, k         int     // similar cases sent here, out of k
	district, street bool    // sits in the message's district / street
	mismatch         bool    // sits in another district than the one found
	rule             float64 // strongest rule strength, 0..1
	flat             bool    // lp comes from a trained flat model
	kind             int     // kindCity, kindDistrict or kindStreet
	typ              string  // unit type (see hierKeys)
	prior            float64 // log share of history sent here
	dvote, tvote     float64 // share of the wider neighbourhood sent to this district / unit type
	placeDist        bool    // the text names a district
	placeStreet      bool    // the text names a street
	hintStreet       bool    // sits in the street of a community or road the text names (found.hints)
	hintDist         bool    // sits in the district of one
	// day evidence (see dayIndex.evidence)
	sameDay, nearDay, distDay, dayShare float64
	rules, terms                        []string
	returned                            int
	returnWhy                           string
	fromModel, fromRules                bool
	// hierarchical evidence (see hierModel.components)
	hier                                    bool
	ltype, ldist, ldistZ, lstreet, lstreetZ float64
}

// components gathers the candidates and their evidence; scoring is separate so that weights can
// be tuned without re-running the model.
func (r *Router) components(it *domain.Item, a *domain.Analysis) ([]*cand, found, float64) {
	pl, hits := r.readText(it, a)
	var fs []string
	if r.model != nil || r.hier != nil || (r.knn != nil && len(r.knn.Docs) > 0) {
		// Only the learned parts read features; a router with rules alone (no dispatch
		// history yet) skips building them.
		fs = features(it, a, pl, r.opt.CharGrams)
	}
	byDept := map[string]*cand{}
	order := make([]*cand, 0, 8)
	get := func(d string) *cand {
		c, ok := byDept[d]
		if !ok {
			c = &cand{dept: d, lp: math.Log(1e-4)}
			byDept[d] = c
			order = append(order, c)
		}
		return c
	}
	probs := map[string]float64{}
	rest := 0.0
	var hashes []uint64 // the features' hashes, computed once for both models
	if r.model != nil || r.hier != nil {
		hashes = learn.HashAll(nil, fs)
	}
	if r.model != nil {
		scored := r.model.PredictHashed(hashes)
		for i, s := range scored {
			probs[s.Label] = s.Prob
			if i < r.opt.Candidates {
				c := get(s.Label)
				c.fromModel = true
			} else {
				rest += s.Prob
			}
		}
	}
	if r.hier != nil {
		hs := r.hier.predict(hashes)
		for i, n := range r.names {
			r.hier.components(i, &hs, get(n))
		}
	}
	nb := r.knn.query(fs, max(r.opt.K, r.opt.KWide))
	if len(nb) > 0 {
		near := nb[:min(len(nb), r.opt.K)]
		var total float64
		for _, n := range near {
			total += n.sim
		}
		for _, n := range near {
			c := get(r.knn.Labels[n.doc])
			c.votes++
			c.vote += n.sim / total
		}
		for _, c := range order {
			c.k = len(near)
		}
	}
	if pl.street != "" {
		for _, n := range r.names {
			if u := r.units[n]; u.street != "" && shortPlace(u.street) == shortPlace(pl.street) {
				get(n)
			}
		}
	}
	if len(pl.hints) > 0 {
		for _, n := range r.names {
			if s, _ := pl.hinted(r.units[n]); s {
				get(n)
			}
		}
	}
	names := make([]string, len(hits)) // backing for the candidates' first rule names
	for j, h := range hits {
		c := get(h.dept.Name)
		s := float64(h.priority) / 100 * math.Pow(0.6, float64(h.rank))
		if s > c.rule {
			c.rule = s
		}
		c.fromRules = true
		if len(c.rules) == 0 {
			names[j] = h.rule
			c.rules = names[j : j+1 : j+1] // capped: a second rule's append copies
		} else if !contains(c.rules, h.rule) {
			c.rules = append(c.rules, h.rule)
		}
		if len(c.terms) == 0 {
			// A rule's terms hold no duplicates: share them, capped so that appending copies.
			c.terms = h.terms[:len(h.terms):len(h.terms)]
			continue
		}
		for _, t := range h.terms {
			if !contains(c.terms, t) {
				c.terms = append(c.terms, t)
			}
		}
	}
	distVote, typeVote := r.wideVotes(nb)
	day, dated := int64(0), false
	if it != nil {
		day, dated = dayNumber(it.Time)
	}
	key := matterKey(a)
	for _, c := range order {
		if p, ok := probs[c.dept]; ok && p > 0 {
			c.lp = math.Log(p)
		}
		c.flat = r.model != nil
		k, ok := r.keys[c.dept]
		if !ok {
			t, d, _ := hierKeys(c.dept)
			k = nameKeys{typ: t, dist: d, kind: kindOf(c.dept)}
		}
		c.kind, c.typ = k.kind, k.typ
		if k.dist != "" {
			c.dvote = distVote[k.dist]
		}
		c.tvote = typeVote[k.typ]
		c.prior = r.floor
		if p, ok := r.prior[c.dept]; ok {
			c.prior = p
		}
		c.placeDist, c.placeStreet = pl.district != "", pl.street != ""
		if dated {
			r.days.evidence(day, c, k.dist)
		}
		u := r.units[c.dept]
		if pl.district != "" && u.district != "" {
			if shortPlace(u.district) == shortPlace(pl.district) {
				c.district = true
			} else {
				c.mismatch = true
			}
		}
		if pl.street != "" && u.street != "" && shortPlace(u.street) == shortPlace(pl.street) {
			c.street = true
		}
		c.hintStreet, c.hintDist = pl.hinted(u)
		if len(r.returns) > 0 { // why has no key that returns lacks
			k := c.dept + "\x1f" + key
			c.returned = r.returns[k]
			c.returnWhy = r.why[k]
		}
	}
	return order, pl, rest
}

// wideVotes shares the similarity of the wider neighbourhood out over the districts and unit
// types of the departments the neighbours were sent to.
func (r *Router) wideVotes(nb []neighbour) (dist, typ map[string]float64) {
	dist, typ = map[string]float64{}, map[string]float64{}
	var total float64
	for _, n := range nb {
		total += n.sim
	}
	if total == 0 {
		return dist, typ
	}
	for _, n := range nb {
		k := r.keys[r.knn.Labels[n.doc]]
		if k.dist != "" {
			dist[k.dist] += n.sim / total
		}
		typ[k.typ] += n.sim / total
	}
	return dist, typ
}

// score combines a candidate's evidence with the router's weights.
func (o *Options) score(c *cand) float64 {
	return o.learnedScore(c) + o.WRule*c.rule
}

// Suggest returns up to three departments for a message, best first, each with a confidence in
// 0..1 and the reasons in Chinese. With neither rules nor history it returns nil.
func (r *Router) Suggest(it *domain.Item, a *domain.Analysis) []domain.Suggestion {
	r.mu.RLock()
	defer r.mu.RUnlock()
	cands, pl, rest := r.components(it, a)
	if len(cands) == 0 {
		return nil
	}
	learned := r.model != nil || r.hier != nil || r.knn != nil
	var scores []float64
	if learned {
		scores = r.opt.scores(cands)
	} else {
		scores = make([]float64, len(cands))
		for i, c := range cands {
			scores[i] = math.Log(max(c.rule, 1e-6)) // rules only: the rule strength is the confidence
		}
	}
	conf := make([]float64, len(cands))
	var z float64 = 1
	if learned {
		z = rest
		for _, s := range scores {
			z += math.Exp(s)
		}
	}
	// A returned pairing loses confidence after normalisation, so the loss shows even when the
	// model is sure, and it sinks in the ranking.
	for i, c := range cands {
		conf[i] = math.Exp(scores[i]) / z * math.Exp(-r.opt.WReturn*float64(min(c.returned, 5)))
	}
	out := make([]domain.Suggestion, 0, min(3, len(cands)))
	for _, i := range order(cands, conf)[:min(3, len(cands))] {
		c := cands[i]
		out = append(out, domain.Suggestion{
			Department: c.dept,
			Confidence: math.Round(min(max(conf[i], 0), 1)*1000) / 1000,
			Reasons:    r.reasons(c, pl, a),
			Flagged:    r.opt.FlagAfter > 0 && c.returned >= r.opt.FlagAfter,
		})
	}
	return out
}

// order sorts candidate indexes by score, best first, ties by name (deterministic).
func order(cands []*cand, scores []float64) []int {
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		if scores[idx[x]] != scores[idx[y]] {
			return scores[idx[x]] > scores[idx[y]]
		}
		return cands[idx[x]].dept < cands[idx[y]].dept
	})
	return idx
}

// rank lists the top three departments of learned scoring (used by evaluation and tuning).
func rank(cands []*cand, o *Options) []string {
	scores := o.scores(cands)
	var out []string
	for _, i := range order(cands, scores)[:min(3, len(cands))] {
		out = append(out, cands[i].dept)
	}
	return out
}

// reasons explains a candidate to the officer, strongest evidence first.
func (r *Router) reasons(c *cand, pl found, a *domain.Analysis) []string {
	var rs []string
	for _, name := range c.rules {
		rs = append(rs, "命中规则「"+name+"」")
	}
	if len(c.terms) > 0 {
		rs = append(rs, "命中词："+strings.Join(c.terms, "、"))
	}
	if c.street || c.district {
		if pl.street != "" && (c.street || !strings.HasPrefix(pl.street, pl.district)) {
			rs = append(rs, "地点："+pl.district+pl.street)
		} else {
			rs = append(rs, "地点："+pl.district)
		}
	}
	rs = append(rs, hierReasons(c)...)
	if c.votes > 0 {
		rs = append(rs, fmt.Sprintf("相似历史案件 %d 件中 %d 件派往该部门", c.k, c.votes))
	}
	if c.fromModel && c.lp > math.Log(0.05) {
		rs = append(rs, fmt.Sprintf("派单模型估计概率 %.0f%%", 100*math.Exp(c.lp)))
	}
	if c.returned > 0 {
		what := matterKey(a)
		if what == "" {
			what = "此类"
		}
		msg := fmt.Sprintf("注意：「%s」事项曾 %d 次被该部门退单", what, c.returned)
		if c.returnWhy != "" {
			msg += "（最近原因：" + c.returnWhy + "）"
		}
		rs = append(rs, msg)
	}
	return rs
}

// matterKey is what a 退单 is remembered against: the finest matter the analysis gives.
func matterKey(a *domain.Analysis) string {
	if a == nil {
		return ""
	}
	if a.Matter != "" {
		return a.Matter
	}
	return a.Category
}

// Returned records that dept sent back (退单) a message with this analysis, so the pairing is
// ranked lower from now on and flagged once it keeps happening (Options.FlagAfter). The latest
// reason is shown with the warning.
func (r *Router) Returned(dept string, a *domain.Analysis, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := dept + "\x1f" + matterKey(a)
	r.returns[key]++
	if reason = strings.TrimSpace(reason); reason != "" {
		r.why[key] = reason
	}
}
