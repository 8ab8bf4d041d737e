package app

import (
	"context"
	"strings"
	"sync"
	"testing"

	"minyi/domain"
)

// TestNewAlertsReachTheNotifier checks that an alert raised by a burst is handed to the desktop
// notifier once, and an alert already shown is not shown again by the next batch.
func TestNewAlertsReachTheNotifier(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	var mu sync.Mutex
	var shown []string
	c.Notify = func(title, body string) {
		mu.Lock()
		defer mu.Unlock()
		shown = append(shown, title+"\n"+body)
	}
	if _, err := c.Ingest(ctx, burst(25)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	first := len(shown)
	mu.Unlock()
	if first == 0 {
		t.Fatal("a 25-message burst raised no desktop notification")
	}
	for _, s := range shown {
		if !strings.HasPrefix(s, "民意舆情告警：") || !strings.Contains(s, "相关来件") {
			t.Fatalf("notification %q lacks the title or the evidence", s)
		}
	}
	if _, err := c.Ingest(ctx, []domain.Item{item("calm", "路灯不亮", "麦地路路灯坏了")}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(shown) != first {
		t.Fatalf("the next calm batch showed %d old alerts again", len(shown)-first)
	}
}
