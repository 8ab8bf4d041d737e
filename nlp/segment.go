package nlp

import (
	"math"
	"unicode"
	"unicode/utf8"

	"minyi/domain"
)

// Token kinds the segmenter tells apart; only words and numbers carry meaning for search.
const (
	kindWord  uint8 = iota // a dictionary word or an unknown Han rune
	kindNum                // a number, possibly with a unit (1998年, 17%, 二○○○年)
	kindLatin              // a run of Latin letters and digits
	kindPunct              // one punctuation or symbol rune
	kindSpace              // a run of white space
)

// seg is one token of the main segmentation: rune range [rs, re) and dictionary node.
type seg struct {
	rs, re int
	node   uint32
	kind   uint8
}

// scratch holds the per-call buffers of the segmenter, reused through a sync.Pool.
type scratch struct {
	runes []rune    // normalised runes
	off   []int     // byte offset of each rune; off[n] = len(text)
	route []float32 // best log probability from a rune to the end of its block
	next  []int32   // end of the best first word from a rune
	nodes []uint32  // trie node of that word (0 when it is no trie path)
	segs  []seg
	chg   []int32  // chg[i]: how many of the first i runes normalisation changed
	src   string   // the text being cut
	texts []string // normalised text of each seg, filled by fillTexts
	words []string // the words (Analyzer.words)
	kws   []kwCand // keyword candidates (keywords)
	kwTop []kwCand // the best keywords so far (keywords)
	touch uint64   // keeps the loads of touchEdges
	kwTab []int32  // open addressing over kws by dictionary node, index+1 (keywords)

	hits    []placeHit     // place names found (findPlaces)
	chosen  []int          // the places they were taken for (findPlaces)
	roads   []domain.Place // roads found (findRoads)
	cueSeen []bool         // per urgency cue: seen (phraseSet.scan)
	seen    []uint8        // per matter phrase: where seen (phraseSet.scan)
	scores  []int          // per matter rule: its score (phraseSet.scan)
}

// fillTexts sets sc.texts[i] to the normalised text of segs[i], slicing the source text
// without allocating wherever normalisation changed nothing.
func (sc *scratch) fillTexts(segs []seg) []string {
	sc.texts = sc.texts[:0]
	for _, s := range segs {
		if sc.chg[s.re] == sc.chg[s.rs] {
			sc.texts = append(sc.texts, sc.src[sc.off[s.rs]:sc.off[s.re]])
		} else {
			sc.texts = append(sc.texts, string(sc.runes[s.rs:s.re]))
		}
	}
	return sc.texts
}

// runeClass sorts runes for block detection.
const (
	classOther = iota
	classHan
	classAlnum
	classSpace
)

func classOf(r rune) int {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return classAlnum
	case r < 0x80:
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' {
			return classSpace
		}
		return classOther
	case r == '〇' || r == '○', r >= 0x4E00 && r <= 0x9FFF: // the CJK Unified Ideographs block, all Han
		return classHan
	case unicode.Is(unicode.Han, r):
		return classHan
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isAlnum reports the runes of classAlnum: normalised Latin letters and digits.
func isAlnum(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

// isHanNumeral reports the Chinese numerals that form dates and counts.
func isHanNumeral(r rune) bool {
	switch r {
	case '零', '〇', '○', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十':
		return true
	}
	return false
}

// isDigitUnit reports the units that stick to an Arabic number (1998年, 12月, 17%).
func isDigitUnit(r rune) bool {
	switch r {
	case '年', '月', '日', '号', '时', '点', '分', '秒', '%', '‰', '岁', '元', '万', '亿':
		return true
	}
	return false
}

// cut segments text into the main token sequence (shortest path over the dictionary DAG,
// no HMM), filling sc.segs. Offsets are kept in sc.off.
func (d *dictionary) cut(text string, sc *scratch) []seg {
	sc.runes = sc.runes[:0]
	sc.off = sc.off[:0]
	sc.chg = append(sc.chg[:0], 0)
	sc.src = text
	changed := int32(0)
	for i, r := range text {
		nr := normRune(r)
		if nr != r || r == utf8.RuneError {
			changed++
		}
		sc.runes = append(sc.runes, nr)
		sc.off = append(sc.off, i)
		sc.chg = append(sc.chg, changed)
	}
	n := len(sc.runes)
	sc.off = append(sc.off, len(text))
	if cap(sc.route) < n+1 {
		sc.route = make([]float32, n+1)
		sc.next = make([]int32, n+1)
		sc.nodes = make([]uint32, n+1)
	}
	sc.route, sc.next, sc.nodes = sc.route[:n+1], sc.next[:n+1], sc.nodes[:n+1]
	sc.segs = sc.segs[:0]
	rs := sc.runes
	patLogP := d.minLogP + float32(math.Log(5000)) // the log probability of a number or Latin run
	for i := 0; i < n; {
		c := classOf(rs[i])
		switch c {
		case classSpace:
			j := i + 1
			for j < n && classOf(rs[j]) == classSpace {
				j++
			}
			sc.segs = append(sc.segs, seg{rs: i, re: j, kind: kindSpace})
			i = j
		case classOther:
			sc.segs = append(sc.segs, seg{rs: i, re: i + 1, kind: kindPunct})
			i++
		default:
			j := i + 1
			for j < n {
				cj := classHan // the CJK Unified Ideographs, most runes, without the call
				if r := rs[j]; r < 0x4E00 || r > 0x9FFF {
					cj = classOf(r)
				}
				if cj == classHan || cj == classAlnum {
					j++
					continue
				}
				// '.' inside a number and a trailing percent sign belong to the number
				if isDigit(rs[j-1]) && ((rs[j] == '.' && j+1 < n && isDigit(rs[j+1])) || rs[j] == '%' || rs[j] == '‰') {
					j++
					continue
				}
				break
			}
			d.cutBlock(sc, i, j, patLogP)
			i = j
		}
	}
	return sc.segs
}

// numberEnd returns the end of a number candidate starting at i within [i, e), or -1.
func numberEnd(rs []rune, i, e int) int {
	if isDigit(rs[i]) {
		if i > 0 && (isDigit(rs[i-1]) || rs[i-1] == '.') {
			return -1
		}
		j := i
		for j < e && (isDigit(rs[j]) || (rs[j] == '.' && j+1 < e && isDigit(rs[j+1]))) {
			j++
		}
		if j < e && isDigitUnit(rs[j]) {
			j++
		}
		return j
	}
	if isHanNumeral(rs[i]) {
		if i > 0 && isHanNumeral(rs[i-1]) {
			return -1
		}
		j, zero := i, false
		for j < e && isHanNumeral(rs[j]) {
			zero = zero || rs[j] == '〇' || rs[j] == '○' || rs[j] == '零'
			j++
		}
		if j < e && (rs[j] == '年' || rs[j] == '月' || rs[j] == '日') {
			return j + 1
		}
		if zero && j-i >= 2 {
			return j
		}
	}
	return -1
}

// latinEnd returns the end of a run of Latin letters and digits starting at i that contains
// a letter, or -1.
func latinEnd(rs []rune, i, e int) int {
	if !isAlnum(rs[i]) || (i > 0 && isAlnum(rs[i-1])) {
		return -1
	}
	j, letter := i, false
	for j < e && isAlnum(rs[j]) {
		letter = letter || (rs[j] >= 'a' && rs[j] <= 'z')
		j++
	}
	if !letter || j-i < 2 {
		return -1
	}
	return j
}

// cutBlock finds the most probable path through the word DAG of runes [b, e) and appends it;
// patLogP is the log probability of a number or Latin run.
func (d *dictionary) cutBlock(sc *scratch, b, e int, patLogP float32) {
	rs, route, next, nodes := sc.runes, sc.route, sc.next, sc.nodes
	route[e] = 0
	var walked [16]uint32 // walked[k]: the trie node of rs[i : i+k+1]
	d.touchEdges(sc, b, e)
	edges, edgeBits := d.edges, d.edgeBits
	edgeMask := uint64(len(edges) - 1)
	for i := e - 1; i >= b; i-- {
		best := d.minLogP + route[i+1]
		bestEnd := int32(i + 1)
		node, depth := uint32(0), 0
		for j := i; j < e; j++ {
			// d.child, with its two common cases written out: this is the segmenter's
			// innermost loop.
			switch r := rs[j]; {
			case node == 0 && r >= 0 && r < 1<<16:
				node = d.root[r]
			case node != 0 && edges != nil && r >= 0 && r < 1<<edgeRuneBits:
				key := uint64(node)<<edgeRuneBits | uint64(r)
				for k := edgeSlot(key, edgeBits); ; k = (k + 1) & edgeMask {
					if x := edges[k]; x == 0 {
						node = 0
						break
					} else if x>>edgeRuneShift == key {
						node = uint32(x & (1<<edgeNodeBits - 1))
						break
					}
				}
			default:
				node = d.child(node, r)
			}
			if node == 0 {
				break
			}
			if depth < len(walked) {
				walked[depth] = node
				depth++
			}
			if lp := d.logp[node]; lp != 0 {
				if s := lp + route[j+1]; s > best {
					best, bestEnd = s, int32(j+1)
				}
			}
		}
		if r := rs[i]; r < 0x80 || isHanNumeral(r) { // the only runes numbers and Latin runs start with
			if k := numberEnd(rs, i, e); k > i+1 {
				if s := patLogP + route[k]; s > best {
					best, bestEnd = s, int32(k)
				}
			}
			if k := latinEnd(rs, i, e); k > i+1 {
				if s := patLogP + route[k]; s > best {
					best, bestEnd = s, int32(k)
				}
			}
		}
		route[i], next[i] = best, bestEnd
		// The node of the chosen word, so that the second pass need not walk the trie again.
		switch n := int(bestEnd) - i; {
		case n <= depth:
			nodes[i] = walked[n-1]
		case depth < len(walked):
			nodes[i] = 0 // the walk stopped short: rs[i:bestEnd] is no trie path
		default:
			nodes[i] = d.nodeOf(rs[i:bestEnd])
		}
	}
	for i := b; i < e; {
		j := int(next[i])
		node := nodes[i]
		kind := kindWord
		if node == 0 || d.logp[node] == 0 {
			node = 0
			switch {
			case isDigit(rs[i]) || (j-i > 1 && isHanNumeral(rs[i])):
				kind = kindNum
			case rs[i] < 0x80:
				kind = kindLatin
			}
		} else if isDigit(rs[i]) {
			kind = kindNum
		}
		sc.segs = append(sc.segs, seg{rs: i, re: j, node: node, kind: kind})
		i = j
	}
}

// touchEdges loads the edge-table slot of every two-rune prefix in [b, e)
// before the walks need them: independent loads overlap their cache misses,
// where each walk would wait for them one after the other.
func (d *dictionary) touchEdges(sc *scratch, b, e int) {
	if d.edges == nil {
		return
	}
	rs := sc.runes
	var touch uint64
	for i := b; i+1 < e; i++ {
		r, r2 := rs[i], rs[i+1]
		if r < 0 || r >= 1<<16 || r2 < 0 || r2 >= 1<<edgeRuneBits {
			continue
		}
		if n := d.root[r]; n != 0 {
			touch |= d.edges[edgeSlot(uint64(n)<<edgeRuneBits|uint64(r2), d.edgeBits)]
		}
	}
	sc.touch = touch
}

// nodeOf walks the trie along rs and returns the node reached, or 0.
func (d *dictionary) nodeOf(rs []rune) uint32 {
	n := uint32(0)
	for _, r := range rs {
		if n = d.child(n, r); n == 0 {
			return 0
		}
	}
	return n
}
