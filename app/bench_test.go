package app

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// benchCore ingests n synthetic messages into a fresh core.
func benchCore(tb testing.TB, n int) (*Core, []BenchDoc) {
	tb.Helper()
	c := mustCore(tb)
	rep, docs, err := BenchIngest(context.Background(), c, 1, 0, n, 512, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if rep.New+rep.Duplicates != n || rep.New < n*9/10 || len(docs) != rep.New {
		tb.Fatalf("ingest report %+v with %d docs", rep, len(docs))
	}
	return c, docs
}

func TestBenchMeasuresAndRecallHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 1,500 messages")
	}
	ctx := context.Background()
	c, docs := benchCore(t, 1500)
	rep, err := BenchSearch(ctx, c, docs, 1, 5, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Classes) != 5 {
		t.Fatalf("classes = %+v", rep.Classes)
	}
	for _, cl := range rep.Classes {
		if cl.Queries == 0 || cl.P50MS <= 0 || cl.P99MS < cl.P50MS {
			t.Errorf("class %+v", cl)
		}
	}
	rc := rep.Recall
	t.Logf("recall %+v", rc)
	if rc.Terms != 30 || rc.Expected == 0 {
		t.Fatalf("recall check ran %d terms with %d expected pairs", rc.Terms, rc.Expected)
	}
	if rc.Recall < 0.99 || rc.Precision < 0.95 {
		t.Errorf("substring recall %.4f precision %.4f, want ≥ 0.99 / ≥ 0.95: %v", rc.Recall, rc.Precision, rc.Misses)
	}

	// The export pages through all of it: more than one index page.
	var buf bytes.Buffer
	n, err := c.Export(ctx, SearchQuery{}, &buf, ExportOptions{Format: FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\r\n"); n != len(docs) || lines < n+1 {
		t.Fatalf("exported %d rows (%d lines) of %d", n, lines, len(docs))
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(buf.String(), "\r\n")[1:] {
		if id, _, ok := strings.Cut(line, ","); ok && strings.HasPrefix(id, "M") {
			if seen[id] {
				t.Fatalf("%s exported twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(docs) {
		t.Fatalf("export has %d distinct ids, want %d", len(seen), len(docs))
	}
}

func BenchmarkMask(b *testing.B) {
	syn, err := NewSynth(1)
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	bytesN := 0
	for i := range 256 {
		it := syn.Item(i)
		texts = append(texts, it.Body)
		bytesN += len(it.Body)
	}
	b.SetBytes(int64(bytesN / len(texts)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Mask(texts[i%len(texts)])
	}
}

// BenchmarkExportXLSX measures a streamed XLSX export of 3,000 results per op (ns/op ÷ 3,000
// is the time per row; scale to 100k rows).
func BenchmarkExportXLSX(b *testing.B) {
	c, docs := benchCore(b, 3000)
	b.ReportAllocs()
	for b.Loop() {
		n, err := c.Export(context.Background(), SearchQuery{}, io.Discard, ExportOptions{Format: FormatXLSX})
		if err != nil || n != len(docs) {
			b.Fatalf("exported %d of %d: %v", n, len(docs), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/float64(len(docs))*100000/1000, "s/100k-rows")
}
