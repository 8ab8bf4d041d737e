package index

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// render prints a node tree compactly so parse results can be compared as strings.
func render(n *node) string {
	if n == nil {
		return "ALL"
	}
	switch n.kind {
	case nodeAnd, nodeOr:
		op := " & "
		if n.kind == nodeOr {
			op = " | "
		}
		parts := make([]string, len(n.children))
		for i, c := range n.children {
			parts[i] = render(c)
		}
		return "(" + strings.Join(parts, op) + ")"
	case nodeNot:
		return "!" + render(n.children[0])
	case nodeTerm:
		if n.field != "" {
			return n.field + ":" + n.text
		}
		return n.text
	case nodePhrase:
		if n.field != "" {
			return n.field + `:"` + n.text + `"`
		}
		return `"` + n.text + `"`
	case nodeField:
		return n.field + "=" + n.text
	case nodeTime:
		return "time[" + n.from.Format("2006-01-02") + "," + n.to.Format("2006-01-02") + ")"
	}
	return "?"
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "ALL"},
		{"   ", "ALL"},
		{"渣土车", "渣土车"},
		{"渣土车 噪音", "(渣土车 & 噪音)"},
		{"渣土车 AND 噪音", "(渣土车 & 噪音)"},
		{"渣土车 OR 噪音 扰民", "(渣土车 | (噪音 & 扰民))"},
		{"(渣土车 OR 噪音) 扰民", "((渣土车 | 噪音) & 扰民)"},
		{"（渣土车 或 噪音）扰民", "((渣土车 | 噪音) & 扰民)"},
		{"噪音 -扰民", "(噪音 & !扰民)"},
		{"噪音 NOT 扰民", "(噪音 & !扰民)"},
		{`"噪音 扰民"`, `"噪音 扰民"`},
		{`“噪音扰民”问题`, `("噪音扰民" & 问题)`},
		{`-"夜间施工"`, `!"夜间施工"`},
		{`标题:噪音`, "title:噪音"},
		{`标题："夜间 施工"`, `title:"夜间 施工"`},
		{`部门:城管局 分类：环境保护`, "(department=城管局 & category=环境保护)"},
		{`区县:惠城区`, "district=惠城区"},
		{`状态:已办结 渠道:12345`, "(status=已办结 & channel=12345)"},
		{`时间:2024-01-01..2024-03-31`, "time[2024-01-01,2024-04-01)"},
		{`时间:2024-03`, "time[2024-03-01,2024-04-01)"},
		{`时间:2024年3月5日`, "time[2024-03-05,2024-03-06)"},
		{`时间:2024..`, "time[2024-01-01,0001-01-01)"},
		{`时间:昨天`, "昨天"},
		{`未知:值`, "未知:值"},
		{`"未闭合`, `"未闭合"`},
		{`AND OR NOT`, "ALL"},
		{`((噪音`, "噪音"},
		{`噪音))`, "噪音"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := render(parseQuery(tc.in)); got != tc.want {
				t.Fatalf("parseQuery(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestScanNgrams(t *testing.T) {
	type tok struct {
		term string
		pos  int
	}
	tests := []struct {
		in   string
		mode ngramMode
		want []tok
	}{
		{"渣土车", modeBigram, []tok{{"渣土", 1}, {"土车", 2}}},
		{"渣土车", modeBigram | modeRunEnd, []tok{{"渣土", 1}, {"土车", 2}, {"车", 3}}},
		{"渣土车", modeBigram | modeUnigram, []tok{{"渣土", 1}, {"渣", 1}, {"土车", 2}, {"土", 2}, {"车", 3}}},
		{"路，灯", modeBigram | modeRunEnd, []tok{{"路", 1}, {"灯", 3}}},
		{"PM2.5超标", modeBigram | modeLatin, []tok{{"pm2.5", 1}, {"超标", 3}}},
		{"ＰＭ２．５", modeLatin, []tok{{"pm2.5", 1}}},
		{"拨打12345。", modeBigram | modeLatin, []tok{{"拨打", 1}, {"12345", 4}}},
		{"a-1 b.", modeLatin, []tok{{"a-1", 1}, {"b", 3}}},
		{"<script>", modeLatin, []tok{{"script", 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var got []tok
			scanNgrams([]byte(tc.in), tc.mode, func(term []byte, _, _, pos int) {
				got = append(got, tok{string(term), pos})
			})
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestMakeSnippet(t *testing.T) {
	long := strings.Repeat("无关内容。", 50)
	tests := []struct {
		name, text string
		needles    []string
		want       string // substring the snippet must contain
		found      bool
	}{
		{"marks every match", "渣土车夜间经过，渣土车噪音", []string{"渣土车"}, "\uE000渣土车\uE001夜间经过，\uE000渣土车\uE001噪音", true},
		{"merges overlapping", "渣土车", []string{"渣土", "土车"}, "\uE000渣土车\uE001", true},
		{"case folds latin", "PM2.5超标", []string{"pm2.5"}, "\uE000PM2.5\uE001超标", true},
		{"window around match", long + "路灯不亮" + long, []string{"路灯"}, "\uE000路灯\uE001不亮", true},
		{"no match gives lead", "小区物业问题", []string{"渣土"}, "小区物业问题", false},
		{"strips forged markers", "\uE000假\uE001渣土", []string{"渣土"}, "假\uE000渣土\uE001", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, found := makeSnippet(tc.text, foldNeedles(tc.needles), true)
			if found != tc.found || !strings.Contains(got, tc.want) {
				t.Fatalf("makeSnippet = %q (found %v), want it to contain %q (found %v)", got, found, tc.want, tc.found)
			}
			if n := utf8.RuneCountInString(got); n > snippetRunes+10 {
				t.Fatalf("snippet of %d runes", n)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`渣土车 -噪音`, `标题:"a b" OR (部门:城管 NOT 12345)`, `时间:2024-01..2024-02`, `“`, `-`, `标题:`, `((`, "\uE000"} {
		f.Add(s)
	}
	seg := newToySeg()
	f.Fuzz(func(t *testing.T, s string) {
		root := parseQuery(s)
		if root == nil {
			return
		}
		c := &compiler{seg: seg}
		c.compile(root, true) // must not panic
		_ = render(root)
	})
}

func FuzzScanNgrams(f *testing.F) {
	for _, s := range []string{"渣土车噪音", "PM2.5超标", "ＰＭ２．５", "a.b-c_", "路，灯", "\xff\xfe乱码"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		lastPos := 0
		scanNgrams(in, modeBigram|modeUnigram|modeLatin|modeRunEnd, func(term []byte, start, end, pos int) {
			if start < 0 || end > len(in) || start >= end {
				t.Fatalf("bad offsets %d..%d of %d", start, end, len(in))
			}
			if pos < lastPos {
				t.Fatalf("positions went back: %d after %d", pos, lastPos)
			}
			lastPos = pos
			if len(term) == 0 {
				t.Fatal("empty term")
			}
		})
		_, _ = makeSnippet(s, foldNeedles([]string{s}), true)
	})
}
