package monitor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"minyi/internal/shareddata"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/domain"
	"minyi/monitor"
	"minyi/nlp"
)

var teddyHot = shareddata.Path("teddy2020c_hot", "train.jsonl")

var cst = time.FixedZone("CST", 8*3600)

// loadTeddy reads the Teddy Cup 2020 附件3 train split and analyses it with the real segmenter.
func loadTeddy(tb testing.TB) []*domain.Record {
	tb.Helper()
	f, err := os.Open(teddyHot)
	if err != nil {
		tb.Skipf("evaluation data absent: %v", err)
	}
	defer f.Close()
	dir := tb.TempDir()
	a, err := nlp.Load(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	var recs []*domain.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			ID, Title, Body, Time string
			Likes, Dislikes       int
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			tb.Fatal(err)
		}
		t, ok := teddyTime(row.Time)
		if !ok {
			tb.Fatalf("time %q", row.Time)
		}
		r := &domain.Record{ID: row.ID, Item: domain.Item{Title: row.Title, Body: row.Body, Time: t, Likes: row.Likes, Dislikes: row.Dislikes}}
		r.Analysis = a.Analyze(row.Title, row.Body)
		// The data anonymises districts as A1区…; the gazetteer does not know them, so read them here.
		if m := districtRE.FindString(row.Title + row.Body); m != "" && r.Analysis.District == "" {
			r.Analysis.District = m
		}
		recs = append(recs, r)
	}
	return recs
}

var districtRE = regexp.MustCompile(`A\d+[区县市]`)

func teddyTime(s string) (time.Time, bool) {
	for _, l := range []string{"2006/1/2 15:04:05", "2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006/1/2 15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(l, s, cst); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// TestTeddyHotTopics clusters the Teddy hot-issue train split and reports: how many topics, the
// share of messages in multi-message topics, the top-5 by heat with their evidence, and — as a
// purity proxy — the share of same-topic pairs whose titles share a named place or estate (a
// run of ≥3 Han characters, or the same A-district), against the same share for random pairs.
func TestTeddyHotTopics(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the segmenter")
	}
	recs := loadTeddy(t)
	start := time.Now()
	topics := monitor.Cluster(recs, monitor.TopicOptions{Window: 60 * 24 * time.Hour}, 2, time.Time{})
	took := time.Since(start)
	inMulti := 0
	for _, tp := range topics {
		inMulti += tp.Size
	}
	t.Logf("messages=%d topics(≥2)=%d in-topics=%.1f%% cluster time=%v", len(recs), len(topics), 100*float64(inMulti)/float64(len(recs)), took)
	byID := map[string]*domain.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	pairs, agree := 0, 0
	for _, tp := range topics {
		for i := 0; i < len(tp.Messages); i++ {
			for j := i + 1; j < len(tp.Messages) && j < i+20; j++ {
				pairs++
				if sharePlace(byID[tp.Messages[i]], byID[tp.Messages[j]]) {
					agree++
				}
			}
		}
	}
	rnd, ragree := 0, 0
	for i := 0; i+7 < len(recs); i += 3 {
		rnd++
		if sharePlace(recs[i], recs[i+7]) {
			ragree++
		}
	}
	within, random := float64(agree)/float64(max(pairs, 1)), float64(ragree)/float64(max(rnd, 1))
	t.Logf("same-topic pairs sharing a place/estate in the title: %.3f (%d pairs); random pairs: %.3f", within, pairs, random)
	for i, tp := range topics[:min(5, len(topics))] {
		t.Logf("#%d heat=%.2f n=%d likes=%d conc=%.2f %s~%s %q kw=%v", i+1, tp.Heat, tp.Size, tp.Likes, tp.Concentration,
			monitor.Day(tp.First), monitor.Day(tp.Last), tp.Title, tp.Keywords[:min(5, len(tp.Keywords))])
		for _, m := range tp.Representative[:min(3, len(tp.Representative))] {
			t.Logf("      %s %s (likes %d)", m.ID, m.Title, m.Likes)
		}
	}
	if within < 2*random || within < 0.5 {
		t.Fatalf("same-topic titles share places at %.3f, random pairs at %.3f: clusters are not coherent", within, random)
	}
	again := monitor.Cluster(recs, monitor.TopicOptions{Window: 60 * 24 * time.Hour}, 2, time.Time{})
	if fmt.Sprint(again[:min(5, len(again))]) != fmt.Sprint(topics[:min(5, len(topics))]) {
		t.Fatal("a second run gave other top topics")
	}
}

var hanRun = regexp.MustCompile(`\p{Han}{3,}`)

// sharePlace says whether two titles name the same A-district or share a 3-character Han run
// that is not a stock phrase (estate, road and company names mostly).
func sharePlace(a, b *domain.Record) bool {
	if a.Analysis.District != "" && a.Analysis.District == b.Analysis.District {
		da := districtRE.FindString(a.Title)
		if da != "" && da == districtRE.FindString(b.Title) {
			return true
		}
	}
	for _, run := range hanRun.FindAllString(a.Title, -1) {
		r := []rune(run)
		for i := 0; i+3 <= len(r); i++ {
			g := string(r[i : i+3])
			if !stock[g] && strings.Contains(b.Title, g) {
				return true
			}
		}
	}
	return false
}

var stock = map[string]bool{"关于对": true, "的问题": true, "问题的": true, "请求解": true, "求解决": true, "希望政": true, "建议在": true, "反映关": true, "咨询关": true, "的投诉": true, "投诉关": true}
