package index

import (
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
	docs := topByTime(sv, bms, offset+limit, order == SortTimeAsc)
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

// facetCounts counts, for every facet field, how many matches each value has: the size of the
// intersection of the matches with the value's postings, segment by segment.
func facetCounts(sv *snapView, bms []*roaring.Bitmap) (map[string]map[string]int, error) {
	out := make(map[string]map[string]int, len(facetFields))
	for _, f := range facetFields {
		counts := map[string]int{}
		for i := range sv.segs {
			bm := bms[i]
			if bm.IsEmpty() {
				continue
			}
			d, err := sv.segs[i].seg.Dictionary(f.field)
			if err != nil {
				return nil, err
			}
			it := d.AutomatonIterator(nil, nil, nil)
			for {
				de, err := it.Next()
				if err != nil {
					return nil, err
				}
				if de == nil {
					break
				}
				pb, one, ok, err := postingsView(d, []byte(de.Term))
				if err != nil {
					return nil, err
				}
				switch {
				case !ok:
				case pb == nil:
					if bm.Contains(uint32(one)) {
						counts[de.Term]++
					}
				default:
					if n := bm.AndCardinality(pb); n > 0 {
						counts[de.Term] += int(n)
					}
				}
			}
		}
		out[f.name] = topCounts(counts, f.size)
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

// topByTime returns the first k matches in time order.
func topByTime(sv *snapView, bms []*roaring.Bitmap, k int, asc bool) []docRef {
	if k <= 0 {
		return nil
	}
	h := make(worstFirst, 0, k)
	buf := make([]uint32, 256)
	for si := range sv.segs {
		cols := sv.segs[si].cols
		it := bms[si].ManyIterator()
		for {
			n := it.NextMany(buf)
			if n == 0 {
				break
			}
			for _, d := range buf[:n] {
				c := docRef{t: cols.t[d], seq: cols.seq[d], seg: si, doc: d, desc: !asc}
				if len(h) < k {
					heap.Push(&h, c)
					continue
				}
				if c.before(h[0]) {
					h[0] = c
					heap.Fix(&h, 0)
				}
			}
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
