package route

import "testing"

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
