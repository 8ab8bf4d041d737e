package casework

import (
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

// requestTypeByText is how RequestType read the text when it built the head string: the title
// followed by the body's first 40 runes re-encoded. It is the specification the allocation-free
// reading must agree with.
func requestTypeByText(title, body string) string {
	head := title
	if b := []rune(body); len(b) > 40 {
		head += string(b[:40])
	} else {
		head += body
	}
	switch {
	case strings.HasPrefix(title, "咨询") || strings.Contains(head, "请问") && !strings.ContainsAny(title, "投诉举报"):
		return TypeConsult
	case strings.HasPrefix(title, "表扬") || strings.HasPrefix(title, "点赞") || strings.HasPrefix(title, "感谢"):
		return TypePraise
	case strings.HasPrefix(title, "举报"):
		return TypeReport
	case strings.Contains(title, "建议"):
		return TypeSuggestion
	}
	return TypeComplaint
}

// TestRequestTypeMatchesHeadString checks RequestType against requestTypeByText where the two
// readings could part: 请问 straddling title and body (whole runes or split bytes), just inside
// or outside the 40-rune opening (also of four-byte runes), after invalid UTF-8 (one rune each, re-encoded as U+FFFD), and
// titles naming 投诉 or 举报 in part.
func TestRequestTypeMatchesHeadString(t *testing.T) {
	titles := []string{"", "路灯不亮", "请", "路灯请", "请问", "\xe8", "\xe8\xaf", "请\xe9", "请\xe9\x97", "投诉请",
		"咨询", "表扬请", "举报请", "建议", "关于诉求", "报\xff请", "\xff"}
	fill := strings.Repeat("路", 36)
	bodies := []string{"", "问", "问路", "\xaf\xb7问", "\xb7\xe9\x97\xae", "\x97\xae", "\xae", "请问", "\xff请问", "\xe8请问",
		fill + "请问", fill + "x请问", fill + "xx请问", fill + "xxx请问", fill + "xy请问z", fill + "请问xyzw",
		"问" + fill + "abcdef", "\xaf\xb7问" + fill + "abcdef", "\xff\xfe\xfd" + fill + "请问", "\xe8\xaf" + fill[:len(fill)-6] + "请问",
		strings.Repeat("\xff", 38) + "请问", strings.Repeat("\xff", 39) + "请问", strings.Repeat("\xe8\xaf", 20) + "请问 ",
		"您好，" + strings.Repeat("道路", 20) + "请问何时修复？",
		strings.Repeat("😀", 36) + "请问", strings.Repeat("😀", 38) + "请问", strings.Repeat("😀", 39) + "请问"}
	n := 0
	for _, title := range titles {
		for _, body := range bodies {
			r := &domain.Record{Item: domain.Item{Title: title, Body: body}}
			if got, want := RequestType(r), requestTypeByText(title, body); got != want {
				t.Errorf("RequestType(%q, %q) = %s, want %s", title, body, got, want)
			}
			n++
		}
	}
	if n != len(titles)*len(bodies) {
		t.Fatalf("compared %d pairs", n)
	}
}

// TestDateKeyIsFormat checks the allocation-free day key against time.Format over every day of
// 1999–2031 and the edges of the four-digit years.
func TestDateKeyIsFormat(t *testing.T) {
	for d := time.Date(1999, 1, 1, 12, 0, 0, 0, china); d.Year() < 2032; d = d.AddDate(0, 0, 1) {
		k, ok := dateKey(d)
		if got := string(k[:]); !ok || got != d.Format("2006-01-02") {
			t.Fatalf("dateKey(%s) = %q, %v", d.Format("2006-01-02"), got, ok)
		}
	}
	for _, y := range []int{0, 9, 99, 999, 9999} {
		d := time.Date(y, 12, 31, 0, 0, 0, 0, china)
		if k, ok := dateKey(d); !ok || string(k[:]) != d.Format("2006-01-02") {
			t.Errorf("dateKey year %d = %q, %v, want %s", y, k[:], ok, d.Format("2006-01-02"))
		}
	}
	for _, y := range []int{-1, 10000} {
		if _, ok := dateKey(time.Date(y, 1, 1, 0, 0, 0, 0, china)); ok {
			t.Errorf("dateKey accepts year %d, which no table line can hold", y)
		}
	}
}
