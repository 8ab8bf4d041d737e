package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Settle waits until the index is at rest: everything put is persisted and no merge has begun
// or ended for quiet. Scorch merges segments in the background after a bulk load, and those
// merges hold memory and CPU; a measure of the idle process (bench ingest's idle RSS) must wait
// for them. It returns ctx's error, or an error if the index is still busy after limit.
func (ix *Index) Settle(ctx context.Context, quiet, limit time.Duration) error {
	if err := ix.flushIfOpen(); err != nil {
		return err
	}
	adv, err := ix.idx.Advanced()
	if err != nil {
		return fmt.Errorf("settle index: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	type mark struct{ planned, done, begun, ended uint64 }
	read := func() mark {
		m := sc.StatsMap()
		get := func(k string) uint64 {
			v, _ := m[k].(uint64)
			return v
		}
		return mark{get("TotFileMergePlanTasks"), get("TotFileMergePlanTasksDone"), get("TotFileMergeZapBeg"), get("TotFileMergeZapEnd")}
	}
	deadline := time.Now().Add(limit)
	last, since := read(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(quiet / 10):
		}
		now := read()
		if now != last {
			last, since = now, time.Now()
		} else if now.begun == now.ended && now.planned == now.done && time.Since(since) >= quiet {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("settle index: still merging after %v", limit)
		}
	}
}

// flushIfOpen waits until every batch put so far is persisted.
func (ix *Index) flushIfOpen() error {
	ix.putMu.Lock()
	defer ix.putMu.Unlock()
	if ix.closed.Load() {
		return ErrClosed
	}
	return ix.flush()
}
