package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// requireE2E skips the browser tests where they cannot run, unless MINYI_E2E=1 (set by the
// README's test command), in which case a missing browser or frontend is a failure.
func requireE2E(t *testing.T) string {
	t.Helper()
	need := os.Getenv("MINYI_E2E") == "1"
	skip := func(why string) {
		if need {
			t.Fatalf("end-to-end test cannot run: %s", why)
		}
		t.Skip(why)
	}
	if _, err := frontendFS(); err != nil {
		skip("frontend not built (npm run build in frontend/)")
	}
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	skip("no chromium on PATH")
	return ""
}

// startServe runs `minyi serve --demo` in-process on a free loopback port and returns its URL.
func startServe(t *testing.T, data string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	args := append([]string{"--data", data, "serve", "--addr", "127.0.0.1:0"}, extra...)
	go func() { done <- run(ctx, args, pw, io.Discard); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15 s of cancel")
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := regexp.MustCompile(`http://\S+`).FindString(sc.Text()); m != "" {
				urls <- m
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case code := <-done:
		t.Fatalf("serve exited with %d before listening", code)
	case <-time.After(120 * time.Second):
		t.Fatal("serve did not print its URL within 120 s")
	}
	return ""
}

func browser(t *testing.T, chrome string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(1440, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	return ctx
}

// screenshotDir is where tests write the screenshots the README links (MINYI_SCREENSHOTS), or a temp dir.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("MINYI_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// waitAllRowsContain waits until every search hit on the page contains want: the list shows the
// answer to the submitted query, not the one before it.
func waitAllRowsContain(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	js := `(() => { const rows = [...document.querySelectorAll('[data-testid="result-row"]')];
		return rows.length > 0 && rows.every(r => r.textContent.includes(` + strconv.Quote(want) + `)); })()`
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	failShot(t, ctx, "rows "+want)
	t.Fatalf("search hits never all contained %q", want)
}

// openFirstHit clicks the first search hit until the detail pane shows. The list re-renders when
// the submitted search answers, and a click that lands on the row being replaced does nothing,
// as it would for a person clicking at that instant; they would click again, and so does this.
func openFirstHit(t *testing.T, ctx context.Context) {
	t.Helper()
	for try := 0; try < 5; try++ {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := chromedp.Do(cctx, chromedp.Click(byTestID("result-row")), chromedp.WaitVisible(byTestID("detail-body")))
		cancel()
		if err == nil {
			return
		}
	}
	failShot(t, ctx, "open first hit")
	t.Fatal("clicking the first hit never opened the detail pane")
}

// failShot saves what the browser showed when a step failed, to read the failure from CI logs.
func failShot(t *testing.T, ctx context.Context, name string) {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Logf("no failure screenshot: %v", err)
		return
	}
	path := filepath.Join(os.TempDir(), "minyi-e2e-failure-"+regexp.MustCompile(`\W+`).ReplaceAllString(name, "_")+".png")
	if os.WriteFile(path, png, 0o644) == nil {
		t.Logf("screenshot of the failure: %s", path)
	}
}

func byTestID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// TestBrowserSearchAndOpen drives the console as an officer would: load the demo, search 渣土,
// open a hit, read its text, and take screenshots of the inbox and of the result.
func TestBrowserSearchAndOpen(t *testing.T) {
	chrome := requireE2E(t)
	data := t.TempDir()
	url := startServe(t, data, "--demo")
	ctx := browser(t, chrome)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			failShot(t, ctx, name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	shots := screenshotDir(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	step("inbox shows rows", chromedp.WaitVisible(byTestID("inbox-row")))
	var inboxPNG []byte
	inboxPNG, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "browser-inbox.png"), inboxPNG, 0o644)

	step("go to search", chromedp.Click(byTestID("nav-search")), chromedp.WaitVisible(byTestID("search-input")))
	step("type query", chromedp.SendKeys(byTestID("search-input"), "渣土"), chromedp.Click(byTestID("search-submit")))
	step("results appear", chromedp.WaitVisible(byTestID("result-row")))
	waitAllRowsContain(t, ctx, "渣土")
	totalText, err := chromedp.Run(ctx, chromedp.Text(byTestID("search-total")))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(regexp.MustCompile(`\d+`).FindString(totalText))
	if n < 5 {
		t.Fatalf("search 渣土 over the demo found %d (%q), want at least 5", n, totalText)
	}
	searchPNG, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "browser-search.png"), searchPNG, 0o644)

	openFirstHit(t, ctx)
	title, err := chromedp.Run(ctx, chromedp.Text(byTestID("detail-title")))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(byTestID("detail-body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title+body, "渣土") {
		t.Fatalf("opened hit does not contain 渣土: title %q body %q", title, body)
	}
	if len([]rune(body)) < 20 {
		t.Fatalf("detail body too short to be the full text: %q", body)
	}
	detailPNG, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "browser-detail.png"), detailPNG, 0o644)
}

// TestBrowserHostileTextStaysText imports a message whose title and body carry script and
// event-handler markup, opens it, and checks that nothing ran and the words are shown.
func TestBrowserHostileTextStaysText(t *testing.T) {
	chrome := requireE2E(t)
	data := t.TempDir()
	if code := run(context.Background(), []string{"--data", data, "import", "testdata/hostile.jsonl"}, io.Discard, os.Stderr); code != 0 {
		t.Fatalf("import exited %d", code)
	}
	url := startServe(t, data)
	ctx := browser(t, chrome)
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(sctx,
		chromedp.Click(byTestID("nav-search")), chromedp.WaitVisible(byTestID("search-input")),
		chromedp.SendKeys(byTestID("search-input"), "抛洒"), chromedp.Click(byTestID("search-submit")),
		chromedp.WaitVisible(byTestID("result-row")),
	)
	if err != nil {
		failShot(t, ctx, "hostile")
		t.Fatal(err)
	}
	waitAllRowsContain(t, ctx, "抛洒")
	openFirstHit(t, ctx)
	xss, err := chromedp.Run(sctx, chromedp.Evaluate[any](`window.__xss === undefined ? null : window.__xss`))
	if err != nil {
		t.Fatal(err)
	}
	if xss != nil {
		t.Fatalf("feed markup ran in the page: window.__xss = %v", xss)
	}
	body, err := chromedp.Run(sctx, chromedp.Text(byTestID("detail-body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "江北街道文昌一路") {
		t.Fatalf("detail body lost the message text: %q", body)
	}
	imgs, err := chromedp.Run(sctx, chromedp.Evaluate[float64](`document.querySelectorAll('[data-testid="detail-body"] img, [data-testid="detail-body"] script, [data-testid="detail-body"] b').length`))
	if err != nil {
		t.Fatal(err)
	}
	if imgs != 0 {
		t.Fatalf("feed markup became %v elements in the detail pane", imgs)
	}
}
