package feed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/domain"
)

// testFetcher returns a Fetcher whose retries do not wait; the waits it asked for are recorded.
func testFetcher(tb testing.TB, opt FetcherOptions) (*Fetcher, *[]time.Duration) {
	tb.Helper()
	var mu sync.Mutex
	var waits []time.Duration
	opt.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return ctx.Err()
	}
	opt.Jitter = func() float64 { return 0.5 }
	return NewFetcher(opt), &waits
}

func mustPull(tb testing.TB, f *Fetcher, src Source, st State) Batch {
	tb.Helper()
	b, err := f.Pull(context.Background(), src, st, nil)
	if err != nil {
		tb.Fatalf("pull %s: %v", src.URL, err)
	}
	return b
}

// checkClean fails when an item carries markup, script or broken text.
func checkClean(t *testing.T, items []domain.Item) {
	t.Helper()
	for _, it := range items {
		for _, s := range []string{it.Title, it.Body, it.Author} {
			if strings.ContainsAny(s, "<>") || strings.Contains(s, "alert") || strings.Contains(s, "onerror") ||
				strings.ContainsRune(s, '\uFFFD') || strings.Contains(s, "&nbsp;") {
				t.Errorf("unclean text in %s: %q", it.SourceID, s)
			}
		}
		if it.Title == "" && it.Body == "" {
			t.Errorf("empty item %+v", it)
		}
	}
}

func TestPullRSS2Encodings(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	for _, file := range []string{"rss2.xml", "rss2_gbk.xml", "rss2_header_only.xml"} {
		t.Run(file, func(t *testing.T) {
			b := mustPull(t, f, Source{Name: "市长信箱", Channel: "市长信箱", Kind: KindRSS, URL: gs.URL + "/feeds/" + file}, State{})
			if b.Read != 7 || b.Rejected != 2 || len(b.Items) != 5 {
				t.Fatalf("read %d rejected %d items %d; errors %v", b.Read, b.Rejected, len(b.Items), b.Errors)
			}
			checkClean(t, b.Items)
			first := b.Items[0]
			if first.Title != "关于江北街道三环路渣土车夜间超速的反映" || first.Author != "王先生" ||
				first.Channel != domain.ChannelMailbox || first.Source != "市长信箱" || first.SourceID != "szxx-5012345" {
				t.Errorf("first item = %+v", first)
			}
			wantBody := "尊敬的市长：\n江北街道三环路每天夜间有大量渣土车超速行驶，噪音扰民，存在严重安全隐患。\n恳请有关部门 加强管理。"
			if first.Body != wantBody {
				t.Errorf("body = %q, want %q", first.Body, wantBody)
			}
			if !strings.Contains(first.Raw, "<script>") {
				t.Errorf("Raw lost the original markup: %q", first.Raw)
			}
			if got := b.Items[1].URL; got != gs.URL+"/hdjl/szxx/content/post_5012346.html" {
				t.Errorf("relative link resolved to %q", got)
			}
			wantTimes := []time.Time{cst(2023, 7, 14, 8, 30, 0), cst(2023, 7, 14, 10, 5, 0), cst(2023, 7, 13, 16, 20, 0), cst(2023, 7, 12, 9, 0, 0), cst(2023, 7, 11, 18, 45, 0)}
			for i, want := range wantTimes {
				if !b.Items[i].Time.Equal(want) {
					t.Errorf("item %d time %v, want %v", i, b.Items[i].Time, want)
				}
			}
			if b.State.ETag == "" || len(b.State.LastIDs) != 5 {
				t.Errorf("state = %+v", b.State)
			}
		})
	}
}

func TestPullFormats(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	tests := []struct {
		file       string
		n          int
		title, url string
		body       string
		time       time.Time
	}{
		{"atom.xml", 2, "共享单车的投放 （青浦区）", "https://xfb.sh.gov.cn/yjzj/05A34C6BEDA34BEF9A3A9C3B24D0A58C",
			"尊敬的领导您好！作为一名市民，我建议投放共享单车。\n现有的定桩单车非常难骑。", cst(2023, 7, 14, 8, 0, 0)},
		{"rss1.rdf", 2, "A市A3区联丰路米兰春天小区违规经营", "http://liuyan.example.gov.cn/m/1",
			"小区居民楼内开设影楼，是否合法纳税？", cst(2019, 2, 28, 11, 25, 5)},
		{"rss091.xml", 2, "路灯不亮", "http://12345.example.gov.cn/gd/20230714001", "北京路与中山路交叉口路灯已坏一周。", time.Time{}},
		{"jsonfeed.json", 2, "老旧小区加装电梯补贴何时发放", "https://mayor.example.gov.cn/letters/1",
			"我们小区去年完成加装电梯，补贴至今未到账。", cst(2023, 7, 14, 9, 30, 0)},
		{"rss2_big5.xml", 1, "關於信義區人行道破損的陳情", "https://www.gov.taipei/mailbox/1001",
			"信義路五段人行道地磚破損，長者行走容易跌倒，請儘速修繕。", cst(2023, 7, 13, 9, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b := mustPull(t, f, Source{Name: "s", Kind: KindRSS, URL: gs.URL + "/feeds/" + tc.file}, State{})
			if len(b.Items) != tc.n {
				t.Fatalf("%d items, want %d: %v", len(b.Items), tc.n, b.Errors)
			}
			checkClean(t, b.Items)
			it := b.Items[0]
			if it.Title != tc.title || it.URL != tc.url || it.Body != tc.body || !it.Time.Equal(tc.time) {
				t.Errorf("got %q %q %q %v\nwant %q %q %q %v", it.Title, it.URL, it.Body, it.Time, tc.title, tc.url, tc.body, tc.time)
			}
			if it.SourceID == "" || it.Channel != domain.ChannelOther {
				t.Errorf("id %q channel %q", it.SourceID, it.Channel)
			}
		})
	}
}

func TestPullHostile(t *testing.T) {
	gs := newGovServer(t)
	tests := []struct {
		name, path string
		kind       error
		msg        string
		attempts   int64
	}{
		{"truncated XML", "/feeds/truncated.xml", ErrMalformed, "XML 格式错误：第", 1},
		{"broken XML", "/feeds/broken.xml", ErrMalformed, "XML 格式错误：第", 1},
		{"HTML error page with 200", "/feeds/error200.html", ErrNotFeed, "返回的不是订阅源（HTML 页面）", 1},
		{"404", "/status/404", ErrHTTPStatus, "服务器返回 404", 1},
		{"500 retried", "/status/500", ErrHTTPStatus, "服务器返回 500", 3},
		{"endless body", "/endless", ErrTooLarge, "响应超过 1 MB 上限", 1},
		{"declared too large", "/big?n=536870912&len=1", ErrTooLarge, "响应超过 1 MB 上限", 1},
		{"slow server", "/slow", ErrTimeout, "连接超时（0.2 秒）", 3},
		{"bad url", "ftp://x", ErrBadSource, "网址无效", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, waits := testFetcher(t, FetcherOptions{BaseDelay: time.Second})
			url := gs.URL + tc.path
			if strings.Contains(tc.path, "://") {
				url = tc.path
			}
			before := gs.hitCount(strings.SplitN(tc.path, "?", 2)[0])
			_, err := f.Pull(context.Background(), Source{Name: "s", Kind: KindRSS, URL: url, MaxBytes: 1 << 20, Timeout: 200 * time.Millisecond}, State{}, nil)
			if !errors.Is(err, tc.kind) || !strings.Contains(fmt.Sprint(err), tc.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.kind, tc.msg)
			}
			if got := gs.hitCount(strings.SplitN(tc.path, "?", 2)[0]) - before; got != tc.attempts {
				t.Errorf("%d attempts, want %d", got, tc.attempts)
			}
			if tc.attempts == 3 && fmt.Sprint(*waits) != "[1s 2s]" {
				t.Errorf("backoff waits %v, want [1s 2s]", *waits)
			}
		})
	}
}

func TestPullRetriesThenSucceeds(t *testing.T) {
	gs := newGovServer(t)
	f, waits := testFetcher(t, FetcherOptions{MaxAttempts: 4})
	b := mustPull(t, f, Source{Name: "热线", Kind: KindRSS, URL: gs.URL + "/flaky"}, State{})
	if len(b.Items) != 2 || len(*waits) != 2 {
		t.Fatalf("items %d after waits %v", len(b.Items), *waits)
	}
}

func TestPullConditionalAndSeen(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	src := Source{Name: "市长信箱", Kind: KindRSS, URL: gs.URL + "/feeds/rss2.xml"}
	seen := func(id string) bool { return id == "szxx-5012346" }
	b, err := f.Pull(context.Background(), src, State{}, seen)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 4 || b.Seen != 1 {
		t.Fatalf("items %d seen %d", len(b.Items), b.Seen)
	}
	again := mustPull(t, f, src, b.State)
	if !again.NotModified || len(again.Items) != 0 || again.State.ETag != b.State.ETag {
		t.Fatalf("second pull: %+v", again)
	}
	// Without validators the LastIDs of the saved State still keep items from coming twice.
	third := mustPull(t, f, src, State{LastIDs: b.State.LastIDs})
	if len(third.Items) != 0 || third.Seen != 5 {
		t.Fatalf("third pull: items %d seen %d", len(third.Items), third.Seen)
	}
}

func jsonSource(url string) Source {
	return Source{Name: "市长信箱API", Channel: "信箱", Kind: KindJSON, URL: url, Mapping: Mapping{
		ItemsPath: "data.list", ID: "letterId", Title: "subject", Body: "content", Time: "createTime",
		Author: "writer.name", Label: "type", NextPath: "data.next",
	}}
}

func TestPullJSONPages(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	byNext := jsonSource(gs.URL + "/api/letters")
	byParam := jsonSource(gs.URL + "/api/letters?page=1&size=3")
	byParam.Mapping.NextPath, byParam.Mapping.PageParam = "", "page"
	for name, src := range map[string]Source{"next link": byNext, "page parameter": byParam} {
		t.Run(name, func(t *testing.T) {
			b := mustPull(t, f, src, State{})
			if len(b.Items) != 7 || b.Rejected != 0 {
				t.Fatalf("items %d rejected %d: %v", len(b.Items), b.Rejected, b.Errors)
			}
			checkClean(t, b.Items)
			want := []time.Time{cst(2023, 7, 14, 11, 20, 0), cst(2023, 7, 14, 9, 10, 0), cst(2023, 7, 14, 8, 0, 0),
				cst(2023, 7, 13, 17, 45, 0), cst(2023, 7, 13, 17, 0, 0), cst(2023, 7, 13, 16, 0, 0), cst(2023, 7, 13, 0, 0, 0)}
			for i, it := range b.Items {
				if !it.Time.Equal(want[i]) {
					t.Errorf("item %d (%s) time %v, want %v", i, it.SourceID, it.Time, want[i])
				}
			}
			it := b.Items[0]
			if it.SourceID != "20230714003" || it.Author != "张先生" || it.Label != "城乡建设" || it.Channel != domain.ChannelMailbox ||
				it.Body != "江南街道文明一路下水道堵塞，雨天污水倒灌进商铺。" || !strings.Contains(it.Raw, `"readCount":12`) {
				t.Errorf("item = %+v", it)
			}
		})
	}
	t.Run("stops at a seen id", func(t *testing.T) {
		before := gs.hitCount("/api/letters")
		b, err := f.Pull(context.Background(), byNext, State{}, func(id string) bool { return id == "20230713005" })
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Items) != 5 || gs.hitCount("/api/letters")-before != 2 {
			t.Fatalf("items %d after %d requests", len(b.Items), gs.hitCount("/api/letters")-before)
		}
	})
	t.Run("max pages", func(t *testing.T) {
		src := byNext
		src.Mapping.MaxPages = 2
		b := mustPull(t, f, src, State{})
		if len(b.Items) != 6 || len(b.Errors) != 1 || !strings.Contains(b.Errors[0], "最多 2 页") {
			t.Fatalf("items %d errors %v", len(b.Items), b.Errors)
		}
	})
	t.Run("wrong items path", func(t *testing.T) {
		src := byNext
		src.Mapping.ItemsPath = "data.rows"
		_, err := f.Pull(context.Background(), src, State{}, nil)
		if !errors.Is(err, ErrNotFeed) || !strings.Contains(err.Error(), "data.rows") {
			t.Fatalf("err = %v", err)
		}
	})
}

func htmlSource(url string) Source {
	return Source{Name: "网上信访", Channel: "信访", Kind: KindHTML, URL: url, Mapping: Mapping{
		Item: "ul.list li", Time: ".date", Body: "div.content", NextPath: "a.next",
	}}
}

func TestPullHTMLList(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	b := mustPull(t, f, htmlSource(gs.URL+"/xf/list1.html"), State{})
	if len(b.Items) != 5 || b.Rejected != 0 {
		t.Fatalf("items %d rejected %d: %v", len(b.Items), b.Rejected, b.Errors)
	}
	checkClean(t, b.Items)
	it := b.Items[0]
	if it.Title != "关于江北街道三环路渣土车夜间超速并且噪音扰民严重的反映" || it.URL != gs.URL+"/xf/detail/1001.html" ||
		it.Body != "尊敬的领导：\n江北街道三环路每天夜间有大量渣土车超速行驶，存在严重安全隐患。" ||
		!it.Time.Equal(cst(2023, 7, 14, 0, 0, 0)) || it.Channel != domain.ChannelPetition || !strings.Contains(it.Raw, "onerror") {
		t.Errorf("item = %+v", it)
	}
	if got := b.Items[2]; got.URL != gs.URL+"/xf/detail/1003.html" || !got.Time.Equal(cst(2023, 7, 12, 0, 0, 0)) {
		t.Errorf("item 2 = %+v", got)
	}
	// A second pull with the saved state neither refetches detail pages nor returns anything.
	before := gs.hitCount("/xf/detail/1001.html")
	again := mustPull(t, f, htmlSource(gs.URL+"/xf/list1.html"), State{LastIDs: b.State.LastIDs})
	if len(again.Items) != 0 || gs.hitCount("/xf/detail/1001.html") != before {
		t.Errorf("second pull: %d items, detail fetched again: %v", len(again.Items), gs.hitCount("/xf/detail/1001.html") != before)
	}
}

func TestPullHTMLDetailFailureKeepsValidators(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{MaxAttempts: 1})
	src := htmlSource(gs.URL + "/xf/list1.html")
	src.Mapping.Body = "div.missing"
	old := State{ETag: `"old"`}
	b := mustPull(t, f, src, old)
	if len(b.Items) != 0 || b.Rejected != 5 || b.State.ETag != `"old"` {
		t.Fatalf("items %d rejected %d etag %q errors %v", len(b.Items), b.Rejected, b.State.ETag, b.Errors)
	}
	if !strings.Contains(b.Errors[0], "下次拉取时重试") {
		t.Errorf("reason %q", b.Errors[0])
	}
}

func TestPullFolder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"gbk.csv", "broken.jsonl", "fake.xlsx"} {
		b, err := os.ReadFile(filepath.Join("testdata/import", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("不是数据"), 0o644)
	now := time.Now().Add(time.Minute)
	f, _ := testFetcher(t, FetcherOptions{Now: func() time.Time { return now }})
	src := Source{Name: "信访导出", Channel: "信访", Kind: KindFolder, Folder: dir}
	b := mustPull(t, f, src, State{})
	if len(b.Items) != 7 || len(b.State.SeenFiles) != 3 {
		t.Fatalf("items %d seen files %v errors %v", len(b.Items), b.State.SeenFiles, b.Errors)
	}
	checkClean(t, b.Items)
	var fake bool
	for _, e := range b.Errors {
		fake = fake || strings.Contains(e, "fake.xlsx：不是有效的 Excel 文件")
	}
	if !fake || b.Rejected != 5 {
		t.Errorf("rejected %d errors %v", b.Rejected, b.Errors)
	}
	if b.Items[0].Source != "信访导出" || b.Items[0].Channel != domain.ChannelPetition {
		t.Errorf("item = %+v", b.Items[0])
	}
	again := mustPull(t, f, src, b.State)
	if len(again.Items) != 0 || len(again.State.SeenFiles) != 3 {
		t.Fatalf("second pull read %d items", len(again.Items))
	}
	// A changed file is read again; a file still being written (modified just now) waits.
	os.WriteFile(filepath.Join(dir, "new.jsonl"), []byte(`{"id":"n1","title":"新文件"}`+"\n"), 0o644)
	now = time.Now()
	third := mustPull(t, f, src, again.State)
	if len(third.Items) != 0 {
		t.Fatalf("read a file still being written")
	}
	now = time.Now().Add(time.Minute)
	fourth := mustPull(t, f, src, third.State)
	if len(fourth.Items) != 1 || fourth.Items[0].Title != "新文件" {
		t.Fatalf("fourth pull items %+v", fourth.Items)
	}
}

func TestPullPerHostLimit(t *testing.T) {
	gs := newGovServer(t)
	gs.slowDelay = 100 * time.Millisecond
	f, _ := testFetcher(t, FetcherOptions{PerHost: 2})
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Pull(context.Background(), Source{Kind: KindRSS, URL: gs.URL + "/slow"}, State{}, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m := gs.maxActive.Load(); m != 2 {
		t.Errorf("at most %d requests in flight, want 2", m)
	}
}

func TestPullBadSource(t *testing.T) {
	f, _ := testFetcher(t, FetcherOptions{})
	for _, src := range []Source{{Kind: "ftp"}, {Kind: KindRSS}, {Kind: KindHTML, URL: "http://x"}, {Kind: KindJSON, URL: "http://x"}, {Kind: KindFolder}} {
		if _, err := f.Pull(context.Background(), src, State{}, nil); !errors.Is(err, ErrBadSource) {
			t.Errorf("%+v: err %v", src, err)
		}
	}
}
