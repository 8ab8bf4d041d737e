package index

import (
	"github.com/blevesearch/bleve/v2/size"
	bindex "github.com/blevesearch/bleve_index_api"
)

// textField is an analysed document field (text, title, words) that builds its token frequencies
// straight from the tokens. It replaces bleve's TextField with an analyzer, whose token stream
// (a Token and a pointer per token) and analysis.TokenFrequency (a string key and a TokenFreq
// allocated per distinct term) were a fifth of the indexing CPU time, most of it allocation and
// the garbage collection it caused: here the map keys are substrings of one copy of the value
// and the TokenFreqs and locations come from a few slabs.
type textField struct {
	name   string
	value  []byte
	opts   bindex.FieldIndexingOptions
	mode   ngramMode // the tokens: n-grams (scanNgrams), or modeWords for space-separated words
	length int       // tokens, for bleve's field-length norm
	size   int       // estimated bytes of freqs, for bleve's memory accounting
	freqs  bindex.TokenFrequencies
}

// Modes of textFields that are not n-grams.
const (
	// modeWords: the value is the pipeline's words joined by spaces, one token per word, so a
	// query word matching a whole word can be ranked above a mere substring.
	modeWords ngramMode = 1 << 7
	// modeKeyword: the whole value is one token (category, department, ...).
	modeKeyword ngramMode = 1 << 6
)

// newTextField returns field name with value v, tokenised by mode. v must not change afterwards:
// terms alias it.
func newTextField(name string, v []byte, mode ngramMode, opts bindex.FieldIndexingOptions) *textField {
	return &textField{name: name, value: v, opts: opts, mode: mode}
}

func (f *textField) Name() string                                      { return f.name }
func (f *textField) Value() []byte                                     { return f.value }
func (f *textField) ArrayPositions() []uint64                          { return nil }
func (f *textField) EncodedFieldType() byte                            { return 't' }
func (f *textField) Options() bindex.FieldIndexingOptions              { return f.opts }
func (f *textField) AnalyzedLength() int                               { return f.length }
func (f *textField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }
func (f *textField) NumPlainTextBytes() uint64                         { return uint64(len(f.value)) }

// Size implements document.Field (bleve's memory accounting), estimated without walking the map.
func (f *textField) Size() int {
	return 96 + len(f.name) + len(f.value) + f.size + size.SizeOfPtr
}

// slab hands out values from chunks allocated n at a time; pointers stay valid.
type slab[T any] struct {
	buf []T
	n   int
}

func (s *slab[T]) next() *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, s.n)
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// Analyze implements document.Field.
func (f *textField) Analyze() {
	key := string(f.value) // map keys are substrings of this one copy
	// Distinct terms: real petitions (teddy2020c, shanghai_petition train sets) average 4.1-4.5
	// bytes of text per distinct n-gram, so len/4 sizes the map without growing it.
	est := len(f.value)/4 + 8
	if f.mode&modeKeyword != 0 {
		est = 1
	}
	freqs := make(bindex.TokenFrequencies, est)
	vectors := f.opts.IncludeTermVectors()
	tfs := slab[bindex.TokenFreq]{n: est}
	var locs slab[bindex.TokenLocation]
	var locPtrs slab[*bindex.TokenLocation]
	if vectors {
		locs.n, locPtrs.n = est, est
	}
	n, bytes := 0, 0
	emit := func(term []byte, start, end, pos int) {
		n++
		var k string
		if len(term) == end-start && len(term) > 0 && &term[0] == &f.value[start] {
			k = key[start:end]
		} else {
			k = string(term) // a folded Latin token
		}
		tf := freqs[k]
		if tf == nil {
			tf = tfs.next()
			tf.Term = term
			freqs[k] = tf
			bytes += 64 + len(term)
			if vectors { // room for one location; a repeated term grows its own slice
				locPtrs.next()
				i := len(locPtrs.buf) - 1
				tf.Locations = locPtrs.buf[i : i : i+1]
			}
		}
		tf.SetFrequency(tf.Frequency() + 1)
		if vectors {
			loc := locs.next()
			*loc = bindex.TokenLocation{Start: start, End: end, Position: pos}
			tf.Locations = append(tf.Locations, loc)
			bytes += 48
		}
	}
	switch {
	case f.mode&modeKeyword != 0:
		emit(f.value, 0, len(f.value), 1)
	case f.mode&modeWords != 0:
		scanWords(f.value, emit)
	default:
		scanNgrams(f.value, f.mode, emit)
	}
	f.length, f.size, f.freqs = n, bytes, freqs
}

// scanWords calls emit for each space-separated word of text, positions counting from 1.
func scanWords(text []byte, emit func(term []byte, start, end, pos int)) {
	pos := 0
	start := -1
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != ' ' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			pos++
			emit(text[start:i:i], start, i, pos)
			start = -1
		}
	}
}
