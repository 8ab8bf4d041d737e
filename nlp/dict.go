package nlp

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// dictEntry is one word offered to the dictionary builder.
type dictEntry struct {
	word string  // normalised (lower-case, half-width)
	freq float64 // corpus frequency; > 0
	pos  string  // part-of-speech tag, "" if unknown
	idf  float32 // inverse document frequency, 0 if unknown
}

// dictionary is a rune trie laid out in flat arrays so that it can be written to and read
// from the cache file without per-word allocation. Nodes are numbered breadth first, so the
// children of node n are the consecutive nodes first[n] … first[n+1]-1, sorted by label.
type dictionary struct {
	root     []uint32  // child of the root per BMP rune; 0 = none (node 0 is the root itself)
	starts   []uint64  // bit per BMP rune: root has a child along it (root in 8 KB, see mayStart)
	edges    []uint64  // the other edges, hashed (see indexEdges); nil = search the labels
	edgeBits uint8     // len(edges) = 1<<edgeBits
	label    []rune    // per node: the rune on the edge into it
	first    []uint32  // per node: its first child; len(first) = nodes+1
	logp     []float32 // per node: log probability of the word ending here; 0 = not a word
	idf      []float32 // per node: IDF of the word ending here; 0 = unknown
	pos      []uint8   // per node: index into posNames
	posNames []string
	general  map[string]wordInfo // place names as the general dictionary had them, before Minyi lifted them
	minLogP  float32             // log probability of an unseen single rune
	maxIDF   float32             // IDF of an unseen word
	medIDF   float32             // IDF used for words without an IDF value
}

// wordInfo is a word's frequency and part of speech in the general dictionary.
type wordInfo struct {
	freq float32
	pos  string
}

// buildDictionary builds the trie. Later duplicates of a word replace its frequency only
// when they are higher, so that domain terms can lift a general word.
func buildDictionary(entries []dictEntry) *dictionary {
	type rw struct {
		r []rune
		e dictEntry
	}
	byWord := make(map[string]int, len(entries))
	words := make([]rw, 0, len(entries))
	for _, e := range entries {
		if e.word == "" || e.freq <= 0 {
			continue
		}
		if i, ok := byWord[e.word]; ok {
			old := &words[i].e
			if e.freq > old.freq {
				old.freq = e.freq
			}
			if old.pos == "" {
				old.pos = e.pos
			}
			if old.idf == 0 {
				old.idf = e.idf
			}
			continue
		}
		byWord[e.word] = len(words)
		words = append(words, rw{r: []rune(e.word), e: e})
	}
	byWord = nil
	sort.Slice(words, func(i, j int) bool { return lessRunes(words[i].r, words[j].r) })

	total := 0.0
	var idfs []float64
	for _, w := range words {
		total += w.e.freq
		if w.e.idf > 0 {
			idfs = append(idfs, float64(w.e.idf))
		}
	}
	d := &dictionary{root: make([]uint32, 1<<16)}
	d.minLogP = float32(math.Log(1 / total))
	sort.Float64s(idfs)
	if len(idfs) > 0 {
		d.medIDF = float32(idfs[len(idfs)/2])
		d.maxIDF = float32(idfs[len(idfs)-1])
	} else {
		d.medIDF, d.maxIDF = 10, 12
	}
	posIdx := map[string]uint8{"": 0}
	d.posNames = []string{""}

	type span struct{ lo, hi, depth int }
	// Node ids equal queue positions: children are appended to both in the same order.
	queue := []span{{0, len(words), 0}}
	d.label = append(d.label, 0) // the root
	d.logp = append(d.logp, 0)
	d.idf = append(d.idf, 0)
	d.pos = append(d.pos, 0)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		lo := s.lo
		d.first = append(d.first, uint32(len(queue)))
		if lo < s.hi && len(words[lo].r) == s.depth { // the word ending at this node
			e := words[lo].e
			d.logp[qi] = float32(math.Log(e.freq / total))
			d.idf[qi] = e.idf
			pi, ok := posIdx[e.pos]
			if !ok && len(d.posNames) < 255 {
				pi = uint8(len(d.posNames))
				posIdx[e.pos] = pi
				d.posNames = append(d.posNames, e.pos)
			}
			d.pos[qi] = pi
			lo++
		}
		for i := lo; i < s.hi; {
			r := words[i].r[s.depth]
			j := i + 1
			for j < s.hi && words[j].r[s.depth] == r {
				j++
			}
			child := uint32(len(queue))
			queue = append(queue, span{i, j, s.depth + 1})
			d.label = append(d.label, r)
			d.logp = append(d.logp, 0)
			d.idf = append(d.idf, 0)
			d.pos = append(d.pos, 0)
			if qi == 0 && r < 1<<16 {
				d.root[r] = child
			}
			i = j
		}
	}
	d.first = append(d.first, uint32(len(queue)))
	d.indexEdges()
	return d
}

// buildTrie builds only the structure of a trie (root, label, first and the edge table; no
// word data) over distinct words, numbering nodes as buildDictionary does, and returns the
// node each word ends at. It is the gazetteer's name index: lighter to build than a dictionary.
func buildTrie(words []string) (*dictionary, []uint32) {
	rs := make([][]rune, len(words))
	order := make([]int, len(words))
	nodes := 1 // at most: the root and one per rune
	for i, w := range words {
		rs[i], order[i] = []rune(w), i
		nodes += len(rs[i])
	}
	sort.Slice(order, func(i, j int) bool { return lessRunes(rs[order[i]], rs[order[j]]) })
	ends := make([]uint32, len(words))
	d := &dictionary{root: make([]uint32, 1<<16), label: make([]rune, 1, nodes), first: make([]uint32, 0, nodes+1)}
	type span struct{ lo, hi, depth int32 }
	queue := make([]span, 1, nodes)
	queue[0] = span{0, int32(len(order)), 0}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		lo := s.lo
		d.first = append(d.first, uint32(len(queue)))
		if lo < s.hi && len(rs[order[lo]]) == int(s.depth) {
			ends[order[lo]] = uint32(qi)
			lo++
		}
		for i := lo; i < s.hi; {
			r := rs[order[i]][s.depth]
			j := i + 1
			for j < s.hi && rs[order[j]][s.depth] == r {
				j++
			}
			child := uint32(len(queue))
			queue = append(queue, span{i, j, s.depth + 1})
			d.label = append(d.label, r)
			if qi == 0 && r < 1<<16 {
				d.root[r] = child
			}
			i = j
		}
	}
	d.first = append(d.first, uint32(len(queue)))
	d.indexEdges()
	return d, ends
}

// Edge table entries: parent<<edgeParentShift | rune<<edgeRuneShift | child. The
// runes of the table are below 1<<edgeRuneBits (all of the BMP and the CJK
// extensions of planes 2 and 3); edges on other runes are found by searching.
const (
	edgeRuneBits    = 18
	edgeNodeBits    = 23
	edgeRuneShift   = edgeNodeBits
	edgeParentShift = edgeRuneBits + edgeNodeBits
)

// mayStart reports whether some word may start with r: false only for a BMP rune the root
// has no child along. Its table is small enough to stay in the nearest cache, unlike root,
// so it skips runes cheaply where few start a word (phrases, place names).
func (d *dictionary) mayStart(r rune) bool {
	return r < 0 || r >= 1<<16 || d.starts[r>>6]>>(r&63)&1 != 0
}

// indexEdges builds the hash table of the edges out of nodes other than the
// root, so that child costs one memory access instead of a binary search over
// up to thousands of labels. Tries with 1<<edgeNodeBits nodes or more keep
// searching. It also fills starts from root.
func (d *dictionary) indexEdges() {
	d.starts = make([]uint64, 1<<16/64)
	for r, c := range d.root {
		if c != 0 {
			d.starts[r>>6] |= 1 << (r & 63)
		}
	}
	d.edges = nil
	n := len(d.label)
	if n >= 1<<edgeNodeBits || len(d.first) != n+1 {
		return
	}
	e := n - int(d.first[1]-d.first[0])
	bits := uint8(10)
	for 1<<bits < 2*e {
		bits++
	}
	edges := make([]uint64, 1<<bits)
	mask := uint64(len(edges) - 1)
	for p := 1; p < n; p++ {
		for c := d.first[p]; c < d.first[p+1]; c++ {
			r := d.label[c]
			if r < 0 || r >= 1<<edgeRuneBits {
				continue
			}
			key := uint64(p)<<edgeRuneBits | uint64(r)
			i := edgeSlot(key, bits)
			for edges[i] != 0 {
				i = (i + 1) & mask
			}
			edges[i] = key<<edgeRuneShift | uint64(c)
		}
	}
	d.edges, d.edgeBits = edges, bits
}

// edgeSlot is the first slot of an edge key (parent<<edgeRuneBits | rune) in a table of 1<<bits.
func edgeSlot(key uint64, bits uint8) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> (64 - bits)
}

func lessRunes(a, b []rune) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// child returns the child of node n along rune r, or 0. Its common first step, from the root
// along a BMP rune, is inlined; the others are childEdge.
func (d *dictionary) child(n uint32, r rune) uint32 {
	if n == 0 && r >= 0 && r < 1<<16 {
		return d.root[r]
	}
	return d.childEdge(n, r)
}

// childEdge is child past the root, or along a rune beyond the BMP (child answers the rest).
func (d *dictionary) childEdge(n uint32, r rune) uint32 {
	if n != 0 && d.edges != nil && r >= 0 && r < 1<<edgeRuneBits {
		key := uint64(n)<<edgeRuneBits | uint64(r)
		mask := uint64(len(d.edges) - 1)
		for i := edgeSlot(key, d.edgeBits); ; i = (i + 1) & mask {
			e := d.edges[i]
			if e == 0 {
				return 0
			}
			if e>>edgeRuneShift == key {
				return uint32(e & (1<<edgeNodeBits - 1))
			}
		}
	}
	lo, hi := int(d.first[n]), int(d.first[n+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.label[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < int(d.first[n+1]) && d.label[lo] == r {
		return uint32(lo)
	}
	return 0
}

// lookup returns the node of word w (normalised) if it is a dictionary word.
func (d *dictionary) lookup(w string) (uint32, bool) {
	n := uint32(0)
	for _, r := range w {
		n = d.child(n, r)
		if n == 0 {
			return 0, false
		}
	}
	return n, n != 0 && d.logp[n] != 0
}

// posOf returns the part-of-speech tag of node n.
func (d *dictionary) posOf(n uint32) string {
	if int(n) >= len(d.pos) {
		return ""
	}
	return d.posNames[d.pos[n]]
}

// words returns the number of words in the dictionary.
func (d *dictionary) words() int {
	c := 0
	for _, l := range d.logp {
		if l != 0 {
			c++
		}
	}
	return c
}

// normRune folds full-width ASCII to half-width and upper-case ASCII to lower-case, the
// normalisation of token texts, dictionary words and queries.
func normRune(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	} else if r == 0x3000 {
		r = ' '
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	return r
}

// Normalize returns s the way Minyi compares words: full-width ASCII folded to half-width,
// Latin letters lower-cased, invalid UTF-8 bytes replaced by U+FFFD. Token texts and Words are normalised this way.
func Normalize(s string) string {
	need := false
	for _, r := range s {
		if normRune(r) != r || r == utf8.RuneError {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(normRune(r))
	}
	return b.String()
}
