package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"minyi/domain"
	"minyi/monitor"
)

// mustDemoCore is a core with the demo data loaded (ending at fixedNow).
func mustDemoCore(tb testing.TB) *Core {
	tb.Helper()
	c := mustCore(tb)
	if _, err := c.LoadDemo(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return c
}

// burst is n messages about one gas smell in 江北街道, 惠城区, written in the last hours.
func burst(n int) []domain.Item {
	var items []domain.Item
	for i := 0; i < n; i++ {
		it := item(fmt.Sprintf("burst-%d", i), fmt.Sprintf("惠城区江北街道小区燃气泄漏气味刺鼻（%d号楼）", i+1),
			fmt.Sprintf("惠城区江北街道某小区%d号楼从早上开始闻到很重的燃气味，怀疑燃气泄漏，居民很担心，请燃气公司马上派人检查。", i+1))
		it.Time = fixedNow.Add(-time.Duration(n-i) * 5 * time.Minute)
		items = append(items, it)
	}
	return items
}

func alertKeys(vs []AlertView) map[string]AlertView {
	m := map[string]AlertView{}
	for _, v := range vs {
		m[v.Kind+" "+v.Key+" "+v.Day] = v
	}
	return m
}

func TestBurstRaisesAlertsWithinOnePull(t *testing.T) {
	ctx := context.Background()
	c := mustDemoCore(t)
	before, err := c.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := monitor.Day(fixedNow)
	if _, ok := alertKeys(before)[monitor.KindVolume+" 区县:惠城区 "+today]; ok {
		t.Fatal("the demo data alone raised the 惠城区 spike the burst is meant to cause")
	}
	out, err := c.Ingest(ctx, burst(25)) // one pull cycle
	if err != nil {
		t.Fatal(err)
	}
	after, err := c.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := alertKeys(after)
	for _, want := range []string{
		monitor.KindVolume + " 区县:惠城区 " + today,
		monitor.KindVolume + " 全部 " + today,
		monitor.KindWatchWord + " 安全隐患 " + today,
	} {
		t.Run(want, func(t *testing.T) {
			a, ok := keys[want]
			if !ok {
				var all []string
				for k := range keys {
					all = append(all, k)
				}
				t.Fatalf("no %q after the burst; alerts: %v", want, all)
			}
			if a.Acknowledged || a.Title == "" || !containsID(a.Evidence, out[len(out)-1].ID) {
				t.Fatalf("alert %+v lacks the burst's last message %s", a, out[len(out)-1].ID)
			}
		})
	}
	if !after[0].Acknowledged && after[len(after)-1].Acknowledged {
		t.Fatal("unacknowledged alerts are not listed first")
	}
}

func containsID(ids []string, id string) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func TestAckAlert(t *testing.T) {
	ctx := context.Background()
	c := mustDemoCore(t)
	if _, err := c.Ingest(ctx, burst(3)); err != nil {
		t.Fatal(err)
	}
	app := NewApp(c, func() context.Context { return ctx })
	list, err := app.Alerts()
	if err != nil || len(list) == 0 {
		t.Fatalf("alerts %v, %v", list, err)
	}
	id := list[0].ID
	v, err := app.AckAlert(id, "李科长")
	if err != nil || !v.Acknowledged || v.Assignee != "李科长" {
		t.Fatalf("AckAlert = %+v, %v", v, err)
	}
	list, _ = app.Alerts()
	for _, a := range list {
		if a.ID == id && (!a.Acknowledged || a.Assignee != "李科长") {
			t.Fatalf("acknowledgement not kept: %+v", a)
		}
	}
	// Another batch on the same alert keeps the acknowledgement.
	if _, err := c.Ingest(ctx, burst(4)[3:]); err != nil {
		t.Fatal(err)
	}
	list, _ = app.Alerts()
	for _, a := range list {
		if a.ID == id && !a.Acknowledged {
			t.Fatalf("a new batch dropped the acknowledgement: %+v", a)
		}
	}
	if _, err := app.AckAlert("nope", "x"); err == nil || !strings.Contains(err.Error(), "未找到该告警") {
		t.Fatalf("AckAlert(unknown) = %v", err)
	}
}

func TestAlertWebhook(t *testing.T) {
	ctx := context.Background()
	got := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		got <- m.Text.Content
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	c := mustDemoCore(t)
	if err := c.SetMonitorSettings(ctx, MonitorSettings{WebhookURL: "ftp://x"}); err == nil {
		t.Fatal("an ftp webhook was accepted")
	}
	if err := c.SetMonitorSettings(ctx, MonitorSettings{WebhookURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ingest(ctx, burst(20)); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-got:
		if !strings.Contains(msg, "【民意") || !strings.Contains(msg, "惠城区") {
			t.Fatalf("webhook message %q", msg)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook call after the burst")
	}
}

func TestTopicsAndTopic(t *testing.T) {
	ctx := context.Background()
	c := mustDemoCore(t)
	if _, err := c.Ingest(ctx, burst(8)); err != nil {
		t.Fatal(err)
	}
	app := NewApp(c, func() context.Context { return ctx })
	ts, err := app.Topics("", "")
	if err != nil || len(ts) == 0 {
		t.Fatalf("Topics = %v, %v", ts, err)
	}
	var gas *TopicView
	for i := range ts {
		if strings.Contains(ts[i].Title, "燃气") && ts[i].Size >= 8 {
			gas = &ts[i]
			break
		}
	}
	if gas == nil {
		t.Fatalf("the burst is not a topic: %+v", ts[:min(5, len(ts))])
	}
	if !gas.Rising || len(gas.Places) == 0 || gas.Places[0].Name != "惠城区" && gas.Places[0].Name != "江北街道" {
		t.Fatalf("gas topic %+v", *gas)
	}
	d, err := app.Topic(gas.ID)
	if err != nil || d.Size != gas.Size || len(d.Rows) != gas.Size {
		t.Fatalf("Topic(%s) = size %d rows %d, %v", gas.ID, d.Size, len(d.Rows), err)
	}
	if _, err := app.Topic("M999999@2026-01-01~2026-01-02"); err == nil {
		t.Fatal("an unknown topic opened")
	}
	if _, err := app.Topics("2026-13-01", ""); err == nil || !strings.Contains(err.Error(), "日期") {
		t.Fatalf("bad date error = %v", err)
	}
}

func TestReportIsReproducibleAndEscaped(t *testing.T) {
	ctx := context.Background()
	c := mustDemoCore(t)
	hostile := item("x1", `<script>alert("x")</script>井盖丢失`, `惠城区江北街道<img src=x onerror=alert(1)>井盖丢失`)
	if _, err := c.Ingest(ctx, []domain.Item{hostile}); err != nil {
		t.Fatal(err)
	}
	day := monitor.Day(fixedNow)
	for _, format := range []string{"html", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var a, b bytes.Buffer
			name, err := c.WriteReport(ctx, day, day, format, &a)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.WriteReport(ctx, day, day, format, &b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
				t.Fatal("the same data gave two different reports")
			}
			if name != "舆情日报_"+day+"."+format {
				t.Fatalf("name %q", name)
			}
			if format == "html" && (bytes.Contains(a.Bytes(), []byte("<script>")) || bytes.Contains(a.Bytes(), []byte("<img"))) {
				t.Fatal("hostile text reached the HTML unescaped")
			}
		})
	}
	f, err := c.Report(ctx, day, day, "html")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(f.Path); err != nil || st.Size() == 0 {
		t.Fatalf("report file %+v: %v", f, err)
	}
	if _, err := c.Report(ctx, day, day, "doc"); err == nil {
		t.Fatal("format doc accepted")
	}
}

// BenchmarkBriefFromStore10k measures the whole path of a daily brief — store scan, clustering,
// KPIs, HTML and XLSX — for a day holding 10,000 messages.
func BenchmarkBriefFromStore10k(b *testing.B) {
	ctx := context.Background()
	c := mustCore(b)
	day := fixedNow.Add(-10 * time.Hour)
	demoItems, err := c.Store.Count(ctx)
	if err != nil {
		b.Fatal(err)
	}
	_ = demoItems
	// Analysed records straight into the store: the benchmark is about the brief, not the NLP.
	a := analyzer(b)
	texts := []string{"渣土车夜间抛洒泥土", "烧烤店油烟扰民", "小区停车位被占用", "路灯不亮晚上很黑", "工地夜间施工噪音", "燃气味刺鼻", "公交线路太少"}
	districts := []string{"惠城区", "惠阳区", "博罗县", "惠东县"}
	base := make([]domain.Analysis, len(texts))
	for i, s := range texts {
		base[i] = a.Analyze(s, s)
	}
	recs := make([]*domain.Record, 0, 10000)
	for i := 0; i < 10000; i++ {
		an := base[i%len(texts)]
		an.District = districts[i%len(districts)]
		recs = append(recs, &domain.Record{Item: domain.Item{Source: "bench", SourceID: fmt.Sprint(i), Channel: domain.ChannelHotline,
			Title: fmt.Sprintf("%s %d", texts[i%len(texts)], i), Time: day.Add(time.Duration(i) * time.Second)},
			Hash: fmt.Sprint("h", i), Analysis: an, Status: domain.StatusNew, Received: day})
	}
	if _, err := c.Store.Add(ctx, recs); err != nil {
		b.Fatal(err)
	}
	d := monitor.Day(day)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, format := range []string{"html", "xlsx"} {
			if _, err := c.WriteReport(ctx, d, d, format, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
}
