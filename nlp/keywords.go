package nlp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// defaultKeywords is how many keywords Analyze keeps.
const defaultKeywords = 8

// ErrBadIDF means an IDF file is malformed.
var ErrBadIDF = errors.New("bad IDF table")

// IDF is an inverse-document-frequency table for keyword weighting, built from a corpus of
// segmented documents (e.g. the city's own messages, see IDFBuilder). It is stored compactly
// by MarshalBinary (<data>/models/idf.bin) and can be exported as "word<TAB>idf" lines by Save.
type IDF struct {
	Docs    int                // documents it was built from
	Default float64            // IDF of a word the table does not have
	Values  map[string]float64 // word → log((Docs+1)/(df+1)) + 1
	// Common is the IDF at or below which a word is in more than half of the documents: such a
	// word is the corpus's own stop word and never a keyword. 0 (a small corpus) drops none.
	Common float64
}

// BuildIDF counts in how many documents each word occurs.
func BuildIDF(docs [][]string) *IDF {
	df := make(map[string]int)
	seen := make(map[string]bool)
	for _, d := range docs {
		clear(seen)
		for _, w := range d {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	return newIDF(len(docs), df)
}

// commonLimit is Common, or 0 for no table.
func (t *IDF) commonLimit() float64 {
	if t == nil {
		return 0
	}
	return t.Common
}

// Weight returns the IDF of a word.
func (t *IDF) Weight(w string) float64 {
	if v, ok := t.Values[w]; ok {
		return v
	}
	return t.Default
}

// Save writes the table: a header line "#idf docs default", then "word\tidf" lines sorted by word.
func (t *IDF) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "#idf\t%d\t%g\n", t.Docs, t.Default)
	words := make([]string, 0, len(t.Values))
	for k := range t.Values {
		words = append(words, k)
	}
	sort.Strings(words)
	for _, k := range words {
		fmt.Fprintf(bw, "%s\t%g\n", k, t.Values[k])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save IDF table: %w", err)
	}
	return nil
}

// LoadIDF reads what Save wrote.
func LoadIDF(r io.Reader) (*IDF, error) {
	sc := bufio.NewScanner(r)
	t := &IDF{Values: make(map[string]float64)}
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if line == 1 {
			if len(f) != 3 || f[0] != "#idf" {
				return nil, fmt.Errorf("IDF header %q: %w", sc.Text(), ErrBadIDF)
			}
			n, err1 := strconv.Atoi(f[1])
			d, err2 := strconv.ParseFloat(f[2], 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("IDF header %q: %w", sc.Text(), ErrBadIDF)
			}
			t.Docs, t.Default = n, d
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("IDF line %d: %w", line, ErrBadIDF)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("IDF line %d: %w", line, ErrBadIDF)
		}
		t.Values[f[0]] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read IDF table: %w", err)
	}
	if line == 0 {
		return nil, fmt.Errorf("empty IDF table: %w", ErrBadIDF)
	}
	t.setCommon()
	return t, nil
}

// keywordCandidate reports whether a token of the main segmentation may be a keyword: a word
// or Latin run of two or more runes that is not a stop word.
func (a *Analyzer) keywordCandidate(s seg, w string) bool {
	return (s.kind == kindWord || s.kind == kindLatin) && s.re-s.rs >= 2 && !a.isStop(s, w)
}

// keywords ranks the content words of a message by TF-IDF (title words count twice) and
// returns the top n. Numbers, single runes and stop words are never keywords, nor, with the
// bureau's own IDF table, the words in more than half of its messages.
func (a *Analyzer) keywords(sc *scratch, segs []seg, titleLen int, n int) []string {
	// Gather the words in order of first occurrence, adding up each word's count; then pick
	// the top n by weight, ties in that order. No map and no sort: this runs on every message.
	// The same word always has the same dictionary node, so dictionary words are grouped by
	// node through a small open-addressing table; only words outside the dictionary (node 0,
	// few) are compared by text.
	size := 64
	for size < 2*len(segs) {
		size <<= 1
	}
	if len(sc.kwTab) < size {
		sc.kwTab = make([]int32, size)
	}
	table := sc.kwTab[:size]
	clear(table)
	tmask := uint32(size - 1)
	cands := sc.kws[:0]
	for k, s := range segs {
		w := sc.texts[k]
		if !a.keywordCandidate(s, w) {
			continue
		}
		tf := 1.0
		if sc.off[s.rs] < titleLen {
			tf = 2
		}
		at := -1
		if s.node != 0 {
			p := (s.node * 0x9E3779B1 >> 16) & tmask
			for ; table[p] != 0; p = (p + 1) & tmask {
				if cands[table[p]-1].node == s.node {
					at = int(table[p] - 1)
					break
				}
			}
			if at < 0 {
				table[p] = int32(len(cands) + 1)
			}
		} else {
			for i := range cands {
				if cands[i].node == 0 && cands[i].w == w {
					at = i
					break
				}
			}
		}
		if at >= 0 {
			cands[at].tf += tf
			continue
		}
		cands = append(cands, kwCand{w: w, tf: tf, first: int32(k), node: s.node})
	}
	custom := a.idf.Load()
	common := custom.commonLimit()
	// top holds the best words so far, best first; ranks are by score, then first occurrence,
	// and candidates come in order of first occurrence, so a tie never displaces.
	top := sc.kwTop[:0]
	for _, c := range cands {
		idf := a.dictIDF(c.node)
		if custom != nil {
			idf = custom.Weight(c.w)
		}
		if idf <= common {
			continue
		}
		c.score = c.tf * idf
		if len(top) == n && (n == 0 || c.score <= top[n-1].score) {
			continue
		}
		if len(top) < n {
			top = append(top, c)
		}
		i := len(top) - 1
		for ; i > 0 && top[i-1].score < c.score; i-- {
			top[i] = top[i-1]
		}
		top[i] = c
	}
	out := make([]string, 0, len(top))
	for _, k := range top {
		out = append(out, k.w)
	}
	clear(top)
	sc.kwTop = top[:0]
	clear(cands) // drop the references into the message text
	sc.kws = cands[:0]
	return out
}

// kwCand is one occurrence of a keyword candidate, then one word with its summed count.
type kwCand struct {
	w         string
	tf, score float64
	first     int32 // token index of the first occurrence
	node      uint32
}

// dictIDF returns the general IDF of a dictionary word; unknown words get the median.
func (a *Analyzer) dictIDF(node uint32) float64 {
	if node != 0 && a.dict.idf[node] > 0 {
		return float64(a.dict.idf[node])
	}
	return float64(a.dict.medIDF)
}
