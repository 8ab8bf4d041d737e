package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
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
// The matches are computed per segment as roaring bitmaps straight from the postings; the total
// and facets are their sizes and intersections, a time-sorted page is a bounded heap over the
// segments' time columns (searchBitmaps), and a relevance page is bleve's TF-IDF over at most the
// newest maxScored matches (relevanceSearch). Only the page's hits load stored fields. Queries the
// bitmaps cannot answer (a title phrase needs positions) go through bleve's searchers
// (searchBleve).
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	start := time.Now()
	order := q.Sort
	if order == "" {
		order = SortTime
		if strings.TrimSpace(q.Text) != "" {
			order = SortRelevance
		}
	}
	switch order {
	case SortRelevance, SortTime, SortTimeAsc:
	default:
		return nil, fmt.Errorf("search: unknown sort %q", q.Sort)
	}
	c := &compiler{seg: ix.seg, scored: order == SortRelevance}
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
	res, err := ix.searchBleve(ctx, q, main, order, limit, offset, needles)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	res.Took = time.Since(start)
	return res, nil
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
	c.ix = ix
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
		filters = append(filters, ix.dateRange(q.Since, q.Until))
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
	reader, err := ix.reader()
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

// docFreqs is how many documents have each term in field, on the current snapshot.
func (ix *Index) docFreqs(field string, terms []*query.TermQuery) ([]uint64, error) {
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := make([]uint64, len(terms))
	for i, tq := range terms {
		if out[i], err = docFreq(context.Background(), r, field, tq.Term); err != nil {
			return nil, err
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
