package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
