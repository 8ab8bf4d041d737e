package nlp

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestPlaceDisambiguation checks that short names count as places only with a parent place
// in sight, that full names always do, and that the district and street are the most
// specific consistent ones.
func TestPlaceDisambiguation(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		name, title, body string
		wantFull          []string // canonical names of the admin places found, in order
		district, street  string
	}{
		{"ordinary 江南 is no place", "", "我很喜欢江南的风景，烟雨江南真美。", nil, "", ""},
		{"江南 beside its district", "", "惠城区江南一带路面破损。", []string{"惠城区", "江南街道"}, "惠城区", "江南街道"},
		{"江北 alone is no place", "", "江北的夜市太吵了。", nil, "", ""},
		{"江北 beside its city", "", "惠州江北的夜市太吵了。", []string{"惠州市", "江北街道"}, "惠城区", "江北街道"},
		{"淡水 the word", "", "小区停了淡水供应，只能喝桶装水。", nil, "", ""},
		{"淡水 beside 惠阳", "", "惠阳淡水的路灯坏了。", []string{"惠阳区", "淡水街道"}, "惠阳区", "淡水街道"},
		{"full street name alone", "", "淡水街道开城大道有人占道经营。", []string{"淡水街道"}, "惠阳区", "淡水街道"},
		{"unambiguous short district", "", "浦东有个小区物业乱收费。", []string{"浦东新区"}, "浦东新区", ""},
		{"长宁 the district, by 上海", "", "上海长宁的天山公园。", []string{"上海市", "长宁区"}, "长宁区", ""},
		{"长宁 the town, by 博罗", "", "博罗长宁的一个村。", []string{"博罗县", "长宁镇"}, "博罗县", "长宁镇"},
		{"duplicate town name resolved", "", "龙门县龙华镇路灯不亮。", []string{"龙门县", "龙华镇"}, "龙门县", "龙华镇"},
		{"duplicate town name unresolved", "", "龙华镇路灯不亮。", []string{"龙华镇"}, "", ""},
		{"place inside a longer word", "", "上海市浦东新区三林镇工地噪音。", []string{"上海市", "浦东新区", "三林镇"}, "浦东新区", "三林镇"},
		{"functional area alias", "", "大亚湾澳头街道有人偷倒垃圾。", []string{"大亚湾经济技术开发区", "澳头街道"}, "大亚湾经济技术开发区", "澳头街道"},
		{"community beside its street", "", "平山街道华侨城附近井盖缺失。", []string{"平山街道", "华侨城社区居委会"}, "惠东县", "平山街道"},
		{"a 居委会 no other community bears counts alone", "", "贵州路居委会不作为。", []string{"贵州路居委会"}, "黄浦区", "南京东路街道"},
		{"a road that names a community, beside its district", "", "黄浦区贵州路噪音扰民。", []string{"黄浦区", "贵州路居委会"}, "黄浦区", "南京东路街道"},
		{"the same road alone is no community", "", "贵州路噪音扰民。", nil, "", ""},
		{"新农村 the word", "", "建设美丽新农村。", nil, "", ""},
		{"a name many communities share needs more than the city", "", "上海新桥居委会不作为。", []string{"上海市"}, "", ""},
		{"and is found beside its district", "", "宝山区罗店镇新桥居委会不作为。", []string{"宝山区", "罗店镇", "新桥居委会"}, "宝山区", "罗店镇"},
		{"most mentioned district wins", "", "我住惠阳区秋长街道，在惠城区上班，秋长这边停水了。", []string{"惠阳区", "秋长街道", "惠城区", "秋长街道"}, "惠阳区", "秋长街道"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			an := a.Analyze(tc.title, tc.body)
			var got []string
			for _, p := range an.Places {
				if p.Level != LevelRoad {
					got = append(got, p.Full)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.wantFull, " ") {
				t.Errorf("places = %v, want %v", got, tc.wantFull)
			}
			if an.District != tc.district || an.Street != tc.street {
				t.Errorf("district/street = %q/%q, want %q/%q", an.District, an.Street, tc.district, tc.street)
			}
		})
	}
}

// TestRoads checks road recognition by suffix and that ordinary words ending in 路 are not roads.
func TestRoads(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		text string
		want []string
	}{
		{"惠州大道某路段积水。", []string{"惠州大道"}},
		{"江北三环路一带有渣土车。", []string{"三环路"}},
		{"淡水街道开城大道两侧摆摊。", []string{"开城大道"}},
		{"这条道路的思路不对，走路都难。", nil},
		{"逛街的时候发现马路上有坑。", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			for _, p := range a.Analyze("", tc.text).Places {
				if p.Level == LevelRoad {
					got = append(got, p.Full)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("roads = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestShortNamesAlone checks aliases that are no ordinary word count without context.
func TestShortNamesAlone(t *testing.T) {
	a := mustAnalyzer(t)
	for _, tc := range []struct{ text, want string }{
		{"秋长这边停水了。", "秋长街道"},
		{"陈江有个工地扬尘。", "陈江街道"},
		{"闵行有个小区。", "闵行区"},
		{"中山有个小区。", ""},
		{"花木都枯死了。", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got := ""
			for _, p := range a.Analyze("", tc.text).Places {
				got += p.Full
			}
			if got != tc.want {
				t.Errorf("places = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestGazetteerWeakCanonical checks that a "?" before a canonical name is read as a mark, not
// as part of the name, and that a mark alone is a bad line.
func TestGazetteerWeakCanonical(t *testing.T) {
	g, err := LoadGazetteer(strings.NewReader("市\t上海市\t\t上海\n社区\t?新桥居委会\t上海市\t?新桥社区\n"))
	if err != nil {
		t.Fatal(err)
	}
	ps := g.Lookup("新桥居委会")
	if len(ps) != 1 || ps[0].Full != "新桥居委会" || strings.Join(ps[0].Path, "/") != "上海市/新桥居委会" {
		t.Errorf("Lookup(新桥居委会) = %+v", ps)
	}
	if ns := g.names["新桥居委会"]; len(ns) != 1 || !ns[0].ctx || ns[0].alias {
		t.Errorf("names[新桥居委会] = %+v, want one weak canonical name", ns)
	}
	if slices.Contains(g.Names(), "新桥居委会") || !slices.Contains(g.Names(), "上海") {
		t.Errorf("Names() = %v: community names stay out of the dictionary, others go in", g.Names())
	}
	if _, err := LoadGazetteer(strings.NewReader("市\t?\t\t\n")); !errors.Is(err, ErrBadGazetteer) {
		t.Errorf("a bare ? as name: err = %v, want ErrBadGazetteer", err)
	}
}

// TestCommunityRoadPath checks that a road named like a community carries that community's
// street as a routing hint, without becoming the message's street, and only where the text
// names no street and no other district.
func TestCommunityRoadPath(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct{ text, road, path, street string }{
		{"贵州路噪音扰民。", "贵州路", "上海市/黄浦区/南京东路街道/贵州路", ""},
		{"黄浦区贵州路噪音扰民。", "贵州路", "上海市/黄浦区/南京东路街道/贵州路", "南京东路街道"},
		{"徐汇区贵州路噪音扰民。", "贵州路", "上海市/徐汇区/贵州路", ""},
		{"解放路噪音扰民。", "解放路", "", ""}, // no community of that name
	}
	for _, tc := range tests {
		an := a.Analyze("", tc.text)
		path := "-"
		for _, p := range an.Places {
			if p.Level == LevelRoad && p.Full == tc.road {
				path = strings.Join(p.Path, "/")
			}
		}
		if path != tc.path || an.Street != tc.street {
			t.Errorf("%s: road path %q street %q, want %q %q", tc.text, path, an.Street, tc.path, tc.street)
		}
	}
}
