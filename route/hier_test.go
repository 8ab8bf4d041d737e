package route

import (
	"fmt"
	"strings"
	"testing"

	"minyi/domain"
)

func TestHierKeys(t *testing.T) {
	tests := []struct {
		name, typ, dist, street string
	}{
		{"上海市闵行区颛桥镇人民政府", streetType, "闵行区", "闵行区颛桥镇"},
		{"上海市浦东新区人民政府花木街道办事处", streetType, "浦东新区", "浦东新区花木街道"},
		{"上海市嘉定区教育局", "区:教育局", "嘉定区", ""},
		{"上海市崇明区人民政府", "区:", "崇明区", ""},
		{"上海市交通委员会", "上海市交通委员会", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, dist, street := hierKeys(tc.name)
			if typ != tc.typ || dist != tc.dist || street != tc.street {
				t.Errorf("hierKeys(%q) = %q, %q, %q; want %q, %q, %q", tc.name, typ, dist, street, tc.typ, tc.dist, tc.street)
			}
		})
	}
}

// shanghaiHistory is a small dispatch history in which 嘉定区教育局 has a single letter, about
// something else than school places: only the hierarchy can send a 嘉定 school-place letter there,
// learning the matter from other districts' 教育局 letters and the place from 嘉定's 建管委 letters.
func shanghaiHistory() []Labeled {
	var h []Labeled
	add := func(dept, title, body string, n int) {
		for i := range n {
			h = append(h, Labeled{Item: domain.Item{Title: title, Body: fmt.Sprintf("%s 第%d次反映", body, i)}, Department: dept})
		}
	}
	for _, d := range []string{"闵行区", "浦东新区", "宝山区", "静安区"} {
		add("上海市"+d+"教育局", "入学学位", d+"孩子入学学位紧张，小学招生对口学校", 3)
	}
	add("上海市嘉定区建设和管理委员会", "道路破损", "嘉定区马路破损，路灯不亮，公交站台", 8)
	add("上海市闵行区建设和管理委员会", "道路施工", "闵行区道路施工噪音，马路开挖", 4)
	add("上海市嘉定区教育局", "教师待遇", "嘉定区教师绩效工资", 1)
	add("上海市闵行区颛桥镇人民政府", "小区停车", "颛桥镇小区停车难，物业不管", 6)
	add("上海市交通委员会", "地铁线路", "地铁末班车时间太早，希望延长", 6)
	return h
}

func TestHierComposesTypeAndDistrict(t *testing.T) {
	r := New(nil, nil)
	if err := r.Train(shanghaiHistory()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		title, body, want string
	}{
		{"孩子入学", "嘉定区小学招生，对口学校学位不够", "上海市嘉定区教育局"},
		{"孩子入学", "闵行区小学招生，学位紧张", "上海市闵行区教育局"},
		{"地铁", "地铁末班车太早", "上海市交通委员会"},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			got := r.Suggest(&domain.Item{Title: tc.title, Body: tc.body}, &domain.Analysis{})
			if len(got) == 0 || got[0].Department != tc.want {
				t.Fatalf("Suggest = %+v, want %s first", got, tc.want)
			}
			if why := strings.Join(got[0].Reasons, "；"); !strings.Contains(why, "此类事项多由") {
				t.Errorf("reasons %q do not name the kind of unit", why)
			}
		})
	}
}
