package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// colDir is the folder, inside the index directory, holding one column file per persisted
// segment: reading a segment's sort columns from its doc values costs about a microsecond per
// document, too slow for opening a million-record index, so they are read once and kept.
const colDir = "minyi-cols"

// colMagic starts every column file; the version changes with the layout.
const colMagic = "minyi-cols-1\n"

// colPath is the column file of a persisted segment ("" for one still in memory).
func colPath(seg segment.Segment) string {
	ps, ok := seg.(segment.PersistedSegment)
	if !ok || ps.Path() == "" {
		return ""
	}
	store := filepath.Dir(ps.Path())
	return filepath.Join(filepath.Dir(store), colDir, filepath.Base(ps.Path())+".cols")
}

// load reads the columns of a segment of n documents from path; ok is false when the file is
// missing or does not fit the segment (it is then rebuilt).
func (c *segCols) load(path string, n uint64) bool {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) != len(colMagic)+8+16*int(n) || string(raw[:len(colMagic)]) != colMagic {
		return false
	}
	p := raw[len(colMagic):]
	if binary.LittleEndian.Uint64(p) != n {
		return false
	}
	p = p[8:]
	c.t = make([]int64, n)
	c.seq = make([]uint64, n)
	for i := range c.t {
		c.t[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
	}
	p = p[8*n:]
	for i := range c.seq {
		c.seq[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	return true
}

// save writes the columns to path atomically, then removes column files whose segment is gone
// (scorch deletes merged-away segment files).
func (c *segCols) save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	n := len(c.t)
	buf := make([]byte, 0, len(colMagic)+8+16*n)
	buf = append(buf, colMagic...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n))
	for _, t := range c.t {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(t))
	}
	for _, s := range c.seq {
		buf = binary.LittleEndian.AppendUint64(buf, s)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return removeStaleCols(filepath.Dir(path))
}

// removeStaleCols deletes the column files in dir whose segment file no longer exists.
func removeStaleCols(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	store := filepath.Join(filepath.Dir(dir), "store")
	var errs []error
	for _, e := range entries {
		seg, ok := strings.CutSuffix(e.Name(), ".cols")
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(store, seg)); errors.Is(err, os.ErrNotExist) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove stale column files: %w", err)
	}
	return nil
}

// noTime marks a document without a time in segCols.t; it sorts after every real time.
const noTime = math.MinInt64

// segCols are per-document sort keys of one segment, read once from its doc values. Segments
// never change, so the columns live as long as the segment is in use.
type segCols struct {
	once   sync.Once
	err    error
	byTime timeOrder // newestFirst, built on first use
	t      []int64   // Record.Time in unix nanoseconds, noTime when absent
	seq    []uint64  // Record.Seq

	// Per block of colBlock documents, the newest and oldest real time (MinInt64 and MaxInt64
	// when the block has none), so a time-ordered scan can skip blocks.
	newest, oldest []int64
	untimed        []bool // the block has a document without a time

	facets [len(facetFields)]facetCol // per facet field, its values in this segment
}

// colBlock is the number of documents one block bound covers.
const colBlock = 1024

// bounds computes the per-block newest and oldest times.
func (c *segCols) bounds() {
	nb := (len(c.t) + colBlock - 1) / colBlock
	c.newest = make([]int64, nb)
	c.oldest = make([]int64, nb)
	c.untimed = make([]bool, nb)
	for b := range nb {
		hi, lo := int64(math.MinInt64), int64(math.MaxInt64)
		for _, t := range c.t[b*colBlock : min(len(c.t), (b+1)*colBlock)] {
			if t != noTime {
				hi, lo = max(hi, t), min(lo, t)
			} else {
				c.untimed[b] = true
			}
		}
		c.newest[b], c.oldest[b] = hi, lo
	}
}

// colCache keeps the columns of the segments the latest snapshots use.
type colCache struct {
	mu   sync.Mutex
	m    map[segment.Segment]*colEntry
	gen  uint64
	last []segment.Segment
}

type colEntry struct {
	cols *segCols
	gen  uint64 // last snapshot generation that used the segment
}

func newColCache() *colCache { return &colCache{m: map[segment.Segment]*colEntry{}} }

// get returns the columns of segs, building missing ones. Entries no snapshot of the last two
// segment sets uses are dropped, so merged-away segments are released.
func (c *colCache) get(segs []segment.Segment) ([]*segCols, error) {
	c.mu.Lock()
	if !sameSegs(c.last, segs) {
		c.gen++
		c.last = append(c.last[:0], segs...)
		for s, e := range c.m {
			if e.gen+1 < c.gen {
				delete(c.m, s)
			}
		}
	}
	out := make([]*segCols, len(segs))
	for i, s := range segs {
		e := c.m[s]
		if e == nil {
			e = &colEntry{cols: &segCols{}}
			c.m[s] = e
		}
		e.gen = c.gen
		out[i] = e.cols
	}
	c.mu.Unlock()
	// Two workers: a fresh open reads many column files, a merge leaves one big segment to read.
	var wg sync.WaitGroup
	next := make(chan int, len(segs))
	for i := range segs {
		next <- i
	}
	close(next)
	for range min(2, len(segs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cols := out[i]
				cols.once.Do(func() { cols.err = cols.fill(segs[i]) })
			}
		}()
	}
	wg.Wait()
	for _, cols := range out {
		if cols.err != nil {
			return nil, cols.err
		}
	}
	return out, nil
}

// fill loads the segment's columns from its column file, or reads them from the doc values
// and writes the file for next time. The file is only a cache: failing to write it costs the
// next open a rebuild, so that error is not reported.
func (c *segCols) fill(seg segment.Segment) error {
	path := colPath(seg)
	if path == "" || !c.load(path, seg.Count()) {
		if err := c.build(seg); err != nil {
			return err
		}
		if path != "" {
			_ = c.save(path)
		}
	}
	c.bounds()
	return c.loadFacets(seg)
}

func (c *colCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.last = nil
}

func sameSegs(a, b []segment.Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// build reads every document's time and seq from the segment's doc values (the full-precision
// prefix-coded term of each numeric field).
func (c *segCols) build(seg segment.Segment) error {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return errSlowPath
	}
	n := seg.Count()
	c.t = make([]int64, n)
	c.seq = make([]uint64, n)
	for i := range c.t {
		c.t[i] = noTime
	}
	fields := []string{fTime, fSeq}
	var doc uint64
	visit := func(field string, term []byte) {
		pc := numeric.PrefixCoded(term)
		if shift, err := pc.Shift(); err != nil || shift != 0 {
			return
		}
		v, err := pc.Int64()
		if err != nil {
			return
		}
		if field == fTime {
			c.t[doc] = v
		} else {
			c.seq[doc] = uint64(numeric.Int64ToFloat64(v))
		}
	}
	var st segment.DocVisitState
	var err error
	for doc = 0; doc < n; doc++ {
		if st, err = dv.VisitDocValues(doc, fields, visit, st); err != nil {
			return fmt.Errorf("index sort columns: %w", err)
		}
	}
	return nil
}
