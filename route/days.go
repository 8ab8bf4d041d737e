package route

import (
	"math"
	"strings"
	"time"
)

// dayIndex counts the letters of history per day of writing and department (and district):
// letters on one matter arrive together (a campaign, a building site, a school's intake, a
// district's batch), so the departments busy around a letter's date are likelier to be its own.
type dayIndex struct {
	dept  map[int64]map[string]int // day → department → letters
	dist  map[int64]map[string]int // day → district → letters
	total map[int64]int            // day → letters
}

// dayWindow is how many days either side count as near.
const dayWindow = 3

// dayNumber is the calendar day of t (its own time zone), counted from the Unix epoch; 0, false
// for the zero time.
func dayNumber(t time.Time) (int64, bool) {
	if t.IsZero() {
		return 0, false
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400, true
}

// newDayIndex indexes letters' days (dayFeature values "2006-01-02", "" when unknown) with their
// departments.
func newDayIndex(days []string, labels []string, keys map[string]nameKeys) *dayIndex {
	x := &dayIndex{dept: map[int64]map[string]int{}, dist: map[int64]map[string]int{}, total: map[int64]int{}}
	for i, s := range days {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			continue
		}
		d, _ := dayNumber(t)
		if x.dept[d] == nil {
			x.dept[d] = map[string]int{}
			x.dist[d] = map[string]int{}
		}
		x.dept[d][labels[i]]++
		if k := keys[labels[i]]; k.dist != "" {
			x.dist[d][k.dist]++
		}
		x.total[d]++
	}
	return x
}

// dayOf reads the day feature ("day:2006-01-02") of a letter's features, "" when it has none.
func dayOf(fs []string) string {
	for _, f := range fs {
		if strings.HasPrefix(f, "day:") {
			return f[len("day:"):]
		}
	}
	return ""
}

// dayEvidence is what the day index says about one candidate for a letter written on day d.
func (x *dayIndex) evidence(d int64, c *cand, dist string) {
	if x == nil {
		return
	}
	same := x.dept[d][c.dept]
	var near int
	for k := int64(1); k <= dayWindow; k++ {
		near += x.dept[d-k][c.dept] + x.dept[d+k][c.dept]
	}
	c.sameDay = math.Log1p(float64(same))
	c.nearDay = math.Log1p(float64(near))
	if dist != "" {
		c.distDay = math.Log1p(float64(x.dist[d][dist]))
	}
	if n := x.total[d]; n > 0 {
		c.dayShare = float64(same) / float64(n)
	}
}

// knnDays reads each indexed letter's day back from its features (a loaded router).
func knnDays(k *knnIndex) []string {
	if k == nil {
		return nil
	}
	byID := map[int32]string{}
	for f, id := range k.Vocab {
		if strings.HasPrefix(f, "day:") {
			byID[id] = f[len("day:"):]
		}
	}
	out := make([]string, len(k.Docs))
	for i, d := range k.Docs {
		for _, id := range d {
			if s, ok := byID[id]; ok {
				out[i] = s
				break
			}
		}
	}
	return out
}
