package route

import (
	"strings"
	"testing"
)

func FuzzParseUnitName(f *testing.F) {
	for _, s := range []string{"上海市闵行区颛桥镇人民政府", "上海市浦东新区人民政府花木街道办事处", "惠州市城市管理和综合执法局惠城分局", "区", "市区县镇", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := parseUnitName(s)
		for _, part := range []string{u.city, u.district} {
			if !strings.Contains(s, part) {
				t.Fatalf("parseUnitName(%q) = %+v: %q is not in the name", s, u, part)
			}
		}
		if u.street != "" && !strings.Contains(s, strings.TrimSuffix(u.street, "街道")) {
			t.Fatalf("parseUnitName(%q) street %q not in the name", s, u.street)
		}
		pt := newPlaceTable(nil, []string{s})
		_ = pt.find(s)
	})
}

func FuzzLoadRules(f *testing.F) {
	f.Add(string(defaultRulesJSON))
	f.Add(`{"rules":[{"name":"甲","keywords":["x"],"targets":[{"kind":"城管"}],"priority":5}]}`)
	f.Add(`{"rules":[{}]}`)
	dir := DefaultDirectory()
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := LoadRules(strings.NewReader(s))
		if err != nil {
			return
		}
		if err := rs.Validate(); err != nil {
			t.Fatalf("loaded rules fail validation: %v", err)
		}
		_ = rs.Check(dir)
		_ = rs.match(dir, s, nil, "惠城区", "江北街道")
	})
}
