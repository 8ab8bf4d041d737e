package index

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// maxScored is how many matches relevance ranks at most: when a query matches more records,
// bleve's TF-IDF ranks the newest maxScored of them and the older ones follow, newest first.
// Scoring costs about 100 ns per match and posting, so an unbounded pass over a word every record
// contains would cost 100+ ms at a million records, and the newest matches are the ones an
// officer most likely wants. Up to the bound the ranking is exactly bleve's; the order is the
// same for every page, so paging never skips or repeats a record.
const maxScored = 10000

// relevanceSearch returns one page of the relevance order: the newest maxScored matches ranked
// by bleve's TF-IDF, then the older ones newest first. The total and facets come from the
// bitmaps of the same snapshot. Queries made of terms, conjunctions and disjunctions (every
// free-text query and filter) are scored from the postings by scoreTop; others by bleve.
func (ix *Index) relevanceSearch(ctx context.Context, q Query, main query.Query, limit, offset int, needles [][]rune) (*Result, error) {
	plan, ok := planScore(main)
	if !ok || ix.bleveScores {
		return ix.relevanceBleve(ctx, q, main, limit, offset, needles)
	}
	sv, bms, out, err := ix.bitmapMatches(ctx, q, main)
	if err != nil {
		return nil, err
	}
	defer sv.Close()
	cands := bms
	var tail []docRef
	if out.Total > uint64(ix.maxScored) {
		newest, later, done := ix.newestMatches(sv, bms, out.Total, offset, limit)
		tail = later
		perSeg := make([][]uint32, len(sv.segs))
		for _, d := range newest {
			perSeg[d.seg] = append(perSeg[d.seg], d.doc)
		}
		done()
		cands = make([]*roaring.Bitmap, len(sv.segs))
		_ = eachSegment(len(perSeg), func(i int) error {
			if docs := perSeg[i]; len(docs) > 0 {
				slices.Sort(docs)
				cands[i] = roaring.BitmapOf(docs...)
			}
			return nil
		})
	}
	if size := max(0, min(offset+limit, ix.maxScored)-offset); size > 0 {
		if err := plan.prepare(sv); err != nil {
			return nil, err
		}
		top, err := scoreTop(ctx, sv, plan, cands, offset+size)
		if err != nil {
			return nil, err
		}
		page := top[min(offset, len(top)):]
		hits, err := loadHits(sv, page, needles, q.Highlight)
		if err != nil {
			return nil, err
		}
		for i := range hits {
			hits[i].Score = page[i].score
		}
		out.Hits = hits
	}
	hits, err := loadHits(sv, tail, needles, q.Highlight)
	if err != nil {
		return nil, err
	}
	out.Hits = append(out.Hits, hits...)
	return out, nil
}

// newestMatches is what a relevance page needs of a query with more than maxScored matches: the
// newest maxScored of them (unordered), and, when the page reaches past them, the later ones it
// shows, in time order. done returns newest's buffer to the pool once the caller is through with it.
func (ix *Index) newestMatches(sv *snapView, bms []*roaring.Bitmap, total uint64, offset, limit int) (newest, tail []docRef, done func()) {
	if offset+limit > ix.maxScored {
		byTime := topByTime(sv, bms, offset+limit, false, ix.denseScan, true)
		return byTime[:min(ix.maxScored, len(byTime))], byTime[max(ix.maxScored, min(offset, len(byTime))):], func() {}
	}
	buf, _ := ix.refBufs.Get().(*[]docRef)
	if buf == nil {
		buf = new([]docRef)
	}
	*buf = newestSet(sv, bms, total, ix.maxScored, workSlice, *buf)
	return *buf, nil, func() { ix.refBufs.Put(buf) }
}

// relevanceBleve is relevanceSearch with bleve's searchers doing the scoring, for queries
// planScore cannot score: bleve scores main restricted to the newest maxScored matches.
func (ix *Index) relevanceBleve(ctx context.Context, q Query, main query.Query, limit, offset int, needles [][]rune) (*Result, error) {
	cq := &candidates{ix: ix, ctx: ctx, main: main, max: ix.maxScored, facets: q.Facets,
		offset: offset, limit: limit, needles: needles, mark: q.Highlight}
	size := max(0, min(offset+limit, cq.max)-offset)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(main, cq), size, min(offset, cq.max), false)
	req.Fields = hitFields
	res, err := ix.idx.SearchInContext(ctx, req)
	if cq.err != nil {
		return nil, cq.err // errSlowPath stays recognisable whatever bleve wraps it in
	}
	if err != nil {
		return nil, err
	}
	if !cq.done {
		return nil, errSlowPath
	}
	hits := hitsOf(res.Hits, needles, q.Highlight)
	if size == 0 {
		hits = nil
	}
	hits = append(hits, cq.tail...)
	return &Result{Total: cq.total, Facets: cq.facetCounts, Hits: hits}, nil
}

// candidates is a query that matches the newest max matches of main and adds nothing to their
// scores (weight 0, score 0), so conjoined with main it leaves bleve's ranking unchanged while
// limiting what is scored. Its Searcher evaluates main as bitmaps on the very snapshot bleve
// searches, and records the total and facets on the way.
type candidates struct {
	ix            *Index
	ctx           context.Context
	main          query.Query
	max           int
	facets        bool
	offset, limit int // the page, for the hits after the scored ones
	needles       [][]rune
	mark          bool

	done        bool
	err         error
	total       uint64
	facetCounts map[string]map[string]int
	tail        []Hit // the page's hits past the scored matches, newest first
}

// Searcher implements query.Query.
func (c *candidates) Searcher(_ context.Context, r bindex.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		c.err = errSlowPath
		return nil, errSlowPath
	}
	sv, err := c.ix.viewOf(is)
	if err != nil {
		c.err = err
		return nil, err
	}
	bms, total, err := matches(c.ctx, sv, c.main)
	if err != nil {
		c.err = err
		return nil, err
	}
	c.total = total
	if c.facets {
		if c.facetCounts, err = facetCounts(sv, bms); err != nil {
			c.err = err
			return nil, err
		}
	}
	offsets := make([]uint64, len(sv.segs))
	var running uint64
	for i, s := range sv.segs {
		offsets[i] = running
		running += s.count
	}
	if running > math.MaxUint32 {
		c.err = errSlowPath
		return nil, errSlowPath
	}
	global := roaring.New()
	if total <= uint64(c.max) {
		for i, bm := range bms {
			if offsets[i] == 0 {
				global.Or(bm)
				continue
			}
			it := bm.ManyIterator()
			buf := make([]uint32, 256)
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for j := range buf[:n] {
					buf[j] += uint32(offsets[i])
				}
				global.AddMany(buf[:n])
			}
		}
	} else {
		newest, tail, done := c.ix.newestMatches(sv, bms, total, c.offset, c.limit)
		nums := make([]uint32, 0, len(newest))
		for _, d := range newest {
			nums = append(nums, uint32(offsets[d.seg])+d.doc)
		}
		done()
		slices.Sort(nums)
		global.AddMany(nums)
		if c.tail, err = loadHits(sv, tail, c.needles, c.mark); err != nil {
			c.err = err
			return nil, err
		}
	}
	c.done = true
	return &bitmapSearcher{bm: global, it: global.Iterator(), count: global.GetCardinality()}, nil
}

// bitmapSearcher walks a bitmap of global document numbers with score 0.
type bitmapSearcher struct {
	bm    *roaring.Bitmap
	it    roaring.IntPeekable
	count uint64
}

func (s *bitmapSearcher) match(ctx *search.SearchContext) *search.DocumentMatch {
	if !s.it.HasNext() {
		return nil
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = bindex.NewIndexInternalID(dm.IndexInternalID, uint64(s.it.Next()))
	dm.Score = 0
	return dm
}

func (s *bitmapSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.match(ctx), nil
}

func (s *bitmapSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	v := id.Value()
	if v > math.MaxUint32 {
		return nil, nil
	}
	s.it.AdvanceIfNeeded(uint32(v))
	return s.match(ctx), nil
}

func (s *bitmapSearcher) Close() error               { return nil }
func (s *bitmapSearcher) Weight() float64            { return 0 }
func (s *bitmapSearcher) SetQueryNorm(float64)       {}
func (s *bitmapSearcher) Count() uint64              { return s.count }
func (s *bitmapSearcher) Min() int                   { return 0 }
func (s *bitmapSearcher) Size() int                  { return 64 + int(s.bm.GetSizeInBytes()) }
func (s *bitmapSearcher) DocumentMatchPoolSize() int { return 1 }

// String describes the query in errors.
func (c *candidates) String() string { return fmt.Sprintf("newest %d matches", c.max) }
