package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/domain"
	"minyi/store"
)

// exportItems are messages with personal data in them; the third is about something else.
func exportItems() []domain.Item {
	return []domain.Item{
		item("e1", "渣土车夜间抛洒", "我叫王小明，电话13812345678，江北街道文昌一路每天晚上有渣土车抛洒泥土。"),
		item("e2", "=HYPERLINK(\"http://x\") 渣土车超速", "张三丰先生反映渣土车超速，身份证440301199001011234。"),
		item("e3", "餐饮油烟扰民", "桥东街道某烧烤店油烟直排。"),
	}
}

func TestExportCSVMasksAndDefusesFormulas(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	mustIngest(t, c, exportItems()...)
	var buf bytes.Buffer
	var progress []int
	n, err := c.Export(ctx, SearchQuery{Query: "渣土车"}, &buf, ExportOptions{Format: FormatCSV,
		Progress: func(done, total int) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("exported %d rows, want 2", n)
	}
	if len(progress) != 2 || progress[0] != 2 || progress[1] != 2 {
		t.Errorf("progress = %v, want [2 2]", progress)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFF") {
		t.Fatal("CSV lacks the UTF-8 byte-order mark Excel needs")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(exportHeaders, ",") {
		t.Fatalf("rows = %q", rows)
	}
	for _, leak := range []string{"13812345678", "王小明", "三丰", "199001011234"} {
		if strings.Contains(raw, leak) {
			t.Errorf("masked export contains %q", leak)
		}
	}
	for _, want := range []string{"138****5678", "王**", "张**先生", "'=HYPERLINK"} {
		if !strings.Contains(raw, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	// Newest first.
	if rows[1][1] < rows[2][1] {
		t.Errorf("rows not newest first: %s then %s", rows[1][1], rows[2][1])
	}
}

func TestUnmaskedExportIsAudited(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	mustIngest(t, c, exportItems()...)
	var buf bytes.Buffer
	if _, err := c.Export(ctx, SearchQuery{Query: "渣土车"}, &buf, ExportOptions{Format: FormatXLSX, Unmasked: true, Actor: "李科长"}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !strings.Contains(strings.Join(rows[1], "|")+strings.Join(rows[2], "|"), "13812345678") {
		t.Fatalf("unmasked xlsx rows = %q", rows)
	}
	var found bool
	err = c.Store.ScanAudit(ctx, 0, func(e store.AuditEntry) error {
		if e.Action == "导出（未脱敏）" && e.Actor == "李科长" && strings.Contains(e.Detail, "渣土车") {
			found = true
		}
		return nil
	})
	if err != nil || !found {
		t.Fatalf("no audit entry for the unmasked export (err %v)", err)
	}
}

func TestExportRejectsUnknownFormat(t *testing.T) {
	c := mustCore(t)
	if _, err := c.Export(context.Background(), SearchQuery{}, &bytes.Buffer{}, ExportOptions{Format: "pdf"}); err == nil {
		t.Fatal("pdf export accepted")
	}
}

func TestExportJobsFinishAndCancel(t *testing.T) {
	c := mustCore(t)
	mustIngest(t, c, exportItems()...)
	a := NewApp(c, context.Background)
	job, err := a.StartExport(SearchQuery{}, "xlsx", false)
	if err != nil {
		t.Fatal(err)
	}
	a.search.exports.wait()
	got, err := a.ExportStatus(job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != ExportDone || got.Done != 3 || got.Total != 3 {
		t.Fatalf("job = %+v, want 已完成 with 3 rows", got)
	}
	if st, err := os.Stat(got.Path); err != nil || st.Size() == 0 {
		t.Fatalf("export file %s: %v", got.Path, err)
	}
	// A job canceled before it starts writing leaves no file and says 已取消.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := NewApp(c, func() context.Context { return ctx })
	job, err = b.StartExport(SearchQuery{}, "csv", false)
	if err != nil {
		t.Fatal(err)
	}
	b.search.exports.wait()
	got, _ = b.ExportStatus(job.ID)
	if got.State != ExportCanceled || got.Path != "" {
		t.Fatalf("canceled job = %+v", got)
	}
	entries, _ := os.ReadDir(c.exportDir())
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") || strings.HasPrefix(e.Name(), job.ID) {
			t.Errorf("canceled export left %s", e.Name())
		}
	}
	if _, err := b.ExportStatus("export-nope"); err == nil || !strings.Contains(err.Error(), "没有这个导出任务") {
		t.Errorf("unknown job error = %v", err)
	}
	if _, err := b.CancelExport(job.ID); err != nil {
		t.Errorf("cancel of a finished job: %v", err)
	}
}
