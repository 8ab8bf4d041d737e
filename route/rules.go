package route

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"minyi/domain"
)

// ErrInvalidRules means a rules file could not be used; the wrapped message names the rule.
var ErrInvalidRules = errors.New("派单规则无效")

// Rule maps a matter (by matter type, category or keyword) in an optional place to departments.
// It fires when Analysis.Matter is one of Matters or a Keyword occurs in the text; a rule with
// only Categories fires on the category alone. Categories and Districts, when set, must also match.
// Any Exclude word in the text vetoes it.
type Rule struct {
	Name       string   `json:"name"`
	Matters    []string `json:"matters,omitempty"`
	Keywords   []string `json:"keywords,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Districts  []string `json:"districts,omitempty"`
	Exclude    []string `json:"exclude,omitempty"`
	Targets    []Target `json:"targets"`
	Priority   int      `json:"priority"` // 1–100; higher wins and gives more confidence
}

// Target names who receives a matched message: a fixed Department (code or full name), or a
// unit Kind resolved at Level for the message's place (属地), e.g. {kind: 城管, level: 区县} is
// the 城管 分局 of the message's district, backing off to the city bureau.
type Target struct {
	Department string `json:"department,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Level      string `json:"level,omitempty"`
}

// Rules is an ordered, validated rule set. It is immutable after loading.
type Rules struct {
	Rules []Rule `json:"rules"`

	compiled *compiledRules // the rules' words in one matcher, set by LoadRules
}

//go:embed rules_huizhou.json
var defaultRulesJSON []byte

// DefaultRules returns the embedded demo rules for 惠州市 (they resolve against DefaultDirectory).
func DefaultRules() *Rules {
	r, err := LoadRules(bytes.NewReader(defaultRulesJSON))
	if err != nil {
		panic(fmt.Sprintf("embedded rules: %v", err)) // covered by tests: a build defect
	}
	return r
}

// LoadRules reads and validates a rules file ({"rules": […]}).
func LoadRules(r io.Reader) (*Rules, error) {
	var rs Rules
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("%w: 读取 JSON 失败：%v", ErrInvalidRules, err)
	}
	if err := rs.Validate(); err != nil {
		return nil, err
	}
	rs.compiled = compileRules(&rs)
	return &rs, nil
}

// Validate checks each rule on its own; the error names the first faulty rule.
func (rs *Rules) Validate() error {
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		name := strings.TrimSpace(r.Name)
		if name == "" {
			return fmt.Errorf("%w: 第 %d 条规则缺少名称", ErrInvalidRules, i+1)
		}
		if seen[name] {
			return fmt.Errorf("%w: 规则「%s」名称重复", ErrInvalidRules, name)
		}
		seen[name] = true
		if len(r.Matters)+len(r.Keywords)+len(r.Categories) == 0 {
			return fmt.Errorf("%w: 规则「%s」没有条件（matters、keywords 或 categories 至少一项）", ErrInvalidRules, name)
		}
		for _, k := range append(append([]string{}, r.Keywords...), r.Exclude...) {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("%w: 规则「%s」含空关键词", ErrInvalidRules, name)
			}
		}
		if len(r.Targets) == 0 {
			return fmt.Errorf("%w: 规则「%s」没有目标部门", ErrInvalidRules, name)
		}
		for j, t := range r.Targets {
			if (t.Department == "") == (t.Kind == "") {
				return fmt.Errorf("%w: 规则「%s」第 %d 个目标须且只须填写 department 或 kind 之一", ErrInvalidRules, name, j+1)
			}
			switch t.Level {
			case "", LevelCity, LevelDistrict, LevelStreet:
			default:
				return fmt.Errorf("%w: 规则「%s」第 %d 个目标的层级「%s」应为 市、区县 或 街道", ErrInvalidRules, name, j+1, t.Level)
			}
		}
		if r.Priority < 1 || r.Priority > 100 {
			return fmt.Errorf("%w: 规则「%s」优先级 %d 应在 1 到 100 之间", ErrInvalidRules, name, r.Priority)
		}
	}
	return nil
}

// Check verifies that every target of every rule can be found in dir, so an officer learns of a
// misspelt department when loading rules rather than when a message silently goes unrouted.
func (rs *Rules) Check(dir *Directory) error {
	for _, r := range rs.Rules {
		for j, t := range r.Targets {
			if t.Department != "" {
				if _, ok := dir.Lookup(t.Department); !ok {
					return fmt.Errorf("%w: 规则「%s」第 %d 个目标「%s」不在部门目录中", ErrUnknownDepartment, r.Name, j+1, t.Department)
				}
				continue
			}
			if _, ok := dir.Resolve(t.Kind, LevelCity, "", ""); !ok {
				found := false
				for _, d := range dir.Departments {
					found = found || d.Kind == t.Kind
				}
				if !found {
					return fmt.Errorf("%w: 规则「%s」第 %d 个目标的类型「%s」在部门目录中没有任何部门", ErrUnknownDepartment, r.Name, j+1, t.Kind)
				}
			}
		}
	}
	return nil
}

// WriteJSON writes the rules as indented JSON that LoadRules reads back.
func (rs *Rules) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rs); err != nil {
		return fmt.Errorf("write rules json: %w", err)
	}
	return nil
}

// ruleHit is one department proposed by a fired rule, with the evidence for the reasons.
type ruleHit struct {
	dept     Department
	rule     string
	priority int
	rank     int      // position among the rule's targets: the first target is the main handler
	terms    []string // matched keywords/matter
}

// match returns the departments proposed by all fired rules, best first.
func (rs *Rules) match(dir *Directory, text string, a *domain.Analysis, district, street string) []ruleHit {
	if rs == nil || dir == nil {
		return nil
	}
	cr := rs.compiled
	if !cr.compiledFrom(rs) {
		cr = compileRules(rs) // built by hand rather than loaded: compile for this call
	}
	var buf [256]bool
	seen := buf[:0]
	if cr.m.n <= len(buf) {
		seen = buf[:cr.m.n]
	} else {
		seen = make([]bool, cr.m.n)
	}
	cr.m.present(text, seen)
	return rs.matchSeen(cr, seen, dir, a, district, street)
}

// current is the compiled form of rs when LoadRules made it and the rules are still those, else nil.
func (rs *Rules) current() *compiledRules {
	if rs == nil || !rs.compiled.compiledFrom(rs) {
		return nil
	}
	return rs.compiled
}

// matchSeen is match once the text has been read: seen says which of cr's patterns occur in it.
func (rs *Rules) matchSeen(cr *compiledRules, seen []bool, dir *Directory, a *domain.Analysis, district, street string) []ruleHit {
	// The fired rules first, so that hits is allocated once.
	type firing struct {
		r     *Rule
		terms []string
	}
	var fbuf [16]firing
	fired := fbuf[:0]
	targets := 0
	for k := range rs.Rules {
		r := &rs.Rules[k]
		if terms, ok := r.fires(seen[cr.base[k]:], a, district); ok {
			fired = append(fired, firing{r, terms})
			targets += len(r.Targets)
		}
	}
	if targets == 0 {
		return nil
	}
	hits := make([]ruleHit, 0, targets)
	for _, f := range fired {
		r := f.r
		for i, t := range r.Targets {
			var dep Department
			var found bool
			if t.Department != "" {
				dep, found = dir.Lookup(t.Department)
			} else {
				lvl := t.Level
				if lvl == "" {
					lvl = LevelDistrict
				}
				dep, found = dir.Resolve(t.Kind, lvl, district, street)
			}
			if found {
				hits = append(hits, ruleHit{dept: dep, rule: r.Name, priority: r.Priority, rank: i, terms: f.terms})
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	slices.SortStableFunc(hits, func(x, y ruleHit) int {
		if x.priority != y.priority {
			return y.priority - x.priority
		}
		return x.rank - y.rank
	})
	return hits
}

// compiledRules is every rule's lower-cased exclusions and keywords in one matcher, so a text is
// read once for the whole rule set instead of once per word. Rule k's Exclude[j] is pattern
// base[k]+j and its Keywords[j] is pattern base[k]+len(Exclude)+j.
type compiledRules struct {
	m     *matcher
	pats  []string // the matcher's patterns
	base  []int
	first *Rule // &Rules[0] when compiled, to notice a rule slice replaced since
	n     int
}

// compileRules builds the matcher of rs.
func compileRules(rs *Rules) *compiledRules {
	cr := &compiledRules{base: make([]int, len(rs.Rules)), n: len(rs.Rules)}
	if len(rs.Rules) > 0 {
		cr.first = &rs.Rules[0]
	}
	var pats []string
	for k, r := range rs.Rules {
		cr.base[k] = len(pats)
		for _, x := range r.Exclude {
			pats = append(pats, strings.ToLower(x))
		}
		for _, x := range r.Keywords {
			pats = append(pats, strings.ToLower(x))
		}
	}
	cr.m, cr.pats = newMatcher(pats), pats
	return cr
}

// compiledFrom reports whether cr was compiled from rs's current rule slice.
func (cr *compiledRules) compiledFrom(rs *Rules) bool {
	if cr == nil || cr.n != len(rs.Rules) {
		return false
	}
	return cr.n == 0 || cr.first == &rs.Rules[0]
}

// fires reports whether the rule applies and which of its terms were found. seen says, from the
// rule's first pattern on, which of its lower-cased Exclude and then Keywords words occur in the
// (lower-cased) text.
func (r *Rule) fires(seen []bool, a *domain.Analysis, district string) ([]string, bool) {
	for j := range r.Exclude {
		if seen[j] {
			return nil, false
		}
	}
	if len(r.Districts) > 0 && !containsPlace(r.Districts, district) {
		return nil, false
	}
	category := ""
	matter := ""
	if a != nil {
		category, matter = a.Category, a.Matter
	}
	if len(r.Categories) > 0 && !contains(r.Categories, category) {
		return nil, false
	}
	var terms []string
	if matter != "" && contains(r.Matters, matter) {
		terms = append(terms, matter)
	}
	kw := seen[len(r.Exclude):]
	for j, k := range r.Keywords {
		if kw[j] && !contains(terms, k) {
			terms = append(terms, k)
		}
	}
	if len(terms) > 0 {
		return terms, true
	}
	// A category-only rule fires on the category alone.
	return nil, len(r.Matters)+len(r.Keywords) == 0 && len(r.Categories) > 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPlace(list []string, place string) bool {
	if place == "" {
		return false
	}
	for _, x := range list {
		if x == place || shortPlace(x) == shortPlace(place) {
			return true
		}
	}
	return false
}
