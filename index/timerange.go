package index

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
)

// timeRange matches records whose Time lies in [lo, hi] (unix nanoseconds); records without a
// time never match. It is answered from the segments' time columns, never from postings: the
// time field is indexed as its full-precision term only (newTimeKey), so bleve's own numeric
// range search, which relies on the fifteen coarser precision-step terms, would miss records.
type timeRange struct {
	ix     *Index // for bleve's searchers: the column cache; the bitmap path does not need it
	lo, hi int64
}

// dateRange matches records with from <= Time < to; a zero bound is open.
func (ix *Index) dateRange(from, to time.Time) *timeRange {
	q := &timeRange{ix: ix, lo: math.MinInt64 + 1, hi: math.MaxInt64}
	if !from.IsZero() {
		q.lo = from.UnixNano()
	}
	if !to.IsZero() {
		q.hi = to.UnixNano() - 1
	}
	return q
}

// timeWindow matches records with from <= Time <= to; a zero to is open.
func (ix *Index) timeWindow(from, to time.Time) *timeRange {
	q := ix.dateRange(from, time.Time{})
	if !to.IsZero() {
		q.hi = to.UnixNano()
	}
	return q
}

// segment computes the matches of one segment from its time column (deleted documents
// included; callers remove them).
func (q *timeRange) segment(cols *segCols) *roaring.Bitmap {
	bm := roaring.New()
	if q.lo > q.hi {
		return bm
	}
	var run [256]uint32
	buf := run[:0]
	for i, t := range cols.t {
		if t >= q.lo && t <= q.hi && t != noTime {
			buf = append(buf, uint32(i))
			if len(buf) == cap(buf) {
				bm.AddMany(buf)
				buf = buf[:0]
			}
		}
	}
	bm.AddMany(buf)
	return bm
}

// Searcher implements query.Query for bleve's searchers (relevance scoring and the slow path):
// a bitmap of the snapshot's live matching documents with score 0, so the time filter leaves
// the text's ranking unchanged.
func (q *timeRange) Searcher(_ context.Context, r bindex.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok || q.ix == nil {
		return nil, fmt.Errorf("time range: %w", errSlowPath)
	}
	sv, err := q.ix.viewOf(is)
	if err != nil {
		return nil, fmt.Errorf("time range: %w", err)
	}
	global := roaring.New()
	var offset uint64
	buf := make([]uint32, 256)
	for i := range sv.segs {
		s := &sv.segs[i]
		if offset+s.count > math.MaxUint32 {
			return nil, fmt.Errorf("time range: %w", errSlowPath)
		}
		bm := q.segment(s.cols)
		if s.deleted != nil {
			bm.AndNot(s.deleted)
		}
		if offset == 0 {
			global.Or(bm)
		} else {
			it := bm.ManyIterator()
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for j := range buf[:n] {
					buf[j] += uint32(offset)
				}
				global.AddMany(buf[:n])
			}
		}
		offset += s.count
	}
	return &bitmapSearcher{bm: global, it: global.Iterator(), count: global.GetCardinality()}, nil
}

// String describes the query in errors.
func (q *timeRange) String() string {
	return fmt.Sprintf("time in [%d, %d]", q.lo, q.hi)
}

// newTimeKey is the time field of a record: stored and with doc values like bleve's date field
// (the stored value is the prefix-coded time followed by its layout, which bleve's field loader
// formats), but indexed as the full-precision term only. bleve's date field adds fifteen
// coarser terms per value for numeric range search, about a tenth of the indexing work; every
// time range here is answered from the time columns instead (timeRange).
func newTimeKey(name string, t time.Time) *sortKey {
	ns := t.UnixNano()
	k := &sortKey{
		name:  name,
		value: numeric.MustNewPrefixCodedInt64(ns, 0),
		opts:  bindex.IndexField | bindex.StoreField | bindex.DocValues,
		typ:   'd',
	}
	stored := make([]byte, 0, len(k.value)+1+len(time.RFC3339Nano))
	stored = append(append(append(stored, k.value...), 0xff), time.RFC3339Nano...)
	k.stored = stored
	return k
}
