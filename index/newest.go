package index

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// timeOrder is a segment's documents newest first (the order of refOf with asc false: time, then
// seq, descending; then document number), built the first time a query needs it and kept while
// the segment is in use: 4 bytes a document, and 1/8 byte for the sampled times.
type timeOrder struct {
	once  sync.Once
	order []uint32
	// sampled[j] is the time of order[j·timeSample]: a small array in which the number of
	// documents newer than a time is found to within timeSample without touching order.
	sampled []int64
}

// timeSample is the stride of timeOrder.sampled.
const timeSample = 64

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
		s := make([]int64, 0, (len(o)+timeSample-1)/timeSample)
		for j := 0; j < len(o); j += timeSample {
			s = append(s, c.t[o[j]])
		}
		c.byTime.order, c.byTime.sampled = o, s
	})
	return c.byTime.order
}

// newerThan is the number of the segment's documents with a time at or after t: the length of
// the prefix of newestFirst that holds them.
func (c *segCols) newerThan(t int64) int {
	o := c.newestFirst()
	s := c.byTime.sampled
	// The sampled times narrow the search to one stride of the order.
	j := sort.Search(len(s), func(i int) bool { return s[i] < t })
	lo, hi := max(0, (j-1)*timeSample), min(len(o), j*timeSample)
	return lo + sort.Search(hi-lo, func(i int) bool { return c.t[o[lo+i]] < t })
}

// aboutNewerThan is newerThan to within timeSample, from the sampled times alone.
func (c *segCols) aboutNewerThan(t int64) int {
	s := c.byTime.sampled
	return min(len(c.t), timeSample*sort.Search(len(s), func(i int) bool { return s[i] < t }))
}

// workSlice is how many documents of one segment, in time or number order, one goroutine takes
// at a time in newestSet.
const workSlice = 16384

// walkCost is what reading a document in time order costs (a bitmap lookup) against reading a
// match in number order (a bitmap iteration and a time compared), as profiles of the 1M bench
// put them (30-50 ns against 7-10 ns).
const walkCost = 4

// newestSet returns the newest k matches (unordered), the set topByTime gives, with the work
// spread over segWorkers goroutines. It estimates the time T at or after which about k·1.1 of
// the matches lie (as if each segment's matches were spread over time as its documents are),
// collects every match at or after T, and lowers T until at least k were found, so the newest k
// are among them. A segment's matches at or after T are found by walking its documents newest
// first when few documents are that new, else by reading its matches and their times. The work
// is cut into pieces of about slice documents (workSlice; tests lower it). The matches are
// appended to out (a buffer to reuse: a fresh one costs page faults that show in a query's time).
// Only the time of each is read (k2 is 0) unless the seq decides a tie at the k-th: reading
// seqs at random costs more than finding the matches.
func newestSet(sv *snapView, bms []*roaring.Bitmap, total uint64, k, slice int, out []docRef) []docRef {
	out = out[:0]
	if k <= 0 || total == 0 {
		return out
	}
	type seg struct {
		i     int
		cols  *segCols
		m     int     // matches
		share float64 // matches per document
		done  int     // how much of its time order was collected (documents newer than the last T)
	}
	var segs []*seg
	for si := range sv.segs {
		if m := bms[si].GetCardinality(); m > 0 && len(sv.segs[si].cols.t) > 0 {
			cols := sv.segs[si].cols
			segs = append(segs, &seg{i: si, cols: cols, m: int(m), share: float64(m) / float64(len(cols.t))})
		}
	}
	_ = eachSegment(len(segs), func(i int) error { segs[i].cols.newestFirst(); return nil })
	lo, hi := int64(noTime), int64(noTime) // the oldest and newest real times
	for _, s := range segs {
		o := s.cols.byTime.order
		hi = max(hi, s.cols.t[o[0]])
		if n := s.cols.newerThan(noTime + 1); n > 0 {
			if old := s.cols.t[o[n-1]]; lo == noTime || old < lo {
				lo = old
			}
		}
	}
	about := func(t int64) float64 { // the matches expected at or after t
		var e float64
		for _, s := range segs {
			e += s.share * float64(s.cols.aboutNewerThan(t))
		}
		return e
	}
	// One piece of work: positions lo..hi of segment s's time order (walk), or its documents
	// numbered lo..hi with a time in [from, before) (scan).
	type piece struct {
		s, lo, hi    int
		walk         bool
		from, before int64
	}
	var mu sync.Mutex
	before := int64(math.MaxInt64) // every document newer than this was collected
	for target := 1.1*float64(k) + timeSample*float64(len(segs)); ; target *= 2 {
		// The latest time at or after which about target matches are expected: bisect between
		// lo (every timed match) and hi+1 (none).
		t := int64(noTime)
		if hi != noTime && about(lo) >= target {
			a, b := lo, hi+1
			for b-a > 1 {
				mid := a + (b-a)/2
				e := about(mid)
				if e >= target {
					a = mid
					if e < 1.25*target {
						break
					}
				} else {
					b = mid
				}
			}
			t = a
		}
		var work []piece
		for _, s := range segs {
			end := len(s.cols.t)
			if t != noTime {
				end = s.cols.newerThan(t)
			}
			if end == s.done {
				continue
			}
			if walkCost*(end-s.done) < s.m {
				for p := s.done; p < end; p += slice {
					work = append(work, piece{s: s.i, lo: p, hi: min(end, p+slice), walk: true})
				}
			} else {
				step := max(slice, len(s.cols.t)*slice/s.m) // about slice matches a piece
				for d := 0; d < len(s.cols.t); d += step {
					work = append(work, piece{s: s.i, lo: d, hi: min(len(s.cols.t), d+step), from: t, before: before})
				}
			}
			s.done = end
		}
		// Each goroutine gathers its matches in a small batch of its own and adds a full batch
		// to out under the lock.
		type batch struct {
			refs [256]docRef
			n    int
		}
		batches := make([]batch, segmentWorkers(len(work)))
		flush := func(b *batch) {
			mu.Lock()
			out = append(out, b.refs[:b.n]...)
			mu.Unlock()
			b.n = 0
		}
		_ = eachSegmentBy(len(work), func(w, i int) error {
			b := &batches[w]
			add := func(r docRef) {
				b.refs[b.n] = r
				if b.n++; b.n == len(b.refs) {
					flush(b)
				}
			}
			p := work[i]
			bm, cols := bms[p.s], sv.segs[p.s].cols
			if p.walk {
				for _, d := range cols.byTime.order[p.lo:p.hi] {
					if bm.Contains(d) {
						add(docRef{k1: cols.t[d], seg: int32(p.s), doc: d})
					}
				}
				return nil
			}
			it := bm.Iterator()
			it.AdvanceIfNeeded(uint32(p.lo))
			for it.HasNext() {
				d := it.Next()
				if d >= uint32(p.hi) {
					break
				}
				if dt := cols.t[d]; dt >= p.from && dt < p.before {
					add(docRef{k1: dt, seg: int32(p.s), doc: d})
				}
			}
			return nil
		})
		for w := range batches {
			flush(&batches[w])
		}
		if len(out) >= k || t == noTime {
			break
		}
		before = t
	}
	if len(out) > k {
		selectFirst(out, k)
		// The matches as new as the k-th are in or out by their seq: read theirs and choose again.
		last := out[0].k1
		for _, r := range out[1:k] {
			last = min(last, r.k1)
		}
		for i := range out {
			if r := &out[i]; r.k1 == last {
				r.k2 = sv.segs[r.seg].cols.seq[r.doc]
			}
		}
		selectFirst(out, k)
		out = out[:k]
	}
	return out
}
