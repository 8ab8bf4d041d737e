package store

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"minyi/domain"

	"minyi/internal/cputime"
)

var benchPrefill = flag.Int("store.prefill", 200000, "records stored before BenchmarkAdd measures")

// benchRecord is a record shaped like an analysed 12345 message: a body of a few hundred
// characters, its words, a random content hash and a feed's numeric source id.
func benchRecord(i int) *domain.Record {
	body := strings.Repeat(fmt.Sprintf("第%d号楼附近工地晚上十一点以后还在施工，噪音很大，多次反映无果。", i%977), 6)
	sum := md5.Sum([]byte(body + fmt.Sprint(i)))
	words := strings.Fields(strings.Repeat("附近 工地 晚上 十一点 以后 施工 噪音 很大 多次 反映 ", 6))
	return &domain.Record{
		Hash:   hex.EncodeToString(sum[:]),
		Status: domain.StatusNew,
		Item: domain.Item{Source: "惠州市12345热线", SourceID: fmt.Sprint(100000 + i), Channel: "12345热线",
			Title: "工地夜间施工噪音", Body: body, Time: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)},
		Analysis: domain.Analysis{Words: words, Category: "城乡建设", Sentiment: "负面", District: "惠城区"},
	}
}

// BenchmarkAdd measures committing records in batches of 1024, as an intake does, into a store
// that already holds -store.prefill records: the dedupe buckets (content hash, source id) are
// keyed at random, so each batch rewrites pages all over them once the store is large.
func BenchmarkAdd(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	const batch = 1024
	add := func(all []*domain.Record) {
		for len(all) > 0 {
			recs := all[:min(batch, len(all))]
			all = all[len(recs):]
			{
				if _, err := s.Add(ctx, recs); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	records := func(from, n int) []*domain.Record {
		out := make([]*domain.Record, n)
		for i := range out {
			out[i] = benchRecord(from + i)
		}
		return out
	}
	add(records(0, *benchPrefill))
	timed := records(*benchPrefill, b.N)
	b.ResetTimer()
	cpu0 := cputime.Used()
	add(timed)
	b.ReportMetric(float64((cputime.Used()-cpu0).Microseconds())/float64(b.N), "cpu-µs/rec")
}
