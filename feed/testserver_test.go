package feed

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// govServer is an httptest server that behaves like the government sites Minyi reads: it serves
// the feeds, API pages and HTML pages under testdata/ with their real encodings and ETags, and
// misbehaves on request (404, 5xx, endless and slow bodies).
type govServer struct {
	*httptest.Server
	hits       sync.Map // path → *int64
	active     atomic.Int64
	maxActive  atomic.Int64
	flakyFails int64 // /flaky answers 503 this many times first
	slowDelay  time.Duration
}

// contentTypes are the Content-Type headers of files that need one other than by extension.
var contentTypes = map[string]string{
	"rss2_header_only.xml": "application/xml; charset=gb2312",
	"error200.html":        "text/html",
	"jsonfeed.json":        "application/feed+json",
}

func newGovServer(tb testing.TB) *govServer {
	tb.Helper()
	gs := &govServer{flakyFails: 2, slowDelay: 2 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/feeds/", func(w http.ResponseWriter, r *http.Request) {
		gs.serveFile(w, r, filepath.Join("testdata/feeds", filepath.Base(r.URL.Path)))
	})
	mux.HandleFunc("/api/letters", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		path := fmt.Sprintf("testdata/api/page%d.json", page)
		if _, err := os.Stat(path); err != nil {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"code":0,"data":{"list":[]}}`)
			return
		}
		gs.serveFile(w, r, path)
	})
	mux.HandleFunc("/xf/", func(w http.ResponseWriter, r *http.Request) {
		gs.serveFile(w, r, filepath.Join("testdata/html", strings.TrimPrefix(r.URL.Path, "/xf/")))
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(filepath.Base(r.URL.Path))
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><body>%d</body></html>", code)
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if gs.count(r.URL.Path) <= gs.flakyFails {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		gs.serveFile(w, r, "testdata/feeds/rss091.xml")
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		streamBytes(w, r, -1)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if r.URL.Query().Get("len") != "" {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		streamBytes(w, r, n)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(gs.slowDelay):
		case <-r.Context().Done():
			return
		}
		gs.serveFile(w, r, "testdata/feeds/rss091.xml")
	})
	gs.Server = httptest.NewServer(gs.track(mux))
	tb.Cleanup(gs.Close)
	return gs
}

// track counts hits per path and the most requests in flight at once.
func (gs *govServer) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := gs.active.Add(1)
		defer gs.active.Add(-1)
		for {
			m := gs.maxActive.Load()
			if n <= m || gs.maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		if r.URL.Path != "/flaky" {
			gs.count(r.URL.Path)
		}
		h.ServeHTTP(w, r)
	})
}

func (gs *govServer) count(path string) int64 {
	v, _ := gs.hits.LoadOrStore(path, new(int64))
	return atomic.AddInt64(v.(*int64), 1)
}

func (gs *govServer) hitCount(path string) int64 {
	v, ok := gs.hits.Load(path)
	if !ok {
		return 0
	}
	return atomic.LoadInt64(v.(*int64))
}

// serveFile sends a testdata file with an ETag and Last-Modified, answering 304 when they match.
func (gs *govServer) serveFile(w http.ResponseWriter, r *http.Request, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(b))[:18] + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Fri, 14 Jul 2023 02:00:00 GMT")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ct := contentTypes[filepath.Base(path)]
	if ct == "" {
		switch filepath.Ext(path) {
		case ".json":
			ct = "application/json"
		case ".html":
			ct = "text/html"
		default:
			ct = "application/rss+xml"
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

// streamBytes writes n bytes (forever when n < 0) in 64 KB chunks without holding them.
func streamBytes(w http.ResponseWriter, r *http.Request, n int64) {
	chunk := []byte(strings.Repeat("<item>很长的响应</item>\n", 64<<10/32))
	for sent := int64(0); n < 0 || sent < n; sent += int64(len(chunk)) {
		if n >= 0 && n-sent < int64(len(chunk)) {
			chunk = chunk[:n-sent]
		}
		if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
			return
		}
	}
}
