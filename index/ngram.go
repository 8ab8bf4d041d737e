package index

import (
	"unicode"
	"unicode/utf8"
)

// ngramMode says which tokens scanNgrams emits for runs of CJK characters.
type ngramMode uint8

const (
	modeBigram  ngramMode = 1 << iota // overlapping character pairs, for 2+ character queries and phrases
	modeUnigram                       // single characters, for 1-character queries
	modeLatin                         // runs of letters and digits (12345, pm2.5), lower-cased and width-folded
	modeRunEnd                        // the last character of each run alone, so that every character
	// starts some token and a 1-character query is a prefix query over bigrams (no unigram field)
)

// Tokens of the indexed fields (see textField). Positions are per character: the n-gram starting
// at the i-th character of a run gets base+i+1, and every run is followed by a gap, so a phrase
// of consecutive bigrams never spans punctuation. Every mode assigns the same positions to the
// same characters, which keeps phrases built from the query's tokens aligned with the indexed ones.
const (
	modeText  = modeBigram | modeRunEnd | modeLatin // text: title and body, without positions
	modeTitle = modeBigram | modeRunEnd | modeLatin // title, with positions for exact phrases
)

// isCJK reports whether r is written without spaces between words and so is indexed as n-grams.
func isCJK(r rune) bool {
	switch {
	case r < 0x1100: // below Hangul Jamo: ASCII, Latin, punctuation
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs, nearly all Chinese text
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r == '〇'
}

// foldRune lower-cases r and maps full-width ASCII (ＰＭ２．５) to ASCII so both spellings match.
func foldRune(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// foldBytes returns b with every rune folded by foldRune.
func foldBytes(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, foldRune(r))
		b = b[size:]
	}
	return out
}

// isWordRune reports whether r (already folded) belongs to a Latin/digit token.
func isWordRune(r rune) bool {
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// isJoiner reports whether r may join two word runes into one token, as in pm2.5 or a-1.
func isJoiner(r rune) bool { return r == '.' || r == '-' || r == '_' }

// scanNgrams walks text and calls emit for each token the mode asks for. CJK terms are subslices
// of text; Latin terms are subslices when already folded, else freshly allocated.
func scanNgrams(text []byte, mode ngramMode, emit func(term []byte, start, end, pos int)) {
	base := 0
	i := 0
	n := len(text)
	for i < n {
		r, size := utf8.DecodeRune(text[i:])
		fr := foldRune(r)
		switch {
		case isCJK(r):
			// Collect the run's rune starts.
			var starts [64]int
			runStarts := starts[:0]
			j := i
			for j < n {
				r2, s2 := utf8.DecodeRune(text[j:])
				if !isCJK(r2) {
					break
				}
				runStarts = append(runStarts, j)
				j += s2
			}
			runStarts = append(runStarts, j) // sentinel: end of run
			chars := len(runStarts) - 1
			for k := 0; k < chars; k++ {
				pos := base + k + 1
				if mode&modeBigram != 0 && k+1 < chars {
					s, e := runStarts[k], runStarts[k+2]
					emit(text[s:e:e], s, e, pos)
				}
				if mode&modeUnigram != 0 || (mode&modeRunEnd != 0 && k+1 == chars) {
					s, e := runStarts[k], runStarts[k+1]
					emit(text[s:e:e], s, e, pos)
				}
			}
			base += chars + 1
			i = j
		case isWordRune(fr):
			start := i
			j := i
			folded := false
			for j < n {
				r2, s2 := utf8.DecodeRune(text[j:])
				f2 := foldRune(r2)
				ok := isWordRune(f2)
				if !ok && isJoiner(f2) && j+s2 < n {
					r3, _ := utf8.DecodeRune(text[j+s2:])
					ok = isWordRune(foldRune(r3))
				}
				if !ok {
					break
				}
				folded = folded || f2 != r2
				j += s2
			}
			if mode&modeLatin != 0 {
				term := text[start:j:j]
				if folded {
					term = foldBytes(term)
				}
				emit(term, start, j, base+1)
			}
			base += 2
			i = j
		default:
			i += size
		}
	}
}
