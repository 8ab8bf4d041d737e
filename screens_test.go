package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreens is the screenshot tour the issues ask for: it starts `serve --demo`, works one case
// through the console (受理, then 派单 to the top suggestion), and saves a PNG of each screen into
// screenshotDir — the inbox with a message's top-3 suggestions and their reasons, that case's
// timeline, 检索 with facets and highlighted snippets, the 舆情 dashboard with the district map, a
// topic page and the 统计 (KPI) screen — checking on each that what it shows is really there.
func TestScreens(t *testing.T) {
	chrome := requireE2E(t)
	url := startServe(t, t.TempDir(), "--demo")
	ctx := browser(t, chrome)
	tour := &screenTour{t: t, ctx: ctx, dir: screenshotDir(t), url: url}
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}

	// 1. The inbox with a message open: three suggested departments, each with its reasons.
	tour.step("inbox rows", chromedp.WaitVisible(byTestID("inbox-row")))
	tour.clickUntil("open first inbox row", byTestID("inbox-row"), byTestID("detail-body"))
	tour.waitJS("three suggestions with reasons", `(() => {
		const s = [...document.querySelectorAll('[data-testid="suggestion"]')];
		return s.length === 3 && s.every(x => x.querySelectorAll('[data-testid="suggestion-reason"]').length > 0);
	})()`)
	tour.waitJS("受理 is allowed", `(() => { const b = document.querySelector('[data-testid="act-受理"]'); return !!b && !b.disabled; })()`)
	dept := tour.text(`[data-testid="suggestion"] .dept`)
	if dept == "" {
		t.Fatal("the first suggestion names no department")
	}
	tour.settle()
	tour.eval(`document.querySelectorAll('[data-testid="suggestion"]')[1].scrollIntoView({ block: 'center' })`)
	tour.shot("inbox-suggestions.png")

	// 2. 受理 and 派单 through the buttons; the timeline then shows both, with the status change.
	tour.step("受理", chromedp.Click(byTestID("act-受理")))
	tour.waitJS("受理 on the timeline", timelineHas("受理", "待受理", "已受理"))
	tour.waitJS("派单 enabled", `(() => { const b = document.querySelector('[data-testid="act-派单"]'); return !!b && !b.disabled; })()`)
	tour.step("派单 dialog", chromedp.Click(byTestID("act-派单")), chromedp.WaitVisible(byTestID("action-confirm")))
	tour.waitJS("派单 dialog proposes the top suggestion", `(() => {
		const d = document.querySelector('[data-testid="action-to"]');
		return !!d && d.textContent.includes(`+strconv.Quote(dept)+`);
	})()`)
	tour.clickUntilGone("confirm 派单", byTestID("action-confirm"))
	tour.waitJS("派单 on the timeline", timelineHas("派单", "已受理", "已派单"))
	tour.waitJS("timeline names the department", `[...document.querySelectorAll('[data-testid="timeline-event"]')].some(e => e.textContent.includes(`+strconv.Quote(dept)+`))`)
	tour.settle()
	tour.eval(`document.querySelector('[data-testid="timeline"]').scrollIntoView({ block: 'center' })`)
	tour.shot("case-timeline.png")
	tour.step("close the detail pane", chromedp.KeyEvent("\u001b")) // Escape
	tour.waitJS("detail pane closed", `!document.querySelector('[data-testid="detail-body"]')`)

	// 3. 检索: a query whose hits have highlighted snippets, and facets with counts.
	tour.step("go to search", chromedp.Click(byTestID("nav-search")), chromedp.WaitVisible(byTestID("search-input")))
	tour.step("search 噪音", chromedp.SendKeys(byTestID("search-input"), "噪音"), chromedp.Click(byTestID("search-submit")))
	waitAllRowsContain(t, ctx, "噪音")
	tour.waitJS("highlighted snippets", `document.querySelectorAll('[data-testid="result-row"] mark').length > 0`)
	tour.waitJS("facets with counts", `(() => {
		const f = [...document.querySelectorAll('[data-testid="facet-item"]')];
		return f.length >= 5 && f.every(x => /\d/.test(x.textContent));
	})()`)
	tour.eval(`document.activeElement && document.activeElement.blur()`)
	tour.settle()
	tour.shot("search-facets.png")

	// 4. 舆情: the charts and the district map with its seven areas, some of them with messages.
	tour.step("go to 舆情", chromedp.Click(byTestID("nav-opinion")), chromedp.WaitVisible(byTestID("district-map")))
	tour.waitJS("seven areas with messages", `(() => {
		const a = [...document.querySelectorAll('[data-testid="map-area"]')];
		return a.length === 7 && a.filter(x => Number(x.dataset.total) > 0).length >= 5;
	})()`)
	tour.waitJS("charts drawn", `document.querySelectorAll('.echart canvas').length >= 4`)
	tour.waitJS("topics listed", `document.querySelectorAll('[data-testid="topic-row"]').length > 0`)
	tour.settle()
	tour.shot("opinion-dashboard.png")

	// 5. The hottest topic's page: at least two messages, its curve and representative messages.
	tour.clickUntil("open the first topic", byTestID("topic-row"), byTestID("topic-page"))
	tour.waitJS("topic lists two or more messages", `document.querySelectorAll('[data-testid="topic-message"]').length >= 2`)
	tour.waitJS("topic has representative messages", `document.querySelectorAll('[data-testid="topic-rep"]').length >= 1`)
	tour.settle()
	tour.shot("topic-page.png")
	tour.step("close the topic page", chromedp.KeyEvent("\u001b"))
	tour.waitJS("topic page closed", `!document.querySelector('[data-testid="topic-page"]')`)

	// 6. 统计: more officers' work on other cases (the same API the buttons call), then the KPIs.
	tour.work(12)
	tour.step("go to 统计", chromedp.Click(byTestID("nav-stats")), chromedp.WaitVisible(byTestID("stats")))
	tour.waitJS("KPI rows", `document.querySelectorAll('[data-testid="kpi-row"]').length >= 3`)
	tour.waitJS("the dispatched department is counted", `[...document.querySelectorAll('[data-testid="kpi-row"]')].some(r => r.textContent.includes(`+strconv.Quote(dept)+`))`)
	tour.settle()
	tour.shot("kpi.png")
	t.Logf("tour took %v", time.Since(start).Round(time.Millisecond))
}

// timelineHas is a page condition: some timeline event is action and moved the case from → to.
func timelineHas(action, from, to string) string {
	return `[...document.querySelectorAll('[data-testid="timeline-event"]')].some(e =>
		e.textContent.includes(` + strconv.Quote(action) + `) && e.textContent.includes(` + strconv.Quote(from) + `) &&
		e.textContent.includes(` + strconv.Quote(to) + `))`
}

// screenTour drives one browser through the console, failing with a screenshot of the step.
type screenTour struct {
	t   *testing.T
	ctx context.Context
	dir string
	url string
}

func (s *screenTour) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	sctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		failShot(s.t, s.ctx, name)
		s.t.Fatalf("%s: %v", name, err)
	}
}

// waitJS polls a page expression until it is true.
func (s *screenTour) waitJS(name, js string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(150 * time.Millisecond)
	}
	failShot(s.t, s.ctx, name)
	s.t.Fatalf("%s: never true (last error %v)", name, lastErr)
}

func (s *screenTour) eval(js string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.ctx, chromedp.Evaluate[any](`(() => { `+js+`; return null })()`)); err != nil {
		s.t.Fatalf("%s: %v", js, err)
	}
}

func (s *screenTour) text(selector string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+strconv.Quote(selector)+`); return e ? e.textContent.trim() : '' })()`))
	if err != nil {
		s.t.Fatalf("read %s: %v", selector, err)
	}
	return v
}

// clickUntil clicks target until want shows: a list re-rendered under the click swallows it, as
// it would a person's, who would click again.
func (s *screenTour) clickUntil(name string, target, want chromedp.CSS) {
	s.t.Helper()
	for try := 0; try < 5; try++ {
		cctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		err := chromedp.Do(cctx, chromedp.Click(target), chromedp.WaitVisible(want))
		cancel()
		if err == nil {
			return
		}
	}
	failShot(s.t, s.ctx, name)
	s.t.Fatalf("%s: clicking never showed %s", name, want)
}

// clickUntilGone clicks a dialog's button until the button is gone: a click that lands while the
// dialog's entry animation still moves it is lost, as a person's would be, who would click again.
func (s *screenTour) clickUntilGone(name string, target chromedp.CSS) {
	s.t.Helper()
	present := `!!document.querySelector(` + strconv.Quote(string(target)) + `)`
	for try := 0; try < 6; try++ {
		time.Sleep(400 * time.Millisecond)
		if ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](present)); err == nil && !ok {
			return
		}
		cctx, cancel := context.WithTimeout(s.ctx, 3*time.Second)
		chromedp.Do(cctx, chromedp.Click(target))
		cancel()
		for wait := 0; wait < 10; wait++ {
			if ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](present)); err == nil && !ok {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	failShot(s.t, s.ctx, name)
	s.t.Fatalf("%s: clicking %s never closed it", name, target)
}

// settle waits for what would blur a screenshot to pass: the toasts an action leaves (4 s),
// loading spinners, and the 300 ms entry animations of drawers and charts.
func (s *screenTour) settle() {
	s.t.Helper()
	s.waitJS("toasts and spinners gone", `document.querySelectorAll('.n-message, .n-spin-content--spinning').length === 0`)
	time.Sleep(500 * time.Millisecond)
}

// shot saves the whole window as name in the screenshot directory.
func (s *screenTour) shot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// call invokes a bound method as the console does (POST /api/<Method> with the arguments).
func (s *screenTour) call(method string, out any, args ...any) error {
	body, err := json.Marshal(args)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, strings.TrimSuffix(s.url, "/")+"/api/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", strings.TrimSuffix(s.url, "/"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s: %d %s", method, resp.StatusCode, e.Error)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// work plays a day of an office on n waiting cases: each is accepted and dispatched to its top
// suggestion; then, in turn, one is returned with a reason, one is left in progress, and one is
// carried through to 回访 and 办结 — so the KPIs have 派单, 退单, 答复 and 满意 to count.
func (s *screenTour) work(n int) {
	s.t.Helper()
	var page struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	if err := s.call("Inbox", &page, map[string]any{"status": "待受理", "limit": 60}); err != nil {
		s.t.Fatal(err)
	}
	done := 0
	for _, it := range page.Items {
		if done == n {
			break
		}
		var c struct {
			Suggestions []struct {
				Department string `json:"department"`
			} `json:"suggestions"`
		}
		if err := s.call("Case", &c, it.ID); err != nil || len(c.Suggestions) == 0 {
			continue
		}
		steps := [][3]string{{"受理", "", ""}, {"派单", c.Suggestions[0].Department, ""}}
		switch done % 3 {
		case 0:
			steps = append(steps, [3]string{"退单", "", "不属于本部门职责"})
		case 1:
			steps = append(steps, [3]string{"签收", "", ""}, [3]string{"办理", "", ""})
		case 2:
			steps = append(steps, [3]string{"签收", "", ""}, [3]string{"办理", "", ""}, [3]string{"答复", "", ""},
				[3]string{"回访", "满意", ""}, [3]string{"办结", "", ""})
		}
		for _, st := range steps {
			if err := s.call("Act", nil, it.ID, st[0], st[1], st[2]); err != nil {
				s.t.Fatalf("%s %s: %v", it.ID, st[0], err)
			}
		}
		done++
	}
	if done < n {
		s.t.Fatalf("only %d waiting cases with suggestions, want %d", done, n)
	}
}

// TestScreensSearchTools drives the 检索 tools and the 设置 checks as an officer would: the query
// box suggests completions, a search is saved and listed, the full result set is exported to CSV
// (masked, with its progress dialog, and the file is there), unmasked export asks first, and the
// audit chain is verified as 完整.
func TestScreensSearchTools(t *testing.T) {
	chrome := requireE2E(t)
	url := startServe(t, t.TempDir(), "--demo")
	ctx := browser(t, chrome)
	tour := &screenTour{t: t, ctx: ctx, dir: screenshotDir(t), url: url}
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"#/search")); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	tour.step("search box", chromedp.WaitVisible(byTestID("search-input")))

	tour.step("type 惠", chromedp.SendKeys(byTestID("search-input"), "惠"))
	tour.waitJS("completions of 惠", `(() => {
		const o = [...document.querySelectorAll('.n-auto-complete-menu .n-base-select-option')];
		return o.length >= 3 && o.every(x => x.textContent.trim().startsWith('惠'));
	})()`)
	tour.settle()
	tour.shot("search-suggestions.png")
	tour.step("pick the first completion", chromedp.Click(chromedp.CSS(`.n-auto-complete-menu .n-base-select-option`)))
	value, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="search-input"]').value`))
	if err != nil || len([]rune(value)) < 2 {
		t.Fatalf("the completion did not fill the box: %q %v", value, err)
	}
	tour.step("submit", chromedp.Click(byTestID("search-submit")))
	tour.waitJS("hits", `document.querySelectorAll('[data-testid="result-row"]').length > 0`)

	tour.step("save the search", chromedp.Click(byTestID("saved-search-save")), chromedp.WaitVisible(byTestID("saved-search-name")))
	tour.eval(`(() => { const i = document.querySelector('[data-testid="saved-search-name"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true })) })()`)
	tour.step("name it", chromedp.SendKeys(byTestID("saved-search-name"), "屏幕测试"))
	tour.clickUntilGone("save it", chromedp.CSS(`.n-dialog__action .n-button--primary-type`))
	tour.waitJS("saved search listed", `[...document.querySelectorAll('[data-testid="saved-search-item"]')].some(e => e.textContent.includes('屏幕测试'))`)

	tour.waitJS("save dialog gone", `document.querySelectorAll('.n-dialog, .n-modal-mask').length === 0`)
	tour.step("export menu", chromedp.Click(byTestID("export-button")), chromedp.WaitVisible(chromedp.CSS(`.n-dropdown-option`)))
	tour.step("export CSV", chromedp.Click(chromedp.Search(`//div[contains(@class,"n-dropdown-option")][contains(.,"CSV")]`)))
	tour.waitJS("export finished", `(() => { const p = document.querySelector('[data-testid="export-progress"]'); return !!p && p.textContent.includes('已完成') && p.textContent.includes('已脱敏'); })()`)
	path := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(tour.text(`[data-testid="export-path"] .mono`), "文件："), "复制路径"))
	if b, err := os.ReadFile(path); err != nil || bytes.Count(b, []byte("\n")) < 2 {
		t.Fatalf("export file %q: %v (%d bytes)", path, err, len(b))
	}
	tour.settle()
	tour.shot("search-export.png")
	tour.step("close export", chromedp.Click(chromedp.Search(`//div[@data-testid="export-progress"]//button[contains(.,"关闭")]`)))

	tour.waitJS("export dialog gone", `document.querySelectorAll('.n-card.n-modal, .n-modal-mask').length === 0`)
	tour.step("ask for unmasked", chromedp.Click(byTestID("export-unmasked")))
	tour.waitJS("unmasked export asks first", `[...document.querySelectorAll('.n-dialog')].some(d => d.textContent.includes('未脱敏'))`)
	tour.clickUntilGone("decline", chromedp.CSS(`.n-dialog__action .n-button:not(.n-button--primary-type)`))
	tour.waitJS("still masked", `!document.querySelector('[data-testid="export-unmasked"]').classList.contains('n-checkbox--checked')`)

	tour.waitJS("confirmation gone", `document.querySelectorAll('.n-dialog, .n-modal-mask').length === 0`)
	tour.step("go to 设置", chromedp.Click(byTestID("nav-settings")), chromedp.WaitVisible(byTestID("audit-verify")))
	tour.step("verify audit", chromedp.Click(byTestID("audit-verify")))
	tour.waitJS("audit chain 完整", `(() => { const r = document.querySelector('[data-testid="audit-result"]'); return !!r && r.textContent.includes('完整'); })()`)
	tour.step("rebuild the keyword table", chromedp.Click(byTestID("retrain-keywords")))
	tour.waitJS("confirmation shown", `!!document.querySelector(".n-dialog__action .n-button:last-child")`)
	tour.clickUntilGone("confirm rebuilding", chromedp.CSS(`.n-dialog__action .n-button:last-child`))
	tour.waitJS("keyword table rebuilt from the stored messages", `(() => { const r = document.querySelector('[data-testid="retrain-result"]'); return !!r && /已统计 \d+ 条信件的用词/.test(r.textContent) && r.textContent.includes('idf.bin'); })()`)
	tour.waitJS("watch lists loaded", `document.querySelectorAll('[data-testid="monitor-settings"] .n-dynamic-tags').length >= 3`)
	tour.eval(`document.querySelector('[data-testid="audit-card"]').scrollIntoView({ block: 'start' })`)
	tour.settle()
	tour.shot("settings.png")
}
