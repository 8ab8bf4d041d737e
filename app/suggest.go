package app

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"minyi/domain"
	"minyi/nlp"
)

// searchState is what the 检索 screen keeps between calls: background exports and the
// suggestion list. One App has one.
type searchState struct {
	exports *exportJobs

	mu      sync.Mutex
	suggest *suggestList // nil until the first Suggest
}

func newSearchState() *searchState { return &searchState{exports: newExportJobs()} }

// suggestSample is how many of the newest records the suggestion list learns matter types,
// categories and frequent keywords from: enough to reflect what is being written about now,
// few enough to build in a fraction of a second at a million records.
const suggestSample = 5000

// suggestMaxAge is how long a suggestion list serves before it is rebuilt (a fresh import's new
// words show up within this time; refresh on every ingest is not needed).
const suggestMaxAge = time.Hour

// maxSuggestions is how many suggestions the query box shows.
const maxSuggestions = 10

// suggestList is a sorted list of terms for prefix lookup, each with a weight.
type suggestList struct {
	built  time.Time
	terms  []string // sorted
	weight map[string]int
}

// Kinds of suggestion and how much a term of that kind weighs before its frequency counts.
const (
	weightPlace      = 1
	weightDepartment = 2
	weightKeyword    = 3
	weightMatter     = 20
	weightCategory   = 20
)

// placeNamer is satisfied by nlp.Analyzer: the gazetteer of places the pipeline recognises.
type placeNamer interface {
	Gazetteer() *nlp.Gazetteer
}

// buildSuggestions collects place names, department names, categories, matter types and the
// frequent keywords of recent messages.
func (c *Core) buildSuggestions(ctx context.Context) (*suggestList, error) {
	w := map[string]int{}
	add := func(term string, weight int) {
		term = strings.TrimSpace(term)
		if utf8.RuneCountInString(term) < 2 {
			return
		}
		w[term] += weight
	}
	if pn, ok := c.NLP.(placeNamer); ok {
		if g := pn.Gazetteer(); g != nil {
			for _, n := range g.Names() {
				add(n, weightPlace)
			}
		}
	}
	if c.Directory != nil {
		for _, n := range c.Directory.Names() {
			add(n, weightDepartment)
		}
	}
	seen := 0
	err := c.Store.ScanNewest(ctx, func(r *domain.Record) bool {
		add(r.Analysis.Matter, weightMatter)
		add(r.Analysis.Category, weightCategory)
		add(r.Analysis.District, weightPlace)
		add(r.Analysis.Street, weightPlace)
		for _, k := range r.Analysis.Keywords {
			add(k, weightKeyword)
		}
		seen++
		return seen < suggestSample
	})
	if err != nil {
		return nil, err
	}
	l := &suggestList{built: c.Now(), weight: w, terms: make([]string, 0, len(w))}
	for t := range w {
		l.terms = append(l.terms, t)
	}
	sort.Strings(l.terms)
	return l, nil
}

// lookup returns up to n terms starting with prefix, heaviest first; when fewer start with it,
// terms containing it fill the list (typing 渣土 also offers 江北渣土车).
func (l *suggestList) lookup(prefix string, n int) []string {
	out := []string{}
	if prefix == "" {
		return out
	}
	i := sort.SearchStrings(l.terms, prefix)
	var starts []string
	for ; i < len(l.terms) && strings.HasPrefix(l.terms[i], prefix); i++ {
		if l.terms[i] != prefix {
			starts = append(starts, l.terms[i])
		}
	}
	l.byWeight(starts)
	out = append(out, starts[:min(n, len(starts))]...)
	if len(out) < n {
		var contains []string
		for _, t := range l.terms {
			if !strings.HasPrefix(t, prefix) && strings.Contains(t, prefix) {
				contains = append(contains, t)
			}
		}
		l.byWeight(contains)
		out = append(out, contains[:min(n-len(out), len(contains))]...)
	}
	return out
}

// byWeight sorts terms heaviest first, shorter then alphabetical on ties.
func (l *suggestList) byWeight(ts []string) {
	sort.SliceStable(ts, func(a, b int) bool {
		wa, wb := l.weight[ts[a]], l.weight[ts[b]]
		if wa != wb {
			return wa > wb
		}
		if len(ts[a]) != len(ts[b]) {
			return len(ts[a]) < len(ts[b])
		}
		return ts[a] < ts[b]
	})
}

// suggest answers the query box: completions for the last word being typed.
func (s *searchState) suggestFor(ctx context.Context, c *Core, text string) ([]string, error) {
	text = strings.TrimSpace(text)
	// Complete the last word only: "江北 渣土" completes 渣土, keeping 江北 in front.
	head, last := "", text
	if k := strings.LastIndexAny(text, " \u3000"); k >= 0 {
		head, last = text[:k+1], strings.TrimSpace(text[k+1:])
	}
	word := strings.TrimLeft(last, "-+\"“(（")
	head += last[:len(last)-len(word)] // keep a leading - or quote the officer typed
	last = word
	if last == "" {
		return []string{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suggest == nil || c.Now().Sub(s.suggest.built) > suggestMaxAge {
		l, err := c.buildSuggestions(ctx)
		if err != nil {
			return nil, err
		}
		s.suggest = l
	}
	terms := s.suggest.lookup(strings.ToLower(last), maxSuggestions)
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = head + t
	}
	return out, nil
}
