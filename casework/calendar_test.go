package casework

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// day is midnight-ish (09:00) China time on a YYYY-MM-DD date.
func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s+" 09:00", china)
	if err != nil {
		tb.Fatalf("bad test date %q: %v", s, err)
	}
	return t
}

func TestIsWorkingDay(t *testing.T) {
	cal := NewCalendar()
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2024-02-04", true, "2024 春节调休 Sunday"},
		{"2024-02-09", true, "2024 除夕 was not yet a holiday"},
		{"2024-02-18", true, "2024 春节调休 Sunday"},
		{"2024-05-11", true, "2024 劳动节调休 Saturday"},
		{"2024-10-12", true, "2024 国庆调休 Saturday"},
		{"2024-10-07", false, "2024 国庆"},
		{"2025-01-01", false, "元旦"},
		{"2025-01-02", true, "元旦 not bridged in 2025"},
		{"2025-01-26", true, "春节调休 Sunday"},
		{"2025-01-27", true, "Monday before 除夕"},
		{"2025-01-28", false, "除夕"},
		{"2025-02-04", false, "正月初七"},
		{"2025-02-05", true, "back to work"},
		{"2025-02-08", true, "春节调休 Saturday"},
		{"2025-02-09", false, "plain Sunday"},
		{"2025-03-12", true, "plain Wednesday"},
		{"2025-03-15", false, "plain Saturday"},
		{"2025-04-04", false, "清明"},
		{"2025-04-27", true, "劳动节调休 Sunday"},
		{"2025-05-02", false, "劳动节"},
		{"2025-05-05", false, "劳动节"},
		{"2025-05-31", false, "端午 Saturday"},
		{"2025-06-02", false, "端午 Monday"},
		{"2025-06-03", true, "after 端午"},
		{"2025-09-28", true, "国庆调休 Sunday"},
		{"2025-10-06", false, "中秋 inside 国庆"},
		{"2025-10-08", false, "国庆 8th day"},
		{"2025-10-09", true, "after 国庆"},
		{"2025-10-11", true, "国庆调休 Saturday"},
		{"2025-10-12", false, "plain Sunday"},
		{"2026-01-02", false, "元旦 Friday"},
		{"2026-01-04", true, "元旦调休 Sunday"},
		{"2026-02-14", true, "春节调休 Saturday"},
		{"2026-02-15", false, "春节 腊月二十八"},
		{"2026-02-23", false, "春节 正月初七 Monday"},
		{"2026-02-24", true, "after 春节"},
		{"2026-02-28", true, "春节调休 Saturday"},
		{"2026-04-06", false, "清明 Monday"},
		{"2026-05-05", false, "劳动节 Tuesday"},
		{"2026-05-09", true, "劳动节调休 Saturday"},
		{"2026-06-19", false, "端午 Friday"},
		{"2026-09-20", true, "国庆调休 Sunday"},
		{"2026-09-25", false, "中秋 Friday"},
		{"2026-10-07", false, "国庆 Wednesday"},
		{"2026-10-08", true, "after 国庆"},
		{"2026-10-10", true, "国庆调休 Saturday"},
		{"2028-03-04", false, "a Saturday outside the table"},
		{"2028-03-06", true, "a Monday outside the table"},
	}
	for _, tc := range cases {
		t.Run(tc.date+" "+tc.why, func(t *testing.T) {
			if got := cal.IsWorkingDay(day(t, tc.date)); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.date, got, tc.want)
			}
		})
	}
}

func TestIsWorkingDayUsesChinaTime(t *testing.T) {
	cal := NewCalendar()
	// 2025-10-08 17:00 UTC is 2025-10-09 01:00 in China: the first working day after 国庆.
	if !cal.IsWorkingDay(time.Date(2025, 10, 8, 17, 0, 0, 0, time.UTC)) {
		t.Error("a UTC time was judged on its UTC day, not its China day")
	}
}

func TestHolidayCounts(t *testing.T) {
	// Days off and make-up days per year, summed holiday by holiday from the notices
	// (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆; days off inside the table only).
	cal := NewCalendar()
	cases := []struct {
		year         int
		off, working int
		provisional  bool
	}{
		{2024, 1 + 8 + 3 + 5 + 1 + 3 + 7, 2 + 1 + 2 + 1 + 2, false},
		{2025, 1 + 8 + 3 + 5 + 3 + 8, 2 + 1 + 2, false},
		{2026, 3 + 9 + 3 + 5 + 3 + 3 + 7, 1 + 2 + 1 + 2, false},
		{2027, 3 + 8 + 3 + 5 + 1 + 1 + 7, 2 + 1 + 2, true},
	}
	for _, tc := range cases {
		t.Run(time.Date(tc.year, 1, 1, 0, 0, 0, 0, china).Format("2006"), func(t *testing.T) {
			off, working := 0, 0
			for _, d := range cal.Days() {
				if yearOf(d.Date) != tc.year {
					continue
				}
				if d.Kind == DayOff {
					off++
				} else {
					working++
				}
			}
			if off != tc.off || working != tc.working {
				t.Errorf("%d: %d days off and %d make-up days, want %d and %d", tc.year, off, working, tc.off, tc.working)
			}
			if got := cal.IsProvisional(tc.year); got != tc.provisional {
				t.Errorf("IsProvisional(%d) = %v", tc.year, got)
			}
			if !cal.Covers(tc.year) {
				t.Errorf("Covers(%d) = false", tc.year)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := NewCalendar()
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2025-09-30", 3, "2025-10-11"},  // across 国庆 onto the 调休 Saturday
		{"2025-01-24", 1, "2025-01-26"},  // the 调休 Sunday before 春节
		{"2025-01-24", 2, "2025-01-27"},  //
		{"2025-01-24", 3, "2025-02-05"},  // over the whole 春节
		{"2025-04-25", 1, "2025-04-27"},  // 劳动节调休 Sunday
		{"2025-09-26", 13, "2025-10-21"}, // the 12345 complaint limit across 国庆
		{"2026-02-13", 1, "2026-02-14"},  // 春节调休 Saturday
		{"2026-02-13", 2, "2026-02-24"},  // then nine days off
		{"2026-09-30", 1, "2026-10-08"},  //
		{"2026-09-30", 3, "2026-10-10"},  // 国庆调休 Saturday
		{"2026-12-31", 1, "2027-01-04"},  // into the provisional 2027 元旦
		{"2025-03-14", 0, "2025-03-14"},  // a working day itself
		{"2025-10-01", 0, "2025-10-09"},  // n = 0 on a holiday: the next working day
		{"2025-10-09", -1, "2025-09-30"}, // backwards over 国庆
		{"2025-03-17", -1, "2025-03-14"}, // backwards over a weekend
	}
	for _, tc := range cases {
		t.Run(tc.from, func(t *testing.T) {
			got := cal.AddWorkingDays(day(t, tc.from), tc.n)
			if got.Format("2006-01-02") != tc.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got.Format("2006-01-02"), tc.want)
			}
			if got.Format("15:04") != "09:00" {
				t.Errorf("clock time changed to %s", got.Format("15:04"))
			}
			if tc.n > 0 {
				if back := cal.WorkingDaysBetween(day(t, tc.from), got); back != tc.n {
					t.Errorf("WorkingDaysBetween = %d, want %d", back, tc.n)
				}
			}
		})
	}
}

func TestParseCalendarRejects(t *testing.T) {
	cases := map[string]string{
		"no tab":             "2025-01-01 休 元旦\n",
		"bad date":           "2025-13-01\t休\t元旦\n",
		"bad kind":           "2025-01-01\t假\t元旦\n",
		"weekday as make-up": "2025-01-02\t班\t调休\n",
		"twice":              "2025-01-01\t休\t元旦\n2025-01-01\t休\t元旦\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCalendar(strings.NewReader(in)); !errors.Is(err, ErrCalendarFormat) {
				t.Errorf("got %v, want ErrCalendarFormat", err)
			}
		})
	}
}

func TestWriteTSVRoundTrip(t *testing.T) {
	cal := NewCalendar()
	var buf bytes.Buffer
	if err := cal.WriteTSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ParseCalendar(&buf)
	if err != nil {
		t.Fatalf("parse written calendar: %v", err)
	}
	a, b := cal.Days(), back.Days()
	if len(a) != len(b) {
		t.Fatalf("%d days written, %d read back", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("day %d: %+v became %+v", i, a[i], b[i])
		}
	}
}

func TestLoadCalendar(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	t.Run("missing file gives the built-in table", func(t *testing.T) {
		cal, err := LoadCalendar(ctx, filepath.Join(dir, "none.tsv"))
		if err != nil {
			t.Fatal(err)
		}
		if !cal.IsProvisional(2027) {
			t.Error("built-in 2027 should be provisional")
		}
	})
	t.Run("a year in the file replaces that year", func(t *testing.T) {
		path := filepath.Join(dir, CalendarFile)
		// An officer's correction: 2027 春节 from 2月6日, 2月13日(六) a working day, and 2028 added.
		body := "\ufeff# corrected\n2027-02-06\t休\t春节\n2027-02-13\t班\t春节调休\n2028-01-01\t休\t元旦\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cal, err := LoadCalendar(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			date string
			want bool
		}{
			{"2027-02-05", true},  // built-in provisional entry dropped
			{"2027-02-13", true},  // file's make-up Saturday
			{"2027-10-04", true},  // built-in 2027 国庆 dropped with the rest of 2027
			{"2026-10-07", false}, // 2026 untouched
			{"2028-01-01", false}, // added year (a Saturday anyway)
		}
		for _, c := range checks {
			if got := cal.IsWorkingDay(day(t, c.date)); got != c.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", c.date, got, c.want)
			}
		}
		if cal.IsProvisional(2027) {
			t.Error("2027 still provisional after correction")
		}
		if NewCalendar().IsWorkingDay(day(t, "2027-02-05")) {
			t.Error("loading a file changed the built-in table")
		}
	})
	t.Run("bad file is an error", func(t *testing.T) {
		path := filepath.Join(dir, "bad.tsv")
		if err := os.WriteFile(path, []byte("2027-02-06\tX\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCalendar(ctx, path); !errors.Is(err, ErrCalendarFormat) {
			t.Errorf("got %v, want ErrCalendarFormat", err)
		}
	})
}

func FuzzParseCalendar(f *testing.F) {
	f.Add(builtinCalendar[:400])
	f.Add("2025-01-26\t班\t春节调休\n")
	f.Add("# x\n\n2025-01-01\t休")
	f.Fuzz(func(t *testing.T, s string) {
		cal, err := ParseCalendar(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, d := range cal.Days() {
			if d.Kind == DayWorking && !cal.IsWorkingDay(day(t, d.Date)) {
				t.Errorf("make-up day %s not a working day", d.Date)
			}
			if d.Kind == DayOff && cal.IsWorkingDay(day(t, d.Date)) {
				t.Errorf("day off %s is a working day", d.Date)
			}
		}
	})
}

func BenchmarkAddWorkingDays13(b *testing.B) {
	cal := NewCalendar()
	from := time.Date(2025, 9, 26, 9, 0, 0, 0, china)
	for b.Loop() {
		cal.AddWorkingDays(from, 13)
	}
}
