package nlp

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestIDFRoundTrip(t *testing.T) {
	idf := BuildIDF([][]string{{"渣土车", "噪音"}, {"噪音", "路灯"}, {"噪音"}})
	if !(idf.Weight("渣土车") > idf.Weight("噪音")) {
		t.Errorf("rare word weighs %g, common %g", idf.Weight("渣土车"), idf.Weight("噪音"))
	}
	if idf.Weight("没见过") != idf.Default || idf.Default < idf.Weight("渣土车") {
		t.Errorf("unseen word weighs %g, default %g", idf.Weight("没见过"), idf.Default)
	}
	var buf bytes.Buffer
	if err := idf.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadIDF(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Docs != 3 || back.Weight("路灯") != idf.Weight("路灯") || back.Default != idf.Default {
		t.Errorf("round trip changed the table: %+v vs %+v", back, idf)
	}
	for _, bad := range []string{"", "word\t1\n", "#idf\tx\t1\n", "#idf\t3\t1\nword\n"} {
		if _, err := LoadIDF(strings.NewReader(bad)); !errors.Is(err, ErrBadIDF) {
			t.Errorf("LoadIDF(%q) err = %v, want ErrBadIDF", bad, err)
		}
	}
}

// TestKeywords checks that keywords are content words ranked by TF-IDF and that a custom
// IDF table takes over.
func TestKeywords(t *testing.T) {
	a := mustAnalyzer(t)
	an := a.Analyze("渣土车撒漏", "每天晚上渣土车经过，撒漏泥土，我们的道路很脏。")
	if len(an.Keywords) == 0 || an.Keywords[0] != "渣土车" {
		t.Errorf("keywords = %v, want 渣土车 first", an.Keywords)
	}
	for _, k := range an.Keywords {
		if a.stop[k] || len([]rune(k)) < 2 {
			t.Errorf("keyword %q is a stop word or a single rune", k)
		}
	}
	b := newAnalyzer(a.dict)
	b.SetIDF(&IDF{Default: 1, Values: map[string]float64{"泥土": 50}})
	if kw := b.Analyze("", "每天晚上渣土车经过，撒漏泥土。").Keywords; !slices.Equal(kw[:1], []string{"泥土"}) {
		t.Errorf("with a custom IDF keywords = %v, want 泥土 first", kw)
	}
}

func TestUrgencyAndMatter(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		title, body string
		cues        string
		priority    int
		matter      string
	}{
		{"", "小区楼道燃气泄漏，很危险", "燃气泄漏 危险", 3, "燃气"},
		{"", "此事已被媒体曝光，多次反映无人处理", "媒体曝光 多次反映 无人处理", 3, ""},
		{"", "希望增加一些公园座椅", "", 0, ""},
		{"路灯不亮", "小区里垃圾桶太少，路灯也不亮", "", 0, "路灯"},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			an := a.Analyze(tc.title, tc.body)
			if got := strings.Join(an.UrgencyCues, " "); got != tc.cues || an.Priority != tc.priority {
				t.Errorf("cues %q priority %d, want %q %d", got, an.Priority, tc.cues, tc.priority)
			}
			if an.Matter != tc.matter {
				t.Errorf("matter %q, want %q", an.Matter, tc.matter)
			}
		})
	}
}
