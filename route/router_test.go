package route

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"minyi/domain"
)

// mustRouter is a rules-only router over the embedded 惠州 directory and rules.
func mustRouter(tb testing.TB) *Router {
	tb.Helper()
	dir, rules := DefaultDirectory(), DefaultRules()
	if err := rules.Check(dir); err != nil {
		tb.Fatalf("default rules do not fit the default directory: %v", err)
	}
	return New(dir, rules)
}

func TestRulesRouteMatterAndPlace(t *testing.T) {
	r := mustRouter(t)
	tests := []struct {
		name        string
		title, body string
		a           domain.Analysis
		want        []string // expected departments, in order, as a prefix of the suggestions
		reason      string   // a reason the first suggestion must carry
	}{
		{"渣土车 in 惠城区 goes to the 城管 惠城分局", "渣土车夜间撒漏", "惠城区江北街道每天夜间渣土车经过，泥土撒满路面。",
			domain.Analysis{}, []string{"惠州市城市管理和综合执法局惠城分局", "惠州市公安局惠城区交通警察大队"}, "命中规则「渣土车」"},
		{"渣土车 by matter in 惠阳区", "反映问题", "秋长这边车很多",
			domain.Analysis{Matter: "渣土车"}, []string{"惠州市城市管理和综合执法局惠阳分局"}, "地点：惠阳区秋长街道"},
		{"餐饮油烟 goes to the district 生态环境 分局", "楼下餐馆油烟", "惠阳区淡水街道某餐馆油烟直排。",
			domain.Analysis{}, []string{"惠州市生态环境局惠阳分局"}, "命中词：油烟"},
		{"违法建设 goes to the street (属地) then 城管", "楼顶违建", "惠城区江南街道某小区楼顶违建。",
			domain.Analysis{}, []string{"惠州市惠城区江南街道办事处", "惠州市城市管理和综合执法局惠城分局"}, "命中规则「违法建设」"},
		{"占道经营 goes to the street then 城管 分局", "占道经营", "桥东街道夜市小贩占道经营。",
			domain.Analysis{}, []string{"惠州市惠城区桥东街道办事处", "惠州市城市管理和综合执法局惠城分局"}, "命中词：占道经营"},
		{"a town (镇) is found by its short name", "乱搭建", "汝湖有人乱搭建",
			domain.Analysis{}, []string{"惠州市惠城区汝湖镇人民政府"}, "地点：惠城区汝湖镇"},
		{"without a place the city bureau receives", "渣土车", "有渣土车乱跑",
			domain.Analysis{}, []string{"惠州市城市管理和综合执法局"}, "命中词：渣土车"},
		{"a street unknown to the directory backs off to the district government", "违建", "博罗县某村违建",
			domain.Analysis{District: "博罗县"}, []string{"惠州市博罗县人民政府", "惠州市城市管理和综合执法局博罗分局"}, "命中规则「违法建设」"},
		{"an exclude word vetoes a rule", "广场舞施工", "广场舞旁边工地施工",
			domain.Analysis{}, nil, ""},
		{"category rule fires on the category alone", "咨询", "想问一下政策",
			domain.Analysis{Category: "劳动和社会保障"}, []string{"惠州市人力资源和社会保障局"}, "命中规则「劳动和社会保障类」"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := &domain.Item{Title: tc.title, Body: tc.body}
			got := r.Suggest(it, &tc.a)
			var names []string
			for _, s := range got {
				names = append(names, s.Department)
				if s.Confidence <= 0 || s.Confidence > 1 {
					t.Errorf("confidence %v of %s out of (0,1]", s.Confidence, s.Department)
				}
			}
			if tc.want == nil {
				for _, s := range got {
					if strings.Contains(strings.Join(s.Reasons, " "), "社会噪音") {
						t.Errorf("excluded rule fired: %v", s)
					}
				}
				return
			}
			if len(names) < len(tc.want) || !reflect.DeepEqual(names[:len(tc.want)], tc.want) {
				t.Fatalf("Suggest = %v, want prefix %v", names, tc.want)
			}
			if !strings.Contains(strings.Join(got[0].Reasons, "；"), tc.reason) {
				t.Errorf("reasons %v lack %q", got[0].Reasons, tc.reason)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Confidence > got[i-1].Confidence {
					t.Errorf("suggestions not sorted by confidence: %v", got)
				}
			}
		})
	}
}

func TestLoadRulesValidation(t *testing.T) {
	tests := []struct {
		name, json, wantInErr string
	}{
		{"no name", `{"rules":[{"keywords":["x"],"targets":[{"kind":"城管"}],"priority":5}]}`, "第 1 条规则缺少名称"},
		{"duplicate", `{"rules":[{"name":"甲","keywords":["x"],"targets":[{"kind":"城管"}],"priority":5},{"name":"甲","keywords":["y"],"targets":[{"kind":"城管"}],"priority":5}]}`, "规则「甲」名称重复"},
		{"no condition", `{"rules":[{"name":"乙","targets":[{"kind":"城管"}],"priority":5}]}`, "规则「乙」没有条件"},
		{"no target", `{"rules":[{"name":"丙","keywords":["x"],"targets":[],"priority":5}]}`, "规则「丙」没有目标部门"},
		{"both department and kind", `{"rules":[{"name":"丁","keywords":["x"],"targets":[{"kind":"城管","department":"HZ-CG"}],"priority":5}]}`, "规则「丁」第 1 个目标"},
		{"bad level", `{"rules":[{"name":"戊","keywords":["x"],"targets":[{"kind":"城管","level":"省"}],"priority":5}]}`, "规则「戊」第 1 个目标的层级「省」"},
		{"priority out of range", `{"rules":[{"name":"己","keywords":["x"],"targets":[{"kind":"城管"}],"priority":0}]}`, "规则「己」优先级 0"},
		{"empty keyword", `{"rules":[{"name":"庚","keywords":[" "],"targets":[{"kind":"城管"}],"priority":5}]}`, "规则「庚」含空关键词"},
		{"unknown field", `{"rules":[{"name":"辛","keyword":["x"],"targets":[{"kind":"城管"}],"priority":5}]}`, "读取 JSON 失败"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadRules(strings.NewReader(tc.json))
			if !errors.Is(err, ErrInvalidRules) {
				t.Fatalf("LoadRules error = %v, want ErrInvalidRules", err)
			}
			if !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q does not say %q", err, tc.wantInErr)
			}
		})
	}
}

func TestRulesCheckNamesUnknownDepartment(t *testing.T) {
	rs, err := LoadRules(strings.NewReader(`{"rules":[{"name":"错目标","keywords":["x"],"targets":[{"department":"惠州市不存在局"}],"priority":5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	err = rs.Check(DefaultDirectory())
	if !errors.Is(err, ErrUnknownDepartment) || !strings.Contains(err.Error(), "规则「错目标」") {
		t.Errorf("Check = %v, want ErrUnknownDepartment naming the rule", err)
	}
}

func TestRulesJSONRoundTrip(t *testing.T) {
	rs := DefaultRules()
	var buf bytes.Buffer
	if err := rs.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadRules(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rs, back) {
		t.Error("rules changed in a JSON round trip")
	}
}

// history builds a small dispatch history: each department gets letters on its own matter.
func history() []Labeled {
	var h []Labeled
	add := func(dept, title, body string, n int) {
		for i := range n {
			h = append(h, Labeled{Item: domain.Item{Title: title, Body: fmt.Sprintf("%s 第%d次反映", body, i)}, Department: dept})
		}
	}
	add("惠州市城市管理和综合执法局惠城分局", "渣土车撒漏", "惠城区江北街道渣土车夜间撒漏泥土", 6)
	add("惠州市生态环境局惠阳分局", "油烟扰民", "惠阳区淡水街道餐馆油烟直排", 6)
	add("惠州市教育局", "学位不足", "孩子入学学位紧张，招生政策不清楚", 6)
	add("惠州市人力资源和社会保障局", "拖欠工资", "公司拖欠工资三个月，社保未缴", 6)
	return h
}

func TestTrainSuggestAndReasons(t *testing.T) {
	r := New(DefaultDirectory(), nil)
	if err := r.Train(history()); err != nil {
		t.Fatal(err)
	}
	got := r.Suggest(&domain.Item{Title: "拖欠工资", Body: "老板拖欠工资不发"}, &domain.Analysis{})
	if len(got) == 0 || got[0].Department != "惠州市人力资源和社会保障局" {
		t.Fatalf("Suggest = %+v, want 人社局 first", got)
	}
	if !strings.Contains(strings.Join(got[0].Reasons, "；"), "相似历史案件") {
		t.Errorf("reasons %v lack the similar-cases reason", got[0].Reasons)
	}
	var sum float64
	for _, s := range got {
		sum += s.Confidence
	}
	if sum > 1.0001 {
		t.Errorf("confidences sum to %v > 1", sum)
	}
}

func TestTrainNeedsHistory(t *testing.T) {
	if err := New(nil, nil).Train(nil); !errors.Is(err, ErrNoHistory) {
		t.Errorf("Train(nil) = %v, want ErrNoHistory", err)
	}
}

func TestTrainingIsDeterministic(t *testing.T) {
	save := func() []byte {
		r := New(DefaultDirectory(), DefaultRules())
		if err := r.Train(history()); err != nil {
			t.Fatal(err)
		}
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(save(), save()) {
		t.Error("two trainings on the same history saved different routers")
	}
}

func TestReturnedLowersAndFlags(t *testing.T) {
	r := New(DefaultDirectory(), DefaultRules())
	if err := r.Train(history()); err != nil {
		t.Fatal(err)
	}
	it := &domain.Item{Title: "渣土车撒漏", Body: "惠城区江北街道渣土车夜间撒漏泥土"}
	a := &domain.Analysis{Matter: "渣土车"}
	before := r.Suggest(it, a)
	dept := before[0].Department
	if before[0].Flagged {
		t.Fatalf("fresh pairing flagged: %+v", before[0])
	}
	for range 3 {
		r.Returned(dept, a, "非本单位职责")
	}
	after := r.Suggest(it, a)
	var s *domain.Suggestion
	for i := range after {
		if after[i].Department == dept {
			s = &after[i]
		}
	}
	if s != nil {
		if !s.Flagged {
			t.Errorf("pairing returned 3 times not flagged: %+v", s)
		}
		if s.Confidence >= before[0].Confidence {
			t.Errorf("confidence %v not lowered from %v", s.Confidence, before[0].Confidence)
		}
		if !strings.Contains(strings.Join(s.Reasons, "；"), "退单（最近原因：非本单位职责）") {
			t.Errorf("reasons %v do not mention the returns", s.Reasons)
		}
	}
	// Another matter to the same department is not affected.
	other := r.Suggest(it, &domain.Analysis{Matter: "占道经营"})
	for _, o := range other {
		if o.Department == dept && o.Flagged {
			t.Errorf("pairing with another matter flagged: %+v", o)
		}
	}
	// The table survives save and load.
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	loaded := New(DefaultDirectory(), DefaultRules())
	if err := loaded.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got := loaded.Suggest(it, a); !reflect.DeepEqual(got, after) {
		t.Errorf("loaded router suggests %+v, want %+v", got, after)
	}
}

func TestUnmarshalRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("hello"), []byte(routerMagic + "garbage")} {
		if err := New(nil, nil).UnmarshalBinary(b); !errors.Is(err, ErrBadModelFile) {
			t.Errorf("UnmarshalBinary(%q) = %v, want ErrBadModelFile", b, err)
		}
	}
}

// TestTrainLearnsPlacesFromReplies: two street offices get the same kind of letter, none naming a
// place; only their replies name the estates they serve. Trained with the replies, a letter about
// one estate goes to its street office; without them the router cannot tell the two apart.
func TestTrainLearnsPlacesFromReplies(t *testing.T) {
	const (
		jiangbei = "惠州市惠城区江北街道办事处"
		qiaodong = "惠州市惠城区桥东街道办事处"
	)
	hist := func(replies bool) []Labeled {
		var h []Labeled
		for i := range 8 {
			for _, d := range []struct{ dept, estate string }{{jiangbei, "翠湖苑"}, {qiaodong, "金榜花园"}} {
				l := Labeled{
					Item:       domain.Item{Title: "占道经营", Body: fmt.Sprintf("小区门口流动摊贩占道经营，晚上很吵（第%d次）", i)},
					Department: d.dept,
				}
				if replies {
					l.Reply = fmt.Sprintf("经查，%s小区门口确有流动摊贩占道经营，已安排执法队员每晚巡查。", d.estate)
				}
				h = append(h, l)
			}
			h = append(h, Labeled{Item: domain.Item{Title: "拖欠工资", Body: fmt.Sprintf("公司拖欠工资三个月（%d）", i)}, Department: "惠州市人力资源和社会保障局"})
		}
		return h
	}
	letter := &domain.Item{Title: "占道经营", Body: "翠湖苑小区门口流动摊贩占道经营"}
	conf := func(replies bool) map[string]float64 {
		r := New(nil, nil)
		if err := r.Train(hist(replies)); err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, s := range r.Suggest(letter, &domain.Analysis{}) {
			out[s.Department] = s.Confidence
		}
		return out
	}
	with, without := conf(true), conf(false)
	if with[jiangbei] <= with[qiaodong] {
		t.Errorf("trained with replies: %s %.3f, %s %.3f; want the estate's street office first", jiangbei, with[jiangbei], qiaodong, with[qiaodong])
	}
	if d := without[jiangbei] - without[qiaodong]; d > 0.01 || d < -0.01 {
		t.Errorf("trained without replies the two offices differ by %.3f; the test's letters should not tell them apart", d)
	}
}
