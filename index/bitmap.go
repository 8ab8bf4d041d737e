package index

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// errSlowPath means a query has a part the bitmap evaluator does not handle (a title phrase
// needs positions); Search then answers through bleve's searchers.
var errSlowPath = errors.New("index: query needs the bleve path")

// segView is one immutable scorch segment of a snapshot with what the bitmap path needs.
type segView struct {
	seg     segment.Segment
	deleted *roaring.Bitmap // nil when nothing is deleted
	count   uint64          // documents in the segment, deleted ones included
	cols    *segCols
}

// snapView is a point-in-time view of the index as its segments. Close releases it.
type snapView struct {
	closer interface{ Close() error }
	segs   []segView
}

func (sv *snapView) Close() error { return sv.closer.Close() }

// docs is the number of documents in the view's segments, deleted ones included.
func (sv *snapView) docs() uint64 {
	var n uint64
	for _, s := range sv.segs {
		n += s.count
	}
	return n
}

// snapshot opens a view of the current segments, loading (or reusing) their sort columns.
func (ix *Index) snapshot() (*snapView, error) {
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, errSlowPath
	}
	sv, err := ix.viewOf(is)
	if err != nil {
		r.Close()
		return nil, err
	}
	sv.closer = r
	return sv, nil
}

// viewOf describes the segments of a snapshot someone else holds open.
func (ix *Index) viewOf(is *scorch.IndexSnapshot) (*snapView, error) {
	sv := &snapView{closer: nopCloser{}}
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		sv.segs = append(sv.segs, segView{seg: seg, deleted: ss.Deleted(), count: seg.Count()})
	}
	segs := make([]segment.Segment, len(sv.segs))
	for i := range sv.segs {
		segs[i] = sv.segs[i].seg
	}
	cols, err := ix.columns.get(segs)
	if err != nil {
		return nil, err
	}
	for i := range sv.segs {
		sv.segs[i].cols = cols[i]
	}
	return sv, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// evaluator computes a query's matches in one segment as a bitmap of local document numbers,
// straight from the postings: no scoring, no per-match objects.
type evaluator struct {
	ctx   context.Context
	sv    *segView
	dicts map[string]segment.TermDictionary
}

func newEvaluator(ctx context.Context, sv *segView) *evaluator {
	return &evaluator{ctx: ctx, sv: sv, dicts: map[string]segment.TermDictionary{}}
}

func (e *evaluator) dict(field string) (segment.TermDictionary, error) {
	if d, ok := e.dicts[field]; ok {
		return d, nil
	}
	d, err := e.sv.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	e.dicts[field] = d
	return d, nil
}

// orInto is what zap's postings lists offer to copy their documents into a bitmap.
type orInto interface{ OrInto(*roaring.Bitmap) }

// postingsInto adds the documents of field:term to bm.
func (e *evaluator) postingsInto(bm *roaring.Bitmap, field string, term []byte) error {
	d, err := e.dict(field)
	if err != nil {
		return err
	}
	pl, err := d.PostingsList(term, nil, nil)
	if err != nil {
		return err
	}
	if o, ok := pl.(orInto); ok {
		o.OrInto(bm)
		return nil
	}
	it := pl.Iterator(false, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return err
		}
		if p == nil {
			return nil
		}
		bm.Add(uint32(p.Number()))
	}
}

// terms calls fn for each term of field in [start, end) (nil = open).
func (e *evaluator) terms(field string, start, end []byte, fn func(term []byte) error) error {
	d, err := e.dict(field)
	if err != nil {
		return err
	}
	it := d.AutomatonIterator(nil, start, end)
	for {
		de, err := it.Next()
		if err != nil {
			return err
		}
		if de == nil {
			return nil
		}
		if err := fn([]byte(de.Term)); err != nil {
			return err
		}
	}
}

// live is every document of the segment that is not deleted.
func (e *evaluator) live() *roaring.Bitmap {
	bm := roaring.New()
	bm.AddRange(0, e.sv.count)
	return bm
}

// eval computes q's matches (deleted documents may be included; the caller removes them).
func (e *evaluator) eval(q query.Query) (*roaring.Bitmap, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	switch q := q.(type) {
	case *query.TermQuery:
		bm := roaring.New()
		return bm, e.postingsInto(bm, q.FieldVal, []byte(q.Term))
	case *query.PrefixQuery:
		bm := roaring.New()
		p := []byte(q.Prefix)
		err := e.terms(q.FieldVal, p, prefixEnd(p), func(t []byte) error { return e.postingsInto(bm, q.FieldVal, t) })
		return bm, err
	case *query.WildcardQuery:
		needle, ok := containsPattern(q.Wildcard)
		if !ok {
			return nil, errSlowPath
		}
		bm := roaring.New()
		err := e.terms(q.FieldVal, nil, nil, func(t []byte) error {
			if bytes.Contains(t, []byte(needle)) {
				return e.postingsInto(bm, q.FieldVal, t)
			}
			return nil
		})
		return bm, err
	case *query.ConjunctionQuery:
		var acc *roaring.Bitmap
		for _, c := range q.Conjuncts {
			b, err := e.eval(c)
			if err != nil {
				return nil, err
			}
			if acc == nil {
				acc = b
			} else {
				acc.And(b)
			}
			if acc.IsEmpty() {
				break
			}
		}
		if acc == nil {
			acc = roaring.New()
		}
		return acc, nil
	case *query.DisjunctionQuery:
		if q.Min > 1 {
			return nil, errSlowPath
		}
		acc := roaring.New()
		for _, c := range q.Disjuncts {
			b, err := e.eval(c)
			if err != nil {
				return nil, err
			}
			acc.Or(b)
		}
		return acc, nil
	case *query.BooleanQuery:
		var acc *roaring.Bitmap
		var err error
		switch {
		case q.Must != nil:
			acc, err = e.eval(q.Must)
		case q.Should != nil:
			acc, err = e.eval(q.Should)
		default:
			return nil, errSlowPath
		}
		if err != nil {
			return nil, err
		}
		for _, sub := range []query.Query{q.Filter} {
			if sub != nil {
				b, err := e.eval(sub)
				if err != nil {
					return nil, err
				}
				acc.And(b)
			}
		}
		if q.MustNot != nil && !acc.IsEmpty() {
			b, err := e.eval(q.MustNot)
			if err != nil {
				return nil, err
			}
			acc.AndNot(b)
		}
		return acc, nil
	case *query.MatchAllQuery:
		return e.live(), nil
	case *query.MatchNoneQuery:
		return roaring.New(), nil
	case *timeRange:
		return q.segment(e.sv.cols), nil
	case *query.DocIDQuery:
		return e.sv.seg.DocNumbers(q.IDs)
	}
	return nil, errSlowPath
}

// prefixEnd is the smallest key greater than every key starting with p (nil when none is).
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// containsPattern reads the "*value*" wildcard keywordQuery builds back into value; ok is false
// for any other pattern.
func containsPattern(w string) (string, bool) {
	if len(w) < 2 || w[0] != '*' || w[len(w)-1] != '*' {
		return "", false
	}
	var b strings.Builder
	inner := w[1 : len(w)-1]
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch c {
		case '\\':
			if i+1 < len(inner) {
				i++
				c = inner[i]
			}
		case '*', '?':
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// matches evaluates q in every segment of sv, without deleted documents.
func matches(ctx context.Context, sv *snapView, q query.Query) ([]*roaring.Bitmap, uint64, error) {
	out := make([]*roaring.Bitmap, len(sv.segs))
	err := eachSegment(len(sv.segs), func(i int) error {
		bm, err := newEvaluator(ctx, &sv.segs[i]).eval(q)
		if err != nil {
			return err
		}
		if d := sv.segs[i].deleted; d != nil {
			bm.AndNot(d)
		}
		out[i] = bm
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var total uint64
	for _, bm := range out {
		total += bm.GetCardinality()
	}
	return out, total, nil
}

// segWorkers is how many segments are worked on at once: the machine's cores, at most 4.
func segWorkers() int { return min(4, runtime.GOMAXPROCS(0)) }

// eachSegment runs fn for segments 0..n-1 on segWorkers goroutines and returns the first error.
func eachSegment(n int, fn func(i int) error) error {
	return eachSegmentBy(n, func(_, i int) error { return fn(i) })
}

// segmentWorkers is how many goroutines eachSegmentBy uses for n segments.
func segmentWorkers(n int) int { return max(1, min(segWorkers(), n)) }

// eachSegmentBy is eachSegment telling fn which of the segmentWorkers(n) goroutines runs it,
// for work that keeps state per goroutine.
func eachSegmentBy(n int, fn func(worker, i int) error) error {
	workers := segmentWorkers(n)
	if workers <= 1 {
		for i := range n {
			if err := fn(0, i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(w, i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
