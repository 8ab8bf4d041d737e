package casework

import (
	"testing"
	"time"

	"minyi/demo"
	"minyi/domain"
)

// BenchmarkDueAccept measures the acceptance deadline intake computes for every message, over the
// 329 demo messages as received records (request type read from the text, as for most feeds):
// CGO_ENABLED=0 go test ./casework -run XXX -bench DueAccept -benchmem
func BenchmarkDueAccept(b *testing.B) {
	items, err := demo.Items(time.Date(2025, 12, 31, 12, 0, 0, 0, china))
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]domain.Record, len(items))
	for i, it := range items {
		recs[i] = domain.Record{Item: it, Received: it.Time, Status: domain.StatusNew}
	}
	cal := NewCalendar()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if cal.Due(&recs[i%len(recs)], DueAccept).IsZero() {
			b.Fatal("no deadline")
		}
		i++
	}
}
