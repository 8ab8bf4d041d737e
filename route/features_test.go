package route

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"minyi/domain"
)

// charGramsReference is the plain definition charGrams must match: rune 1–3-grams of the
// letters and digits of s, each start's grams shortest first.
func charGramsReference(prefix, s string) []string {
	var rs []rune
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		} else {
			rs = append(rs, ' ')
		}
	}
	var fs []string
	for i := range rs {
		for n := 1; n <= 3 && i+n <= len(rs); n++ {
			g := rs[i : i+n]
			if slices.Contains(g, ' ') {
				break
			}
			fs = append(fs, prefix+":"+string(g))
		}
	}
	return fs
}

func TestCharGramsMatchReference(t *testing.T) {
	for _, s := range []string{
		"", "a", "路灯", "渣土车", "江北街道渣土车夜间扰民，12345热线！", "a b", "ab，cd。e",
		"PM2.5超标", "\xff\xfe坏字节路灯", "一二三四五六七", "，，", "x\n标题",
	} {
		got := appendCharGrams(nil, "c", s)
		if want := charGramsReference("c", s); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}

func FuzzCharGrams(f *testing.F) {
	f.Add("江北街道渣土车夜间扰民，12345热线！")
	f.Add("\xff路a1")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendCharGrams(nil, "tc", s), charGramsReference("tc", s); !slices.Equal(got, want) {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	})
}

// TestFeaturesOrder checks the features of one message in full, so that building them in one
// buffer keeps every feature and its order (the models' sums depend on neither, the tests'
// expectations do).
func TestFeaturesOrder(t *testing.T) {
	it := &domain.Item{Title: "渣土车扰民", Body: "江北渣土车"}
	a := &domain.Analysis{Words: []string{"江北", "渣土车", "，", "扰民"}, Category: "城乡建设", Matter: "渣土车"}
	pl := found{district: "惠城区", street: "江北街道", all: []string{"江北"}, hints: []string{"江北街道"}}
	got := features(it, a, pl, true)
	want := []string{"w:江北", "w:渣土车", "b:江北_渣土车", "w:扰民", "t:渣土车", "t:扰民"}
	want = append(want, charGramsReference("c", "渣土车扰民\n江北渣土车")...)
	want = append(want, charGramsReference("tc", "渣土车扰民")...)
	want = append(want, "d:惠城区", "d:惠城区", "d:惠城区", "s:江北街道", "s:江北街道", "s:江北街道", "p:江北", "h:江北街道",
		"cat:城乡建设", "m:渣土车")
	if !slices.Equal(got, want) {
		t.Fatalf("features:\n%s\nwant\n%s", strings.Join(got, " "), strings.Join(want, " "))
	}
}
