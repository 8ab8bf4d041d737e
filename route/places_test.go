package route

import (
	"fmt"
	"slices"
	"testing"

	"minyi/domain"
)

func TestParseUnitName(t *testing.T) {
	tests := []struct {
		name string
		want unitName
	}{
		{"上海市闵行区颛桥镇人民政府", unitName{"上海市", "闵行区", "颛桥镇", "人民政府"}},
		{"上海市浦东新区人民政府花木街道办事处", unitName{"上海市", "浦东新区", "花木街道", ""}},
		{"上海市浦东新区川沙新镇人民政府", unitName{"上海市", "浦东新区", "川沙新镇", "人民政府"}},
		{"上海市嘉定区菊园新区管理委员会", unitName{"上海市", "嘉定区", "菊园新区", "管理委员会"}},
		{"上海市嘉定区建设和管理委员会", unitName{"上海市", "嘉定区", "", "建设和管理委员会"}},
		{"上海市交通委员会", unitName{"上海市", "", "", "交通委员会"}},
		{"上海市绿化和市容管理局(上海市林业局)", unitName{"上海市", "", "", "绿化和市容管理局(上海市林业局)"}},
		{"惠州市城市管理和综合执法局惠城分局", unitName{"惠州市", "", "", "城市管理和综合执法局惠城分局"}},
		{"惠州市惠城区江北街道办事处", unitName{"惠州市", "惠城区", "江北街道", ""}},
		{"惠州市惠阳区淡水街道办事处", unitName{"惠州市", "惠阳区", "淡水街道", ""}},
		{"上海市崇明区人民政府", unitName{"上海市", "崇明区", "", ""}},
		{"上海市浦东新区唐镇人民政府", unitName{"上海市", "浦东新区", "唐镇", "人民政府"}},
		{"上海市崇明区庙镇", unitName{"上海市", "崇明区", "庙镇", ""}},
		{"上海市浦东新区书院镇人民政府", unitName{"上海市", "浦东新区", "书院镇", "人民政府"}},
		{"上海市浦东新区镇容办", unitName{"上海市", "浦东新区", "", "镇容办"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseUnitName(tc.name); got != tc.want {
				t.Errorf("parseUnitName(%q) = %+v, want %+v", tc.name, got, tc.want)
			}
		})
	}
}

func TestPlaceTableFind(t *testing.T) {
	pt := newPlaceTable(DefaultDirectory(), []string{"上海市闵行区颛桥镇人民政府", "上海市浦东新区人民政府花木街道办事处"})
	tests := []struct {
		text, district, street string
	}{
		{"惠城区江北街道夜间渣土车", "惠城区", "江北街道"},
		{"江北有渣土车", "惠城区", "江北街道"},
		{"我住在淡水，附近噪音", "惠阳区", "淡水街道"},
		{"闵行区颛桥镇某小区", "闵行区", "颛桥镇"},
		{"浦东花木路口", "浦东新区", "花木街道"},
		{"没有地名的来信", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			f := pt.find(tc.text)
			if f.district != tc.district || f.street != tc.street {
				t.Errorf("find(%q) = %q/%q, want %q/%q", tc.text, f.district, f.street, tc.district, tc.street)
			}
		})
	}
}

// TestPlaceHints checks that communities and roads that name a community point at their street
// and district, that a street the text names wins over them, and that the hinted street office
// becomes a candidate with the hint features set.
func TestPlaceHints(t *testing.T) {
	road := domain.Place{Name: "贵州路", Full: "贵州路", Level: domain.PlaceRoad, Path: []string{"上海市", "黄浦区", "南京东路街道", "贵州路"}}
	comm := domain.Place{Name: "华侨城", Full: "华侨城社区居委会", Level: domain.PlaceCommunity, Path: []string{"广东省", "惠州市", "惠东县", "平山街道", "华侨城社区居委会"}}
	plain := domain.Place{Name: "解放路", Full: "解放路", Level: domain.PlaceRoad}
	var f found
	f.addHints(&domain.Analysis{Places: []domain.Place{plain, road, comm, road}})
	if want := []string{"黄浦区", "南京东路街道", "惠东县", "平山街道"}; !slices.Equal(f.hints, want) {
		t.Errorf("hints = %v, want %v", f.hints, want)
	}
	if s, d := f.hinted(parseUnitName("上海市黄浦区人民政府南京东路街道办事处")); !s || !d {
		t.Errorf("南京东路街道办事处: hinted street %v district %v, want both", s, d)
	}
	if s, d := f.hinted(parseUnitName("上海市黄浦区建设和管理委员会")); s || !d {
		t.Errorf("黄浦区建管委: hinted street %v district %v, want district only", s, d)
	}
	if s, d := f.hinted(parseUnitName("上海市徐汇区人民政府漕河泾街道办事处")); s || d {
		t.Errorf("漕河泾街道办事处: hinted street %v district %v, want neither", s, d)
	}
	named := found{street: "外滩街道"}
	named.addHints(&domain.Analysis{Places: []domain.Place{road}})
	if len(named.hints) != 0 {
		t.Errorf("hints beside a named street = %v, want none", named.hints)
	}

	office := "上海市黄浦区人民政府南京东路街道办事处"
	var hist []Labeled
	for i := range 6 {
		hist = append(hist,
			Labeled{Item: domain.Item{Title: "噪音", Body: fmt.Sprintf("外滩街道夜间施工噪音 %d", i)}, Department: "上海市黄浦区人民政府外滩街道办事处"},
			Labeled{Item: domain.Item{Title: "占道", Body: fmt.Sprintf("南京东路街道占道经营 %d", i)}, Department: office},
			Labeled{Item: domain.Item{Title: "公交", Body: fmt.Sprintf("公交线路调整 %d", i)}, Department: "上海市交通委员会"})
	}
	r := New(nil, nil)
	if err := r.Train(hist); err != nil {
		t.Fatal(err)
	}
	cands, _, _ := r.components(&domain.Item{Title: "求助", Body: "贵州路有问题"}, &domain.Analysis{Places: []domain.Place{road}})
	i := slices.IndexFunc(cands, func(c *cand) bool { return c.dept == office })
	if i < 0 || !cands[i].hintStreet || !cands[i].hintDist {
		t.Fatalf("the hinted street office is no candidate with the hint set: %d of %d", i, len(cands))
	}
	var v [nFeatures]float64
	cands[i].vector(&v)
	if v[fHintStreet] != 1 || v[fHintDist] != 1 {
		t.Errorf("hint features = %v %v, want 1 1", v[fHintStreet], v[fHintDist])
	}
}
