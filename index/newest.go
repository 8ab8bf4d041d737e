package index

import (
	"cmp"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// timeOrder is a segment's documents newest first (the order of refOf with asc false: time, then
// seq, descending; then document number), built the first time a query needs it and kept while
// the segment is in use: 4 bytes a document.
type timeOrder struct {
	once  sync.Once
	order []uint32
}

// newestFirst returns the segment's documents newest first.
func (c *segCols) newestFirst() []uint32 {
	c.byTime.once.Do(func() {
		o := make([]uint32, len(c.t))
		for i := range o {
			o[i] = uint32(i)
		}
		slices.SortFunc(o, func(a, b uint32) int {
			if c := cmp.Compare(c.t[b], c.t[a]); c != 0 {
				return c
			}
			if c := cmp.Compare(c.seq[b], c.seq[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		c.byTime.order = o
	})
	return c.byTime.order
}

// walkPays reports whether newestByWalk is the cheaper way to the newest k of total matches
// among docs documents: it reads about k·docs/total documents in time order, while topByTime
// reads every match when the times of the segments' blocks overlap (records that did not
// arrive in time order). Measured on the 1M bench, where they do overlap, a document read in
// time order costs about what a match read by blocks does.
func walkPays(k int, total, docs uint64) bool {
	return total > 4*uint64(k) && uint64(k)*docs/total < total
}

// newestByWalk returns the newest k matches (unordered), the same set topByTime gives, by
// walking every segment's documents newest first and merging the segments' walks.
func newestByWalk(sv *snapView, bms []*roaring.Bitmap, k int) []docRef {
	type walk struct {
		seg   int
		order []uint32
		at    int
		head  docRef
	}
	// next moves w to its next matching document; false when it has none left.
	next := func(w *walk) bool {
		bm, cols := bms[w.seg], sv.segs[w.seg].cols
		for ; w.at < len(w.order); w.at++ {
			if d := w.order[w.at]; bm.Contains(d) {
				w.head = refOf(cols, w.seg, d, false)
				w.at++
				return true
			}
		}
		return false
	}
	var h []*walk // a heap of the walks by their next document, newest on top
	newer := func(a, b *walk) bool { return a.head.before(b.head) }
	for si := range sv.segs {
		if bms[si].IsEmpty() {
			continue
		}
		w := &walk{seg: si, order: sv.segs[si].cols.newestFirst()}
		if next(w) {
			h = append(h, w)
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i, newer)
	}
	out := make([]docRef, 0, k)
	for len(h) > 0 && len(out) < k {
		w := h[0]
		out = append(out, w.head)
		if !next(w) {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		siftDown(h, 0, newer)
	}
	return out
}
