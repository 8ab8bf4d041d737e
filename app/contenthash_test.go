package app

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"unicode"
	"unicode/utf8"
)

// contentHashRef is contentHash as first written (a Write per rune): stored records carry its
// hashes, so the faster one must give exactly the same.
func contentHashRef(title, body string) string {
	h := sha256.New()
	var buf [4]byte
	for _, part := range []string{title, "\x00", body} {
		for _, r := range part {
			if part != "\x00" && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			h.Write(buf[:n])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func TestContentHashMatchesReference(t *testing.T) {
	for r := rune(0x4E00); r <= 0x9FFF; r++ { // the fast path's assumption
		if !unicode.IsLetter(r) || unicode.ToLower(r) != r {
			t.Fatalf("U+%04X is not a caseless letter", r)
		}
	}
	long := ""
	for len(long) < 5000 {
		long += "渣土车夜间ABC１２３，Ⅻ ǅ ß İ\u00a0\t"
	}
	for _, tt := range []struct{ title, body string }{
		{"", ""}, {"\x00", ""}, {"", "\x00"}, {"\x00", "\x00"},
		{"渣土车，夜间！", "ABC"}, {"PM2.5 超标", "Ｐｍ２．５\n第二行"},
		{"\xff\xfe坏", "abc\xc3"}, {"İstanbul ǅ", "ΣΑΣ"}, {long, long},
	} {
		if got, want := contentHash(tt.title, tt.body), contentHashRef(tt.title, tt.body); got != want {
			t.Errorf("contentHash(%q, %q) = %s, want %s", tt.title, tt.body, got, want)
		}
	}
}

func FuzzContentHash(f *testing.F) {
	f.Add("渣土车，夜间！", "ABC")
	f.Add("\x00", "Ｐｍ２．５ İ")
	f.Fuzz(func(t *testing.T, title, body string) {
		if got, want := contentHash(title, body), contentHashRef(title, body); got != want {
			t.Fatalf("contentHash(%q, %q) = %s, want %s", title, body, got, want)
		}
	})
}

func BenchmarkContentHash(b *testing.B) {
	title := "云山西路广场舞噪音"
	body := "本人是惠阳区奥林匹克花园的居民，从12月开始，附近工地晚上十一点以后还在施工，噪音很大。周边商户也意见很大。希望相关部门加强监管。"
	for range b.N {
		contentHash(title, body)
	}
}
