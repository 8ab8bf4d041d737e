package app

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/feed"
)

// gate is a feed handler that blocks each request until released (or the client gives up),
// and tells the test when a request has arrived.
type gate struct {
	entered chan struct{}
	release chan struct{}
	body    []byte
}

func newGate(tb testing.TB) *gate {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(feedsDir, "rss2.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	return &gate{entered: make(chan struct{}, 16), release: make(chan struct{}), body: b}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(g.body)
	case <-r.Context().Done():
	}
}

// mustStart starts a scheduler that is stopped when the test ends.
func mustStart(tb testing.TB, c *Core, poll time.Duration) *Scheduler {
	tb.Helper()
	s := NewScheduler(c, SchedulerOptions{Fetcher: quickFetcher(), Poll: poll})
	if err := s.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

func waitFor(tb testing.TB, what string, ch <-chan struct{}) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		tb.Fatalf("timed out waiting for %s", what)
	}
}

func TestSchedulerSkipsAnOverlappingPull(t *testing.T) {
	c := mustCore(t)
	g := newGate(t)
	srv := feedServer(t, map[string]http.HandlerFunc{"/slow.xml": g.ServeHTTP})
	mustSave(t, c, SourceConfig{Name: "慢源", Kind: "rss", URL: srv.URL + "/slow.xml", Schedule: "@every 1h", Enabled: true})
	s := mustStart(t, c, time.Hour)

	type result struct {
		res PullResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := s.RunNow(context.Background(), "慢源")
		done <- result{r, err}
	}()
	waitFor(t, "the first pull to reach the server", g.entered)
	res, err := s.RunNow(context.Background(), "慢源")
	if !errors.Is(err, ErrPullRunning) || res.Error == "" {
		t.Fatalf("overlapping pull = %+v, %v; want ErrPullRunning", res, err)
	}
	s.runScheduled("慢源") // what cron does: skip and log
	if n := s.Skipped("慢源"); n != 2 {
		t.Fatalf("skipped %d runs, want 2", n)
	}
	close(g.release)
	first := <-done
	if first.err != nil || first.res.New != 5 {
		t.Fatalf("first pull = %+v, %v", first.res, first.err)
	}
	// Once finished, the source can be pulled again.
	if r, err := s.RunNow(context.Background(), "慢源"); err != nil || r.Duplicate != 5 {
		t.Fatalf("pull after the overlap = %+v, %v", r, err)
	}
}

func TestSchedulerStopCancelsRunningPullsCleanly(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	g := newGate(t) // never released: the pull hangs until cancelled
	srv := feedServer(t, map[string]http.HandlerFunc{"/hang.xml": g.ServeHTTP})
	mustSave(t, c, SourceConfig{Name: "挂起", Kind: "rss", URL: srv.URL + "/hang.xml", Enabled: true, TimeoutSeconds: 600})
	s := NewScheduler(c, SchedulerOptions{Fetcher: quickFetcher(), Poll: time.Hour})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	type result struct {
		res PullResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := s.RunNow(ctx, "挂起")
		done <- result{r, err}
	}()
	waitFor(t, "the pull to reach the server", g.entered)
	stopped := make(chan struct{})
	go func() { s.Stop(); close(stopped) }()
	waitFor(t, "Stop to return", stopped)
	// When Stop returns the pull has ended and written its health: interrupted, which is not
	// the source's fault, and no cursor.
	v := view(t, c, "挂起")
	if v.Failures != 0 || !strings.Contains(v.LastError, "中断") || !v.LastRun.Equal(fixedNow) {
		t.Fatalf("health right after Stop = %+v", v)
	}
	r := <-done
	if !errors.Is(r.err, context.Canceled) || !strings.Contains(r.res.Error, "中断") {
		t.Fatalf("cancelled pull = %+v, %v", r.res, r.err)
	}
	var st feed.State
	if ok, _ := c.Store.GetDoc(ctx, stateDocPrefix+"挂起", &st); ok {
		t.Fatalf("cursor saved by an interrupted pull: %+v", st)
	}
	if _, err := s.RunNow(ctx, "挂起"); !errors.Is(err, context.Canceled) {
		t.Fatalf("pull after Stop = %v, want context.Canceled", err)
	}
	s.Stop() // twice is fine
}

func TestSchedulerFollowsSavedSourcesAndRunsThem(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	srv := feedServer(t, nil)
	s := mustStart(t, c, 20*time.Millisecond)
	if !s.Next("秒级").IsZero() {
		t.Fatal("an unknown source is scheduled")
	}
	mustSave(t, c, SourceConfig{Name: "秒级", Kind: "rss", URL: srv.URL + "/feeds/rss2.xml", Schedule: "@every 1s", Enabled: true})
	mustSave(t, c, SourceConfig{Name: "停用", Kind: "rss", URL: srv.URL + "/feeds/atom.xml", Schedule: "@every 1s", Enabled: false})
	deadline := time.Now().Add(10 * time.Second)
	for view(t, c, "秒级").LastNew != 5 {
		if time.Now().After(deadline) {
			t.Fatalf("source not pulled on schedule: %+v", view(t, c, "秒级"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v := view(t, c, "秒级"); !v.LastRun.Equal(fixedNow) {
		t.Fatalf("health is not stamped with the core's clock: %v", v.LastRun)
	}
	if !s.Next("停用").IsZero() || !view(t, c, "停用").LastRun.IsZero() {
		t.Fatal("a disabled source was scheduled")
	}
	if err := c.DeleteSource(ctx, "秒级"); err != nil {
		t.Fatal(err)
	}
	for !s.Next("秒级").IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("a deleted source stays scheduled")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSchedulerStopsWithItsContext(t *testing.T) {
	c := mustCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := NewScheduler(c, SchedulerOptions{Poll: time.Hour})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	stopped := make(chan struct{})
	go func() { s.Stop(); close(stopped) }()
	waitFor(t, "Stop after the context ended", stopped)
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("a stopped scheduler started again")
	}
}

func TestSchedulerRunsRemindersAtStart(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	out, err := c.Ingest(ctx, []domain.Item{item("r1", "路灯不亮", "麦地路路灯连续一周不亮")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Store.Get(ctx, out[0].ID)
	if err != nil || r.Due.IsZero() {
		t.Fatalf("record %+v, %v has no deadline", r, err)
	}
	overdue := r.Due.Add(36 * time.Hour)
	c.Now = func() time.Time { return overdue }
	s := NewScheduler(c, SchedulerOptions{Poll: time.Hour, Reminders: time.Hour})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err = c.Store.Get(ctx, out[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(r.Events); n > 0 && r.Events[n-1].Action == casework.ActRemind {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no automatic 催办 after start: events %+v", r.Events)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	if n, err := c.RunReminders(ctx); err != nil || n != 0 {
		t.Fatalf("a second run reminded %d again (%v): the scheduler's run was not recorded", n, err)
	}
}
