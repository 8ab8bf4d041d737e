package index

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// searchBleve answers q through bleve's own searchers, for the queries the bitmap path cannot
// evaluate (a title phrase needs positions) and for tests comparing both.
//
// Sorting by time in bleve visits every match, so newest-first pages are fetched from a time
// window that starts at one day and doubles until it holds the page; the total and the facets
// come from a separate unsorted pass (free for "everything": the document count). A page that
// follows the previous page of the same query continues from that page's last hit
// (search_after), so deep paging costs what the first page costs.
func (ix *Index) searchBleve(ctx context.Context, q Query, main query.Query, order string, limit, offset int, needles [][]rune) (*Result, error) {
	var sortBy []string
	switch order {
	case SortTime:
		sortBy = []string{"-" + fTime, "-" + fSeq}
	case SortTimeAsc:
		sortBy = []string{fTime, fSeq}
	}
	out := &Result{}
	var hits []*search.DocumentMatch
	if order == SortRelevance {
		req := bleve.NewSearchRequestOptions(main, limit, offset, false)
		req.Fields = hitFields
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		out.Total, hits = res.Total, res.Hits
		if q.Facets {
			if _, out.Facets, err = ix.countAndFacets(ctx, main, true); err != nil {
				return nil, err
			}
		}
	} else {
		total, facets, err := ix.countAndFacets(ctx, main, q.Facets)
		if err != nil {
			return nil, err
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
			return nil, err
		}
		if len(hits) > 0 {
			last := hits[len(hits)-1]
			ix.cursors.put(key, offset+len(hits), cursor{after: last.Sort, t: timeOf(last)})
		}
	}
	out.Hits = hitsOf(hits, needles, q.Highlight)
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
	if facets {
		return ix.facetsOfMatches(ctx, main)
	}
	req := bleve.NewSearchRequestOptions(main, 0, 0, false)
	req.Score = "none"
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	return res.Total, nil, nil
}

// facetsOfMatches counts and facets main's matches as bleve's searchers find them (they handle
// title phrases), collected into per-segment bitmaps and counted from the facet columns like the
// bitmap path's: keyword fields keep no doc values for bleve's own facets.
func (ix *Index) facetsOfMatches(ctx context.Context, main query.Query) (uint64, map[string]map[string]int, error) {
	r, err := ix.reader()
	if err != nil {
		return 0, nil, err
	}
	defer r.Close()
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil, fmt.Errorf("facets: unexpected index reader %T", r)
	}
	sv, err := ix.viewOf(is)
	if err != nil {
		return 0, nil, err
	}
	starts := make([]uint64, len(sv.segs)) // global number of each segment's first document
	bms := make([]*roaring.Bitmap, len(sv.segs))
	var next uint64
	for i, s := range sv.segs {
		starts[i], bms[i] = next, roaring.New()
		next += s.count
	}
	s, err := main.Searcher(ctx, r, ix.idx.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return 0, nil, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	var total uint64
	for {
		dm, err := s.Next(sctx)
		if err != nil {
			return 0, nil, err
		}
		if dm == nil {
			break
		}
		n := dm.IndexInternalID.Value()
		seg := sort.Search(len(starts), func(i int) bool { return starts[i] > n }) - 1
		if seg < 0 || n-starts[seg] >= sv.segs[seg].count {
			return 0, nil, fmt.Errorf("facets: document %d outside the snapshot's segments", n)
		}
		bms[seg].Add(uint32(n - starts[seg]))
		total++
		sctx.DocumentMatchPool.Put(dm)
		if total%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
		}
	}
	f, err := facetCounts(sv, bms)
	return total, f, err
}

// allFacets counts every value of every facet field over the whole index from the term
// dictionaries (document frequencies exclude deleted and replaced documents).
func (ix *Index) allFacets(ctx context.Context) (map[string]map[string]int, error) {
	r, err := ix.reader()
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
	res, err := ix.sortedPage(ctx, main, sortBy, limit, offset, cur, hasCur)
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// sortedPage asks bleve for one unscored page of q sorted by sortBy, continuing after the
// cursor when there is one (then offset is ignored).
func (ix *Index) sortedPage(ctx context.Context, q query.Query, sortBy []string, limit, offset int, cur cursor, hasCur bool) (*bleve.SearchResult, error) {
	req := bleve.NewSearchRequestOptions(q, limit, offset, false)
	req.Fields = hitFields
	req.SortBy(sortBy)
	req.Score = "none"
	if hasCur {
		req.From = 0
		req.SearchAfter = cur.after
	}
	return ix.idx.SearchInContext(ctx, req)
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
		rng := ix.timeWindow(anchor.Add(-span), hi)
		res, err := ix.sortedPage(ctx, bleve.NewConjunctionQuery(main, rng), sortBy, limit, offset, cur, hasCur)
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

// cursorKeyOf identifies a query apart from its page, so page n+1 can continue after page n.
func cursorKeyOf(q Query, order string) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%s",
		q.Text, q.Category, q.Department, q.Status, q.District, q.Channel, q.Sentiment,
		q.Since.UnixNano(), q.Until.UnixNano(), order)
}

// cursor is where a time-sorted page ended: its last hit's sort key and time (bleve's path), or
// its order key (the bitmap path, which keys its cursors apart).
type cursor struct {
	after  []string
	t      time.Time
	ref    docRef
	bitmap bool
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
	return v, ok && (v.bitmap || !v.t.IsZero())
}

func (c *cursorCache) put(key string, offset int, cur cursor) {
	k := fmt.Sprintf("%s\x00%d", key, offset)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok {
		c.order = append(c.order, k)
	}
	cur.after = append([]string(nil), cur.after...)
	c.m[k] = cur
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
