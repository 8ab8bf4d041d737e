package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/feed"
)

var updatePulls = flag.Bool("update-pulls", false, "rewrite testdata/pulls.golden.json")

// govSite serves the feed package's test files the way government sites do, with the hostile
// cases of issue 3: a 404, a 503, an endless body and a server slower than the timeout.
func govSite(tb testing.TB) *httptest.Server {
	tb.Helper()
	const td = "../feed/testdata"
	types := map[string]string{
		"rss2_header_only.xml": "application/xml; charset=gb2312",
		"error200.html":        "text/html",
		"jsonfeed.json":        "application/feed+json",
	}
	serve := func(w http.ResponseWriter, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if ct := types[filepath.Base(path)]; ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Write(b)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/feeds/", func(w http.ResponseWriter, r *http.Request) {
		serve(w, filepath.Join(td, "feeds", filepath.Base(r.URL.Path)))
	})
	mux.HandleFunc("/api/letters", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		serve(w, filepath.Join(td, "api", fmt.Sprintf("page%d.json", max(page, 1))))
	})
	mux.HandleFunc("/xf/", func(w http.ResponseWriter, r *http.Request) {
		serve(w, filepath.Join(td, "html", strings.TrimPrefix(r.URL.Path, "/xf/")))
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(filepath.Base(r.URL.Path))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		block := bytes.Repeat([]byte("<item><title>无尽</title></item>"), 2048)
		for r.Context().Err() == nil {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// matrixRow is what two pulls of one source reported, for the golden file.
type matrixRow struct {
	Case   string     `json:"case"`
	First  PullResult `json:"first"`
	Notes  []string   `json:"notes,omitempty"`
	Second PullResult `json:"second"`
}

// TestPullMatrix pulls every format and hostile case twice and compares what the pulls report
// with testdata/pulls.golden.json (go test ./app -run TestPullMatrix -update-pulls rewrites it).
// Whatever the case, the counts add up, and a second pull stores nothing new.
func TestPullMatrix(t *testing.T) {
	srv := govSite(t)
	folder := t.TempDir()
	for _, name := range []string{"unicode.csv", "gbk.csv", "broken.jsonl", "fake.xlsx"} {
		b, err := os.ReadFile(filepath.Join("../feed/testdata/import", name))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(folder, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour) // settled, as a finished export is
		os.Chtimes(path, old, old)
	}
	rss := func(name, file string) SourceConfig {
		return SourceConfig{Name: name, Kind: "rss", URL: srv.URL + "/feeds/" + file, Enabled: true}
	}
	cases := []SourceConfig{
		rss("rss2", "rss2.xml"),
		rss("rss091", "rss091.xml"),
		rss("rss1-rdf", "rss1.rdf"),
		rss("atom", "atom.xml"),
		rss("jsonfeed", "jsonfeed.json"),
		rss("gbk", "rss2_gbk.xml"),
		rss("big5", "rss2_big5.xml"),
		rss("gb2312-header-only", "rss2_header_only.xml"),
		rss("truncated", "truncated.xml"),
		rss("broken-xml", "broken.xml"),
		rss("html-error-200", "error200.html"),
		rss("404", "missing.xml"),
		{Name: "503", Kind: "rss", URL: srv.URL + "/status/503", Enabled: true},
		{Name: "endless", Kind: "rss", URL: srv.URL + "/endless", MaxMB: 1, Enabled: true},
		{Name: "slow", Kind: "rss", URL: srv.URL + "/slow", TimeoutSeconds: 1, Enabled: true},
		{Name: "json-3-pages", Kind: "json", URL: srv.URL + "/api/letters", Enabled: true, Mapping: &feed.Mapping{
			ItemsPath: "data.list", ID: "letterId", Title: "subject", Body: "content", Time: "createTime",
			Author: "writer.name", Label: "type", NextPath: "data.next",
		}},
		{Name: "html-list", Kind: "html", URL: srv.URL + "/xf/list1.html", Enabled: true, Mapping: &feed.Mapping{
			Item: "ul.list li", Time: ".date", Body: "div.content", NextPath: "a.next",
		}},
		{Name: "folder", Kind: "folder", Folder: folder, Channel: "12345", Enabled: true},
	}
	f := quickFetcher()
	var rows []matrixRow
	for _, cfg := range cases {
		t.Run(cfg.Name, func(t *testing.T) {
			ctx := context.Background()
			c := mustCore(t) // each case on its own, so "new" means new to an empty store
			mustSave(t, c, cfg)
			first, err := c.PullSource(ctx, f, cfg.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			second, err := c.PullSource(ctx, f, cfg.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []PullResult{first, second} {
				if r.Read != r.New+r.Duplicate+r.Rejected {
					t.Errorf("counts do not add up: %+v", r)
				}
				if r.Error != "" && !containsHan(r.Error) {
					t.Errorf("error not in Chinese: %q", r.Error)
				}
			}
			if second.New != 0 {
				t.Errorf("second pull stored %d again", second.New)
			}
			rows = append(rows, matrixRow{Case: cfg.Name, First: first, Notes: first.Notes, Second: second})
		})
	}
	got, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = bytes.ReplaceAll(got, []byte(srv.URL), []byte("http://gov.test"))
	got = bytes.ReplaceAll(got, []byte(folder), []byte("/data/12345"))
	golden := filepath.Join("testdata", "pulls.golden.json")
	if *updatePulls {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-pulls to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("pull reports differ from %s (rerun with -update-pulls and review the diff):\n%s", golden, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}
