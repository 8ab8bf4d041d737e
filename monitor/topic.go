package monitor

import (
	"math"
	"sort"
	"time"

	"minyi/domain"
)

// Topic is a group of messages about one matter, as PR staff see it.
type Topic struct {
	ID       string   `json:"id"` // the id of its earliest message: stable for the same data
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
	Size     int      `json:"size"`
	// Messages are the ids of every member, oldest first.
	Messages []string `json:"messages"`
	// Representative are the members closest to the topic's centre: the evidence to read first.
	Representative []MessageRef `json:"representative"`
	Volume         []DayCount   `json:"volume"` // one entry per day from First to Last
	Sentiment      Sentiment    `json:"sentiment"`
	Places         []Count      `json:"places"` // districts and streets, most frequent first
	Categories     []Count      `json:"categories"`
	Likes          int          `json:"likes"`
	Dislikes       int          `json:"dislikes"`
	Cases          []string     `json:"cases"` // distinct case ids linked to the members
	First          time.Time    `json:"first"`
	Last           time.Time    `json:"last"`
	// Concentration is the share of the members in the topic's busiest 7 days.
	Concentration float64 `json:"concentration"`
	Heat          float64 `json:"heat"`
	// Rising marks a topic whose volume on the as-of day burst against its own trailing baseline.
	Rising bool  `json:"rising"`
	Burst  Score `json:"burst"`
}

// MessageRef is one message quoted as evidence.
type MessageRef struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Time       string  `json:"time"` // RFC 3339, CST
	Similarity float64 `json:"similarity"`
	Likes      int     `json:"likes,omitempty"`
}

// DayCount is a count on one day.
type DayCount struct {
	Date     string `json:"date"`
	Count    int    `json:"count"`
	Negative int    `json:"negative"`
}

// Count is a named count.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Sentiment is a topic's or period's sentiment mix.
type Sentiment struct {
	Negative      int     `json:"negative"`
	Neutral       int     `json:"neutral"`
	Positive      int     `json:"positive"`
	NegativeShare float64 `json:"negative_share"`
}

func (s *Sentiment) add(label string) {
	switch label {
	case domain.SentimentNegative:
		s.Negative++
	case domain.SentimentPositive:
		s.Positive++
	default:
		s.Neutral++
	}
}

func (s *Sentiment) finish() {
	if n := s.Negative + s.Neutral + s.Positive; n > 0 {
		s.NegativeShare = round2(float64(s.Negative) / float64(n))
	}
}

// Heat is the hot-issue index: volume, public endorsement and concentration in time, after the
// Teddy Cup 2020 task-2 idea. heat = ln(1+n)·(1+c) + 0.5·ln(1+likes) + 0.2·ln(1+dislikes), where
// c is the share of messages in the busiest 7 days; logs keep one viral post from outranking a
// sustained complaint by hundreds of writers.
func Heat(n, likes, dislikes int, concentration float64) float64 {
	h := math.Log1p(float64(n))*(1+concentration) + 0.5*math.Log1p(float64(max(likes, 0))) + 0.2*math.Log1p(float64(max(dislikes, 0)))
	return round2(h)
}

type counter map[string]int

func (c counter) add(k string) {
	if k != "" {
		c[k]++
	}
}

// top returns the n largest counts, ties by name (reproducible); n ≤ 0 means all.
func (c counter) top(n int) []Count {
	out := make([]Count, 0, len(c))
	for k, v := range c {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Topics summarises every topic with at least minSize messages (default 2), hottest first,
// marking rising ones as of asOf (zero: the latest message's day).
func (c *Clusterer) Topics(minSize int, asOf time.Time) []Topic {
	if minSize <= 0 {
		minSize = 2
	}
	if asOf.IsZero() {
		for _, d := range c.docs {
			if d.rec.Time.After(asOf) {
				asOf = d.rec.Time
			}
		}
	}
	var out []Topic
	for _, cl := range c.clusters {
		if len(cl.members) >= minSize {
			out = append(out, c.summarise(cl, asOf))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Heat != out[j].Heat {
			return out[i].Heat > out[j].Heat
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (c *Clusterer) summarise(cl *cluster, asOf time.Time) Topic {
	type scored struct {
		d   *doc
		sim float64
	}
	mem := make([]scored, len(cl.members))
	for i, m := range cl.members {
		mem[i] = scored{&c.docs[m], c.similarity(&c.docs[m], cl)}
	}
	sort.Slice(mem, func(i, j int) bool {
		a, b := mem[i].d.rec, mem[j].d.rec
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.ID < b.ID
	})
	t := Topic{Size: len(mem), First: cl.first, Last: cl.last, Keywords: c.topicKeywords(cl, 8)}
	t.ID = mem[0].d.rec.ID
	places, cats, cases := counter{}, counter{}, map[string]bool{}
	days := map[string]*DayCount{}
	for _, m := range mem {
		r := m.d.rec
		t.Messages = append(t.Messages, r.ID)
		t.Sentiment.add(r.Analysis.Sentiment)
		places.add(r.Analysis.District)
		places.add(r.Analysis.Street)
		cats.add(r.Analysis.Category)
		t.Likes += r.Likes
		t.Dislikes += r.Dislikes
		if r.CaseID != "" && !cases[r.CaseID] {
			cases[r.CaseID] = true
			t.Cases = append(t.Cases, r.CaseID)
		}
		day := Day(r.Time)
		dc := days[day]
		if dc == nil {
			dc = &DayCount{Date: day}
			days[day] = dc
		}
		dc.Count++
		if r.Analysis.Sentiment == domain.SentimentNegative {
			dc.Negative++
		}
	}
	sort.Strings(t.Cases)
	t.Sentiment.finish()
	t.Places, t.Categories = places.top(8), cats.top(5)
	for d := StartOfDay(cl.first); !d.After(cl.last); d = d.AddDate(0, 0, 1) {
		if dc := days[Day(d)]; dc != nil {
			t.Volume = append(t.Volume, *dc)
		} else {
			t.Volume = append(t.Volume, DayCount{Date: Day(d)})
		}
	}
	// Concentration: the busiest 7-day run of the curve.
	peak, run := 0, 0
	for i, v := range t.Volume {
		run += v.Count
		if i >= 7 {
			run -= t.Volume[i-7].Count
		}
		peak = max(peak, run)
	}
	t.Concentration = round2(float64(peak) / float64(t.Size))
	t.Heat = Heat(t.Size, t.Likes, t.Dislikes, t.Concentration)
	// Representatives: closest to the centre, ties by time then id (mem is in that order).
	rep := make([]scored, len(mem))
	copy(rep, mem)
	sort.SliceStable(rep, func(i, j int) bool { return rep[i].sim > rep[j].sim })
	for _, m := range rep[:min(len(rep), c.opt.Representatives)] {
		r := m.d.rec
		t.Representative = append(t.Representative, MessageRef{
			ID: r.ID, Title: r.Title, Time: r.Time.In(cst).Format(time.RFC3339), Similarity: round2(m.sim), Likes: r.Likes,
		})
	}
	if len(t.Representative) > 0 {
		t.Title = t.Representative[0].Title
	}
	if t.Title == "" && len(t.Keywords) > 0 {
		t.Title = joinMax(t.Keywords, 4)
	}
	// Burst: the topic's daily volume up to asOf against its own trailing baseline.
	end := StartOfDay(asOf)
	var series []int
	for d := end.AddDate(0, 0, -14); !d.After(end); d = d.AddDate(0, 0, 1) {
		n := 0
		if dc := days[Day(d)]; dc != nil {
			n = dc.Count
		}
		series = append(series, n)
	}
	t.Burst = ScoreLast(series, BurstOptions{})
	t.Rising = t.Burst.Burst
	return t
}

func joinMax(ws []string, n int) string {
	s := ""
	for i, w := range ws {
		if i == n {
			break
		}
		if i > 0 {
			s += "、"
		}
		s += w
	}
	return s
}
