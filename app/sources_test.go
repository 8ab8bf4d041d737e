package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minyi/domain"
	"minyi/feed"
)

// feedsDir holds the feed package's real-shaped test feeds; the app tests serve them as they are.
const feedsDir = "../feed/testdata/feeds"

// feedServer serves feedsDir without validators under /feeds/ (so every pull reads the whole
// feed), with ETag/Last-Modified under /cond/, a 404 under /missing.xml, and the handlers given.
func feedServer(tb testing.TB, extra map[string]http.HandlerFunc) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/feeds/", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(feedsDir, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "application/rss+xml")
		}
		w.Write(b)
	})
	mux.Handle("/cond/", http.StripPrefix("/cond/", http.FileServer(http.Dir(feedsDir))))
	for path, h := range extra {
		mux.HandleFunc(path, h)
	}
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// quickFetcher retries without waiting, so tests of failing servers stay fast.
func quickFetcher() *feed.Fetcher {
	return feed.NewFetcher(feed.FetcherOptions{Sleep: func(context.Context, time.Duration) error { return nil }})
}

// mustSave saves a source or fails the test.
func mustSave(tb testing.TB, c *Core, cfg SourceConfig) SourceView {
	tb.Helper()
	v, err := c.SaveSource(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("save %+v: %v", cfg, err)
	}
	return v
}

// view returns one source's row of the 数据源 screen.
func view(tb testing.TB, c *Core, name string) SourceView {
	tb.Helper()
	list, err := c.SourceList(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range list {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("source %s not listed in %+v", name, list)
	return SourceView{}
}

func count(tb testing.TB, c *Core) int {
	tb.Helper()
	n, err := c.Store.Count(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestPullReportsNewThenAllDuplicates(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	srv := feedServer(t, nil)
	mustSave(t, c, SourceConfig{Name: "市长信箱", Channel: "信箱", Kind: "rss", URL: srv.URL + "/feeds/rss2.xml", Enabled: true})
	f := quickFetcher()

	first, err := c.PullSource(ctx, f, "市长信箱", nil)
	if err != nil || first.Error != "" {
		t.Fatalf("first pull: %+v, %v", first, err)
	}
	// rss2.xml has 7 entries: 5 good ones, one without text and one repeating a GUID.
	if first.Read != 7 || first.New != 5 || first.Duplicate != 0 || first.Rejected != 2 {
		t.Fatalf("first pull = %+v, want read 7 new 5 rejected 2", first)
	}
	if n := count(t, c); n != 5 {
		t.Fatalf("stored %d records, want 5", n)
	}
	second, err := c.PullSource(ctx, f, "市长信箱", nil)
	if err != nil || second.Error != "" {
		t.Fatalf("second pull: %+v, %v", second, err)
	}
	if second.New != 0 || second.Duplicate != 5 || second.Read != 7 {
		t.Fatalf("second pull = %+v, want all 5 duplicates", second)
	}
	if n := count(t, c); n != 5 {
		t.Fatalf("after the second pull %d records, want 5", n)
	}
	v := view(t, c, "市长信箱")
	if !v.LastRun.Equal(fixedNow) || v.LastDuplicate != 5 || v.LastNew != 0 || v.Failures != 0 || v.LastError != "" {
		t.Fatalf("health after two pulls = %+v", v)
	}
	if len(v.LastNotes) != 2 {
		t.Fatalf("rejection reasons = %q, want 2", v.LastNotes)
	}
	// Records carry the source's name and channel, and no markup from the feed.
	err = c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if r.Source != "市长信箱" || r.Channel != domain.ChannelMailbox {
			return fmt.Errorf("record %s has source %q channel %q", r.ID, r.Source, r.Channel)
		}
		if strings.ContainsAny(r.Title+r.Body, "<>") {
			return fmt.Errorf("record %s keeps markup: %q", r.ID, r.Body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConditionalGetReportsNothingRead(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	srv := feedServer(t, nil)
	mustSave(t, c, SourceConfig{Name: "留言板", Kind: "atom", URL: srv.URL + "/cond/atom.xml", Enabled: true})
	f := quickFetcher()
	first, err := c.PullSource(ctx, f, "留言板", nil)
	if err != nil || first.Error != "" || first.New == 0 {
		t.Fatalf("first pull: %+v, %v", first, err)
	}
	second, err := c.PullSource(ctx, f, "留言板", nil)
	if err != nil || second.Error != "" {
		t.Fatalf("second pull: %+v, %v", second, err)
	}
	if second.Read != 0 || second.New != 0 {
		t.Fatalf("a 304 should read nothing, got %+v", second)
	}
}

func TestFailingSourcesAreCountedInChineseAndBannered(t *testing.T) {
	cases := []struct {
		file string
		want string // in the Chinese error
	}{
		{"missing.xml", "404"},
		{"broken.xml", "XML 格式错误"},
		{"truncated.xml", "截断"},
		{"error200.html", "不是订阅源"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			ctx := context.Background()
			c := mustCore(t)
			srv := feedServer(t, nil)
			mustSave(t, c, SourceConfig{Name: "区长信箱", Kind: "rss", URL: srv.URL + "/feeds/" + tc.file, Enabled: true})
			f := quickFetcher()
			for i := 1; i <= FailureBannerAt; i++ {
				res, err := c.PullSource(ctx, f, "区长信箱", nil)
				if err != nil {
					t.Fatalf("a failing source is not Minyi's error: %v", err)
				}
				if !strings.Contains(res.Error, tc.want) || !containsHan(res.Error) {
					t.Fatalf("pull %d error = %q, want Chinese mentioning %q", i, res.Error, tc.want)
				}
				if v := view(t, c, "区长信箱"); v.Failures != i || v.LastError != res.Error {
					t.Fatalf("after %d failures health = %+v", i, v)
				}
				st, err := c.StatusInfo(ctx)
				if err != nil {
					t.Fatal(err)
				}
				banner := "数据源「区长信箱」已连续 3 次拉取失败：" + res.Error
				if got := strings.Join(st.Banners, "\n"); strings.Contains(got, banner) != (i >= FailureBannerAt) {
					t.Fatalf("after %d failures banners = %q", i, st.Banners)
				}
			}
			// Pointing the source at a good feed clears the failures and the banner.
			mustSave(t, c, SourceConfig{Name: "区长信箱", Kind: "rss", URL: srv.URL + "/feeds/rss2.xml", Enabled: true})
			if res, err := c.PullSource(ctx, f, "区长信箱", nil); err != nil || res.Error != "" || res.New != 5 {
				t.Fatalf("pull after the fix: %+v, %v", res, err)
			}
			st, _ := c.StatusInfo(ctx)
			if v := view(t, c, "区长信箱"); v.Failures != 0 || v.LastError != "" || len(st.Banners) != 0 {
				t.Fatalf("after a good pull health = %+v, banners %q", v, st.Banners)
			}
		})
	}
}

func TestCommittedItemsAreDuplicatesWhenTheCursorWasNotSaved(t *testing.T) {
	// A crash after some batches were committed but before the cursor was saved: the next pull
	// reads everything again and stores only what is missing.
	ctx := context.Background()
	c := mustCore(t)
	srv := feedServer(t, nil)
	src := mustSave(t, c, SourceConfig{Name: "市长信箱", Kind: "rss", URL: srv.URL + "/feeds/rss2.xml", Enabled: true})
	b, err := quickFetcher().Pull(ctx, feed.Source{Name: src.Name, Kind: src.Kind, URL: src.URL, Channel: src.Channel}, feed.State{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ingest(ctx, b.Items[:3]); err != nil {
		t.Fatal(err)
	}
	res, err := c.PullSource(ctx, quickFetcher(), "市长信箱", nil)
	if err != nil || res.New != 2 || res.Duplicate != 3 {
		t.Fatalf("pull after the crash = %+v, %v; want 2 new, 3 duplicates", res, err)
	}
	if n := count(t, c); n != 5 {
		t.Fatalf("stored %d, want 5", n)
	}
}

func TestSaveSourceValidatesInChinese(t *testing.T) {
	c := mustCore(t)
	ok := SourceConfig{Name: "市长信箱", Kind: "rss", URL: "http://example.gov.cn/rss.xml", Enabled: true}
	with := func(f func(*SourceConfig)) SourceConfig { s := ok; f(&s); return s }
	bad := []struct {
		name string
		cfg  SourceConfig
		want string
	}{
		{"no name", with(func(s *SourceConfig) { s.Name = "  " }), "名称"},
		{"slash in name", with(func(s *SourceConfig) { s.Name = "a/b" }), "斜杠"},
		{"unknown channel", with(func(s *SourceConfig) { s.Channel = "微博" }), "渠道"},
		{"unknown kind", with(func(s *SourceConfig) { s.Kind = "ftp" }), "类型"},
		{"no url", with(func(s *SourceConfig) { s.URL = "" }), "网址"},
		{"ftp url", with(func(s *SourceConfig) { s.URL = "ftp://example.gov.cn/x" }), "http"},
		{"bad schedule", with(func(s *SourceConfig) { s.Schedule = "every five minutes" }), "拉取计划"},
		{"six fields wrong", with(func(s *SourceConfig) { s.Schedule = "0 61 * * * *" }), "拉取计划"},
		{"timeout too long", with(func(s *SourceConfig) { s.TimeoutSeconds = 3600 }), "超时"},
		{"max too big", with(func(s *SourceConfig) { s.MaxMB = 4096 }), "上限"},
		{"relative folder", SourceConfig{Name: "x", Kind: "folder", Folder: "data/12345"}, "完整路径"},
		{"json without mapping", with(func(s *SourceConfig) { s.Kind = "json" }), "字段映射"},
		{"html without item", with(func(s *SourceConfig) { s.Kind = "html"; s.Mapping = &feed.Mapping{Title: "a"} }), "条目选择器"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SaveSource(context.Background(), tc.cfg)
			if !errors.Is(err, ErrInvalidSource) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidSource mentioning %q", err, tc.want)
			}
			// The officer sees the sentence itself.
			ui := NewApp(c, context.Background)
			if _, err := ui.SaveSource(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UI error = %v", err)
			}
		})
	}
	if list, _ := c.SourceList(context.Background()); len(list) != 0 {
		t.Fatalf("invalid sources were saved: %+v", list)
	}
	good := []struct {
		name string
		cfg  SourceConfig
		kind string
	}{
		{"atom is rss", with(func(s *SourceConfig) { s.Kind = "atom" }), feed.KindRSS},
		{"seconds schedule", with(func(s *SourceConfig) { s.Name = "b"; s.Schedule = "0 */10 * * * *" }), feed.KindRSS},
		{"five fields", with(func(s *SourceConfig) { s.Name = "c"; s.Schedule = "*/15 * * * *" }), feed.KindRSS},
		{"xlsx is folder", SourceConfig{Name: "d", Kind: "xlsx", Folder: "/data/12345", Channel: "12345"}, feed.KindFolder},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			v, err := c.SaveSource(context.Background(), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if v.Kind != tc.kind || v.Schedule == "" || v.TimeoutSeconds != 20 || v.MaxMB != 20 || v.Channel == "" {
				t.Fatalf("saved view = %+v", v)
			}
		})
	}
}

func TestSaveKeepsMappingAndResetsCursorWhenMoved(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	m := &feed.Mapping{ItemsPath: "data.list", Title: "title", ID: "id"}
	mustSave(t, c, SourceConfig{Name: "接口", Kind: "json", URL: "http://example.gov.cn/api", Mapping: m, Enabled: true})
	if err := c.Store.PutDoc(ctx, stateDocPrefix+"接口", feed.State{ETag: `"v1"`}); err != nil {
		t.Fatal(err)
	}
	// The screen sends no mapping: the saved one stays, and so does the cursor.
	v := mustSave(t, c, SourceConfig{Name: "接口", Kind: "json", URL: "http://example.gov.cn/api", Schedule: "@every 5m"})
	if v.Mapping == nil || v.Mapping.ItemsPath != "data.list" || v.Enabled || v.Schedule != "@every 5m" {
		t.Fatalf("after an edit without mapping: %+v", v)
	}
	var st feed.State
	if ok, _ := c.Store.GetDoc(ctx, stateDocPrefix+"接口", &st); !ok || st.ETag != `"v1"` {
		t.Fatalf("cursor lost by an edit that kept the address: %+v", st)
	}
	mustSave(t, c, SourceConfig{Name: "接口", Kind: "json", URL: "http://example.gov.cn/api/v2"})
	if ok, _ := c.Store.GetDoc(ctx, stateDocPrefix+"接口", &st); ok {
		t.Fatalf("cursor of the old address kept: %+v", st)
	}
	if err := c.DeleteSource(ctx, "接口"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSource(ctx, "接口"); !errors.Is(err, ErrSourceNotFound) {
		t.Fatalf("second delete = %v, want ErrSourceNotFound", err)
	}
	if _, err := c.PullSource(ctx, quickFetcher(), "接口", nil); !errors.Is(err, ErrSourceNotFound) {
		t.Fatalf("pull of a deleted source = %v", err)
	}
}

func TestLoadSourcesFileAppliesChangesOnce(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	path := filepath.Join(c.DataDir, SourcesFile)
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.LoadSourcesFile(ctx); n != 0 || err != nil {
		t.Fatalf("no file: %d, %v", n, err)
	}
	write(`{"sources": [
	  {"name": "市长信箱", "channel": "信箱", "kind": "rss", "url": "http://example.gov.cn/szxx.xml", "schedule": "@every 10m"},
	  {"name": "12345导出", "channel": "12345", "kind": "folder", "folder": "/data/12345", "enabled": false,
	   "mapping": {"columns": {"工单编号": "id", "诉求内容": "body"}}},
	  {"name": "坏的", "kind": "rss", "url": "not a url"}
	]}`)
	n, err := c.LoadSourcesFile(ctx)
	if n != 2 || err == nil || !strings.Contains(err.Error(), "坏的") {
		t.Fatalf("first load: %d, %v; want 2 saved and an error naming 坏的", n, err)
	}
	list, _ := c.SourceList(ctx)
	if len(list) != 2 || !list[0].Enabled || list[1].Enabled || list[1].Mapping == nil || list[1].Mapping.Columns["工单编号"] != "id" {
		t.Fatalf("sources after load: %+v", list)
	}
	// Unchanged file: officers' edits in the screen are not overwritten on every start.
	mustSave(t, c, SourceConfig{Name: "市长信箱", Kind: "rss", URL: "http://example.gov.cn/szxx.xml", Schedule: "@every 1h", Enabled: true})
	if n, err := c.LoadSourcesFile(ctx); n != 0 || err != nil {
		t.Fatalf("unchanged file applied again: %d, %v", n, err)
	}
	if v := view(t, c, "市长信箱"); v.Schedule != "@every 1h" {
		t.Fatalf("edit overwritten: %+v", v)
	}
	write(`[{"name": "市长信箱", "kind": "rss", "url": "http://example.gov.cn/szxx.xml", "schedule": "@every 2h"}]`)
	if n, err := c.LoadSourcesFile(ctx); n != 1 || err != nil {
		t.Fatalf("changed file: %d, %v", n, err)
	}
	if v := view(t, c, "市长信箱"); v.Schedule != "@every 2h" {
		t.Fatalf("changed file not applied: %+v", v)
	}
	write(`{"sources": [`)
	if _, err := c.LoadSourcesFile(ctx); err == nil || !strings.Contains(err.Error(), "格式错误") {
		t.Fatalf("broken file: %v", err)
	}
}

func TestPullURLFormats(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	var csvHits atomic.Int32
	srv := feedServer(t, map[string]http.HandlerFunc{
		"/export.csv": func(w http.ResponseWriter, r *http.Request) {
			csvHits.Add(1)
			fmt.Fprint(w, "编号,标题,内容,时间\n"+
				"A1,路灯不亮,江北街道文昌一路路灯连续一周不亮,2024-03-01 20:00\n"+
				"A2,噪音扰民,夜间施工噪音很大影响休息,2024-03-02 23:10\n"+
				"A3,,,\n")
		},
	})
	f := quickFetcher()
	cases := []struct {
		name, path, format     string
		read, new, dup, reject int
		err                    string
	}{
		{"rss", "/feeds/rss2.xml", "rss", 7, 5, 0, 2, ""},
		{"rss again", "/feeds/rss2.xml", "rss", 7, 0, 5, 2, ""},
		{"jsonfeed", "/feeds/jsonfeed.json", "jsonfeed", -1, -1, -1, -1, ""},
		{"csv", "/export.csv", "csv", 3, 2, 0, 1, ""},
		{"csv again", "/export.csv", "csv", 3, 0, 2, 1, ""},
		{"csv 404", "/missing.csv", "csv", 0, 0, 0, 0, "404"},
		{"rss 404", "/feeds/missing.xml", "rss", 0, 0, 0, 0, "404"},
		{"bad format", "/feeds/rss2.xml", "pdf", 0, 0, 0, 0, "--format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.PullURL(ctx, f, srv.URL+tc.path, tc.format, 5*time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.err != "" {
				if !strings.Contains(res.Error, tc.err) {
					t.Fatalf("error = %q, want it to mention %q", res.Error, tc.err)
				}
				return
			}
			if res.Error != "" {
				t.Fatalf("unexpected error %q", res.Error)
			}
			if tc.read >= 0 && (res.Read != tc.read || res.New != tc.new || res.Duplicate != tc.dup || res.Rejected != tc.reject) {
				t.Fatalf("= %+v, want read %d new %d dup %d rejected %d", res, tc.read, tc.new, tc.dup, tc.reject)
			}
			if res.Read != res.New+res.Duplicate+res.Rejected {
				t.Fatalf("counts do not add up: %+v", res)
			}
			if res.Source != "127.0.0.1" {
				t.Fatalf("ad-hoc source named %q, want the host", res.Source)
			}
		})
	}
	if csvHits.Load() != 2 {
		t.Fatalf("csv downloaded %d times, want 2", csvHits.Load())
	}
}

// bigRSS is an RSS 2.0 feed of n distinct messages with unique GUIDs.
func bigRSS(n int) []byte {
	places := []string{"江北街道", "桥东街道", "淡水街道", "罗阳街道", "澳头街道", "河南岸街道", "小金口街道", "陈江街道", "惠环街道", "龙丰街道", "水口街道", "横沥镇"}
	roads := []string{"文昌一路", "三环路", "演达大道", "麦地路", "下埔路", "江北东路", "鹅岭北路", "惠州大道", "东江公园旁", "金山湖小区", "新湖路", "花边岭", "中心区二号小区", "仲恺大道", "长湖路", "河南岸菜市场"}
	issues := []string{"渣土车夜间抛洒泥土，路面全是泥浆", "烧烤店油烟直排，居民无法开窗", "工地夜间施工噪音到凌晨两点", "流动摊贩占道经营，行人只能走机动车道",
		"建筑垃圾偷倒在河边", "小区停水三天没有通知", "路灯连续一周不亮，晚上很危险", "井盖缺失，已有老人摔倒", "广场舞音响声音过大", "下水道堵塞，污水倒灌进商铺",
		"共享单车乱停放堵住盲道", "公交站台顶棚破损漏雨", "学校门口早晚高峰拥堵严重", "垃圾桶满了没人清运，臭味很大", "物业擅自提高停车费", "电动车在楼道充电有火灾隐患",
		"绿化带被改成停车场", "道路修好又挖，反复施工", "菜市场周边污水横流", "违章建筑占用消防通道", "出租车拒载绕路", "小区电梯频繁故障困人", "河道发黑发臭，蚊虫很多", "医院周边黑车拉客"}
	asks := []string{"请尽快处理。", "希望有关部门管一管。", "已经反映过多次，一直没有解决。", "恳请领导重视。", "请相关部门核实并答复。", "影响居民正常生活，请处理。", "存在安全隐患，请尽快解决。", "希望给个说法。"}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>12345 热线</title><link>http://example.gov.cn/</link>` + "\n")
	for i := 0; i < n; i++ {
		p, r, is, ask := places[i%len(places)], roads[(i/len(places))%len(roads)], issues[(i/(len(places)*len(roads)))%len(issues)], asks[(i*7)%len(asks)]
		fmt.Fprintf(&b, "<item><title>%s%s%s</title><guid isPermaLink=\"false\">rx-%06d</guid><pubDate>%s</pubDate>"+
			"<description><![CDATA[<p>%s%s附近%s。%s（第%d号）</p>]]></description></item>\n",
			p, r, strings.SplitN(is, "，", 2)[0], i, fixedNow.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), p, r, is, ask, i)
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// BenchmarkPull10k pulls a 10,000-item feed over HTTP into an empty store and index, end to end
// (fetch, parse, analyse, commit, index); items/s is the figure to watch.
func BenchmarkPull10k(b *testing.B) {
	const n = 10000
	body := bigRSS(n)
	srv := feedServer(b, map[string]http.HandlerFunc{"/big.xml": func(w http.ResponseWriter, r *http.Request) { w.Write(body) }})
	analyzer(b) // load the segmenter outside the timing
	f := quickFetcher()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := mustCore(b)
		b.StartTimer()
		res, err := c.PullURL(context.Background(), f, srv.URL+"/big.xml", "rss", time.Minute, nil)
		if err != nil || res.New != n {
			b.Fatalf("pull = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
