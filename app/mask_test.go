package app

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"mobile", "我的电话13812345678，请回电", "我的电话138****5678，请回电"},
		{"mobile with +86", "手机+86 13812345678", "手机+86 138****5678"},
		{"mobile with separators", "联系138-1234-5678", "联系138-****-5678"},
		{"landline with area code", "座机0752-2345678", "座机0752-***5678"},
		{"landline 8 digits", "电话020-12345678", "电话020-****5678"},
		{"short landline after cue", "电话2345678", "电话2****78"},
		{"short number without cue stays", "共2345678元", "共2345678元"},
		{"id card 18", "身份证440301199001011234", "身份证440301********1234"},
		{"id card with X", "身份证44030119900101123X", "身份证440301********123X"},
		{"id card 15", "老身份证440301900101123", "老身份证440301*****1123"},
		{"bank card spaced", "卡号6222 0202 0000 1234 567", "卡号6222 02** **** ***4 567"},
		{"bank card 16", "6222020200001234", "622202******1234"},
		{"email", "邮箱 wangxm@163.com 谢谢", "邮箱 w*****@163.com 谢谢"},
		{"qq after cue", "QQ：12345678", "QQ：1*****78"},
		{"hotline number stays", "拨打12345热线", "拨打12345热线"},
		{"dates and amounts stay", "2024-01-05 罚款2000元，工单20240105", "2024-01-05 罚款2000元，工单20240105"},
		{"code with letters stays", "订单A13812345678", "订单A13812345678"},
		{"full name before title", "张三丰先生反映", "张**先生反映"},
		{"two-character name", "反映人张三女士", "反映人张*女士"},
		{"surname only stays", "张先生多次来电", "张先生多次来电"},
		{"not a surname before title", "我是王女士", "我是王女士"},
		{"place before title", "物业马先生说", "物业马先生说"},
		{"conjunction before name", "和张三先生一起", "和张*先生一起"},
		{"compound surname", "欧阳娜娜女士", "欧阳**女士"},
		{"introduction", "我叫王小明，家住江北", "我叫王**，家住江北"},
		{"introduction stops at function word", "我叫王明在江北", "我叫王*在江北"},
		{"contact with colon", "联系人：李四 电话13912345678", "联系人：李* 电话139****5678"},
		{"surname statement stays", "我姓李", "我姓李"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskAuthor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"王小明", "王**"},
		{"A353034489", "A*********"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskAuthor(tt.in); got != tt.want {
				t.Errorf("MaskAuthor(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzMask checks the invariants exports rely on: no panic, valid UTF-8, the same number of
// characters, only '*' where anything changed, and nothing more to hide in a masked text.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"我的电话13812345678", "张三丰先生", "我叫王小明", "卡号6222 0202 0000 1234 567",
		"a@b.cn", "身份证44030119900101123X", "联系人：", "欧阳", "\xff\xfe13812345678", "1-2-3-4-5-6-7-8-9-0-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Mask(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Mask(%q) = %q is not valid UTF-8", s, out)
		}
		in := []rune(s)
		got := []rune(out)
		if len(in) != len(got) {
			t.Fatalf("Mask(%q) = %q changed the length", s, out)
		}
		for i := range in {
			if in[i] != got[i] && got[i] != maskRune {
				t.Fatalf("Mask(%q) = %q changed %q at %d into %q", s, out, in[i], i, got[i])
			}
		}
		if again := Mask(out); strings.Count(again, "*") < strings.Count(out, "*") {
			t.Fatalf("masking %q again revealed something: %q", out, again)
		}
	})
}
