package route

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lower is strings.ToLower(s), returning s itself without a second pass when nothing in it has a
// lower case: Chinese text is mostly ideographs and CJK punctuation, which it steps over without
// looking them up in the Unicode case tables. Anything it is unsure of (a cased letter, invalid
// UTF-8, which ToLower re-encodes as U+FFFD) goes to strings.ToLower.
func lower(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return strings.ToLower(s)
			}
			i++
			continue
		}
		// U+3000–U+9FFF (CJK punctuation, kana, ideographs) is E3–E9 followed by two
		// continuation bytes, every one of them valid and caseless.
		if 0xE3 <= c && c <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !caseless(r) && unicode.ToLower(r) != r {
			return strings.ToLower(s)
		}
		i += n
	}
	return s
}

// caseless reports whether r lies in a block of Chinese text's punctuation and symbols without
// any letter that has a lower case: general punctuation (“”…—), CJK symbols and the full-width
// forms other than Ａ–Ｚ. TestCaselessRanges checks every code point.
func caseless(r rune) bool {
	switch {
	case 0x2000 <= r && r < 0x2070, 0x3000 <= r && r < 0xA000, 0xFF00 <= r && r < 0xFF21, 0xFF3B <= r && r < 0xFFF0:
		return true
	}
	return false
}
