package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Query is an officer's search. Text uses the user syntax: words, "quoted phrases", AND OR NOT,
// -word, parentheses, and field prefixes 标题: 部门: 分类: 区县: 街道: 状态: 渠道: 情感: 事项: 时间:
// (时间:2024-01-01..2024-03-31, 时间:2024-03); empty Text matches everything.
type Query struct {
	Text                                                       string
	Category, Department, Status, District, Channel, Sentiment string    // exact-value filters, "" = any
	Since, Until                                               time.Time // Since inclusive, Until exclusive; zero = open
	Sort                                                       string    // "relevance" | "time" (newest first) | "time_asc"; "" = relevance if Text != "" else time
	Limit, Offset                                              int       // Limit default 20, max 1000
	Facets                                                     bool      // facet counts over the whole result
	Highlight                                                  bool      // mark matches in Hit.Snippet
}

// Hit is one found record with what a result list shows.
type Hit struct {
	ID, Title                                                  string
	Time                                                       time.Time
	Category, Department, Status, District, Channel, Sentiment string
	Score                                                      float64
	// Snippet is plain text (not HTML) of about 120 characters around the best match, from the
	// body (or the title); U+E000 opens and U+E001 closes each highlighted match.
	Snippet string
}

// Result is one page of hits, the total and, when asked, facet counts over the whole result.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string]map[string]int // facet name (category department status district channel sentiment month) → value → count
	Took   time.Duration
}

// Sort orders accepted in Query.Sort.
const (
	SortRelevance = "relevance"
	SortTime      = "time"
	SortTimeAsc   = "time_asc"
)

// Limits on page size.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// facetFields are the facets Search computes, with how many values each returns.
var facetFields = [...]struct {
	name, field string
	size        int
}{
	{"category", fCategory, 50},
	{"department", fDepartment, 200},
	{"status", fStatus, 20},
	{"district", fDistrict, 100},
	{"channel", fChannel, 10},
	{"sentiment", fSentiment, 5},
	{"month", fMonth, 600},
}

// hitFields are the stored fields loaded for each hit.
var hitFields = []string{fTitle, fBody, fTime, fCategory, fDepartment, fStatus, fDistrict, fChannel, fSentiment}

// Search runs q and returns one page of hits.
//
// Sorting by time in bleve visits every match, which is too slow for a million records, so newest-
// first pages are fetched from a time window that starts at one day and doubles until it holds the
// page; the total and the facets come from a separate unsorted pass (free for "everything": the
// document count). A page that follows the previous page of the same query continues from that
// page's last hit (search_after), so deep paging costs what the first page costs.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	start := time.Now()
	c := &compiler{seg: ix.seg}
	main, err := ix.mainQuery(c, q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(q.Offset, 0)
	order := q.Sort
	if order == "" {
		order = SortTime
		if strings.TrimSpace(q.Text) != "" {
			order = SortRelevance
		}
	}
	var sortBy []string
	switch order {
	case SortRelevance:
	case SortTime:
		sortBy = []string{"-" + fTime, "-" + fSeq}
	case SortTimeAsc:
		sortBy = []string{fTime, fSeq}
	default:
		return nil, fmt.Errorf("search: unknown sort %q", q.Sort)
	}
	needles := foldNeedles(c.needles)
	if !ix.slowOnly {
		var res *Result
		var err error
		if order == SortRelevance {
			res, err = ix.relevanceSearch(ctx, q, main, limit, offset, needles)
		} else {
			res, err = ix.searchBitmaps(ctx, q, main, order, limit, offset, needles)
		}
		if err == nil {
			res.Took = time.Since(start)
			return res, nil
		}
		if !errors.Is(err, errSlowPath) {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
	}
	out := &Result{}
	var hits []*search.DocumentMatch
	if order == SortRelevance {
		req := bleve.NewSearchRequestOptions(main, limit, offset, false)
		req.Fields = hitFields
		addFacets(req, q.Facets)
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		out.Total, hits = res.Total, res.Hits
		out.Facets = facetsOf(res, q.Facets)
	} else {
		total, facets, err := ix.countAndFacets(ctx, main, q.Facets)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		out.Total, out.Facets = total, facets
		key := cursorKeyOf(q, order)
		cur, hasCur := ix.cursors.get(key, offset)
		if order == SortTime && total > uint64(ix.windowMin) {
			hits, err = ix.newestInWindows(ctx, main, sortBy, limit, offset, total, cur, hasCur)
		} else {
			hits, err = ix.sorted(ctx, main, sortBy, limit, offset, cur, hasCur)
		}
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		if len(hits) > 0 {
			last := hits[len(hits)-1]
			ix.cursors.put(key, offset+len(hits), cursor{after: last.Sort, t: timeOf(last)})
		}
	}
	out.Hits = hitsOf(hits, needles, q.Highlight)
	out.Took = time.Since(start)
	return out, nil
}

// windowThreshold is the result size above which newest-first pages are read from time windows;
// below it one sorted pass is cheap.
const windowThreshold = 5000

// countAndFacets counts main's matches (and facets them) without sorting or loading anything.
func (ix *Index) countAndFacets(ctx context.Context, main query.Query, facets bool) (uint64, map[string]map[string]int, error) {
	if _, all := main.(*query.MatchAllQuery); all {
		// Everything: the document count and each term's document frequency answer exactly,
		// without visiting a million documents' doc values.
		n, err := ix.idx.DocCount()
		if err != nil || !facets {
			return n, nil, err
		}
		f, err := ix.allFacets(ctx)
		return n, f, err
	}
	req := bleve.NewSearchRequestOptions(main, 0, 0, false)
	req.Score = "none"
	addFacets(req, facets)
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	return res.Total, facetsOf(res, facets), nil
}

// allFacets counts every value of every facet field over the whole index from the term
// dictionaries (document frequencies exclude deleted and replaced documents).
func (ix *Index) allFacets(ctx context.Context) (map[string]map[string]int, error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := make(map[string]map[string]int, len(facetFields))
	for _, f := range facetFields {
		dict, err := r.FieldDict(f.field)
		if err != nil {
			return nil, err
		}
		var terms []string
		for {
			e, err := dict.Next()
			if err != nil {
				dict.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			terms = append(terms, e.Term)
		}
		dict.Close()
		type tc struct {
			term string
			n    int
		}
		var counts []tc
		for _, t := range terms {
			n, err := docFreq(ctx, r, f.field, t)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				counts = append(counts, tc{t, int(n)})
			}
		}
		sort.Slice(counts, func(i, j int) bool {
			if counts[i].n != counts[j].n {
				return counts[i].n > counts[j].n
			}
			return counts[i].term < counts[j].term
		})
		m := make(map[string]int, min(len(counts), f.size))
		for _, c := range counts[:min(len(counts), f.size)] {
			m[c.term] = c.n
		}
		out[f.name] = m
	}
	return out, nil
}

// sorted fetches one page sorted by sortBy over all of main's matches.
func (ix *Index) sorted(ctx context.Context, main query.Query, sortBy []string, limit, offset int, cur cursor, hasCur bool) ([]*search.DocumentMatch, error) {
	req := bleve.NewSearchRequestOptions(main, limit, offset, false)
	req.Fields = hitFields
	req.SortBy(sortBy)
	req.Score = "none"
	if hasCur {
		req.From = 0
		req.SearchAfter = cur.after
	}
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// newestInWindows fetches a newest-first page from windows [hi-span, hi] with span doubling from a
// day until the window holds the page (or all matches). hi is the cursor's time when continuing a
// previous page, else open.
func (ix *Index) newestInWindows(ctx context.Context, main query.Query, sortBy []string, limit, offset int, total uint64, cur cursor, hasCur bool) ([]*search.DocumentMatch, error) {
	need := offset + limit
	var hi time.Time
	anchor := time.Now()
	if n := ix.newest.Load(); n != 0 {
		anchor = time.Unix(0, n)
	}
	if hasCur {
		need = limit
		hi = cur.t
		anchor = cur.t
	}
	for span := 24 * time.Hour; span < 80*365*24*time.Hour; span *= 2 {
		incl := true
		rng := bleve.NewDateRangeInclusiveQuery(anchor.Add(-span), hi, &incl, &incl)
		rng.SetField(fTime)
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(main, rng), limit, offset, false)
		req.Fields = hitFields
		req.SortBy(sortBy)
		req.Score = "none"
		if hasCur {
			req.From = 0
			req.SearchAfter = cur.after
		}
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		// The window holds the page once it has `need` matches; when continuing from a cursor
		// the hits after it are what count.
		enough := res.Total >= uint64(need) && (!hasCur || len(res.Hits) >= limit)
		if enough || (!hasCur && res.Total >= total) {
			return res.Hits, nil
		}
	}
	return ix.sorted(ctx, main, sortBy, limit, offset, cur, hasCur)
}

// addFacets asks req for every facet of facetFields when want is set.
func addFacets(req *bleve.SearchRequest, want bool) {
	if !want {
		return
	}
	for _, f := range facetFields {
		req.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
	}
}

// facetsOf converts bleve's facet results; nil when facets were not asked for.
func facetsOf(res *bleve.SearchResult, want bool) map[string]map[string]int {
	if !want {
		return nil
	}
	out := make(map[string]map[string]int, len(facetFields))
	for _, f := range facetFields {
		m := map[string]int{}
		if fr := res.Facets[f.name]; fr != nil && fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				m[t.Term] = t.Count
			}
		}
		out[f.name] = m
	}
	return out
}

// timeOf reads a hit's stored time; zero when absent.
func timeOf(h *search.DocumentMatch) time.Time {
	if s, ok := h.Fields[fTime].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// mainQuery combines the parsed text with the exact-value filters in one conjunction
// (BooleanQuery.AddFilter would replace, not add, and filters each text match one by one).
func (ix *Index) mainQuery(c *compiler, q Query) (query.Query, error) {
	var text query.Query
	if root := parseQuery(q.Text); root != nil {
		text = c.compile(root, true)
	}
	var filters []query.Query
	for _, f := range []struct{ field, v string }{
		{fCategory, q.Category}, {fDepartment, q.Department}, {fStatus, q.Status},
		{fDistrict, q.District}, {fChannel, q.Channel}, {fSentiment, q.Sentiment},
	} {
		if f.v != "" {
			filters = append(filters, termOn(f.field, f.v))
		}
	}
	if !q.Since.IsZero() || !q.Until.IsZero() {
		if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
			return bleve.NewMatchNoneQuery(), nil
		}
		filters = append(filters, dateRange(q.Since, q.Until))
	}
	switch {
	case text == nil && len(filters) == 0:
		if strings.TrimSpace(q.Text) != "" {
			// The text had only operators or punctuation: nothing can match it.
			return bleve.NewMatchNoneQuery(), nil
		}
		return bleve.NewMatchAllQuery(), nil
	case text == nil:
		return conj(filters), nil
	case len(filters) == 0:
		return text, nil
	}
	// One conjunction of text and filters: its searcher leapfrogs from the rarest clause, where a
	// BooleanQuery filter checked each text match (940 ms p50 at 1M records for a common word).
	// Every match gets the same filter-term score, so relevance order is unchanged.
	return conj(append([]query.Query{text}, filters...)), nil
}

// dateRange matches records with from <= Time < to; a zero bound is open.
func dateRange(from, to time.Time) query.Query {
	incl, excl := true, false
	q := bleve.NewDateRangeInclusiveQuery(from, to, &incl, &excl)
	q.SetField(fTime)
	return q
}

// hitsOf converts bleve hits.
func hitsOf(hits []*search.DocumentMatch, needles [][]rune, mark bool) []Hit {
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, hitOf(h, needles, mark))
	}
	return out
}

// hitOf converts a bleve hit, computing its snippet from the stored title and body.
func hitOf(h *search.DocumentMatch, needles [][]rune, mark bool) Hit {
	str := func(f string) string {
		s, _ := h.Fields[f].(string)
		return s
	}
	return newHit(h.ID, str, timeOf(h), h.Score, needles, mark)
}

// newHit builds a hit from a document's stored fields (str returns "" for a missing one),
// computing its snippet from the title and body.
func newHit(id string, str func(string) string, t time.Time, score float64, needles [][]rune, mark bool) Hit {
	hit := Hit{
		ID: id, Title: str(fTitle), Category: str(fCategory), Department: str(fDepartment),
		Status: str(fStatus), District: str(fDistrict), Channel: str(fChannel), Sentiment: str(fSentiment),
		Score: score, Time: t,
	}
	if math.IsNaN(hit.Score) || math.IsInf(hit.Score, 0) {
		hit.Score = 0
	}
	body := str(fBody)
	snip, ok := makeSnippet(body, needles, mark)
	if !ok && len(needles) > 0 {
		if ts, tok := makeSnippet(hit.Title, needles, mark); tok {
			snip = ts
		}
	}
	if snip == "" {
		snip, _ = makeSnippet(hit.Title, nil, false)
	}
	hit.Snippet = snip
	return hit
}

// cursorKeyOf identifies a query apart from its page, so page n+1 can continue after page n.
func cursorKeyOf(q Query, order string) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%s",
		q.Text, q.Category, q.Department, q.Status, q.District, q.Channel, q.Sentiment,
		q.Since.UnixNano(), q.Until.UnixNano(), order)
}

// cursor is where a time-sorted page ended: its last hit's sort key and time.
type cursor struct {
	after []string
	t     time.Time
}

// cursorCache remembers, for recent time-sorted queries, where the page ending at a given offset
// ended. It is cleared whenever the index changes so a cursor never skips new records.
type cursorCache struct {
	mu    sync.Mutex
	max   int
	m     map[string]cursor
	order []string
}

func newCursorCache(n int) *cursorCache {
	return &cursorCache{max: n, m: make(map[string]cursor, n)}
}

func (c *cursorCache) get(key string, offset int) (cursor, bool) {
	if offset == 0 {
		return cursor{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[fmt.Sprintf("%s\x00%d", key, offset)]
	return v, ok && !v.t.IsZero()
}

func (c *cursorCache) put(key string, offset int, cur cursor) {
	k := fmt.Sprintf("%s\x00%d", key, offset)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok {
		c.order = append(c.order, k)
	}
	c.m[k] = cursor{after: append([]string(nil), cur.after...), t: cur.t}
	for len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *cursorCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.order = c.order[:0]
}

// Similar finds records like id (相似案件): a more-like-this over its most distinctive words, with
// its district and street as extra evidence, excluding the record itself.
func (ix *Index) Similar(ctx context.Context, id string, limit int) ([]Hit, error) {
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, MaxLimit)
	doc, err := ix.load(ctx, id)
	if err != nil {
		return nil, err
	}
	text := doc[fTitle] + "\n" + doc[fBody]
	var words []string
	if ix.seg != nil {
		words = ix.seg.Words(text)
	}
	tf := map[string]int{}
	for _, w := range words {
		if len([]rune(w)) >= 2 && !isNumberish(w) {
			tf[w]++
		}
	}
	n, err := ix.idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("similar %s: %w", id, err)
	}
	type scored struct {
		w string
		s float64
	}
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("similar %s: %w", id, err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("similar %s: %w", id, err)
	}
	defer reader.Close()
	var cands []scored
	for w, f := range tf {
		df, err := docFreq(ctx, reader, fWords, w)
		if err != nil {
			return nil, fmt.Errorf("similar %s: %w", id, err)
		}
		if df <= 1 { // only this record (or none): says nothing about others
			continue
		}
		idf := math.Log(float64(n+1) / float64(df+1))
		cands = append(cands, scored{w, float64(f) * idf})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].s != cands[j].s {
			return cands[i].s > cands[j].s
		}
		return cands[i].w < cands[j].w
	})
	cands = cands[:min(len(cands), 16)]
	var should []query.Query
	for _, c := range cands {
		t := termOn(fWords, c.w)
		t.(*query.TermQuery).SetBoost(c.s)
		should = append(should, t)
	}
	if len(should) == 0 {
		return nil, nil
	}
	bq := bleve.NewBooleanQuery()
	dis := bleve.NewDisjunctionQuery(should...)
	dis.SetMin(float64(min(2, len(should))))
	bq.AddMust(dis)
	var extra []query.Query
	for _, f := range []string{fDistrict, fStreet} {
		if v := doc[f]; v != "" {
			t := termOn(f, v)
			t.(*query.TermQuery).SetBoost(0.5)
			extra = append(extra, t)
		}
	}
	if len(extra) > 0 {
		bq.AddShould(extra...)
	}
	bq.AddMustNot(bleve.NewDocIDQuery([]string{id}))
	req := bleve.NewSearchRequestOptions(bq, limit, 0, false)
	req.Fields = hitFields
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("similar %s: %w", id, err)
	}
	needles := make([]string, 0, len(cands))
	for _, c := range cands {
		needles = append(needles, c.w)
	}
	fn := foldNeedles(needles)
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		hits = append(hits, hitOf(h, fn, true))
	}
	return hits, nil
}

// load returns the stored fields of one document.
func (ix *Index) load(ctx context.Context, id string) (map[string]string, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fTitle, fBody, fDistrict, fStreet}
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return nil, fmt.Errorf("load %s: %w", id, ErrNotFound)
	}
	out := map[string]string{}
	for k, v := range res.Hits[0].Fields {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, nil
}

// docFreq is how many documents have term in field.
func docFreq(ctx context.Context, r bindex.IndexReader, field, term string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// isNumberish reports words made of digits and punctuation, which make poor similarity evidence.
func isNumberish(w string) bool {
	for _, r := range w {
		if r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':' {
			continue
		}
		return false
	}
	return true
}

// SearchHint is a plain-Chinese summary of the query syntax for the UI's help tooltip.
const SearchHint = `多个词之间默认"同时包含"；用 OR 表示"或"，NOT 或 -词 表示排除；"引号" 内为整句匹配；` +
	`可用 标题: 部门: 分类: 区县: 街道: 状态: 渠道: 情感: 事项: 限定字段；时间:2024-01-01..2024-03-31 限定日期。`
