package feed

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// chinaTime is Asia/Shanghai as a fixed zone: China has kept UTC+8 without daylight saving
// since 1991, and a fixed zone needs no tzdata on the officer's machine.
var chinaTime = time.FixedZone("CST", 8*3600)

// dateRE matches the Chinese and ISO date forms: 2020/1/6 12:09:38, 2023-07-14, 2023-07-14 08:00,
// 2023.7.14, 2023年7月14日 8时5分, 2023-07-14T08:00:00.123+08:00.
var dateRE = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
	`(?:(?:\s+|T|\s*)(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2})\s*(?:[.,](\d{1,9}))?\s*秒?|分)?)?` +
	`\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT|CST|北京时间)?$`)

// feedLayouts are the English forms RSS and HTTP use, tried when dateRE does not match.
var feedLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC822Z, time.RFC822, time.RFC850, time.ANSIC,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04 -0700", "Jan 2, 2006 15:04:05", "Jan 2, 2006",
}

// ParseTime reads a time as Chinese government sources write it, in Asia/Shanghai when the
// text has no zone: "2020/1/6 12:09:38", "2023-07-14", "2023-07-14 08:00", RFC 3339,
// "2023年7月14日", RFC 1123, Unix seconds or milliseconds, yyyymmdd. ok is false for anything
// else, including impossible dates such as 2023-02-30.
func ParseTime(s string) (t time.Time, ok bool) {
	return parseTime(s, false)
}

// parseTime is ParseTime; excelSerial also accepts spreadsheet day numbers (45121.5), which
// only an xlsx time column can mean.
func parseTime(s string, excelSerial bool) (time.Time, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) {
		return parseNumericTime(s)
	}
	if m := dateRE.FindStringSubmatch(s); m != nil {
		return dateFromMatch(m)
	}
	for _, layout := range feedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			// Go gives an unknown zone abbreviation a zero offset; on Chinese sites CST is China time.
			if name, off := t.Zone(); off == 0 && name == "CST" ||
				layout == "Jan 2, 2006 15:04:05" || layout == "Jan 2, 2006" {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, chinaTime)
			}
			return t, true
		}
	}
	if excelSerial {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 1 && f < 2958466 {
			return excelDate(f), true
		}
	}
	return time.Time{}, false
}

// excelDate converts a spreadsheet serial day number (1900 date system) to a time in China.
func excelDate(f float64) time.Time {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, chinaTime)
	days := int(f)
	secs := int((f-float64(days))*86400 + 0.5)
	return base.AddDate(0, 0, days).Add(time.Duration(secs) * time.Second)
}

// parseNumericTime reads Unix seconds, Unix milliseconds, yyyymmdd and yyyymmddhhmmss.
func parseNumericTime(s string) (time.Time, bool) {
	switch len(s) {
	case 8, 14:
		m := []string{s, s[0:4], s[4:6], s[6:8], "", "", "", "", ""}
		if len(s) == 14 {
			m[4], m[5], m[6] = s[8:10], s[10:12], s[12:14]
		}
		return dateFromMatch(m)
	case 9, 10:
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).In(chinaTime), true
	case 12, 13:
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.UnixMilli(n).In(chinaTime), true
	}
	return time.Time{}, false
}

// dateFromMatch builds a time from dateRE's groups, rejecting out-of-range fields.
func dateFromMatch(m []string) (time.Time, bool) {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d := num(m[1]), num(m[2]), num(m[3])
	h, mi, sec := num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1900 || y > 2200 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := m[7]; frac != "" {
		nsec = num((frac + "000000000")[:9])
	}
	loc := chinaTime
	switch z := m[8]; z {
	case "", "CST", "北京时间":
	case "Z", "UTC", "GMT":
		loc = time.UTC
	default:
		z = strings.ReplaceAll(z, ":", "")
		off := (num(z[1:3])*60 + num(z[3:5])) * 60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc)
	if t.Day() != d || int(t.Month()) != mo {
		return time.Time{}, false // e.g. 2023-02-30
	}
	return t, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
