package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minyi/domain"
)

func msg(id string, t time.Time, title, body, category, district, sentiment string) *domain.Record {
	return &domain.Record{ID: id, Item: domain.Item{Title: title, Body: body, Time: t},
		Analysis: domain.Analysis{Category: category, District: district, Sentiment: sentiment}}
}

func TestWatchAlerts(t *testing.T) {
	now := time.Date(2026, 8, 20, 10, 0, 0, 0, cst)
	recs := []*domain.Record{
		msg("M1", now, "小区燃气泄漏", "闻到很浓的味道，怕爆炸", "", "", ""),
		msg("M2", now, "再不处理就找记者曝光", "", "", "", ""),
		msg("M3", now, "路灯不亮", "晚上很黑", "", "", ""),
		msg("M4", now.AddDate(0, 0, -1), "昨天也闻到燃气泄漏", "", "", "", ""),
	}
	got := WatchAlerts(DefaultWatchLists(), recs, now)
	want := map[string][]string{
		alertID(KindWatchWord, "安全隐患", "2026-08-20"): {"M1"},
		alertID(KindWatchWord, "媒体", "2026-08-20"):   {"M2"},
		alertID(KindWatchWord, "安全隐患", "2026-08-19"): {"M4"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d alerts, want %d: %+v", len(got), len(want), got)
	}
	for _, a := range got {
		t.Run(a.ID, func(t *testing.T) {
			ev, ok := want[a.ID]
			if !ok || strings.Join(a.Evidence, ",") != strings.Join(ev, ",") || a.Title == "" {
				t.Fatalf("alert %+v, want evidence %v", a, ev)
			}
		})
	}
	if a := got[0]; len(a.Words) != 2 || !strings.Contains(a.Title, "燃气泄漏") {
		t.Fatalf("first alert words/title = %v / %q", a.Words, a.Title)
	}
}

func TestSpikesAgainstBaseline(t *testing.T) {
	day0 := time.Date(2026, 8, 1, 9, 0, 0, 0, cst)
	var c Counts
	var recs []*domain.Record
	n := 0
	add := func(d, count int, district, sentiment string) {
		for k := 0; k < count; k++ {
			n++
			recs = append(recs, msg(fmt.Sprintf("M%d", n), day0.AddDate(0, 0, d).Add(time.Duration(k)*time.Minute), "t", "b", "城乡建设", district, sentiment))
		}
	}
	for d := 0; d < 14; d++ {
		add(d, 3, "惠城区", domain.SentimentNeutral)
		add(d, 2, "惠阳区", domain.SentimentNegative)
	}
	c.Add(recs)
	now := day0.AddDate(0, 0, 14).Add(3 * time.Hour)
	if got := c.Spikes(c.Add(nil), now, SpikeOptions{}); len(got) != 0 {
		t.Fatalf("steady baseline raised %+v", got)
	}
	recs = recs[:0]
	add(14, 4, "惠城区", domain.SentimentNeutral)   // normal
	add(14, 12, "惠阳区", domain.SentimentNegative) // the burst
	days := c.Add(recs)
	got := c.Spikes(days, now, SpikeOptions{})
	keys := map[string]Alert{}
	for _, a := range got {
		keys[a.Kind+" "+a.Key] = a
	}
	for _, want := range []string{KindVolume + " 区县:惠阳区", KindNegative + " 负面", KindNegative + " 负面:惠阳区"} {
		t.Run(want, func(t *testing.T) {
			a, ok := keys[want]
			if !ok {
				t.Fatalf("missing %q among %v", want, keys)
			}
			if a.Count != 12 || len(a.Evidence) != 12 || a.Score.Mean != 2 {
				t.Fatalf("alert %+v", a)
			}
		})
	}
	if _, ok := keys[KindVolume+" 区县:惠城区"]; ok {
		t.Fatal("惠城区 at its usual volume raised a spike")
	}
	// Old days are ignored: importing history does not alert.
	if got := c.Spikes(days, now.AddDate(0, 3, 0), SpikeOptions{}); len(got) != 0 {
		t.Fatalf("a day three months back raised %d alerts", len(got))
	}
}

func TestCountsForgetOldDays(t *testing.T) {
	var c Counts
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, cst)
	for d := 0; d < 100; d++ {
		c.Add([]*domain.Record{msg(fmt.Sprint(d), start.AddDate(0, 0, d), "", "", "", "", "")})
	}
	if len(c.Days) != KeepDays || len(c.IDs) != RecentDays {
		t.Fatalf("kept %d days of counts and %d of ids", len(c.Days), len(c.IDs))
	}
}

func TestOverdueAlert(t *testing.T) {
	now := time.Date(2026, 8, 20, 10, 0, 0, 0, cst)
	by := map[string][]string{}
	for d := 1; d <= 14; d++ {
		by[Day(now.AddDate(0, 0, -d))] = []string{"a"}
	}
	if _, ok := OverdueAlert(by, now, BurstOptions{}); ok {
		t.Fatal("no overdue today raised an alert")
	}
	for i := 0; i < 9; i++ {
		by[Day(now)] = append(by[Day(now)], fmt.Sprint("M", i))
	}
	a, ok := OverdueAlert(by, now, BurstOptions{})
	if !ok || a.Count != 9 || len(a.Evidence) != 9 || a.Kind != KindOverdue {
		t.Fatalf("alert = %+v, %v", a, ok)
	}
}

func TestMergeKeepsAcknowledgementAndEscalates(t *testing.T) {
	t0 := time.Date(2026, 8, 20, 10, 0, 0, 0, cst)
	old := []Alert{{ID: "x", Time: t0, Kind: KindWatchWord, Level: LevelWarn, Key: "媒体", Day: "2026-08-20", Count: 1, Evidence: []string{"M1"}, Words: []string{"记者"}, Acknowledged: true, Assignee: "张三"}}
	merged, notify := Merge(old, []Alert{
		{ID: "x", Time: t0.Add(time.Hour), Kind: KindWatchWord, Level: LevelWarn, Key: "媒体", Count: 2, Evidence: []string{"M1", "M2"}, Words: []string{"曝光"}},
		{ID: "y", Time: t0.Add(time.Hour), Kind: KindVolume, Level: LevelWarn, Key: "全部", Count: 9, Score: &Score{Count: 9}},
	}, 0)
	if len(merged) != 2 || len(notify) != 1 || notify[0].ID != "y" {
		t.Fatalf("merged %+v notify %+v", merged, notify)
	}
	x := merged[1]
	if !x.Acknowledged || x.Assignee != "张三" || x.Count != 2 || len(x.Evidence) != 2 || len(x.Words) != 2 || !x.Time.Equal(t0) {
		t.Fatalf("merged x = %+v", x)
	}
	merged, notify = Merge(merged, []Alert{{ID: "x", Kind: KindWatchWord, Level: LevelSevere, Key: "媒体"}}, 1)
	if len(merged) != 1 || len(notify) != 1 || notify[0].Acknowledged {
		t.Fatalf("escalation: merged %+v notify %+v", merged, notify)
	}
}

func TestWebhookRetriesThenDelivers(t *testing.T) {
	var calls atomic.Int32
	var got robotMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case 2:
			w.Write([]byte(`{"errcode":45009,"errmsg":"api freq out of limit"}`))
		default:
			json.NewDecoder(r.Body).Decode(&got)
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}
	}))
	defer srv.Close()
	w, err := NewWebhook(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	w.Backoff = time.Millisecond
	a := Alert{Kind: KindWatchWord, Level: LevelSevere, Title: "2026-08-20 1 条来件含「跳楼」（敏感词）", Evidence: []string{"M1"}}
	if err := w.Send(context.Background(), []Alert{a}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || got.MsgType != "text" || !strings.Contains(got.Text.Content, "跳楼") {
		t.Fatalf("calls %d, message %+v", calls.Load(), got)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	tests := []struct {
		name   string
		status int
		calls  int32
	}{
		{"server errors are retried", http.StatusBadGateway, 3},
		{"a client error is not", http.StatusNotFound, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			w := &Webhook{URL: srv.URL, Attempts: 3, Backoff: time.Millisecond}
			if err := w.Send(context.Background(), []Alert{{Title: "x"}}); err == nil {
				t.Fatal("Send succeeded against a failing server")
			}
			if calls.Load() != tc.calls {
				t.Fatalf("%d calls, want %d", calls.Load(), tc.calls)
			}
		})
	}
	if _, err := NewWebhook("ftp://example"); err == nil {
		t.Fatal("NewWebhook accepted ftp://")
	}
}
