package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestCLIExport(t *testing.T) {
	data := t.TempDir()
	in := filepath.Join(t.TempDir(), "in.jsonl")
	lines := []string{
		`{"id":"p1","title":"渣土车夜间抛洒","body":"我叫王小明，电话13812345678，文昌一路渣土车抛洒。","time":"2025-03-01 22:10:00","channel":"12345"}`,
		`{"id":"p2","title":"渣土车超速","body":"张三丰先生反映渣土车超速。","time":"2025-03-02 09:00:00","channel":"12345"}`,
		`{"id":"p3","title":"油烟扰民","body":"烧烤店油烟直排。","time":"2025-03-03 09:00:00","channel":"12345"}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "--data", data, "import", in); code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "渣土车.xlsx")
	tests := []struct {
		name     string
		args     []string
		code     int
		wantRows int
	}{
		{"masked xlsx", []string{"export", "--out", out, "渣土车"}, 0, 2},
		{"existing file refused", []string{"export", "--out", out, "渣土车"}, 1, 0},
		{"no --out", []string{"export", "渣土车"}, 2, 0},
		{"bad format", []string{"export", "--format", "pdf", "--out", out + ".pdf", "渣土车"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, errs := runCLI(t, append([]string{"--data", data}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d (%s), want %d", code, errs, tt.code)
			}
			if tt.code != 0 {
				if !strings.Contains(errs, "错误：") {
					t.Errorf("stderr %q does not say what went wrong", errs)
				}
				return
			}
			var res struct {
				Rows   int  `json:"rows"`
				Masked bool `json:"masked"`
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Rows != tt.wantRows || !res.Masked {
				t.Fatalf("output %q: %v", stdout, err)
			}
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil || len(rows) != tt.wantRows+1 {
				t.Fatalf("%d rows: %v", len(rows), err)
			}
			all := ""
			for _, r := range rows {
				all += strings.Join(r, "|")
			}
			if strings.Contains(all, "13812345678") || strings.Contains(all, "王小明") || !strings.Contains(all, "138****5678") {
				t.Errorf("export not masked: %s", all)
			}
		})
	}
}

func TestCLIBenchSearchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests synthetic messages")
	}
	code, stdout, errs := runCLI(t, "bench", "search", "--items", "300", "--queries", "3", "--recall-terms", "5", "--json")
	if code != 0 {
		t.Fatalf("bench: %d %s", code, errs)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%q: %v", stdout, err)
	}
	if rep.Ingest == nil || rep.Ingest.New != 300 || rep.Ingest.ItemsPerSec <= 0 || rep.Search == nil ||
		len(rep.Search.Classes) == 0 || rep.Search.Recall.Terms != 5 || len(rep.ReopenMS) != 3 || rep.Kept {
		t.Fatalf("report %+v", rep)
	}
	if _, err := os.Stat(rep.DataDir); !os.IsNotExist(err) {
		t.Errorf("temporary data dir %s left behind", rep.DataDir)
	}
	if code, _, _ := runCLI(t, "bench", "walk"); code != 2 {
		t.Errorf("unknown bench subcommand exit %d, want 2", code)
	}
}
