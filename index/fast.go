package index

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// searchBitmaps answers a time-sorted query from per-segment bitmaps of its matches: the matches
// are computed from the postings by roaring set operations, facets are counted from per-segment
// value columns, and the newest (or oldest) page is a bounded heap over the time column. Nothing
// is scored and only the page's hits are loaded, so the cost grows with the postings touched
// rather than with a per-match object. It returns errSlowPath for queries it cannot evaluate.
func (ix *Index) searchBitmaps(ctx context.Context, q Query, main query.Query, order string, limit, offset int, needles [][]rune) (*Result, error) {
	sv, bms, out, err := ix.bitmapMatches(ctx, q, main)
	if err != nil {
		return nil, err
	}
	defer sv.Close()
	// A page that follows the previous page of the same query continues after its last match.
	key := "bitmap\x00" + cursorKeyOf(q, order)
	var docs []docRef
	if cur, ok := ix.cursors.get(key, offset); ok && cur.bitmap {
		docs = topAfter(sv, bms, limit, order == SortTimeAsc, ix.denseScan, true, &cur.ref)
	} else {
		docs = topByTime(sv, bms, offset+limit, order == SortTimeAsc, ix.denseScan, true)
		docs = docs[min(offset, len(docs)):]
	}
	if len(docs) > 0 {
		ix.cursors.put(key, offset+len(docs), cursor{ref: docs[len(docs)-1], bitmap: true})
	}
	if out.Hits, err = loadHits(sv, docs, needles, q.Highlight); err != nil {
		return nil, err
	}
	return out, nil
}

// bitmapMatches opens a snapshot and evaluates main in it as per-segment bitmaps; out has the
// total and, when q asks, the facets. The caller closes sv (nil on error).
func (ix *Index) bitmapMatches(ctx context.Context, q Query, main query.Query) (*snapView, []*roaring.Bitmap, *Result, error) {
	sv, err := ix.snapshot()
	if err != nil {
		return nil, nil, nil, err
	}
	bms, total, err := matches(ctx, sv, main)
	if err != nil {
		sv.Close()
		return nil, nil, nil, err
	}
	out := &Result{Total: total}
	if q.Facets {
		if out.Facets, err = facetCounts(sv, bms); err != nil {
			sv.Close()
			return nil, nil, nil, err
		}
	}
	return sv, bms, out, nil
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

// docRef is one match with its sort key, normalised so that the larger key comes first in the
// page order whatever the direction: newest first uses (time, seq) as they are, oldest first
// their reverses, and a document without a time has the smallest k1 either way (last, as bleve
// sorts missing values).
type docRef struct {
	k1  int64
	k2  uint64
	seg int32
	doc uint32
}

// refOf builds the key of document d of segment si.
func refOf(cols *segCols, si int, d uint32, asc bool) docRef {
	t, seq := cols.t[d], cols.seq[d]
	if asc {
		if t != noTime {
			t = -t // t > MinInt64, so -t neither overflows nor reaches noTime
		}
		seq = ^seq
	}
	return docRef{k1: t, k2: seq, seg: int32(si), doc: d}
}

// before reports whether a comes before b in the page order; ties (two versions of one record)
// by position, so the order is total.
func (a docRef) before(b docRef) bool {
	if a.k1 != b.k1 {
		return a.k1 > b.k1
	}
	if a.k2 != b.k2 {
		return a.k2 > b.k2
	}
	if a.seg != b.seg {
		return a.seg < b.seg
	}
	return a.doc < b.doc
}

// worstFirst is a heap of at most k matches whose root is the one that would be shown last.
type worstFirst []docRef

// offer adds r when fewer than k are kept or r beats the worst kept match.
func (h *worstFirst) offer(r docRef, k int) { *h = keepBest(*h, r, k, shownAfter) }

// shownAfter reports whether a comes after b in the page order.
func shownAfter(a, b docRef) bool { return b.before(a) }

// denseScan is the number of matches in a segment above which topByTime visits it block by
// block, most promising block first, instead of match by match: a block costs an iterator seek,
// so only segments with a handful of matches are cheaper to scan whole.
const denseScan uint64 = 256

// blockRef is one block of a segment with the best time any of its documents has.
type blockRef struct {
	bound int64
	seg   int
	blk   int
}

// topByTime returns the first k matches in time order (sorted only when sorted is set).
// Segments with few matches are scanned whole; the others are visited in blocks ordered by
// their newest (oldest) time, and the scan stops at the first block that cannot hold a better
// match than the worst of the k kept: records arrive roughly in time order, so a newest-first
// page of a common word reads a few blocks instead of every match.
func topByTime(sv *snapView, bms []*roaring.Bitmap, k int, asc bool, dense uint64, sorted bool) []docRef {
	return topAfter(sv, bms, k, asc, dense, sorted, nil)
}

// topAfter is topByTime over the matches that come after the cursor in the order (all when nil).
// Blocks wholly before the cursor are skipped, so continuing a deep page costs what the first
// page costs.
func topAfter(sv *snapView, bms []*roaring.Bitmap, k int, asc bool, dense uint64, sorted bool, after *docRef) []docRef {
	if k <= 0 {
		return nil
	}
	// When only the set of the first k counts (relevance candidates), matches are collected and
	// cut to the first k by selection, which costs less than keeping a heap of thousands; once
	// k are kept, only matches before the worst of them are collected.
	selecting := !sorted && after == nil
	h := make(worstFirst, 0, min(k, 1<<16))
	if selecting {
		h = make(worstFirst, 0, 2*k+colBlock)
	}
	var kept *docRef // selecting: the last of the k kept, once k were
	offer := func(r docRef) {
		switch {
		case selecting:
			if kept == nil || r.before(*kept) {
				h = append(h, r)
			}
		// Only the order key counts against a cursor: seg and doc change when segments merge
		// between two pages, and equal keys mean the same record (seq is unique).
		case after == nil || r.k1 < after.k1 || r.k1 == after.k1 && r.k2 < after.k2:
			h.offer(r, k)
		}
	}
	cut := func() { // selecting: keep the first k, and note the last of them
		if len(h) >= k && (kept == nil || len(h) >= 2*k) {
			selectFirst(h, k)
			h = h[:k]
			w := h[k-1]
			for _, r := range h[:k-1] {
				if w.before(r) {
					w = r
				}
			}
			kept = &w
		}
	}
	var blocks []blockRef
	buf := make([]uint32, 256)
	arrays := make([][]uint32, len(sv.segs))
	for si := range sv.segs {
		bm := bms[si]
		cols := sv.segs[si].cols
		if bm.GetCardinality() <= dense {
			it := bm.ManyIterator()
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for _, d := range buf[:n] {
					offer(refOf(cols, si, d, asc))
				}
			}
			continue
		}
		for b := range cols.newest {
			if after != nil && after.k1 != noTime && !cols.untimed[b] &&
				(!asc && cols.oldest[b] > after.k1 || asc && cols.newest[b] < -after.k1) {
				continue // every document of the block comes before the cursor
			}
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
		if selecting {
			cut()
		}
		if len(h) >= k {
			// Stop at the first block whose best time cannot beat the worst kept match; every
			// later block is as bad or worse. (Equal times may still win on seq.)
			worst := h[0].k1
			if selecting {
				worst = kept.k1
			}
			bound := br.bound
			if asc && bound != math.MaxInt64 {
				bound = -bound
			}
			if worst != noTime && (bound < worst || asc && br.bound == math.MaxInt64) {
				break
			}
		}
		cols := sv.segs[br.seg].cols
		for _, d := range blockDocs(arrays, bms, br) {
			offer(refOf(cols, br.seg, d, asc))
		}
	}
	if selecting && len(h) > k {
		selectFirst(h, k)
		h = h[:k]
	}
	out := []docRef(h)
	if sorted {
		slices.SortFunc(out, func(a, b docRef) int {
			if a.before(b) {
				return -1
			}
			if b.before(a) {
				return 1
			}
			return 0
		})
	}
	return out
}

// selectFirst reorders refs so that its first k are the k that come first in the page order
// (in no particular order among themselves): quickselect, linear on average.
func selectFirst(refs []docRef, k int) {
	lo, hi := 0, len(refs)-1
	for lo < hi {
		// Median of three as the pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if refs[mid].before(refs[lo]) {
			refs[mid], refs[lo] = refs[lo], refs[mid]
		}
		if refs[hi].before(refs[lo]) {
			refs[hi], refs[lo] = refs[lo], refs[hi]
		}
		if refs[mid].before(refs[hi]) {
			refs[mid], refs[hi] = refs[hi], refs[mid]
		}
		pivot := refs[hi]
		p := lo
		for i := lo; i < hi; i++ {
			if refs[i].before(pivot) {
				refs[i], refs[p] = refs[p], refs[i]
				p++
			}
		}
		refs[p], refs[hi] = refs[hi], refs[p]
		switch {
		case p == k || p == k-1:
			return
		case p < k:
			lo = p + 1
		default:
			hi = p - 1
		}
	}
}

// blockDocs returns the matches of one block of a segment: a slice of the segment's matches as
// a sorted array, made the first time one of its blocks is visited (cheaper than a bitmap
// iterator per block).
func blockDocs(arrays [][]uint32, bms []*roaring.Bitmap, br blockRef) []uint32 {
	a := arrays[br.seg]
	if a == nil {
		a = bms[br.seg].ToArray()
		arrays[br.seg] = a
	}
	lo, hi := uint32(br.blk*colBlock), uint32((br.blk+1)*colBlock)
	i, _ := slices.BinarySearch(a, lo)
	j, _ := slices.BinarySearch(a[i:], hi)
	return a[i : i+j]
}

// placed is a document reference loadHits can load: its segment and number.
type placed interface {
	place() (seg int32, doc uint32)
}

func (d docRef) place() (int32, uint32)    { return d.seg, d.doc }
func (d scoredDoc) place() (int32, uint32) { return d.seg, d.doc }

// loadHits loads the hits of refs on segWorkers goroutines: a page's twenty stored documents
// are read and their snippets built in about half the time.
func loadHits[T placed](sv *snapView, refs []T, needles [][]rune, mark bool) ([]Hit, error) {
	hits := make([]Hit, len(refs))
	err := eachSegment(len(refs), func(i int) error {
		seg, doc := refs[i].place()
		var err error
		hits[i], err = loadHit(&sv.segs[seg], doc, needles, mark)
		return err
	})
	if err != nil {
		return nil, err
	}
	return hits, nil
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
