package index

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"sort"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// searchBitmaps answers a time-sorted query from
// per-segment bitmaps of its matches: the matches are computed from the postings by roaring
// set operations, facets are intersections with each facet value's postings, and the newest
// (or oldest) page is a bounded heap over the time column. Nothing is scored and only the
// page's hits are loaded, so the cost grows with the postings touched rather than with a
// per-match object. It returns errSlowPath for queries it cannot evaluate.
func (ix *Index) searchBitmaps(ctx context.Context, q Query, main query.Query, order string, limit, offset int, needles [][]rune) (*Result, error) {
	sv, err := ix.snapshot()
	if err != nil {
		return nil, err
	}
	defer sv.Close()
	bms, total, err := matches(ctx, sv, main)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: total}
	if q.Facets {
		if out.Facets, err = facetCounts(sv, bms); err != nil {
			return nil, err
		}
	}
	docs := topByTime(sv, bms, offset+limit, order == SortTimeAsc, ix.denseScan)
	if offset >= len(docs) {
		docs = nil
	} else {
		docs = docs[offset:]
	}
	out.Hits = make([]Hit, 0, len(docs))
	for _, d := range docs {
		h, err := loadHit(&sv.segs[d.seg], d.doc, needles, q.Highlight)
		if err != nil {
			return nil, err
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

// topCounts keeps the n largest counts (ties by value), like bleve's term facets.
func topCounts(counts map[string]int, n int) map[string]int {
	if len(counts) <= n {
		return counts
	}
	type tc struct {
		term string
		n    int
	}
	all := make([]tc, 0, len(counts))
	for t, c := range counts {
		all = append(all, tc{t, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].term < all[j].term
	})
	m := make(map[string]int, n)
	for _, c := range all[:n] {
		m[c.term] = c.n
	}
	return m
}

// docRef is one match with its sort key.
type docRef struct {
	t    int64
	seq  uint64
	seg  int
	doc  uint32
	desc bool
}

// before reports whether a comes before b in the page order: newest (or oldest) first, ties by
// seq in the same direction, documents without a time last, as bleve's sort orders them.
func (a docRef) before(b docRef) bool {
	if (a.t == noTime) != (b.t == noTime) {
		return b.t == noTime
	}
	if a.t != b.t {
		return (a.t > b.t) == a.desc
	}
	if a.seq != b.seq {
		return (a.seq > b.seq) == a.desc
	}
	if a.seg != b.seg {
		return a.seg < b.seg
	}
	return a.doc < b.doc
}

// worstFirst is a heap whose root is the match that would be shown last.
type worstFirst []docRef

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return h[j].before(h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(docRef)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// denseScan is the number of matches in a segment above which topByTime visits it block by
// block, most promising block first, instead of match by match.
const denseScan uint64 = 4096

// blockRef is one block of a segment with the best time any of its documents has.
type blockRef struct {
	bound int64
	seg   int
	blk   int
}

// topByTime returns the first k matches in time order. Segments with few matches are scanned
// whole; the others are visited in blocks ordered by their newest (oldest) time, and the scan
// stops at the first block that cannot hold a better match than the worst of the k kept:
// records arrive roughly in time order, so a newest-first page of a common word reads a few
// blocks instead of every match.
func topByTime(sv *snapView, bms []*roaring.Bitmap, k int, asc bool, dense uint64) []docRef {
	if k <= 0 {
		return nil
	}
	h := make(worstFirst, 0, k)
	consider := func(si int, d uint32) {
		cols := sv.segs[si].cols
		c := docRef{t: cols.t[d], seq: cols.seq[d], seg: si, doc: d, desc: !asc}
		if len(h) < k {
			heap.Push(&h, c)
			return
		}
		if c.before(h[0]) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	var blocks []blockRef
	buf := make([]uint32, 256)
	for si := range sv.segs {
		bm := bms[si]
		if bm.GetCardinality() <= dense {
			it := bm.ManyIterator()
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for _, d := range buf[:n] {
					consider(si, d)
				}
			}
			continue
		}
		cols := sv.segs[si].cols
		for b := range cols.newest {
			bound := cols.newest[b]
			if asc {
				bound = cols.oldest[b]
			}
			blocks = append(blocks, blockRef{bound: bound, seg: si, blk: b})
		}
	}
	slices.SortFunc(blocks, func(a, b blockRef) int {
		if asc {
			return cmp.Compare(a.bound, b.bound)
		}
		return cmp.Compare(b.bound, a.bound)
	})
	for _, br := range blocks {
		if len(h) == k && h[0].t != noTime && (asc && br.bound > h[0].t || !asc && br.bound < h[0].t) {
			break // every later block is as bad or worse
		}
		lo := uint32(br.blk * colBlock)
		hi := lo + colBlock
		it := bms[br.seg].Iterator()
		it.AdvanceIfNeeded(lo)
		for it.HasNext() && it.PeekNext() < hi {
			consider(br.seg, it.Next())
		}
	}
	out := []docRef(h)
	slices.SortFunc(out, func(a, b docRef) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	return out
}

// loadHit reads one document's stored fields and builds its hit.
func loadHit(sv *segView, doc uint32, needles [][]rune, mark bool) (Hit, error) {
	fields := map[string]string{}
	var id string
	err := sv.seg.VisitStoredFields(uint64(doc), func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case "_id":
			id = string(value)
		case fTitle, fBody, fCategory, fDepartment, fStatus, fDistrict, fChannel, fSentiment:
			fields[field] = string(value)
		}
		return true
	})
	if err != nil {
		return Hit{}, err
	}
	var t time.Time
	if ns := sv.cols.t[doc]; ns != noTime {
		t = time.Unix(0, ns).UTC()
	}
	return newHit(id, func(f string) string { return fields[f] }, t, 0, needles, mark), nil
}
