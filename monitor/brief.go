package monitor

import (
	"math"
	"sort"
	"time"

	"minyi/domain"
)

// BriefInput is what a brief is made from: the period's messages, the previous period's for the
// changes, and the case facts the app knows (overdue cases, department load).
type BriefInput struct {
	Title    string    // default: 舆情日报 for one day, 舆情周报 for seven, else 舆情简报
	From, To time.Time // the period [From, To)
	Current  []*domain.Record
	Previous []*domain.Record // the same length of time just before From
	Topics   []Topic          // nil: clustered from Current
	// Overdue lists the open cases past their deadline at the end of the period.
	Overdue     []OverdueCase
	Departments []DepartmentLoad
}

// OverdueCase is one case past its deadline.
type OverdueCase struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Department string `json:"department"`
	Status     string `json:"status"`
	Due        string `json:"due"` // YYYY-MM-DD HH:MM, CST
	DaysOver   int    `json:"days_over"`
}

// DepartmentLoad is one department's workload and performance over the period.
type DepartmentLoad struct {
	Department       string  `json:"department"`
	Received         int     `json:"received"` // messages of the period routed to it
	Dispatched       int     `json:"dispatched"`
	Replied          int     `json:"replied"`
	Overdue          int     `json:"overdue"`
	OnTimeRate       float64 `json:"on_time_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// Delta is a count in this period and the previous one.
type Delta struct {
	Name   string  `json:"name"`
	Count  int     `json:"count"`
	Prev   int     `json:"prev"`
	Change float64 `json:"change"` // (Count−Prev)/Prev; +Inf shown as 新增 when Prev is 0
}

// Spot is a district or category with many negative messages.
type Spot struct {
	Kind     string  `json:"kind"` // 区县 or 分类
	Name     string  `json:"name"`
	Negative int     `json:"negative"`
	Total    int     `json:"total"`
	Share    float64 `json:"share"`
	Prev     int     `json:"prev"` // negative messages in the previous period
}

// Brief is the 舆情日报/周报: everything the HTML and XLSX show, computed once.
type Brief struct {
	Title         string           `json:"title"`
	From          string           `json:"from"` // first day, inclusive
	To            string           `json:"to"`   // last day, inclusive
	DataUntil     string           `json:"data_until"`
	Total         int              `json:"total"`
	PrevTotal     int              `json:"prev_total"`
	Negative      int              `json:"negative"`
	PrevNegative  int              `json:"prev_negative"`
	NegativeShare float64          `json:"negative_share"`
	Sentiment     Sentiment        `json:"sentiment"`
	Likes         int              `json:"likes"`
	ByDay         []DayCount       `json:"by_day"`
	ByHour        []int            `json:"by_hour"`
	Channels      []Delta          `json:"channels"`
	Categories    []Delta          `json:"categories"`
	Districts     []Delta          `json:"districts"`
	NegativeSpots []Spot           `json:"negative_spots"`
	Topics        []Topic          `json:"topics"`
	RisingWords   []TermBurst      `json:"rising_words"`
	Overdue       []OverdueCase    `json:"overdue"`
	OverdueTotal  int              `json:"overdue_total"`
	Departments   []DepartmentLoad `json:"departments"`
}

// Brief limits: enough to read in ten minutes.
const (
	briefTopics  = 10
	briefOverdue = 50
)

// BuildBrief computes a brief. The result depends only on the input (no clock), so the same data
// gives the same brief.
func BuildBrief(in BriefInput) Brief {
	days := int(math.Round(in.To.Sub(in.From).Hours() / 24))
	b := Brief{Title: in.Title, From: Day(in.From), To: Day(in.To.Add(-time.Nanosecond)), ByHour: make([]int, 24)}
	if b.Title == "" {
		switch days {
		case 1:
			b.Title = "舆情日报"
		case 7:
			b.Title = "舆情周报"
		default:
			b.Title = "舆情简报"
		}
	}
	b.Total, b.PrevTotal = len(in.Current), len(in.Previous)
	byDay := map[string]*DayCount{}
	for d := StartOfDay(in.From); d.Before(in.To); d = d.AddDate(0, 0, 1) {
		b.ByDay = append(b.ByDay, DayCount{Date: Day(d)})
	}
	for i := range b.ByDay {
		byDay[b.ByDay[i].Date] = &b.ByDay[i]
	}
	ch, cat, dist := counter{}, counter{}, counter{}
	negCat, negDist := counter{}, counter{}
	var last time.Time
	for _, r := range in.Current {
		neg := r.Analysis.Sentiment == domain.SentimentNegative
		b.Sentiment.add(r.Analysis.Sentiment)
		b.Likes += r.Likes
		if r.Time.After(last) {
			last = r.Time
		}
		if dc := byDay[Day(r.Time)]; dc != nil {
			dc.Count++
			if neg {
				dc.Negative++
			}
		}
		b.ByHour[r.Time.In(cst).Hour()]++
		ch.add(r.Channel)
		cat.add(orDefault(r.Analysis.Category, "未分类"))
		dist.add(orDefault(r.Analysis.District, "未识别"))
		if neg {
			b.Negative++
			negCat.add(orDefault(r.Analysis.Category, "未分类"))
			negDist.add(orDefault(r.Analysis.District, "未识别"))
		}
	}
	b.Sentiment.finish()
	b.NegativeShare = b.Sentiment.NegativeShare
	if !last.IsZero() {
		b.DataUntil = last.In(cst).Format("2006-01-02 15:04")
	}
	pch, pcat, pdist, pnegCat, pnegDist := counter{}, counter{}, counter{}, counter{}, counter{}
	for _, r := range in.Previous {
		pch.add(r.Channel)
		pcat.add(orDefault(r.Analysis.Category, "未分类"))
		pdist.add(orDefault(r.Analysis.District, "未识别"))
		if r.Analysis.Sentiment == domain.SentimentNegative {
			b.PrevNegative++
			pnegCat.add(orDefault(r.Analysis.Category, "未分类"))
			pnegDist.add(orDefault(r.Analysis.District, "未识别"))
		}
	}
	b.Channels, b.Categories, b.Districts = deltas(ch, pch, 0), deltas(cat, pcat, 20), deltas(dist, pdist, 20)
	b.NegativeSpots = append(spots("区县", negDist, dist, pnegDist), spots("分类", negCat, cat, pnegCat)...)
	sort.SliceStable(b.NegativeSpots, func(i, j int) bool { return b.NegativeSpots[i].Negative > b.NegativeSpots[j].Negative })
	if len(b.NegativeSpots) > 10 {
		b.NegativeSpots = b.NegativeSpots[:10]
	}
	topics := in.Topics
	if topics == nil {
		topics = Cluster(in.Current, TopicOptions{}, 2, in.To.Add(-time.Nanosecond))
	}
	b.Topics = topics[:min(len(topics), briefTopics)]
	// Rising words: the last day of the period against the days before it, from both periods.
	all := append(append([]*domain.Record(nil), in.Previous...), in.Current...)
	b.RisingWords = TermBursts(len(all), func(i int) time.Time { return all[i].Time },
		func(i int) []string { return all[i].Analysis.Words }, in.To.Add(-time.Nanosecond), BurstOptions{}, 15)
	b.OverdueTotal = len(in.Overdue)
	b.Overdue = in.Overdue[:min(len(in.Overdue), briefOverdue)]
	b.Departments = in.Departments
	return b
}

func deltas(cur, prev counter, n int) []Delta {
	var out []Delta
	for _, c := range cur.top(n) {
		out = append(out, Delta{Name: c.Name, Count: c.Count, Prev: prev[c.Name], Change: change(c.Count, prev[c.Name])})
	}
	return out
}

// change is the relative change, or +1 (shown as 新增) when there was nothing before.
func change(cur, prev int) float64 {
	if prev == 0 {
		if cur == 0 {
			return 0
		}
		return 1
	}
	return round2(float64(cur-prev) / float64(prev))
}

// spots lists the names with at least two negative messages, most negative first.
func spots(kind string, neg, total, prevNeg counter) []Spot {
	var out []Spot
	for _, c := range neg.top(0) {
		if c.Count < 2 {
			continue
		}
		out = append(out, Spot{Kind: kind, Name: c.Name, Negative: c.Count, Total: total[c.Name],
			Share: round2(float64(c.Count) / float64(total[c.Name])), Prev: prevNeg[c.Name]})
	}
	return out
}

// TotalChange is the change of the total against the previous period.
func (b *Brief) TotalChange() float64 { return change(b.Total, b.PrevTotal) }
