package monitor

import (
	"math"
	"sort"
	"time"
)

// cst is China Standard Time: days in volume curves and briefs are Chinese calendar days.
var cst = time.FixedZone("CST", 8*3600)

// DayLayout is how days are written in curves, reports and alert keys.
const DayLayout = "2006-01-02"

// Day is the CST calendar day of t as YYYY-MM-DD.
func Day(t time.Time) string { return t.In(cst).Format(DayLayout) }

// StartOfDay is midnight CST of t's day.
func StartOfDay(t time.Time) time.Time {
	t = t.In(cst)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cst)
}

// BurstOptions say when a count stands out from its own past.
type BurstOptions struct {
	Baseline int     // trailing days forming the baseline (default 14)
	MinCount int     // the day needs at least this many (default 3): two messages are not a burst
	MinZ     float64 // z-score needed (default 3)
}

func (o BurstOptions) withDefaults() BurstOptions {
	if o.Baseline <= 0 {
		o.Baseline = 14
	}
	if o.MinCount <= 0 {
		o.MinCount = 3
	}
	if o.MinZ <= 0 {
		o.MinZ = 3
	}
	return o
}

// Score is how one day's count compares with the trailing baseline.
type Score struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"` // baseline mean per day
	Std   float64 `json:"std"`  // the spread used: max(sample std, √mean, 1)
	Z     float64 `json:"z"`
	Burst bool    `json:"burst"`
}

// ScoreLast scores the last element of daily counts against the o.Baseline days before it.
// The spread is floored at √mean (Poisson noise) and at 1, so a quiet series with a flat zero
// baseline needs MinCount messages, not one, to burst.
func ScoreLast(daily []int, o BurstOptions) Score {
	o = o.withDefaults()
	if len(daily) == 0 {
		return Score{}
	}
	c := daily[len(daily)-1]
	base := daily[max(0, len(daily)-1-o.Baseline) : len(daily)-1]
	var mean, sd float64
	if len(base) > 0 {
		for _, v := range base {
			mean += float64(v)
		}
		mean /= float64(len(base))
		for _, v := range base {
			sd += (float64(v) - mean) * (float64(v) - mean)
		}
		sd = math.Sqrt(sd / float64(len(base)))
	}
	sd = max(sd, math.Sqrt(mean), 1)
	z := (float64(c) - mean) / sd
	return Score{Count: c, Mean: round2(mean), Std: round2(sd), Z: round2(z), Burst: c >= o.MinCount && z >= o.MinZ}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// TermBurst is a word whose daily message count jumped on Day.
type TermBurst struct {
	Term string `json:"term"`
	Day  string `json:"day"`
	Score
}

// TermBursts finds words that burst on asOf's day: for each word, the number of messages using
// it per day over the baseline window, scored by ScoreLast. words(i) gives message i's terms
// and times(i) its time. Strongest first, at most n.
func TermBursts(count int, times func(int) time.Time, words func(int) []string, asOf time.Time, o BurstOptions, n int) []TermBurst {
	o = o.withDefaults()
	end := StartOfDay(asOf).AddDate(0, 0, 1)
	start := end.AddDate(0, 0, -(o.Baseline + 1))
	series := map[string][]int{}
	seen := map[string]bool{}
	for i := 0; i < count; i++ {
		t := times(i)
		if t.Before(start) || !t.Before(end) {
			continue
		}
		d := int(t.Sub(start) / (24 * time.Hour))
		clear(seen)
		for _, w := range words(i) {
			if seen[w] || !useful(w) {
				continue
			}
			seen[w] = true
			s := series[w]
			if s == nil {
				s = make([]int, o.Baseline+1)
				series[w] = s
			}
			s[d]++
		}
	}
	day := Day(asOf)
	var out []TermBurst
	for w, s := range series {
		if sc := ScoreLast(s, o); sc.Burst {
			out = append(out, TermBurst{Term: w, Day: day, Score: sc})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Z != out[j].Z {
			return out[i].Z > out[j].Z
		}
		return out[i].Term < out[j].Term
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
