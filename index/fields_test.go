package index

import (
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	bindex "github.com/blevesearch/bleve_index_api"
)

// TestTextFieldMatchesBleve checks textField's token frequencies (terms, counts, locations) and
// length against bleve's own analysis.TokenFrequency over the same tokens.
func TestTextFieldMatchesBleve(t *testing.T) {
	long := strings.Repeat("夜间施工噪音扰民，", 40) + "PM2.5超标 ＰＭ２．５"
	tests := []struct {
		name string
		in   string
		mode ngramMode
		opts bindex.FieldIndexingOptions
	}{
		{"text", "渣土车夜间\n渣土车PM2.5超标ＰＭ２．５", modeText, optTerms},
		{"title vectors", "路灯路灯不亮 Ab ab", modeTitle, optPositional | bindex.StoreField},
		{"long vectors", long, modeTitle, optPositional},
		{"long terms", long, modeText, optTerms},
		{"words", "渣土车 噪音  渣土车 pm2.5", modeWords, optTerms},
		{"empty", "", modeText, optTerms},
		{"keyword", "市城管局 惠城区", modeKeyword, optKeyword},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newTextField("f", []byte(tc.in), tc.mode, tc.opts)
			f.Analyze()
			var ts analysis.TokenStream
			add := func(term []byte, start, end, pos int) {
				ts = append(ts, &analysis.Token{Term: term, Start: start, End: end, Position: pos})
			}
			switch {
			case tc.mode&modeKeyword != 0:
				add([]byte(tc.in), 0, len(tc.in), 1)
			case tc.mode&modeWords != 0:
				scanWords([]byte(tc.in), add)
			default:
				scanNgrams([]byte(tc.in), tc.mode, add)
			}
			want := analysis.TokenFrequency(ts, nil, tc.opts)
			if f.AnalyzedLength() != len(ts) {
				t.Errorf("length %d, want %d", f.AnalyzedLength(), len(ts))
			}
			got := f.AnalyzedTokenFrequencies()
			if len(got) != len(want) {
				t.Fatalf("%d terms, want %d", len(got), len(want))
			}
			for k, w := range want {
				g := got[k]
				if g == nil || string(g.Term) != string(w.Term) || g.Frequency() != w.Frequency() || len(g.Locations) != len(w.Locations) {
					t.Fatalf("term %q: got %+v, want %+v", k, g, w)
				}
				for i, wl := range w.Locations {
					if gl := g.Locations[i]; gl.Start != wl.Start || gl.End != wl.End || gl.Position != wl.Position {
						t.Fatalf("term %q location %d: got %+v, want %+v", k, i, *gl, *wl)
					}
				}
			}
		})
	}
}

// TestIsCJKFastPath checks isCJK's shortcuts against the Unicode tables for every rune.
func TestIsCJKFastPath(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == '〇'
		if isCJK(r) != want {
			t.Fatalf("isCJK(%U) = %v, want %v", r, !want, want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"渣土车噪音", "渣土车噪音"},
		{"渣土\uE000车\uE001噪音", "渣土车噪音"},
		{"私用\uE002区", "私用\uE002区"}, // another private-use rune stays
		{"", ""},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJoinWords(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"渣土车", "的", "噪音", "a", "pm2.5", "两 词", ""}, "渣土车 噪音 pm2.5"},
		{[]string{"路"}, ""},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := string(joinWords(tc.in)); got != tc.want {
			t.Errorf("joinWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
