package monitor

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"minyi/domain"
)

// Alert kinds.
const (
	KindWatchWord = "关注词"
	KindVolume    = "来件激增"
	KindNegative  = "负面激增"
	KindOverdue   = "超期激增"
)

// Alert levels, mildest first.
const (
	LevelNotice = "提示"
	LevelWarn   = "预警"
	LevelSevere = "严重"
)

// maxEvidence caps the record ids one alert carries; Count still says how many there were.
const maxEvidence = 200

// Alert is one thing PR staff must look at: what fired, when, why, and the messages behind it.
type Alert struct {
	ID       string    `json:"id"` // kind, key and day: the same spike on the same day stays one alert
	Time     time.Time `json:"time"`
	Day      string    `json:"day"`
	Kind     string    `json:"kind"`
	Level    string    `json:"level"`
	Key      string    `json:"key"` // watch category, or the series that spiked (分类:…, 区县:…, 负面 …)
	Title    string    `json:"title"`
	Count    int       `json:"count"`
	Score    *Score    `json:"score,omitempty"` // for spikes: the day's count against its baseline
	Words    []string  `json:"words,omitempty"` // for watch words: which matched
	Evidence []string  `json:"evidence"`        // record ids
	// Acknowledged, Assignee and AckTime are set by the officer in the alert centre.
	Acknowledged bool      `json:"acknowledged"`
	Assignee     string    `json:"assignee,omitempty"`
	AckTime      time.Time `json:"ack_time,omitempty"`
}

// WatchList is a category of words that raise an alert wherever they appear in a message.
type WatchList struct {
	Category string   `json:"category"`
	Level    string   `json:"level"`
	Words    []string `json:"words"`
}

// DefaultWatchLists are the lists a fresh install ships with; officers edit them in settings.
func DefaultWatchLists() []WatchList {
	return []WatchList{
		{Category: "敏感词", Level: LevelSevere, Words: []string{"自杀", "跳楼", "自焚", "喝农药", "以死相逼", "上访到北京", "进京上访", "人命关天", "打死人", "同归于尽"}},
		{Category: "安全隐患", Level: LevelWarn, Words: []string{"燃气泄漏", "煤气泄漏", "漏气", "爆炸", "起火", "火灾", "坍塌", "塌陷", "倒塌", "危房", "裂缝", "漏电", "触电", "高空坠物", "消防通道", "溺水", "食物中毒", "有毒气体"}},
		{Category: "媒体", Level: LevelWarn, Words: []string{"记者", "媒体", "曝光", "电视台", "报社", "热搜", "微博", "抖音", "头条", "网上发帖", "舆论"}},
		{Category: "群体性", Level: LevelSevere, Words: []string{"集体上访", "群体上访", "联名", "拉横幅", "拉条幅", "聚集", "静坐", "堵路", "围堵", "罢工", "讨薪", "维权群", "上百户", "几百户", "全体业主"}},
	}
}

// WatchAlerts raises one alert per watch category and message day for the messages in recs whose
// title or body contains a listed word, at time now.
func WatchAlerts(lists []WatchList, recs []*domain.Record, now time.Time) []Alert {
	byID := map[string]*Alert{}
	var order []string
	for _, r := range recs {
		text := r.Title + "\n" + r.Body
		for _, l := range lists {
			var hit []string
			for _, w := range l.Words {
				if w = strings.TrimSpace(w); w != "" && strings.Contains(text, w) {
					hit = append(hit, w)
				}
			}
			if len(hit) == 0 {
				continue
			}
			day := Day(r.Time)
			id := alertID(KindWatchWord, l.Category, day)
			a := byID[id]
			if a == nil {
				a = &Alert{ID: id, Time: now, Day: day, Kind: KindWatchWord, Level: orDefault(l.Level, LevelWarn), Key: l.Category}
				byID[id] = a
				order = append(order, id)
			}
			a.Count++
			a.Evidence = appendID(a.Evidence, r.ID)
			for _, w := range hit {
				if !containsString(a.Words, w) {
					a.Words = append(a.Words, w)
				}
			}
		}
	}
	out := make([]Alert, 0, len(order))
	for _, id := range order {
		a := byID[id]
		retitle(a)
		out = append(out, *a)
	}
	return out
}

func alertID(kind, key, day string) string { return kind + "|" + key + "|" + day }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func appendID(ids []string, id string) []string {
	if len(ids) >= maxEvidence || containsString(ids, id) {
		return ids
	}
	return append(ids, id)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// retitle writes the sentence the alert centre shows.
func retitle(a *Alert) {
	switch a.Kind {
	case KindWatchWord:
		words := a.Words
		if len(words) > 3 {
			words = words[:3]
		}
		a.Title = fmt.Sprintf("%s %d 条来件含「%s」（%s）", a.Day, a.Count, strings.Join(words, "、"), a.Key)
	case KindOverdue:
		a.Title = fmt.Sprintf("%s 新增超期案件 %d 件，日均 %.1f 件", a.Day, a.Count, a.Score.Mean)
	default:
		what := "来件"
		if a.Kind == KindNegative {
			what = "负面来件"
		}
		a.Title = fmt.Sprintf("%s %s %s %d 条，近两周日均 %.1f 条（z=%.1f）", a.Day, keyLabel(a.Key), what, a.Count, a.Score.Mean, a.Score.Z)
	}
}

// keyLabel turns a series key into words: "区县:惠城区" → "惠城区", "负面" → "全市".
func keyLabel(key string) string {
	if i := strings.IndexByte(key, ':'); i >= 0 {
		return key[i+1:]
	}
	if key == seriesAll || key == seriesNegative {
		return "全市"
	}
	return key
}

// Series keys counted per day.
const (
	seriesAll      = "全部"
	seriesNegative = "负面"
)

// seriesOf lists the series a message counts in: all, its category, its district, and the
// negative series (overall and per district) when it is negative.
func seriesOf(r *domain.Record) []string {
	a := &r.Analysis
	keys := []string{seriesAll}
	if a.Category != "" {
		keys = append(keys, "分类:"+a.Category)
	}
	if a.District != "" {
		keys = append(keys, "区县:"+a.District)
	}
	if a.Sentiment == domain.SentimentNegative {
		keys = append(keys, seriesNegative)
		if a.District != "" {
			keys = append(keys, seriesNegative+":"+a.District)
		}
	}
	return keys
}

// Counts are daily message counts per series (all, category, district, negative), the baseline
// spike alerts compare against. The app persists them between runs; Add and Spikes keep them
// small by forgetting days older than KeepDays before the newest.
type Counts struct {
	Days map[string]map[string]int `json:"days"` // day → series → count
	// IDs holds the record ids per day and series for the newest RecentDays, as spike evidence.
	IDs map[string]map[string][]string `json:"ids"`
}

// KeepDays is how many days of counts are kept; RecentDays how many days keep their ids.
const (
	KeepDays   = 60
	RecentDays = 3
)

// Add counts recs and returns the days they fell on, sorted.
func (c *Counts) Add(recs []*domain.Record) []string {
	if c.Days == nil {
		c.Days = map[string]map[string]int{}
	}
	if c.IDs == nil {
		c.IDs = map[string]map[string][]string{}
	}
	touched := map[string]bool{}
	newest := ""
	for d := range c.Days {
		newest = max(newest, d)
	}
	for _, r := range recs {
		day := Day(r.Time)
		newest = max(newest, day)
		touched[day] = true
		m := c.Days[day]
		if m == nil {
			m = map[string]int{}
			c.Days[day] = m
		}
		for _, k := range seriesOf(r) {
			m[k]++
		}
	}
	recentFrom := shiftDay(newest, -(RecentDays - 1))
	for _, r := range recs {
		day := Day(r.Time)
		if day < recentFrom {
			continue
		}
		m := c.IDs[day]
		if m == nil {
			m = map[string][]string{}
			c.IDs[day] = m
		}
		for _, k := range seriesOf(r) {
			m[k] = appendID(m[k], r.ID)
		}
	}
	keepFrom := shiftDay(newest, -(KeepDays - 1))
	for d := range c.Days {
		if d < keepFrom {
			delete(c.Days, d)
		}
	}
	for d := range c.IDs {
		if d < recentFrom {
			delete(c.IDs, d)
		}
	}
	days := make([]string, 0, len(touched))
	for d := range touched {
		days = append(days, d)
	}
	sort.Strings(days)
	return days
}

func shiftDay(day string, n int) string {
	t, err := time.ParseInLocation(DayLayout, day, cst)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(DayLayout)
}

// SpikeOptions tune volume and negative-sentiment spike alerts.
type SpikeOptions struct {
	Burst BurstOptions // default: 14-day baseline, z ≥ 3, at least 5 messages
	// Recent: only days within this many days before now raise spikes (default 2), so importing
	// last year's archive does not flood the alert centre with history.
	Recent int
}

// Spikes scores every series on each of days against its trailing baseline and returns an alert
// for each that burst, at time now.
func (c *Counts) Spikes(days []string, now time.Time, o SpikeOptions) []Alert {
	if o.Burst.MinCount <= 0 {
		o.Burst.MinCount = 5
	}
	o.Burst = o.Burst.withDefaults()
	if o.Recent <= 0 {
		o.Recent = 2
	}
	oldest := Day(now.AddDate(0, 0, -o.Recent))
	var out []Alert
	for _, day := range days {
		if day < oldest || day > Day(now.Add(24*time.Hour)) {
			continue
		}
		keys := make([]string, 0, len(c.Days[day]))
		for k := range c.Days[day] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			series := make([]int, 0, o.Burst.Baseline+1)
			for i := o.Burst.Baseline; i >= 0; i-- {
				series = append(series, c.Days[shiftDay(day, -i)][k])
			}
			sc := ScoreLast(series, o.Burst)
			if !sc.Burst {
				continue
			}
			kind := KindVolume
			if strings.HasPrefix(k, seriesNegative) {
				kind = KindNegative
			}
			level := LevelWarn
			if sc.Z >= 2*o.Burst.MinZ {
				level = LevelSevere
			}
			a := Alert{ID: alertID(kind, k, day), Time: now, Day: day, Kind: kind, Level: level, Key: k, Count: sc.Count, Score: &sc}
			a.Evidence = append(a.Evidence, c.IDs[day][k]...)
			retitle(&a)
			out = append(out, a)
		}
	}
	return out
}

// OverdueAlert raises an alert when the number of cases whose deadline passed on now's day
// bursts against the days before. overdueByDay maps a day to the ids of open cases whose
// deadline fell on it.
func OverdueAlert(overdueByDay map[string][]string, now time.Time, o BurstOptions) (Alert, bool) {
	if o.MinCount <= 0 {
		o.MinCount = 5
	}
	o = o.withDefaults()
	day := Day(now)
	var series []int
	for i := o.Baseline; i >= 0; i-- {
		series = append(series, len(overdueByDay[shiftDay(day, -i)]))
	}
	sc := ScoreLast(series, o)
	if !sc.Burst {
		return Alert{}, false
	}
	a := Alert{ID: alertID(KindOverdue, "全部", day), Time: now, Day: day, Kind: KindOverdue, Level: LevelWarn, Key: "全部", Count: sc.Count, Score: &sc}
	ids := append([]string(nil), overdueByDay[day]...)
	sort.Strings(ids)
	for _, id := range ids {
		a.Evidence = appendID(a.Evidence, id)
	}
	retitle(&a)
	return a, true
}

// Merge folds fresh alerts into the existing list: an alert with a known id keeps its
// acknowledgement and first time and gains the new evidence; the others are new. It returns the
// merged list (newest first, at most limit when limit > 0) and the alerts that are new or rose in
// level — the ones to notify.
func Merge(existing, fresh []Alert, limit int) (merged, notify []Alert) {
	byID := make(map[string]int, len(existing))
	merged = append(merged, existing...)
	for i, a := range merged {
		byID[a.ID] = i
	}
	for _, f := range fresh {
		i, ok := byID[f.ID]
		if !ok {
			byID[f.ID] = len(merged)
			merged = append(merged, f)
			notify = append(notify, f)
			continue
		}
		a := &merged[i]
		added := 0
		for _, id := range f.Evidence {
			if n := len(a.Evidence); len(appendID(a.Evidence, id)) > n {
				a.Evidence = append(a.Evidence, id)
				added++
			}
		}
		for _, w := range f.Words {
			if !containsString(a.Words, w) {
				a.Words = append(a.Words, w)
			}
		}
		if f.Kind == KindWatchWord {
			a.Count += added // a message seen twice is counted once
		} else {
			a.Count, a.Score = f.Count, f.Score
		}
		if levelRank(f.Level) > levelRank(a.Level) {
			a.Level = f.Level
			a.Acknowledged = false // a worse state needs a fresh look
			notify = append(notify, *a)
		}
		retitle(a)
	}
	sort.SliceStable(merged, func(i, j int) bool {
		if !merged[i].Time.Equal(merged[j].Time) {
			return merged[i].Time.After(merged[j].Time)
		}
		return merged[i].ID < merged[j].ID
	})
	if limit > 0 && len(merged) > limit {
		merged = merged[:limit]
	}
	return merged, notify
}

func levelRank(l string) int {
	switch l {
	case LevelSevere:
		return 3
	case LevelWarn:
		return 2
	case LevelNotice:
		return 1
	}
	return 0
}
