package nlp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// cacheMagic opens every dictionary cache file; cacheFormat changes whenever the layout does.
const (
	cacheMagic  = "MYDICT\x00\x01"
	cacheFormat = 4
)

// ErrCacheStale means the dictionary cache was written from other sources or by another
// version of Minyi; it is rebuilt.
var ErrCacheStale = errors.New("dictionary cache is stale")

// ErrCacheCorrupt means the dictionary cache failed its checksum or is truncated; it is rebuilt.
var ErrCacheCorrupt = errors.New("dictionary cache is corrupt")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// cachePath names the cache file for the given source hash version.
func cachePath(dir string) string {
	return filepath.Join(dir, fmt.Sprintf("nlp-dict-v%d.bin", cacheFormat))
}

// encode writes the dictionary with the hash of the sources it was built from.
func (d *dictionary) encode(srcHash [32]byte) []byte {
	n := len(d.label)
	size := 8 + 4 + 32 + 4*6 + n*(4+4+4+4+1) + 4
	for _, p := range d.posNames {
		size += 2 + len(p)
	}
	b := make([]byte, 0, size+16)
	le := binary.LittleEndian
	b = append(b, cacheMagic...)
	b = le.AppendUint32(b, cacheFormat)
	b = append(b, srcHash[:]...)
	b = le.AppendUint32(b, uint32(n))
	b = le.AppendUint32(b, uint32(len(d.posNames)))
	b = le.AppendUint32(b, math.Float32bits(d.minLogP))
	b = le.AppendUint32(b, math.Float32bits(d.maxIDF))
	b = le.AppendUint32(b, math.Float32bits(d.medIDF))
	b = le.AppendUint32(b, 0) // reserved
	for _, v := range d.label {
		b = le.AppendUint32(b, uint32(v))
	}
	for _, v := range d.first {
		b = le.AppendUint32(b, v)
	}
	for _, v := range d.logp {
		b = le.AppendUint32(b, math.Float32bits(v))
	}
	for _, v := range d.idf {
		b = le.AppendUint32(b, math.Float32bits(v))
	}
	b = append(b, d.pos...)
	for _, p := range d.posNames {
		b = le.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	b = le.AppendUint32(b, uint32(len(d.general)))
	for _, w := range slices.Sorted(maps.Keys(d.general)) {
		info := d.general[w]
		b = le.AppendUint16(b, uint16(len(w)))
		b = append(b, w...)
		b = le.AppendUint32(b, math.Float32bits(info.freq))
		b = append(b, byte(len(info.pos)))
		b = append(b, info.pos...)
	}
	return le.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// decodeDictionary reads what encode wrote, checking magic, format, source hash and checksum.
func decodeDictionary(b []byte, srcHash [32]byte) (*dictionary, error) {
	le := binary.LittleEndian
	if len(b) < 8+4+32+24+4 || !bytes.Equal(b[:8], []byte(cacheMagic)) {
		return nil, ErrCacheCorrupt
	}
	if le.Uint32(b[8:]) != cacheFormat || !bytes.Equal(b[12:44], srcHash[:]) {
		return nil, ErrCacheStale
	}
	body, sum := b[:len(b)-4], le.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, ErrCacheCorrupt
	}
	p := body[44:]
	n := int(le.Uint32(p))
	np := int(le.Uint32(p[4:]))
	d := &dictionary{
		minLogP: math.Float32frombits(le.Uint32(p[8:])),
		maxIDF:  math.Float32frombits(le.Uint32(p[12:])),
		medIDF:  math.Float32frombits(le.Uint32(p[16:])),
	}
	p = p[24:]
	if n <= 0 || len(p) < n*17+4 {
		return nil, ErrCacheCorrupt
	}
	d.label = make([]rune, n)
	for i := range d.label {
		d.label[i] = rune(le.Uint32(p[4*i:]))
	}
	p = p[4*n:]
	d.first = make([]uint32, n+1)
	for i := range d.first {
		d.first[i] = le.Uint32(p[4*i:])
	}
	p = p[4*(n+1):]
	d.logp = make([]float32, n)
	for i := range d.logp {
		d.logp[i] = math.Float32frombits(le.Uint32(p[4*i:]))
	}
	p = p[4*n:]
	d.idf = make([]float32, n)
	for i := range d.idf {
		d.idf[i] = math.Float32frombits(le.Uint32(p[4*i:]))
	}
	p = p[4*n:]
	if len(p) < n {
		return nil, ErrCacheCorrupt
	}
	d.pos = append([]uint8(nil), p[:n]...)
	p = p[n:]
	for i := 0; i < np; i++ {
		if len(p) < 2 || len(p) < 2+int(le.Uint16(p)) {
			return nil, ErrCacheCorrupt
		}
		l := int(le.Uint16(p))
		d.posNames = append(d.posNames, string(p[2:2+l]))
		p = p[2+l:]
	}
	if len(p) < 4 || np == 0 {
		return nil, ErrCacheCorrupt
	}
	ng := int(le.Uint32(p))
	p = p[4:]
	d.general = make(map[string]wordInfo, ng)
	for i := 0; i < ng; i++ {
		if len(p) < 2 || len(p) < 2+int(le.Uint16(p))+5 {
			return nil, ErrCacheCorrupt
		}
		l := int(le.Uint16(p))
		w := string(p[2 : 2+l])
		p = p[2+l:]
		info := wordInfo{freq: math.Float32frombits(le.Uint32(p))}
		pl := int(p[4])
		if len(p) < 5+pl {
			return nil, ErrCacheCorrupt
		}
		info.pos = string(p[5 : 5+pl])
		p = p[5+pl:]
		d.general[w] = info
	}
	if len(p) != 0 {
		return nil, ErrCacheCorrupt
	}
	for i, f := range d.first {
		if int(f) > n || (i > 0 && f < d.first[i-1]) {
			return nil, ErrCacheCorrupt
		}
	}
	for _, pi := range d.pos {
		if int(pi) >= np {
			return nil, ErrCacheCorrupt
		}
	}
	d.root = make([]uint32, 1<<16)
	for c := d.first[0]; c < d.first[1]; c++ {
		if r := d.label[c]; r >= 0 && r < 1<<16 {
			d.root[r] = c
		}
	}
	d.indexEdges()
	return d, nil
}

// readCache loads the cached dictionary from dir.
func readCache(dir string, srcHash [32]byte) (*dictionary, error) {
	path := cachePath(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read dictionary cache %s: %w", path, err)
	}
	d, err := decodeDictionary(b, srcHash)
	if err != nil {
		return nil, fmt.Errorf("read dictionary cache %s: %w", path, err)
	}
	return d, nil
}

// writeCache stores the dictionary in dir atomically (temporary file, then rename), so a
// crash never leaves a half-written cache behind.
func writeCache(dir string, d *dictionary, srcHash [32]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create cache dir %s: %w", dir, err)
	}
	path := cachePath(dir)
	tmp, err := os.CreateTemp(dir, ".nlp-dict-*")
	if err != nil {
		return fmt.Errorf("write dictionary cache %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(d.encode(srcHash)); err != nil {
		tmp.Close()
		return fmt.Errorf("write dictionary cache %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write dictionary cache %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write dictionary cache %s: %w", path, err)
	}
	return nil
}
