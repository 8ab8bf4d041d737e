package demo

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minyi/domain"
)

// mustItems loads the demo set for a fixed now, failing the test on error.
func mustItems(tb testing.TB, now time.Time) []domain.Item {
	tb.Helper()
	items, err := Items(now)
	if err != nil {
		tb.Fatalf("Items: %v", err)
	}
	return items
}

var testNow = time.Date(2027, 3, 15, 10, 0, 0, 0, cst)

func TestItemsShape(t *testing.T) {
	items := mustItems(t, testNow)
	if len(items) < 300 {
		t.Fatalf("got %d items, want at least 300", len(items))
	}
	ids := map[string]bool{}
	html := regexp.MustCompile(`<[a-zA-Z/!]|&[a-z]+;|&#[0-9]+;`)
	for _, it := range items {
		t.Run(it.SourceID, func(t *testing.T) {
			if ids[it.SourceID] {
				t.Errorf("duplicate id %s", it.SourceID)
			}
			ids[it.SourceID] = true
			if it.Source != SourceName(it.Channel) || it.Source == "" {
				t.Errorf("source %q for channel %q", it.Source, it.Channel)
			}
			if n := utf8.RuneCountInString(it.Title); n == 0 || n > 30 {
				t.Errorf("title has %d characters, want 1..30: %s", n, it.Title)
			}
			if n := utf8.RuneCountInString(it.Body); n < 50 || n > 400 {
				t.Errorf("body has %d characters, want 50..400: %s", n, it.Title)
			}
			for _, s := range []string{it.Title, it.Body, it.Author} {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8 in %q", s)
				}
				if html.MatchString(s) {
					t.Errorf("markup in %q", s)
				}
				if strings.ContainsAny(s, "\t\r\n") {
					t.Errorf("control white space in %q", s)
				}
			}
			if it.Author == "" {
				t.Error("no author")
			}
		})
	}
}

func TestItemsChannelsAndSpan(t *testing.T) {
	items := mustItems(t, testNow)
	per := map[string]int{}
	oldest, newest := items[0].Time, items[0].Time
	for _, it := range items {
		per[it.Channel]++
		if it.Time.Before(oldest) {
			oldest = it.Time
		}
		if it.Time.After(newest) {
			newest = it.Time
		}
	}
	for _, ch := range []string{domain.ChannelPetition, domain.ChannelHotline, domain.ChannelBoard, domain.ChannelMailbox} {
		if per[ch] < 10 {
			t.Errorf("channel %s has %d items, want at least 10", ch, per[ch])
		}
	}
	if span := newest.Sub(oldest); span < 85*24*time.Hour || span > 91*24*time.Hour {
		t.Errorf("times span %v, want 85 to 91 days", span)
	}
}

func TestItemsShift(t *testing.T) {
	for _, now := range []time.Time{
		testNow,
		time.Date(2026, 1, 1, 0, 0, 1, 0, cst), // just after midnight: newest goes to the day before
		time.Date(2026, 9, 1, 23, 59, 59, 0, cst),    // the file's own last day
		time.Date(2030, 6, 30, 3, 0, 0, 0, time.UTC), // a caller in another zone
		time.Date(2024, 2, 29, 21, 30, 0, 0, cst),    // leap day, exactly the newest clock time
	} {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			a := mustItems(t, now)
			b := mustItems(t, now)
			if len(a) != len(b) {
				t.Fatalf("lengths differ: %d and %d", len(a), len(b))
			}
			for i := range a {
				if !a[i].Time.Equal(b[i].Time) || a[i].SourceID != b[i].SourceID {
					t.Fatalf("not deterministic at %d: %v %s vs %v %s", i, a[i].Time, a[i].SourceID, b[i].Time, b[i].SourceID)
				}
				if i > 0 && a[i].Time.Before(a[i-1].Time) {
					t.Fatalf("not in time order at %d", i)
				}
				if a[i].Time.After(now) {
					t.Fatalf("%s is in the future: %v > %v", a[i].SourceID, a[i].Time, now)
				}
			}
			newest := a[len(a)-1].Time
			if d := now.Sub(newest); d < 0 || d >= 24*time.Hour {
				t.Errorf("newest is %v before now, want within a day", d)
			}
		})
	}
}

// TestItemsKeepClockTime checks that shifting keeps each message's time of day, so that night
// complaints stay at night.
func TestItemsKeepClockTime(t *testing.T) {
	a := mustItems(t, testNow)
	b := mustItems(t, testNow.AddDate(0, 1, 3).Add(7*time.Hour))
	clock := func(t time.Time) string { return t.In(cst).Format("15:04:05") }
	byID := map[string]string{}
	for _, it := range a {
		byID[it.SourceID] = clock(it.Time)
	}
	for _, it := range b {
		if byID[it.SourceID] != clock(it.Time) {
			t.Errorf("%s: clock time %s became %s", it.SourceID, byID[it.SourceID], clock(it.Time))
		}
	}
}

// TestItemsTopics checks that every matter type the demo must show is there, several times.
func TestItemsTopics(t *testing.T) {
	items := mustItems(t, testNow)
	topics := []struct {
		name string
		any  []string
		min  int
	}{
		{"渣土车", []string{"渣土车", "泥头车"}, 20},
		{"渣土车遗撒", []string{"遗撒", "撒漏", "掉了", "掉落", "漏泥"}, 5},
		{"渣土车超速", []string{"超速", "开得飞快", "开得很快"}, 4},
		{"渣土车无密闭", []string{"密闭", "篷布", "没有盖"}, 5},
		{"违法建设", []string{"违建", "违法建设", "违规搭建", "加建", "违规建设"}, 20},
		{"天台加建", []string{"天台", "楼顶"}, 8},
		{"铁皮房", []string{"铁皮房", "铁皮棚", "铁皮厂房"}, 5},
		{"占道经营", []string{"占道", "出店经营", "摆摊"}, 20},
		{"夜市摊贩", []string{"夜市", "夜宵档", "烧烤摊"}, 8},
		{"流动商贩", []string{"流动商贩", "流动摊贩", "流动水果摊"}, 4},
		{"餐饮油烟", []string{"油烟"}, 15},
		{"噪音", []string{"噪音", "吵"}, 25},
		{"夜间施工", []string{"夜间施工", "晚上施工", "通宵施工", "晚上还在施工", "晚上十一点后还在"}, 5},
		{"广场舞", []string{"广场舞"}, 4},
		{"酒吧", []string{"酒吧"}, 3},
		{"户外广告招牌", []string{"广告牌", "招牌", "广告屏", "灯箱", "横幅", "小广告"}, 12},
		{"垃圾分类", []string{"垃圾分类"}, 6},
		{"清运不及时", []string{"清运", "没人收"}, 6},
		{"工地扬尘", []string{"扬尘"}, 12},
		{"固废倾倒", []string{"偷倒", "倾倒", "倒了"}, 10},
		{"物业", []string{"物业"}, 10},
		{"加装电梯", []string{"加装电梯"}, 5},
		{"停车", []string{"停车"}, 6},
		{"路灯", []string{"路灯"}, 6},
		{"井盖", []string{"井盖"}, 6},
		{"内涝", []string{"积水", "水浸", "内涝", "水淹"}, 6},
		{"流浪犬", []string{"流浪狗", "流浪犬", "流浪猫狗"}, 4},
		{"共享单车", []string{"共享单车", "共享电单车"}, 4},
		{"咨询", []string{"咨询", "请问"}, 12},
		{"表扬", []string{"表扬", "点赞", "感谢"}, 6},
		{"燃气泄漏", []string{"燃气泄漏", "煤气味", "天然气味"}, 2},
		{"台风广告牌", []string{"台风"}, 2},
		{"井盖缺失孩子跌落", []string{"掉了下去", "坠入井中"}, 2},
	}
	for _, tc := range topics {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			for _, it := range items {
				text := it.Title + "\n" + it.Body
				for _, w := range tc.any {
					if strings.Contains(text, w) {
						n++
						break
					}
				}
			}
			if n < tc.min {
				t.Errorf("%d messages mention %v, want at least %d", n, tc.any, tc.min)
			}
		})
	}
}

// TestItemsPlacesAndPersonalData checks that the set exercises place recognition across the city
// and gives masking something to mask.
func TestItemsPlacesAndPersonalData(t *testing.T) {
	items := mustItems(t, testNow)
	places := []string{"惠城", "江北", "桥西", "河南岸", "江南", "小金口", "惠阳", "淡水", "秋长", "博罗", "罗阳", "园洲", "惠东", "平山", "龙门", "大亚湾", "澳头", "仲恺", "陈江", "潼湖"}
	phone := regexp.MustCompile(`1[3-9][0-9]{9}`)
	phones := 0
	for _, it := range items {
		if phone.MatchString(it.Body) {
			phones++
		}
	}
	if phones < 10 {
		t.Errorf("%d messages carry a phone number, want at least 10", phones)
	}
	for _, p := range places {
		n := 0
		for _, it := range items {
			if strings.Contains(it.Title+it.Body, p) {
				n++
			}
		}
		if n < 3 {
			t.Errorf("place %s in %d messages, want at least 3", p, n)
		}
	}
}

// TestItemsNearDuplicates checks that resubmitted and copied complaints (same text, small edits,
// another channel) are present and close in time, so duplicate detection has cases to find. The
// set also holds paraphrased repeats of the same event by different people, which share too few
// characters to be counted this way.
func TestItemsNearDuplicates(t *testing.T) {
	items := mustItems(t, testNow)
	grams := make([]map[string]bool, len(items))
	for i, it := range items {
		grams[i] = bigrams(it.Title + it.Body)
	}
	pairs := 0
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			if items[j].Time.Sub(items[i].Time) > 10*24*time.Hour {
				break
			}
			if jaccard(grams[i], grams[j]) >= 0.6 && items[i].Author != items[j].Author {
				pairs++
			}
		}
	}
	if pairs < 12 {
		t.Errorf("%d near-duplicate pairs within 10 days, want at least 12", pairs)
	}
}

func bigrams(s string) map[string]bool {
	r := []rune(s)
	m := map[string]bool{}
	for i := 0; i+1 < len(r); i++ {
		m[string(r[i:i+2])] = true
	}
	return m
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, in string
	}{
		{"unknown channel", `{"id":"1","channel":"微博","title":"t","body":"b","time":"2026-01-01 00:00:00","user":"u"}`},
		{"unknown field", `{"id":"1","channel":"12345","title":"t","body":"b","time":"2026-01-01 00:00:00","user":"u","x":1}`},
		{"bad time", `{"id":"1","channel":"12345","title":"t","body":"b","time":"2026/1/1","user":"u"}`},
		{"no id", `{"channel":"12345","title":"t","body":"b","time":"2026-01-01 00:00:00"}`},
		{"empty body", `{"id":"1","channel":"12345","title":"t","body":" ","time":"2026-01-01 00:00:00"}`},
		{"not json", `id,channel,title`},
		{"two objects", `{"id":"1","channel":"12345","title":"t","body":"b","time":"2026-01-01 00:00:00"} {}`},
		{"bad utf8", "{\"id\":\"1\",\"channel\":\"12345\",\"title\":\"\xff\",\"body\":\"b\",\"time\":\"2026-01-01 00:00:00\"}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parse(strings.NewReader(tc.in + "\n")); err == nil {
				t.Errorf("parse accepted %q", tc.in)
			}
		})
	}
	items, err := parse(strings.NewReader("\n" + `{"id":"1","channel":"信访","title":"t","body":"b","time":"2026-01-02 03:04:05","user":"张某某"}` + "\n\n"))
	if err != nil || len(items) != 1 {
		t.Fatalf("parse good line: %v, %d items", err, len(items))
	}
	if got := items[0]; got.Source != "市信访局" || got.Author != "张某某" || !got.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, cst)) {
		t.Errorf("parsed %+v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(demoJSONL[:strings.IndexByte(string(demoJSONL), '\n')+1]))
	f.Add(`{"id":"1","channel":"12345","title":"t","body":"b","time":"2026-01-01 00:00:00"}`)
	f.Add("{}\n{")
	f.Fuzz(func(t *testing.T, s string) {
		items, err := parse(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, it := range items {
			if it.SourceID == "" || it.Source == "" || it.Time.IsZero() {
				t.Errorf("accepted incomplete item %+v", it)
			}
		}
		shift(items, testNow)
	})
}

func BenchmarkItems(b *testing.B) {
	for b.Loop() {
		if _, err := Items(testNow); err != nil {
			b.Fatal(err)
		}
	}
}
