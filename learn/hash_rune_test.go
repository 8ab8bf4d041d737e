package learn

import (
	"testing"
	"unicode/utf8"
)

// TestHasherRuneMatchesBytes checks Rune against hashing the rune's UTF-8
// bytes one by one, after prefixes of every length the view logic tells apart.
func TestHasherRuneMatchesBytes(t *testing.T) {
	runes := []rune{0, 'a', 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x2A6D6, utf8.MaxRune, utf8.MaxRune + 1, -1}
	for r := rune(0); r < 0x11000; r += 7 {
		runes = append(runes, r)
	}
	for _, prefix := range []string{"", "c", "c:", "t:ab"} {
		for _, r := range runes {
			var b [utf8.UTFMax]byte
			want := NewHasher().String(prefix)
			for _, c := range b[:utf8.EncodeRune(b[:], r)] {
				want = want.Byte(c)
			}
			if got := NewHasher().String(prefix).Rune(r); got != want || got.Sum() != want.Sum() {
				t.Fatalf("prefix %q rune %U: Rune %+v, bytes %+v", prefix, r, got, want)
			}
		}
	}
}
