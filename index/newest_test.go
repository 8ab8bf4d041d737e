package index

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestNewestByWalk checks that walking the segments newest first picks the same newest k
// matches as topByTime, on records whose times do not follow their arrival (so the blocks'
// times overlap), with equal times, deletions and several segments.
func TestNewestByWalk(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t)
	ix.chunk = 250
	recs := newCorpusGen(31).corpus(1500)
	r := rand.New(rand.NewPCG(1, 2))
	base := recs[0].Time
	for i, rec := range recs {
		rec.Time = base.Add(time.Duration(r.IntN(500)) * time.Hour) // many equal times
		if i%97 == 0 {
			rec.Time = time.Time{}
		}
	}
	mustPut(t, ix, recs...)
	if err := ix.Delete(ctx, "M0000010", "M0000900"); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "居民", "渣土车", "噪音 OR 物业"} {
		main, err := ix.mainQuery(&compiler{seg: ix.seg}, Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		sv, bms, out, err := ix.bitmapMatches(ctx, Query{}, main)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 7, 100, int(out.Total) - 1, int(out.Total) + 5} {
			if k < 1 {
				continue
			}
			key := func(d docRef) [2]uint64 { return [2]uint64{uint64(d.seg), uint64(d.doc)} }
			want := topByTime(sv, bms, k, false, ix.denseScan, true)
			got := newestByWalk(sv, bms, k)
			// The walk yields them in order; topByTime sorted them too.
			if len(got) != len(want) || !slices.EqualFunc(got, want, func(a, b docRef) bool { return key(a) == key(b) }) {
				t.Fatalf("%q, k %d: walk found %d, topByTime %d, or another order", text, k, len(got), len(want))
			}
		}
		sv.Close()
	}
}
