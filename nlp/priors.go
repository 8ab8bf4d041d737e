package nlp

import (
	_ "embed"
	"strings"

	"minyi/learn"
)

// Prior knowledge shipped in the binary beside the models: fixed resources
// like the dictionary, derived by priors_gen_test.go from public data that is
// not evaluation data, and read where they lie (no parsing at load, no state).
//
// data/taxonomy.bin holds the words of the level-2 and level-3 names of the
// Teddy 2020 message category tree (附件1, 517 rows), each with the level-1
// classes whose subtree names it ("网约车" → 交通运输). The category model
// reads them as "k:<class>" features, and as "K:<class>" when the word is
// also in the title.
//
//go:embed data/taxonomy.bin
var taxonomyTable string

// priorTable is a read-only open-addressing hash table in the format
// priors_gen_test.go writes: magic "MNYT", a version byte, the number of
// labels, then each label as a length byte and its bytes, the number of slots
// as a little-endian uint32 (a power of two), the slots' keys (little-endian
// uint64 feature hashes as learn.Hasher sums them, 0 = empty) and their
// little-endian uint16 values. A key sits at its hash masked to the slots, or
// after it by linear probing.
type priorTable struct {
	labels []string
	slots  uint64
	keys   string // slots × 8 bytes
	vals   string // slots × 2 bytes
}

// priorTableVersion is the format version priors_gen_test.go writes.
const priorTableVersion = 1

// openPriorTable reads the header of a table; ok is false when b is not one
// (the shipped tables always are: TestPriorTablesUpToDate).
func openPriorTable(b string) (t priorTable, ok bool) {
	if !strings.HasPrefix(b, "MNYT") || len(b) < 6 || b[4] != priorTableVersion {
		return t, false
	}
	n, p := int(b[5]), 6
	for range n {
		if p >= len(b) || p+1+int(b[p]) > len(b) {
			return t, false
		}
		t.labels = append(t.labels, b[p+1:p+1+int(b[p])])
		p += 1 + int(b[p])
	}
	if p+4 > len(b) {
		return t, false
	}
	t.slots = uint64(b[p]) | uint64(b[p+1])<<8 | uint64(b[p+2])<<16 | uint64(b[p+3])<<24
	p += 4
	if t.slots == 0 || t.slots&(t.slots-1) != 0 || uint64(len(b)-p) != t.slots*10 {
		return priorTable{}, false
	}
	t.keys, t.vals = b[p:p+int(t.slots)*8], b[p+int(t.slots)*8:]
	return t, true
}

// lookup returns the value stored for hash h.
func (t *priorTable) lookup(h uint64) (uint16, bool) {
	if h == 0 || t.slots == 0 {
		return 0, false
	}
	mask := t.slots - 1
	for i := h & mask; ; i = (i + 1) & mask {
		k := t.keys[i*8 : i*8+8]
		key := uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
			uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
		switch key {
		case h:
			return uint16(t.vals[2*i]) | uint16(t.vals[2*i+1])<<8, true
		case 0:
			return 0, false
		}
	}
}

// wordHash is the hash of a word feature, "w:"+w, as featureBuf.extract gives it.
func wordHash(w string) uint64 { return learn.NewHasher().String("w:").String(w).Sum() }

// priors are the shipped tables, opened, with the feature hashes of their labels.
type priors struct {
	taxonomy     priorTable
	taxHash      []uint64 // per taxonomy label: "k:"+label
	taxTitleHash []uint64 // per taxonomy label: "K:"+label
}

// openPriors opens the shipped tables. A table that does not open reads as
// empty (it never happens with the shipped files; TestPriorTablesUpToDate).
func openPriors() *priors {
	p := &priors{}
	if t, ok := openPriorTable(taxonomyTable); ok && len(t.labels) <= 16 {
		p.taxonomy = t
	}
	for _, l := range p.taxonomy.labels {
		p.taxHash = append(p.taxHash, learn.Hash("k:"+l))
		p.taxTitleHash = append(p.taxTitleHash, learn.Hash("K:"+l))
	}
	return p
}

// taxonomyHits calls emit for each level-1 class of the category tree that
// each word names (data/taxonomy.bin: a bit per class), in word order and
// class order; inTitle says whether the word also occurs in the text's first
// line. hashes are the words' "w:" hashes when the caller has them (nil: hash
// here).
func (p *priors) taxonomyHits(text string, words []string, hashes []uint64, emit func(class int, inTitle bool)) {
	if p.taxonomy.slots == 0 {
		return
	}
	title := text
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		title = text[:i]
	}
	for i, w := range words {
		var h uint64
		if hashes != nil {
			h = hashes[i]
		} else {
			h = wordHash(w)
		}
		classes, ok := p.taxonomy.lookup(h)
		if !ok {
			continue
		}
		inTitle := strings.Contains(title, w)
		for c := 0; classes != 0; c, classes = c+1, classes>>1 {
			if classes&1 != 0 {
				emit(c, inTitle)
			}
		}
	}
}
