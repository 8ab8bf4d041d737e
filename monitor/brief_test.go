package monitor

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/domain"

	"minyi/internal/cputime"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// briefInput is a small, fixed period with hostile text in it.
func briefInput() BriefInput {
	from := time.Date(2026, 8, 20, 0, 0, 0, 0, cst)
	mk := func(id string, d, h int, title, district, cat, sent string, words ...string) *domain.Record {
		return &domain.Record{ID: id, CaseID: id, Item: domain.Item{Title: title, Body: title, Channel: domain.ChannelHotline, Time: from.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour), Likes: 1},
			Analysis: domain.Analysis{Words: words, District: district, Category: cat, Sentiment: sent}}
	}
	cur := []*domain.Record{
		mk("M10", 0, 9, "渣土车抛洒<script>alert(1)</script>", "惠城区", "城市管理", domain.SentimentNegative, "渣土车", "抛洒", "文昌路"),
		mk("M11", 0, 10, "文昌路渣土车抛洒 & 扬尘", "惠城区", "城市管理", domain.SentimentNegative, "渣土车", "抛洒", "文昌路", "扬尘"),
		mk("M12", 0, 22, "公交线路太少\"><img src=x>", "惠阳区", "交通运输", domain.SentimentNeutral, "公交", "线路"),
	}
	prev := []*domain.Record{mk("M1", -1, 9, "路灯不亮", "惠城区", "城市管理", domain.SentimentNegative, "路灯")}
	return BriefInput{From: from, To: from.AddDate(0, 0, 1), Current: cur, Previous: prev,
		Overdue:     []OverdueCase{{ID: "M1", Title: "路灯不亮</td>", Department: "市城管局", Status: domain.StatusDispatched, Due: "2026-08-19 17:30", DaysOver: 1}},
		Departments: []DepartmentLoad{{Department: "市城管局", Received: 2, Dispatched: 1, Overdue: 1}}}
}

func TestBuildBrief(t *testing.T) {
	b := BuildBrief(briefInput())
	tests := []struct {
		name string
		ok   bool
	}{
		{"daily title", b.Title == "舆情日报"},
		{"one-day range", b.From == "2026-08-20" && b.To == "2026-08-20"},
		{"totals", b.Total == 3 && b.PrevTotal == 1 && b.Negative == 2 && b.PrevNegative == 1},
		{"change", b.TotalChange() == 2},
		{"by day", len(b.ByDay) == 1 && b.ByDay[0].Count == 3 && b.ByDay[0].Negative == 2},
		{"by hour", b.ByHour[9] == 1 && b.ByHour[22] == 1},
		{"negative spot", len(b.NegativeSpots) > 0 && b.NegativeSpots[0].Name == "惠城区" && b.NegativeSpots[0].Negative == 2},
		{"topic", len(b.Topics) == 1 && b.Topics[0].Size == 2},
		{"data until from the data", b.DataUntil == "2026-08-20 22:00"},
		{"overdue", b.OverdueTotal == 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("brief = %+v", b)
			}
		})
	}
}

func TestBriefHTMLEscapesAndMatchesGolden(t *testing.T) {
	b := BuildBrief(briefInput())
	html := b.HTML()
	for _, bad := range []string{"<script>", "<img", "</td>\"", "路灯不亮</td>"} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	if !bytes.Contains(html, []byte("&lt;script&gt;")) || !bytes.Contains(html, []byte("<svg")) || !bytes.Contains(html, []byte("@media print")) {
		t.Error("HTML lacks the escaped title, the charts or the print CSS")
	}
	if b2 := BuildBrief(briefInput()); !bytes.Equal(html, b2.HTML()) {
		t.Fatal("two renders of the same data differ")
	}
	golden := filepath.Join("testdata", "brief.golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, html, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(html, want) {
		t.Fatalf("HTML differs from %s (run with -update if the change is intended)", golden)
	}
}

func TestBriefXLSXIsReproducibleAndReadable(t *testing.T) {
	b := BuildBrief(briefInput())
	x1, err := b.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a clock leaking into the file would show now
	x2, err := b.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x1, x2) {
		zr1, _ := zip.NewReader(bytes.NewReader(x1), int64(len(x1)))
		zr2, _ := zip.NewReader(bytes.NewReader(x2), int64(len(x2)))
		for i := range zr1.File {
			if zr1.File[i].Modified != zr2.File[i].Modified || zr1.File[i].CRC32 != zr2.File[i].CRC32 {
				t.Logf("%s differs", zr1.File[i].Name)
			}
		}
		t.Fatal("two XLSX exports of the same brief differ")
	}
	f, err := excelize.OpenReader(bytes.NewReader(x1))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"概览", "热点话题", "负面热点", "分类与区县", "超期案件", "部门", "每日来件"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("热点话题")
	if err != nil || len(rows) != 2 || !strings.Contains(rows[1][1], "渣土车") {
		t.Fatalf("topic rows %v, %v", rows, err)
	}
	if v, _ := f.GetCellValue("概览", "B5"); v != "3" {
		t.Fatalf("概览!B5 = %q, want the total 3", v)
	}
}

func TestPrintPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	if _, err := PrintPDF(context.Background(), []byte("<p>x</p>"), "/nonexistent/chromium"); err == nil {
		t.Fatal("PrintPDF with a missing binary succeeded")
	}
	if FindChromium() == "" {
		t.Skip("no chromium here")
	}
	b := BuildBrief(briefInput())
	pdf, err := PrintPDF(context.Background(), b.HTML(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 2000 {
		t.Fatalf("not a PDF: %d bytes starting %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
}

// BenchmarkBriefDay10k builds, renders and exports a brief for one day of 10,000 messages.
func BenchmarkBriefDay10k(b *testing.B) {
	s := genMessages(b, 20000, 400, 2, 9)
	from := time.Date(2026, 1, 2, 0, 0, 0, 0, cst)
	var cur, prev []*domain.Record
	for _, r := range s.recs {
		r.Time = from.Add(time.Duration(r.Seq%86400) * time.Second)
		if r.Seq%2 == 0 {
			r.Time = r.Time.AddDate(0, 0, -1)
			prev = append(prev, r)
		} else {
			cur = append(cur, r)
		}
	}
	var od []OverdueCase
	for i := 0; i < 300; i++ {
		od = append(od, OverdueCase{ID: fmt.Sprintf("M%06d", i), Title: "超期", Department: "市城管局", DaysOver: i % 9})
	}
	in := BriefInput{From: from, To: from.AddDate(0, 0, 1), Current: cur, Previous: prev, Overdue: od}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for i := 0; i < b.N; i++ {
		br := BuildBrief(in)
		_ = br.HTML()
		if _, err := br.XLSX(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cputime.Used()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(cur)), "msgs")
}
