package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/domain"
	"minyi/index"
	"minyi/nlp"
	"minyi/store"
)

var (
	sharedNLP  *nlp.Analyzer
	nlpOnce    sync.Once
	nlpLoadErr error
)

// analyzer loads the real segmenter once per test binary: it is the part every test shares.
func analyzer(tb testing.TB) *nlp.Analyzer {
	tb.Helper()
	nlpOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minyi-nlp-cache")
		if err != nil {
			nlpLoadErr = err
			return
		}
		sharedNLP, nlpLoadErr = nlp.Load(context.Background(), dir)
	})
	if nlpLoadErr != nil {
		tb.Fatal(nlpLoadErr)
	}
	return sharedNLP
}

var fixedNow = time.Date(2026, 11, 20, 10, 0, 0, 0, cst)

// mustCore opens a real store and index in a temp dir with the real analyzer and a fixed clock.
func mustCore(tb testing.TB) *Core {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "minyi.db"))
	if err != nil {
		tb.Fatal(err)
	}
	a := analyzer(tb)
	ix, err := index.Open(ctx, filepath.Join(dir, "index"), a)
	if err != nil {
		st.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close(); st.Close() })
	return New(Deps{DataDir: dir, Store: st, Index: ix, NLP: a, Now: func() time.Time { return fixedNow }})
}

func item(id, title, body string) domain.Item {
	return domain.Item{Source: "测试", SourceID: id, Channel: domain.ChannelHotline, Title: title, Body: body, Time: fixedNow.Add(-time.Hour)}
}

func TestIngestDedupesAndIndexes(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	items := []domain.Item{
		item("1", "渣土车夜间抛洒", "江北街道文昌一路每天晚上有渣土车抛洒泥土，尘土飞扬。"),
		item("2", "餐饮油烟扰民", "桥东街道某烧烤店油烟直排，居民无法开窗。"),
		item("1", "重复的编号", "同一来源同一编号的第二条应当视为重复。"),
		item("3", "渣土车夜间抛洒！", "江北街道文昌一路每天晚上有渣土车抛洒泥土，尘土飞扬"), // same words, other punctuation
	}
	out, err := c.Ingest(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Duplicate || out[1].Duplicate || !out[2].Duplicate || !out[3].Duplicate {
		t.Fatalf("outcomes = %+v", out)
	}
	if out[2].DuplicateOf != out[0].ID || out[3].DuplicateOf != out[0].ID {
		t.Fatalf("duplicates point at %q and %q, want %q", out[2].DuplicateOf, out[3].DuplicateOf, out[0].ID)
	}
	again, err := c.Ingest(ctx, items[:2])
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Duplicate || !again[1].Duplicate {
		t.Fatalf("second ingest of the same items = %+v", again)
	}
	if n, _ := c.Store.Count(ctx); n != 2 {
		t.Fatalf("stored %d records, want 2", n)
	}
	res, err := c.Search(ctx, SearchQuery{Query: "渣土"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].ID != out[0].ID {
		t.Fatalf("search 渣土 = %+v", res)
	}
	r, err := c.Store.Get(ctx, out[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Analysis.Words) == 0 || r.Status != domain.StatusNew {
		t.Fatalf("stored record lacks analysis or status: %+v", r)
	}
}

func TestCatchUpIndexesWhatTheIndexMissed(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	// Commit straight to the store, as if the process died before the index batch.
	recs := []*domain.Record{
		{Item: item("a", "噪音扰民", "夜间施工噪音"), Hash: "h-a", Status: domain.StatusNew},
		{Item: item("b", "占道经营", "流动摊贩占道经营"), Hash: "h-b", Status: domain.StatusNew},
	}
	for _, r := range recs {
		r.Analysis = c.NLP.Analyze(r.Title, r.Body)
	}
	if _, err := c.Store.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if res, _ := c.Search(ctx, SearchQuery{Query: "噪音"}); res.Total != 0 {
		t.Fatalf("index saw the record before catch-up: %d", res.Total)
	}
	n, err := c.CatchUp(ctx)
	if err != nil || n != 2 {
		t.Fatalf("catch-up = %d, %v", n, err)
	}
	if res, _ := c.Search(ctx, SearchQuery{Query: "噪音"}); res.Total != 1 {
		t.Fatalf("after catch-up search 噪音 = %d", res.Total)
	}
	if n, _ := c.CatchUp(ctx); n != 0 {
		t.Fatalf("second catch-up indexed %d again", n)
	}
}

func TestImportReportsBadLinesAndKeepsGoodRows(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte(strings.Join([]string{
		`{"id":"1","title":"路灯不亮","body":"麦地路路灯连续一周不亮","time":"2026/11/1 20:00:00"}`,
		`{"id":"2","title":"broken`,
		`{"id":"3","title":"井盖缺失","body":"下埔路井盖缺失，有安全隐患","time":"2026-11-02"}`,
	}, "\n")), 0o644)
	fake := filepath.Join(dir, "fake.xlsx")
	os.WriteFile(fake, []byte("this is not a spreadsheet"), 0o644)
	var progress []int
	res, err := c.Import(ctx, []string{good, fake}, func(n int) { progress = append(progress, n) })
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 2 || res.Rejected != 1 || res.Read != 3 {
		t.Fatalf("import = %+v", res)
	}
	var lineErr, fileErr bool
	for _, e := range res.Errors {
		lineErr = lineErr || (e.File == "good.jsonl" && e.Line == 2)
		fileErr = fileErr || (e.File == "fake.xlsx" && e.Line == 0 && e.Error != "")
	}
	if !lineErr || !fileErr {
		t.Fatalf("errors = %+v", res.Errors)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 2 {
		t.Fatalf("progress = %v", progress)
	}
}

func TestSearchRejectsBadDates(t *testing.T) {
	c := mustCore(t)
	_, err := c.Search(context.Background(), SearchQuery{Since: "11/20/2026"})
	if !errors.Is(err, ErrBadDate) {
		t.Fatalf("err = %v", err)
	}
	a := NewApp(c, context.Background)
	_, err = a.Search(SearchQuery{Since: "昨天"})
	if err == nil || !strings.Contains(err.Error(), "日期格式") {
		t.Fatalf("officer message = %v", err)
	}
}

func TestHTTPAPIMirrorsBoundMethods(t *testing.T) {
	c := mustCore(t)
	if _, err := c.Ingest(context.Background(), []domain.Item{item("1", "工地扬尘", "三新北路工地扬尘严重")}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(NewApp(c, context.Background), nil))
	defer srv.Close()
	post := func(path, body string, header map[string]string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewBufferString(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	tests := []struct {
		name, path, body string
		header           map[string]string
		code             int
		check            func(map[string]any) bool
	}{
		{"search", "/api/Search", `[{"query":"扬尘"}]`, nil, 200, func(m map[string]any) bool { return m["total"] == 1.0 }},
		{"status", "/api/Status", `[]`, nil, 200, func(m map[string]any) bool { return m["records"] == 1.0 }},
		{"unknown method", "/api/Nope", `[]`, nil, 404, func(m map[string]any) bool { return m["error"] != nil }},
		{"wrong arity", "/api/Get", `[]`, nil, 400, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "参数个数") }},
		{"not found is Chinese", "/api/Get", `["M999999"]`, nil, 422, func(m map[string]any) bool { return m["error"] == "未找到该记录" }},
		{"cross-site refused", "/api/Status", `[]`, map[string]string{"Origin": "http://evil.example"}, 403, func(m map[string]any) bool { return m["error"] != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, m := post(tt.path, tt.body, tt.header)
			if resp.StatusCode != tt.code || !tt.check(m) {
				t.Fatalf("%s → %d %v", tt.path, resp.StatusCode, m)
			}
		})
	}
}

func TestCleanTextAndHash(t *testing.T) {
	tests := []struct {
		in, want string
		lines    bool
	}{
		{"  渣土车\t\t夜间\u3000抛洒  ", "渣土车 夜间 抛洒", false},
		{"第一段\r\n\r\n第二段\x00", "第一段\n第二段", true},
		{"bad\xffutf8", "badutf8", false},
		{"\ufeff标题\u200b", "标题", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := cleanText(tt.in, tt.lines); got != tt.want {
				t.Fatalf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if contentHash("渣土车，夜间！", "ABC") != contentHash("渣土车 夜间", "abc") {
		t.Fatal("punctuation or case changed the content hash")
	}
	if contentHash("a", "bc") == contentHash("ab", "c") {
		t.Fatal("title/body boundary ignored by the content hash")
	}
}
