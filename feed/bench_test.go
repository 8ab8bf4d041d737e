package feed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// bigFeed builds an RSS 2.0 document of n realistic items.
func bigFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>市长信箱</title><link>http://mayor.example.gov.cn/</link><description>来信</description>`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<item><title>关于第%d号小区停车位不足和夜间噪音的反映</title><link>http://mayor.example.gov.cn/letters/%d</link><guid>letter-%d</guid><pubDate>Fri, 14 Jul 2023 08:%02d:00 +0800</pubDate><description><![CDATA[<p>尊敬的领导：</p><p>我们小区停车位严重不足，夜间车辆乱停乱放，消防通道被占用，存在安全隐患。请有关部门协调解决。</p>]]></description></item>`, i, i, i, i%60)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// BenchmarkParseFeed10k measures parsing (strict check + gofeed) of a 10,000-item feed.
func BenchmarkParseFeed10k(b *testing.B) {
	feed := bigFeed(10000)
	b.SetBytes(int64(len(feed)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := ParseFeed(feed)
		if err != nil || len(items) != 10000 {
			b.Fatal(len(items), err)
		}
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkPull10k measures a whole Pull of a 10,000-item feed over HTTP: fetch, charset check,
// parse, HTML to text, de-duplication.
func BenchmarkPull10k(b *testing.B) {
	feed := bigFeed(10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	}))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{})
	src := Source{Name: "市长信箱", Kind: KindRSS, URL: srv.URL}
	b.ReportAllocs()
	for b.Loop() {
		batch, err := f.Pull(context.Background(), src, State{}, nil)
		if err != nil || len(batch.Items) != 10000 {
			b.Fatal(len(batch.Items), err)
		}
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkRefuse500MB streams a 500 MB body (no Content-Length) and reports how many bytes the
// Fetcher allocated refusing it at the default 20 MB limit.
func BenchmarkRefuse500MB(b *testing.B) {
	gs := newGovServer(b)
	f := NewFetcher(FetcherOptions{MaxAttempts: 1})
	src := Source{Kind: KindRSS, URL: gs.URL + "/big?n=524288000"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Pull(context.Background(), src, State{}, nil); !errors.Is(err, ErrTooLarge) {
			b.Fatal(err)
		}
	}
}

// TestRefuse500MBMemory checks that refusing a streamed 500 MB body allocates about the 20 MB
// limit, not the body: all allocations of the pull (test server included) stay under 40 MB.
func TestRefuse500MBMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 20 MB over loopback")
	}
	gs := newGovServer(t)
	f := NewFetcher(FetcherOptions{MaxAttempts: 1})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := f.Pull(context.Background(), Source{Kind: KindRSS, URL: gs.URL + "/big?n=524288000"}, State{}, nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "响应超过 20 MB 上限" {
		t.Fatalf("err = %v", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MB refusing a 500 MB body", float64(alloc)/(1<<20))
	if alloc > 40<<20 {
		t.Errorf("allocated %d MB refusing a 500 MB body", alloc>>20)
	}
}
