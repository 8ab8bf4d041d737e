package feed

import (
	"golang.org/x/text/encoding/simplifiedchinese"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "  市民  反映\r\n路灯不亮 ", "市民 反映\n路灯不亮"},
		{"paragraphs", "<p>第一段</p><p>第二段</p>", "第一段\n第二段"},
		{"br and div", "第一行<br>第二行<br/><div>第三行</div>", "第一行\n第二行\n第三行"},
		{"script and style dropped", "<style>p{}</style>正文<script>alert('x')</script>结束", "正文结束"},
		{"event handler attribute", `<img src=x onerror="alert(1)">图片后的文字`, "图片后的文字"},
		{"entities", "A&amp;B &lt;b&gt; &#20013;&#x6587; &quot;引号&quot;", `A&B <b> 中文 "引号"`},
		{"nbsp and full-width indent", "<p>\u3000\u3000尊敬的领导：&nbsp;&nbsp;您好</p>", "尊敬的领导： 您好"},
		{"nested lists", "<ul><li>一</li><li>二</li></ul>", "一\n二"},
		{"unclosed script eats the rest", "前<script>var a = '<p>不是正文</p>';", "前"},
		{"comment", "a<!-- 注释 -->b", "ab"},
		{"escaped script stays text", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLToText(tc.in); got != tc.want {
				t.Errorf("HTMLToText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzHTMLToText checks that the output is valid UTF-8 without control characters or double
// blank lines, and that converting it again (as plain text) changes nothing.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>段落</p>", "<script>x</script>y", "&#0;&#xD800;", "<a href='x' onclick=1>链接</a>", "\u3000\u00a0 ", "<<>>&&;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := HTMLToText(s)
		if !utf8.ValidString(out) || strings.ContainsRune(out, utf8.RuneError) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
		if strings.Contains(out, "\n\n") || out != strings.TrimSpace(out) {
			t.Fatalf("untidy whitespace: %q", out)
		}
		for _, r := range out {
			if r != '\n' && r < 0x20 {
				t.Fatalf("control character %U in %q", r, out)
			}
		}
		if again := cleanText(out); again != out {
			t.Fatalf("not idempotent: %q → %q", out, again)
		}
	})
}

func TestRepairText(t *testing.T) {
	latin1, _ := charmap.ISO8859_1.NewDecoder().String("市民反映：路灯坏了")
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"clean", "小区停水三天", "小区停水三天", true},
		{"traditional stays", "我們這裡的學校問題很嚴重，請幫忙處理", "我們這裡的學校問題很嚴重，請幫忙處理", true},
		{"latin-1 mojibake repaired", latin1, "市民反映：路灯坏了", true},
		{"GBK mojibake rejected", "鍏充簬灏忓尯鐨勯棶棰橈紝璇峰府蹇", "", false},
		{"invalid UTF-8", "abc\xff\xfe", "", false},
		{"replacement character", "乱码\uFFFD\uFFFD", "", false},
		{"café is not mojibake", "café", "café", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := repairText(tc.in)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("repairText(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2020/1/6 12:09:38", cst(2020, 1, 6, 12, 9, 38), true},
		{"2023-07-14", cst(2023, 7, 14, 0, 0, 0), true},
		{"2023-07-14 08:00", cst(2023, 7, 14, 8, 0, 0), true},
		{"2023-07-14T08:00:00Z", time.Date(2023, 7, 14, 8, 0, 0, 0, time.UTC), true},
		{"2023-07-14T08:00:00.5+08:00", cst(2023, 7, 14, 8, 0, 0).Add(500 * time.Millisecond), true},
		{"2023年7月14日", cst(2023, 7, 14, 0, 0, 0), true},
		{"2023年07月14日 08时05分", cst(2023, 7, 14, 8, 5, 0), true},
		{"2023.7.14", cst(2023, 7, 14, 0, 0, 0), true},
		{"1689292800", cst(2023, 7, 14, 8, 0, 0), true},
		{"1689292800000", cst(2023, 7, 14, 8, 0, 0), true},
		{"20230714", cst(2023, 7, 14, 0, 0, 0), true},
		{"Fri, 14 Jul 2023 08:30:00 +0800", cst(2023, 7, 14, 8, 30, 0), true},
		{"Fri, 14 Jul 2023 08:30:00 CST", cst(2023, 7, 14, 8, 30, 0), true},
		{"Fri, 14 Jul 2023 00:30:00 GMT", cst(2023, 7, 14, 8, 30, 0), true},
		{"2023-02-30", time.Time{}, false},
		{"2023-13-01", time.Time{}, false},
		{"昨天下午", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseTime(tc.in)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
	if got, ok := parseTime("43836.5067", true); !ok || !got.Equal(cst(2020, 1, 6, 12, 9, 39)) {
		t.Errorf("excel serial = %v %v", got, ok)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020/1/6 12:09:38", "2023年7月14日", "1689292800", "2023-07-14T08:00:00+08:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := ParseTime(s); ok && (got.Year() < 1900 && got.Year() != 1970) {
			t.Fatalf("%q parsed to %v", s, got)
		}
	})
}

func TestShortRealChineseIsNotMojibake(t *testing.T) {
	for _, s := range []string{"速度好快！", "送餐好快啊", "速度很快啊", "很好吃，下次还来"} {
		if fixed, suspect := gbkMojibake(s); suspect {
			t.Errorf("gbkMojibake(%q) = %q, suspect; real text was taken for mojibake", s, fixed)
		}
	}
	moji, err := simplifiedchinese.GBK.NewDecoder().String("关于市政道路井盖缺失的问题")
	if err != nil {
		t.Fatal(err)
	}
	if _, suspect := gbkMojibake(moji); !suspect {
		t.Errorf("real mojibake %q (UTF-8 read as GBK) not detected", moji)
	}
}
