package index

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestNewestSet checks that newestSet, whether it walks the segments newest first or collects
// every match, picks the same newest k matches as topByTime, on records whose times do not follow their arrival (so the blocks'
// times overlap), with equal times, deletions and several segments.
func TestNewestSet(t *testing.T) {
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
		if i%5 == 0 {
			// Matches of 旧案 are all older than the other records, so the first estimate of
			// newestSet (matches spread over time as the documents are) finds too few.
			rec.Body += "旧案"
			rec.Time = base.Add(-time.Duration(1+r.IntN(50)) * time.Hour)
		}
	}
	mustPut(t, ix, recs...)
	if err := ix.Delete(ctx, "M0000010", "M0000900"); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "居民", "渣土车", "噪音 OR 物业", "旧案"} {
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
			for _, slice := range []int{workSlice, 40} {
				got := newestSet(sv, bms, out.Total, k, slice, nil)
				// The same set: newestSet's are in no order and carry no seq but where it broke a tie.
				byPlace := func(a, b docRef) int { return cmp.Compare(key(a)[0]<<32|key(a)[1], key(b)[0]<<32|key(b)[1]) }
				slices.SortFunc(got, byPlace)
				want := slices.SortedFunc(slices.Values(want), byPlace)
				if len(got) != len(want) || !slices.EqualFunc(got, want, func(a, b docRef) bool { return key(a) == key(b) }) {
					t.Fatalf("%q, k %d, pieces of %d: newestSet found %d, topByTime %d, or other matches", text, k, slice, len(got), len(want))
				}
			}
		}
		sv.Close()
	}
}
