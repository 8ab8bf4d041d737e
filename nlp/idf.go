package nlp

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"minyi/internal/atomicfile"
)

// IDFFile is the name of the bureau's keyword IDF table in <data>/models, written by
// `minyi train keywords` and read at start by LoadIDFFile.
const IDFFile = "idf.bin"

// idfMagic opens every IDF file; idfFormat changes whenever the layout does.
const (
	idfMagic  = "MYIDF\x00\x00\x01"
	idfFormat = 1
)

// commonShare and commonMinDocs make a bureau's own stop words: in a table built from at
// least commonMinDocs messages, a word found in more than commonShare of them (您好, 反映,
// 市民 in a petition corpus) says nothing about any one message and is never a keyword.
const (
	commonShare   = 0.5
	commonMinDocs = 20
)

// newIDF makes the table of a corpus of docs messages from the document frequency of its words.
func newIDF(docs int, df map[string]int) *IDF {
	n := float64(docs)
	t := &IDF{Docs: docs, Default: math.Log(n+1) + 1, Values: make(map[string]float64, len(df))}
	for w, c := range df {
		t.Values[w] = math.Log((n+1)/(float64(c)+1)) + 1
	}
	t.setCommon()
	return t
}

// setCommon sets Common from Docs: the IDF of a word in commonShare of the documents.
func (t *IDF) setCommon() {
	t.Common = 0
	if t.Docs >= commonMinDocs {
		n := float64(t.Docs)
		t.Common = math.Log((n+1)/(n*commonShare+1)) + 1
	}
}

// IDFBuilder counts in how many messages of a corpus each keyword candidate occurs, segmenting
// every message once with the analyzer's segmentation. Add is safe for concurrent use.
type IDFBuilder struct {
	a    *Analyzer
	mu   sync.Mutex
	df   map[string]int
	docs int
}

// NewIDFBuilder starts an IDF table for this analyzer's keywords.
func (a *Analyzer) NewIDFBuilder() *IDFBuilder {
	return &IDFBuilder{a: a, df: make(map[string]int)}
}

// Add counts one message, read as Analyze reads it (title+"\n"+body).
func (b *IDFBuilder) Add(title, body string) {
	sc := b.a.pool.Get().(*scratch)
	defer b.a.pool.Put(sc)
	text := title + "\n" + body
	segs := b.a.dict.cut(text, sc)
	texts := sc.fillTexts(segs)
	words := make([]string, 0, len(segs)/2)
	for k, s := range segs {
		if b.a.keywordCandidate(s, texts[k]) {
			words = append(words, texts[k])
		}
	}
	slices.Sort(words)
	words = slices.Compact(words)
	b.mu.Lock()
	for _, w := range words {
		if c, ok := b.df[w]; ok {
			b.df[w] = c + 1
		} else {
			// w may slice the message: a copy keeps the table from holding every message alive.
			b.df[strings.Clone(w)] = 1
		}
	}
	b.docs++
	b.mu.Unlock()
}

// Docs is how many messages were added.
func (b *IDFBuilder) Docs() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.docs
}

// IDF returns the table of the messages added so far.
func (b *IDFBuilder) IDF() *IDF {
	b.mu.Lock()
	defer b.mu.Unlock()
	return newIDF(b.docs, b.df)
}

// MarshalBinary encodes the table compactly: magic, format, document count, word count, then
// the words in byte order, each as the length of the prefix it shares with the previous word,
// the rest of its bytes and its IDF as a float32, and a CRC-32C of everything before it.
func (t *IDF) MarshalBinary() ([]byte, error) {
	words := slices.Sorted(maps.Keys(t.Values))
	b := make([]byte, 0, 32+len(words)*10)
	b = append(b, idfMagic...)
	b = binary.LittleEndian.AppendUint32(b, idfFormat)
	b = binary.AppendUvarint(b, uint64(t.Docs))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(t.Default)))
	b = binary.AppendUvarint(b, uint64(len(words)))
	prev := ""
	for _, w := range words {
		p := 0
		for p < len(w) && p < len(prev) && w[p] == prev[p] {
			p++
		}
		b = binary.AppendUvarint(b, uint64(p))
		b = binary.AppendUvarint(b, uint64(len(w)-p))
		b = append(b, w[p:]...)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(t.Values[w])))
		prev = w
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable)), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote; a damaged, truncated or other-format
// table is ErrBadIDF.
func (t *IDF) UnmarshalBinary(b []byte) error {
	le := binary.LittleEndian
	if len(b) < len(idfMagic)+4+4 || !bytes.Equal(b[:len(idfMagic)], []byte(idfMagic)) {
		return fmt.Errorf("not an IDF table: %w", ErrBadIDF)
	}
	if v := le.Uint32(b[len(idfMagic):]); v != idfFormat {
		return fmt.Errorf("IDF format %d, this version reads %d: %w", v, idfFormat, ErrBadIDF)
	}
	body, sum := b[:len(b)-4], le.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return fmt.Errorf("IDF checksum mismatch: %w", ErrBadIDF)
	}
	p := body[len(idfMagic)+4:]
	bad := fmt.Errorf("truncated IDF table: %w", ErrBadIDF)
	uv := func() (int, bool) {
		v, n := binary.Uvarint(p)
		if n <= 0 || v > math.MaxInt32 {
			return 0, false
		}
		p = p[n:]
		return int(v), true
	}
	docs, ok := uv()
	if !ok || len(p) < 4 {
		return bad
	}
	def := float64(math.Float32frombits(le.Uint32(p)))
	p = p[4:]
	nw, ok := uv()
	if !ok || nw > len(p) {
		return bad
	}
	vals := make(map[string]float64, nw)
	var prev []byte
	for range nw {
		shared, ok1 := uv()
		rest, ok2 := uv()
		if !ok1 || !ok2 || shared > len(prev) || rest > len(p) || len(p)-rest < 4 {
			return bad
		}
		w := append(prev[:shared:shared], p[:rest]...)
		vals[string(w)] = float64(math.Float32frombits(le.Uint32(p[rest:])))
		p = p[rest+4:]
		prev = w
	}
	if len(p) != 0 {
		return fmt.Errorf("IDF table has %d bytes after its words: %w", len(p), ErrBadIDF)
	}
	*t = IDF{Docs: docs, Default: def, Values: vals}
	t.setCommon()
	return nil
}

// SaveIDFFile writes the table to dir/idf.bin atomically (temporary file, sync, rename), so a
// crash never leaves a half-written table behind, and returns the file's path.
func SaveIDFFile(dir string, t *IDF) (string, error) {
	b, err := t.MarshalBinary()
	if err != nil {
		return "", fmt.Errorf("编码关键词 IDF 表失败：%w", err)
	}
	path, err := atomicfile.Write(dir, IDFFile, b)
	if err != nil {
		return "", fmt.Errorf("保存关键词 IDF 表失败：%w", err)
	}
	return path, nil
}

// LoadIDFFile reads dir/idf.bin; ok is false when there is none. A damaged file is an error
// naming it (wrapping ErrBadIDF).
func LoadIDFFile(dir string) (t *IDF, ok bool, err error) {
	path := filepath.Join(dir, IDFFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("读取关键词 IDF 表 %s 失败：%w", path, err)
	}
	t = new(IDF)
	if err := t.UnmarshalBinary(b); err != nil {
		return nil, false, fmt.Errorf("关键词 IDF 表 %s 已损坏或版本不符，请重新运行 minyi train keywords：%w", path, err)
	}
	return t, true, nil
}

// CommonWords lists the words the table keeps out of the keywords for being in more than half
// of its documents, most common first.
func (t *IDF) CommonWords() []string {
	var out []string
	for w, v := range t.Values {
		if v <= t.Common {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(x, y string) int {
		if c := cmp.Compare(t.Values[x], t.Values[y]); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	})
	return out
}
