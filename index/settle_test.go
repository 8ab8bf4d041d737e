package index

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSettle: after a load of many small batches (which scorch merges in the background),
// Settle returns once the merges are over, the index still answers, and a closed index says so.
func TestSettle(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t)
	ix.chunk = 50 // many segments, so that there is merging to wait for
	mustPut(t, ix, newCorpusGen(5).corpus(1500)...)
	if err := ix.Settle(ctx, 300*time.Millisecond, time.Minute); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(); err != nil || n != 1500 {
		t.Fatalf("after Settle count = %d, %v; want 1500", n, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := ix.Settle(cancelled, time.Second, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Settle with a cancelled context = %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Settle(ctx, time.Second, time.Minute); !errors.Is(err, ErrClosed) {
		t.Fatalf("Settle after Close = %v, want ErrClosed", err)
	}
}
