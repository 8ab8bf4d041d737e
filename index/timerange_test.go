package index

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"

	"minyi/domain"
)

// TestTimeKeyStoredValue checks that the time field's stored value reads back through bleve's own
// date field as the same instant and layout, which is how bleve's hits report Hit.Time.
func TestTimeKeyStoredValue(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2024, 3, 5, 8, 30, 0, 123456789, cst),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		k := newTimeKey(fTime, at)
		got, layout, err := document.NewDateTimeFieldFromBytes(fTime, nil, k.Value()).DateTime()
		if err != nil || !got.Equal(at) || layout != time.RFC3339Nano {
			t.Errorf("%v: read back %v %q %v", at, got, layout, err)
		}
		k.Analyze()
		if n := len(k.AnalyzedTokenFrequencies()); n != 1 {
			t.Errorf("%v: %d terms, want only the full-precision one", at, n)
		}
	}
}

// TestTimeRangeEveryPath runs date-filtered queries through the bitmap path, bleve's relevance
// scoring (time range conjoined with scored text) and bleve's slow path (a title phrase, which
// needs positions), after a deletion and a replacement: each must return exactly the live records
// in the range, with their times.
func TestTimeRangeEveryPath(t *testing.T) {
	ix := mustOpen(t)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, cst)
	var recs []*domain.Record
	for s := uint64(1); s <= 40; s++ {
		recs = append(recs, newRec(s, "路灯不亮", "小区路灯不亮多次反映", func(r *domain.Record) {
			r.Time = base.Add(time.Duration(s) * 24 * time.Hour)
		}))
	}
	mustPut(t, ix, recs[:20]...)
	mustPut(t, ix, recs[20:]...)
	if err := ix.Delete(context.Background(), recs[12].ID); err != nil {
		t.Fatal(err)
	}
	moved := *recs[14]
	moved.Time = base.Add(-time.Hour) // replaced with a time outside the range
	mustPut(t, ix, &moved)

	since, until := base.Add(10*24*time.Hour), base.Add(30*24*time.Hour) // seqs 10..29
	var want []string
	for _, r := range recs {
		if r.Seq >= 10 && r.Seq < 30 && r.Seq != 13 && r.Seq != 15 {
			want = append(want, r.ID)
		}
	}
	slices.Sort(want)
	for _, q := range []Query{
		{Since: since, Until: until, Sort: SortTime},
		{Text: "路灯", Since: since, Until: until},
		{Text: "路灯", Since: since, Until: until, Sort: SortTime},
		{Text: `标题:"路灯不亮"`, Since: since, Until: until},
		{Text: `标题:"路灯不亮" 时间:2024-01-11..2024-01-30`, Sort: SortTime},
	} {
		for _, slow := range []bool{false, true} {
			ix.slowOnly = slow
			q.Limit = 100
			res := mustSearch(t, ix, q)
			got := ids(res)
			for _, h := range res.Hits {
				if h.Time.IsZero() || h.Time.Before(since) || !h.Time.Before(until) {
					t.Errorf("%+v slow=%v: %s has time %v", q, slow, h.ID, h.Time)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || res.Total != uint64(len(want)) {
				t.Errorf("%+v slow=%v: total %d %v, want %v", q, slow, res.Total, got, want)
			}
		}
	}
}
