package index

import (
	"slices"
	"testing"
	"time"

	"minyi/domain"
)

// TestSortKeyOrdersEqualTimesBySeq puts records with one time in shuffled seq order, over several
// batches (so segments merge), and pages through them newest first and oldest first: seq, now
// indexed as one term, must still break the ties, through the bitmap path and bleve's own sort.
func TestSortKeyOrdersEqualTimesBySeq(t *testing.T) {
	for _, slow := range []bool{false, true} {
		ix := mustOpen(t)
		ix.slowOnly = slow
		at := time.Date(2024, 5, 1, 8, 0, 0, 0, cst)
		seqs := []uint64{7, 3, 11, 1, 9, 5, 2, 10, 4, 8, 6, 12}
		for i := 0; i < len(seqs); i += 4 {
			var recs []*domain.Record
			for _, s := range seqs[i : i+4] {
				recs = append(recs, newRec(s, "路灯不亮", "小区路灯不亮", func(r *domain.Record) {
					r.Time = at
					r.Analysis.Priority = int(s % 3)
				}))
			}
			mustPut(t, ix, recs...)
		}
		want := slices.Clone(seqs)
		slices.Sort(want)
		for _, sort := range []string{SortTimeAsc, SortTime} {
			var got []string
			for off := 0; off < len(seqs); off += 5 {
				got = append(got, ids(mustSearch(t, ix, Query{Text: "路灯", Sort: sort, Limit: 5, Offset: off}))...)
			}
			var wantIDs []string
			for _, s := range want {
				wantIDs = append(wantIDs, newRec(s, "", "").ID)
			}
			if sort == SortTime {
				slices.Reverse(wantIDs)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("slow=%v sort %s: %v, want %v", slow, sort, got, wantIDs)
			}
		}
	}
}
