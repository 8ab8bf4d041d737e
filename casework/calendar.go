// Package casework runs a message's case: the lifecycle from 待受理 to 已办结 with its 退单, 延期,
// 督办 and 重办 branches, the deadlines that follow from the channel and matter type in natural or
// working days, the official working-day calendar those deadlines are counted on, automatic 催办,
// and the per-department KPIs computed from the recorded events. It is pure: the app calls it inside
// its store transaction and persists what it returns.
package casework

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrCalendarFormat is returned when a calendar.tsv line cannot be read.
var ErrCalendarFormat = errors.New("节假日表格式错误")

// Kinds of calendar entries, as written in calendar.tsv.
const (
	DayOff     = "休" // a day off (official holiday, or a weekday given as 调休)
	DayWorking = "班" // a weekend day that is a working day (调休上班)
)

// Provisional marks, in the fourth column, an entry not yet confirmed by a State Council notice.
const Provisional = "暂定"

// CalendarFile is the name of the officer-editable calendar inside the data directory.
const CalendarFile = "calendar.tsv"

// Day is one entry of the holiday table.
type Day struct {
	Date        string // YYYY-MM-DD
	Kind        string // DayOff or DayWorking
	Name        string // e.g. 春节, 国庆节调休
	Provisional bool
}

// Calendar says which days are working days in mainland China: Monday to Friday, except the official
// holidays, plus the weekend days made working days by 调休. Deadlines in working days are counted
// on it. It is read-only after construction and safe for concurrent use.
type Calendar struct {
	loc   *time.Location
	days  map[string]Day // by date
	years map[int]bool   // years the table covers
	// policy is the deadline table; nil means DefaultPolicy.
	policy *Policy
}

// china is China Standard Time; a fixed zone so that no tzdata is needed.
var china = time.FixedZone("CST", 8*3600)

// NewCalendar returns the built-in calendar for 2024–2027 (2027 provisional), in China time.
func NewCalendar() *Calendar {
	c, err := ParseCalendar(strings.NewReader(builtinCalendar))
	if err != nil {
		// The built-in table is tested; failing here is a programming error.
		panic(fmt.Sprintf("built-in calendar: %v", err))
	}
	return c
}

// LoadCalendar returns the built-in calendar corrected by the file at path: every year the file
// mentions replaces that year of the built-in table wholesale, so an officer can fix 2027 (or add
// 2028) by editing one file. A missing file is not an error: the built-in table is returned.
func LoadCalendar(ctx context.Context, path string) (*Calendar, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := NewCalendar()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open calendar %s: %w", path, err)
	}
	defer f.Close()
	over, err := ParseCalendar(f)
	if err != nil {
		return nil, fmt.Errorf("read calendar %s: %w", path, err)
	}
	for date := range c.days {
		if over.years[yearOf(date)] {
			delete(c.days, date)
		}
	}
	for date, d := range over.days {
		c.days[date] = d
	}
	for y := range over.years {
		c.years[y] = true
	}
	return c, nil
}

// ParseCalendar reads a calendar in the calendar.tsv format: one day a line, tab-separated
// date (YYYY-MM-DD), kind (休 or 班), name, and optionally 暂定; blank lines and lines starting
// with # are ignored. A 班 entry must be a weekend day and a date may appear once.
func ParseCalendar(r io.Reader) (*Calendar, error) {
	def := DefaultPolicy()
	c := &Calendar{loc: china, days: map[string]Day{}, years: map[int]bool{}, policy: &def}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want date, kind, name separated by tabs: %w", n, ErrCalendarFormat)
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		t, err := time.ParseInLocation("2006-01-02", f[0], china)
		if err != nil {
			return nil, fmt.Errorf("line %d: date %q: %w", n, f[0], ErrCalendarFormat)
		}
		d := Day{Date: f[0], Kind: f[1]}
		if len(f) > 2 {
			d.Name = f[2]
		}
		if len(f) > 3 {
			d.Provisional = f[3] == Provisional
		}
		switch d.Kind {
		case DayOff:
		case DayWorking:
			if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, fmt.Errorf("line %d: %s is a %s, only a weekend day can be a make-up working day: %w", n, d.Date, wd, ErrCalendarFormat)
			}
		default:
			return nil, fmt.Errorf("line %d: kind %q, want %s or %s: %w", n, d.Kind, DayOff, DayWorking, ErrCalendarFormat)
		}
		if _, dup := c.days[d.Date]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice: %w", n, d.Date, ErrCalendarFormat)
		}
		c.days[d.Date] = d
		c.years[t.Year()] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scan calendar: %w", err)
	}
	return c, nil
}

// WriteTSV writes the calendar in the calendar.tsv format, so the app can give the officer a file
// to correct.
func (c *Calendar) WriteTSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# 节假日表：日期<TAB>类型(休=放假, 班=调休上班)<TAB>名称<TAB>备注(暂定=尚未公布)")
	fmt.Fprintln(bw, "# 文件中出现的年份整体替换内置表中的该年份；未列出的周六周日放假、周一至周五上班。")
	for _, d := range c.Days() {
		line := d.Date + "\t" + d.Kind + "\t" + d.Name
		if d.Provisional {
			line += "\t" + Provisional
		}
		fmt.Fprintln(bw, line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	return nil
}

// Days lists the table's entries in date order.
func (c *Calendar) Days() []Day {
	out := make([]Day, 0, len(c.days))
	for _, d := range c.days {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// Covers reports whether the table has entries for year; outside it only weekends are days off.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// IsProvisional reports whether any entry of year is marked 暂定, so the UI can say that deadlines
// in that year may move.
func (c *Calendar) IsProvisional(year int) bool {
	for date, d := range c.days {
		if d.Provisional && yearOf(date) == year {
			return true
		}
	}
	return false
}

// Location is the time zone the calendar counts days in (China Standard Time).
func (c *Calendar) Location() *time.Location { return c.loc }

// IsWorkingDay reports whether t's calendar day (in China time) is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	if k, ok := dateKey(t); ok {
		if d, ok := c.days[string(k[:])]; ok {
			return d.Kind == DayWorking
		}
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// dateKey spells t's day as t.Format("2006-01-02") does, in an array so that a map lookup need
// not allocate; ok is false outside the years 0–9999, which no table entry can have.
func dateKey(t time.Time) (k [10]byte, ok bool) {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return k, false
	}
	return [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + d/10), byte('0' + d%10)}, true
}

// Holiday returns the table entry for t's day, if any.
func (c *Calendar) Holiday(t time.Time) (Day, bool) {
	d, ok := c.days[t.In(c.loc).Format("2006-01-02")]
	return d, ok
}

// AddWorkingDays returns the same clock time on the n-th working day after from's day (from's own
// day is not counted, as in “3个工作日内”). n = 0 returns from itself when it is a working day, else
// the next working day; a negative n counts backwards.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	t := from.In(c.loc)
	if n == 0 {
		for !c.IsWorkingDay(t) {
			t = t.AddDate(0, 0, 1)
		}
		return t
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if c.IsWorkingDay(t) {
			n--
		}
	}
	return t
}

// WorkingDaysBetween counts the working days after a's day up to and including b's day; it is
// negative when b is before a, and AddWorkingDays(a, WorkingDaysBetween(a, b)) is b's day when b's
// day is a working day.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	da, db := c.startOfDay(a), c.startOfDay(b)
	sign := 1
	if db.Before(da) {
		da, db, sign = db, da, -1
	}
	n := 0
	for t := da.AddDate(0, 0, 1); !t.After(db); t = t.AddDate(0, 0, 1) {
		if c.IsWorkingDay(t) {
			n++
		}
	}
	return sign * n
}

// startOfDay is midnight of t's day in the calendar's zone.
func (c *Calendar) startOfDay(t time.Time) time.Time {
	t = t.In(c.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
}

// endOfDay is the last second of t's day in the calendar's zone: deadlines fall there, so a case
// due “on the 5th” is overdue from the 6th.
func (c *Calendar) endOfDay(t time.Time) time.Time {
	return c.startOfDay(t).Add(24*time.Hour - time.Second)
}

func yearOf(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}
