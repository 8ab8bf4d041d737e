package monitor

import (
	"testing"
	"time"

	"minyi/domain"

	"minyi/internal/cputime"
)

// purity is the share of messages whose cluster's majority planted topic is their own.
func purity(assign, truth []int) float64 {
	major := map[int]map[int]int{}
	for i, c := range assign {
		if major[c] == nil {
			major[c] = map[int]int{}
		}
		major[c][truth[i]]++
	}
	right := 0
	for _, m := range major {
		best := 0
		for _, v := range m {
			best = max(best, v)
		}
		right += best
	}
	return float64(right) / float64(len(assign))
}

// inverse purity is the share of messages that sit in the cluster holding most of their topic.
func inversePurity(assign, truth []int) float64 {
	return purity(truth, assign)
}

func TestClusterRecoversPlantedTopics(t *testing.T) {
	s := genMessages(t, 3000, 60, 120, 1)
	c := NewClusterer(TopicOptions{})
	c.Prime(s.recs)
	for _, r := range sortedByTime(s.recs) {
		c.Add(r)
	}
	// Assignment follows the order of Add; rebuild truth in that order.
	order := sortedByTime(s.recs)
	idx := map[string]int{}
	for i, r := range s.recs {
		idx[r.ID] = i
	}
	truth := make([]int, len(order))
	for i, r := range order {
		truth[i] = s.truth[idx[r.ID]]
	}
	assign := c.Assignment()
	p, ip := purity(assign, truth), inversePurity(assign, truth)
	t.Logf("topics=%d purity=%.3f inverse purity=%.3f", c.Len(), p, ip)
	if p < 0.95 || ip < 0.9 {
		t.Fatalf("purity %.3f / inverse purity %.3f below 0.95 / 0.9", p, ip)
	}
}

func sortedByTime(recs []*domain.Record) []*domain.Record {
	out := append([]*domain.Record(nil), recs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].Time.Before(out[j-1].Time) || out[j].Time.Equal(out[j-1].Time) && out[j].ID < out[j-1].ID); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestClusterSummaries(t *testing.T) {
	day := time.Date(2026, 8, 10, 9, 0, 0, 0, cst)
	rec := func(id string, d int, title, district string, likes int, sent string, words ...string) *domain.Record {
		return &domain.Record{ID: id, CaseID: "C" + id, Item: domain.Item{Title: title, Time: day.AddDate(0, 0, d), Likes: likes},
			Analysis: domain.Analysis{Words: words, District: district, Sentiment: sent, Category: "城乡建设"}}
	}
	recs := []*domain.Record{
		rec("M1", 0, "渣土车夜间抛洒", "惠城区", 3, domain.SentimentNegative, "渣土车", "夜间", "抛洒", "文昌路"),
		rec("M2", 1, "文昌路渣土车抛洒严重", "惠城区", 10, domain.SentimentNegative, "渣土车", "抛洒", "文昌路", "尘土"),
		rec("M3", 1, "渣土车晚上抛洒泥土", "惠城区", 0, domain.SentimentNeutral, "渣土车", "晚上", "抛洒", "泥土", "文昌路"),
		rec("M4", 0, "建议增加公交线路", "惠阳区", 1, domain.SentimentPositive, "建议", "公交", "线路", "增加"),
		rec("M5", 2, "公交线路太少", "惠阳区", 0, domain.SentimentNegative, "公交", "线路", "太少"),
		rec("M6", 40, "渣土车夜间抛洒", "惠城区", 0, domain.SentimentNegative, "渣土车", "夜间", "抛洒", "文昌路"),
	}
	topics := Cluster(recs, TopicOptions{Threshold: 0.2}, 2, time.Time{})
	if len(topics) != 2 {
		t.Fatalf("got %d topics, want 2 (the 40-days-later message is its own topic): %+v", len(topics), topics)
	}
	muck := topics[0]
	tests := []struct {
		name string
		ok   bool
	}{
		{"id is the earliest message", muck.ID == "M1"},
		{"three members oldest first", len(muck.Messages) == 3 && muck.Messages[0] == "M1"},
		{"likes summed", muck.Likes == 13},
		{"negative share", muck.Sentiment.Negative == 2 && muck.Sentiment.NegativeShare == 0.67},
		{"place", len(muck.Places) == 1 && muck.Places[0] == Count{"惠城区", 3}},
		{"cases linked", len(muck.Cases) == 3},
		{"volume curve per day", len(muck.Volume) == 2 && muck.Volume[1].Count == 2},
		{"keywords name the matter", len(muck.Keywords) > 0 && (muck.Keywords[0] == "渣土车" || muck.Keywords[0] == "抛洒" || muck.Keywords[0] == "文昌路")},
		{"title is a member's title", muck.Title != "" && contains([]string{"渣土车夜间抛洒", "文昌路渣土车抛洒严重", "渣土车晚上抛洒泥土"}, muck.Title)},
		{"fully concentrated", muck.Concentration == 1},
		{"hotter than the bus topic", muck.Heat > topics[1].Heat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("topic = %+v", muck)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestClusterIsReproducible(t *testing.T) {
	s := genMessages(t, 2000, 40, 60, 3)
	a := Cluster(s.recs, TopicOptions{}, 2, time.Time{})
	shuffled := append([]*domain.Record(nil), s.recs...)
	for i := range shuffled {
		j := (i * 7919) % len(shuffled)
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	b := Cluster(shuffled, TopicOptions{}, 2, time.Time{})
	if len(a) != len(b) {
		t.Fatalf("%d vs %d topics for the same messages in another order", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Size != b[i].Size || a[i].Heat != b[i].Heat {
			t.Fatalf("topic %d differs: %s/%d vs %s/%d", i, a[i].ID, a[i].Size, b[i].ID, b[i].Size)
		}
	}
}

func TestScoreLast(t *testing.T) {
	tests := []struct {
		name  string
		daily []int
		burst bool
	}{
		{"flat zero then five", []int{0, 0, 0, 0, 0, 5}, true},
		{"flat zero then two is too few", []int{0, 0, 0, 0, 2}, false},
		{"steady ten", []int{10, 9, 11, 10, 10, 12, 9, 10, 11}, false},
		{"ten then forty", []int{10, 9, 11, 10, 10, 12, 9, 10, 40}, true},
		{"noisy baseline absorbs a peak", []int{0, 20, 0, 25, 1, 30, 0, 22, 30}, false},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ScoreLast(tc.daily, BurstOptions{}); got.Burst != tc.burst {
				t.Fatalf("ScoreLast(%v) = %+v, want burst %v", tc.daily, got, tc.burst)
			}
		})
	}
}

func TestTopicRisesOnItsBurstDay(t *testing.T) {
	day := time.Date(2026, 8, 1, 9, 0, 0, 0, cst)
	var recs []*domain.Record
	for i := 0; i < 12; i++ {
		d := 0
		if i >= 2 {
			d = 10 // two messages ten days earlier, then ten on the as-of day
		}
		recs = append(recs, &domain.Record{ID: string(rune('a' + i)), Item: domain.Item{Title: "燃气味", Time: day.AddDate(0, 0, d-10).Add(time.Duration(i) * time.Minute)},
			Analysis: domain.Analysis{Words: []string{"燃气", "气味", "刺鼻", "小区"}, District: "惠城区"}})
	}
	topics := Cluster(recs, TopicOptions{Window: 30 * 24 * time.Hour}, 2, day)
	if len(topics) != 1 || !topics[0].Rising || topics[0].Burst.Count != 10 {
		t.Fatalf("topics = %+v", topics)
	}
}

func TestTermBursts(t *testing.T) {
	asOf := time.Date(2026, 8, 20, 12, 0, 0, 0, cst)
	var times []time.Time
	var words [][]string
	for d := 14; d >= 0; d-- {
		for k := 0; k < 3; k++ {
			times = append(times, asOf.AddDate(0, 0, -d))
			words = append(words, []string{"噪音", "扰民"})
		}
	}
	for k := 0; k < 8; k++ {
		times = append(times, asOf)
		words = append(words, []string{"停水", "停水"})
	}
	got := TermBursts(len(times), func(i int) time.Time { return times[i] }, func(i int) []string { return words[i] }, asOf, BurstOptions{}, 10)
	if len(got) != 1 || got[0].Term != "停水" || got[0].Count != 8 {
		t.Fatalf("TermBursts = %+v, want only 停水 ×8", got)
	}
}

func BenchmarkCluster100k(b *testing.B) {
	s := genMessages(b, 100000, 3000, 365, 42)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for i := 0; i < b.N; i++ {
		topics := Cluster(s.recs, TopicOptions{}, 2, time.Time{})
		b.ReportMetric(float64(len(topics)), "topics")
	}
	b.ReportMetric((cputime.Used()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}
