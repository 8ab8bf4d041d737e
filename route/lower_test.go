package route

import (
	"strings"
	"testing"
	"unicode"
)

// TestCaselessRanges checks that no code point lower treats as caseless changes under
// unicode.ToLower, nor any code point of the E3–E9 three-byte fast path (U+3000–U+9FFF).
func TestCaselessRanges(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if (caseless(r) || 0x3000 <= r && r <= 0x9FFF) && unicode.ToLower(r) != r {
			t.Errorf("U+%04X is treated as caseless but lowers to U+%04X", r, unicode.ToLower(r))
		}
		if caseless(r) {
			n++
		}
	}
	if n < 0x7000 {
		t.Fatalf("only %d caseless code points", n)
	}
}

// TestLowerIsToLower compares lower with strings.ToLower on Chinese text, cased letters of
// several scripts, full-width letters, punctuation, truncated and invalid UTF-8.
func TestLowerIsToLower(t *testing.T) {
	parts := []string{"", "惠城区江北街道渣土车", "，。！？“”…—（）", "abc", "ABC", "Ａｂ", "Ｚ", "ａ", "ÀÉ", "İstanbul", "Straße",
		"ΣΑΣ", "\xff", "\xe8\xaf", "\xe8\xaf\xb7", "\xe9\x97", "\xed\xa0\x80", "\xef\xbc", "😀", "Ⅷ", "ⅷ", "\u2c00", "\u3000", "㈠", "ｶ"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				s := a + b + c
				if got, want := lower(s), strings.ToLower(s); got != want {
					t.Errorf("lower(%q) = %q, want %q", s, got, want)
				}
				// readText lower-cases title and body apart and reads them with "\n" between.
				if got, want := lower(a+b)+"\n"+lower(c), strings.ToLower(a+b+"\n"+c); got != want {
					t.Errorf("lower(%q)+\"\\n\"+lower(%q) = %q, want %q", a+b, c, got, want)
				}
			}
		}
	}
	s := "惠城区江北街道每天夜间渣土车经过，泥土撒满路面。"
	var got string
	if n := testing.AllocsPerRun(10, func() { got = lower(s) }); n != 0 || got != s {
		t.Errorf("lower(%q) = %q with %v allocations, want it unchanged without any", s, got, n)
	}
}
