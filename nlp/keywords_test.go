package nlp

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
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

// idfCorpus is a small corpus in which every message comes in through the same mailbox, as
// a bureau's inbox does, and a third of them complain about noise.
func idfCorpus() [][2]string {
	var out [][2]string
	bodies := []string{
		"工地夜间施工噪音很大，影响居民休息。", "广场舞音响噪音扰民，晚上十点还在跳。",
		"小区门口渣土车撒漏泥土，道路很脏。", "路灯坏了一个月没人修，晚上很黑。",
		"菜市场污水横流，气味难闻。", "酒吧噪音到凌晨两点，投诉多次无果。",
	}
	for i := range 30 {
		out = append(out, [2]string{"", "市长信箱来信：" + bodies[i%len(bodies)]})
	}
	return out
}

// TestIDFBuilderDropsCorpusStopWords trains an IDF table on a corpus and checks that the
// words of every message (the mailbox's name) leave the keywords while rare ones rise.
func TestIDFBuilderDropsCorpusStopWords(t *testing.T) {
	a := mustAnalyzer(t)
	b := newAnalyzer(a.dict)
	msg := [2]string{"", "市长信箱来信：工地夜间施工噪音很大，渣土车也很多。"}
	before := b.Analyze(msg[0], msg[1]).Keywords
	if !slices.Contains(before, "市长信箱") || !slices.Contains(before, "来信") {
		t.Fatalf("with the general IDF keywords = %v, want 市长信箱 and 来信 among them (else this test shows nothing)", before)
	}
	bld := b.NewIDFBuilder()
	for _, m := range idfCorpus() {
		bld.Add(m[0], m[1])
	}
	idf := bld.IDF()
	if bld.Docs() != 30 || idf.Docs != 30 {
		t.Fatalf("docs = %d / %d, want 30", bld.Docs(), idf.Docs)
	}
	if idf.Weight("来信") > idf.Common || idf.Weight("噪音") <= idf.Common || idf.Weight("渣土车") <= idf.Weight("噪音") {
		t.Errorf("weights 来信 %.3f (common ≤ %.3f), 渣土车 %.3f, 噪音 %.3f", idf.Weight("来信"), idf.Common, idf.Weight("渣土车"), idf.Weight("噪音"))
	}
	b.SetIDF(idf)
	after := b.Analyze(msg[0], msg[1]).Keywords
	for _, w := range []string{"市长信箱", "来信"} {
		if slices.Contains(after, w) {
			t.Errorf("with the corpus IDF keywords = %v still hold %q, which is in every message", after, w)
		}
	}
	if i, j := slices.Index(after, "渣土车"), slices.Index(after, "噪音"); i < 0 || j < 0 || i > j {
		t.Errorf("with the corpus IDF keywords = %v, want 渣土车 (rarer in the corpus) before 噪音", after)
	}
	b.SetIDF(nil)
	if got := b.Analyze(msg[0], msg[1]).Keywords; !slices.Equal(got, before) {
		t.Errorf("SetIDF(nil) gives %v, want the general ranking %v back", got, before)
	}
}

func TestIDFFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := LoadIDFFile(dir); ok || err != nil {
		t.Fatalf("no file: ok=%v err=%v", ok, err)
	}
	idf := BuildIDF([][]string{{"渣土车", "噪音"}, {"噪音", "路灯"}, {"噪音"}, {"噪音扰民", "噪"}})
	path, err := SaveIDFFile(dir, idf)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, IDFFile) {
		t.Errorf("saved to %s", path)
	}
	back, ok, err := LoadIDFFile(dir)
	if err != nil || !ok {
		t.Fatalf("load: ok=%v err=%v", ok, err)
	}
	if back.Docs != idf.Docs || len(back.Values) != len(idf.Values) || math.Abs(back.Default-idf.Default) > 1e-6 {
		t.Fatalf("round trip: %+v vs %+v", back, idf)
	}
	for w, v := range idf.Values {
		if math.Abs(back.Values[w]-v) > 1e-6 {
			t.Errorf("%s: %g, want %g", w, back.Values[w], v)
		}
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x40
	otherFormat := bytes.Clone(good)
	otherFormat[len(idfMagic)] = 9
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"flipped byte", flip, "checksum"},
		{"truncated", good[:len(good)-7], "checksum"},
		{"empty", nil, "not an IDF table"},
		{"other file", []byte("#idf\t3\t1.5\n噪音\t1\n"), "not an IDF table"},
		{"other format", otherFormat, "format 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, ok, err := LoadIDFFile(dir)
			if ok || !errors.Is(err, ErrBadIDF) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ok=%v err=%v, want ErrBadIDF naming %s and saying %q", ok, err, path, tt.want)
			}
		})
	}
}
