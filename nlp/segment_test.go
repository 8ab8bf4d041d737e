package nlp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkTokens verifies the offset contract of Segment: every token reads back from text.
func checkTokens(t *testing.T, a *Analyzer, text string) {
	t.Helper()
	for _, tok := range a.Segment(text) {
		if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
			t.Fatalf("%q: token %+v has bad offsets", text, tok)
		}
		if got := Normalize(text[tok.Start:tok.End]); got != tok.Text {
			t.Fatalf("%q: token %+v reads %q", text, tok, got)
		}
	}
	// the main segmentation covers every non-space rune exactly once, in order
	sc := new(scratch)
	prev := 0
	for _, s := range a.dict.cut(text, sc) {
		if sc.off[s.rs] != prev {
			t.Fatalf("%q: gap before %q", text, text[sc.off[s.rs]:sc.off[s.re]])
		}
		prev = sc.off[s.re]
	}
	if prev != len(text) {
		t.Fatalf("%q: segmentation ends at %d of %d", text, prev, len(text))
	}
}

func TestSegment(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		text string
		want string // main-segmentation words joined by "/"
	}{
		{"惠城区江北街道渣土车撒漏", "惠城区/江北街道/渣土车/撒/漏"},
		{"２０２３年５月１２日拨打12345热线", "2023年/5月/12日/拨打/12345热线"},
		{"房价上涨了3.5%，ABC公司", "房价/上涨/了/3.5%/,/abc/公司"},
		{"（二○○○年十二月三十一日）", "(/二○○○年/十二月/三十一日/)"},
		{"占道经营和餐饮油烟问题", "占道经营/和/餐饮油烟/问题"},
		{"", ""},
		{"   ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			checkTokens(t, a, tc.text)
			sc := new(scratch)
			var got []string
			for _, s := range a.dict.cut(tc.text, sc) {
				if s.kind != kindSpace {
					got = append(got, string(sc.runes[s.rs:s.re]))
				}
			}
			if strings.Join(got, "/") != tc.want {
				t.Errorf("cut = %s, want %s", strings.Join(got, "/"), tc.want)
			}
		})
	}
}

func TestSegmentSearchMode(t *testing.T) {
	a := mustAnalyzer(t)
	var got []string
	for _, tok := range a.Segment("垃圾分类") {
		got = append(got, tok.Text)
	}
	if strings.Join(got, "/") != "垃圾/分类/垃圾分类" {
		t.Errorf("Segment(垃圾分类) = %v, want sub-words before the word", got)
	}
}

func TestWords(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct{ text, want string }{
		{"我们小区的路灯坏了！", "小区/路灯/坏"},
		{"ＡＢＣ 物业 ， 12345", "abc/物业/12345"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := strings.Join(a.Words(tc.text), "/"); got != tc.want {
				t.Errorf("Words = %s, want %s", got, tc.want)
			}
		})
	}
}

func FuzzSegment(f *testing.F) {
	for _, s := range []string{"惠城区江北街道渣土车撒漏", "２０２３年５月１２日", "3.5%abc", "a\xffb中\x80文", "ǅǈ İstanbul ＡＢ", "。。，,"} {
		f.Add(s)
	}
	a := mustAnalyzer(f)
	f.Fuzz(func(t *testing.T, text string) {
		checkTokens(t, a, text)
		for _, w := range a.Words(text) {
			if w == "" || !utf8.ValidString(w) && utf8.ValidString(text) {
				t.Fatalf("%q: bad word %q", text, w)
			}
		}
	})
}
