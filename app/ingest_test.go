package app

import (
	"context"
	"sync/atomic"
	"testing"

	"minyi/domain"
)

// pipelineItems is a call's worth of items spanning three commit batches, with duplicates of every
// kind across batch boundaries: repeated texts, repeated source ids of one source, a source id
// reused by another source, and copies of records stored before the call.
func pipelineItems(t *testing.T) (stored, call []domain.Item) {
	t.Helper()
	syn, err := NewSynth(5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		stored = append(stored, syn.Item(100000+i))
	}
	n := 2*commitBatch + 300
	for i := range n {
		it := syn.Item(i)
		switch {
		case i%97 == 5 && i > 200: // the text of an item ~200 earlier, often in the previous batch
			prev := call[i-200]
			it.Title, it.Body = prev.Title, prev.Body
		case i%89 == 7 && i > 150: // the source id of an earlier item, another text
			it.Source, it.SourceID = call[i-150].Source, call[i-150].SourceID
		case i%83 == 3 && i > 10: // an earlier item's source id under another source
			it.Source, it.SourceID = "另一来源", call[i-10].SourceID
		case i%71 == 1: // a record stored before the call
			it = stored[i%len(stored)]
		case i%61 == 2 && i > 0: // the same text and source id as the item just before
			it = call[i-1]
		}
		call = append(call, it)
	}
	return stored, call
}

func TestIngestPipelineMatchesBatchByBatch(t *testing.T) {
	ctx := context.Background()
	stored, call := pipelineItems(t)
	run := func(oneCall bool) ([]Outcome, int, uint64) {
		c := mustCore(t)
		if _, err := c.Ingest(ctx, stored); err != nil {
			t.Fatal(err)
		}
		var out []Outcome
		if oneCall {
			o, err := c.Ingest(ctx, call)
			if err != nil {
				t.Fatal(err)
			}
			out = o
		} else { // what Ingest did before its stages overlapped: one batch after the other
			for start := 0; start < len(call); start += commitBatch {
				o, err := c.Ingest(ctx, call[start:min(start+commitBatch, len(call))])
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, o...)
			}
		}
		n, err := c.Store.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		indexed, err := c.Index.Count()
		if err != nil {
			t.Fatal(err)
		}
		return out, n, indexed
	}
	got, gotN, gotIx := run(true)
	want, wantN, wantIx := run(false)
	if len(got) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	dups := 0
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d: %+v, batch by batch %+v", i, got[i], want[i])
		}
		if want[i].Duplicate {
			dups++
		}
	}
	if gotN != wantN || gotIx != wantIx || uint64(gotN) != gotIx {
		t.Errorf("stored/indexed %d/%d, batch by batch %d/%d", gotN, gotIx, wantN, wantIx)
	}
	if dups < 50 {
		t.Fatalf("only %d duplicates: the items do not exercise deduplication", dups)
	}
}

// cancellingRouter cancels the ingest's context at its n-th suggestion.
type cancellingRouter struct {
	calls  atomic.Int64
	n      int64
	cancel context.CancelFunc
}

func (r *cancellingRouter) Suggest(*domain.Item, *domain.Analysis) []domain.Suggestion {
	if r.calls.Add(1) == r.n {
		r.cancel()
	}
	return nil
}

func TestIngestCancelledCommitsWholeBatchesAndIndexesThem(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := mustCore(t)
	c.Router = &cancellingRouter{n: commitBatch + commitBatch/2, cancel: cancel}
	syn, err := NewSynth(9)
	if err != nil {
		t.Fatal(err)
	}
	var items []domain.Item
	for i := range 3 * commitBatch {
		items = append(items, syn.Item(i))
	}
	out, err := c.Ingest(ctx, items)
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(out)%commitBatch != 0 || len(out) >= len(items) {
		t.Fatalf("%d outcomes returned: want whole committed batches only", len(out))
	}
	fresh := 0
	for i, o := range out {
		if o.ID == "" {
			t.Fatalf("outcome %d of a committed batch is empty", i)
		}
		if !o.Duplicate {
			fresh++
		}
	}
	n, err := c.Store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	indexed, err := c.Index.Count()
	if err != nil {
		t.Fatal(err)
	}
	if n != fresh || indexed != uint64(n) {
		t.Fatalf("stored %d, indexed %d, want the %d new records of the committed batches in both", n, indexed, fresh)
	}
	t.Logf("cancelled after %d committed items", len(out))
}

// TestSharedIndexerDrainsBeforeAnotherIntake checks that records an import's shared indexer
// still holds reach the index before another intake's newer records do: the index keeps the
// highest seq it was given, and CatchUp after a crash starts there.
func TestSharedIndexerDrainsBeforeAnotherIntake(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	ix := c.startIndexing(ctx)
	defer ix.finish()
	// Fewer than indexBatch records: they wait in the shared indexer.
	if _, err := c.ingestWith(ctx, []domain.Item{item("a1", "渣土车夜间扰民", "江北渣土车很吵")}, ix, nil); err != nil {
		t.Fatal(err)
	}
	if res, err := c.Search(ctx, SearchQuery{Query: "渣土车"}); err != nil || res.Total != 0 {
		t.Fatalf("before another intake: total %d, %v; want the record still waiting", res.Total, err)
	}
	// A pull or a single Ingest in between must first see the waiting record indexed.
	if _, err := c.Ingest(ctx, []domain.Item{item("b1", "路灯不亮", "小区路灯坏了")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"渣土车", "路灯"} {
		if res, err := c.Search(ctx, SearchQuery{Query: q}); err != nil || res.Total != 1 {
			t.Fatalf("after another intake, %s: total %d, %v; want 1", q, res.Total, err)
		}
	}
	seq, err := c.Index.IndexedSeq()
	if err != nil {
		t.Fatal(err)
	}
	if last, err := c.Store.LastSeq(ctx); err != nil || seq != last {
		t.Fatalf("index mark %d, store's last seq %d (%v)", seq, last, err)
	}
}
