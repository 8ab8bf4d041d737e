package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the CLI in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBackupWhileServingAndRestore backs up a data directory while `serve` holds it (the backup
// is written by the running console over its control socket), checks that a second process is
// refused within about a second, and restores the backup into a fresh directory.
func TestBackupWhileServingAndRestore(t *testing.T) {
	if _, err := frontendFS(); err != nil && os.Getenv("MINYI_E2E") != "1" {
		t.Skip("serve needs the built frontend (npm run build in frontend/)")
	}
	data := t.TempDir()
	if code, _, errs := runCLI(t, "--data", data, "import", "testdata/hostile.jsonl"); code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
	startServe(t, data)

	start := time.Now()
	code, _, errs := runCLI(t, "--data", data, "search", "渣土")
	if code == 0 || !strings.Contains(errs, "正被另一个民意进程使用") {
		t.Fatalf("second process on a held directory: exit %d, %q", code, errs)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("second process took %v to give up", took)
	}

	backup := filepath.Join(t.TempDir(), "minyi-backup.db")
	code, out, errs := runCLI(t, "--data", data, "backup", backup)
	if code != 0 {
		t.Fatalf("backup while serving: exit %d %s", code, errs)
	}
	var b struct{ Bytes int64 }
	if err := json.Unmarshal([]byte(out), &b); err != nil || b.Bytes == 0 {
		t.Fatalf("backup output %q: %v", out, err)
	}

	fresh := t.TempDir()
	if code, _, errs := runCLI(t, "--data", fresh, "restore", backup); code != 0 {
		t.Fatalf("restore: %d %s", code, errs)
	}
	code, out, errs = runCLI(t, "--data", fresh, "search", "--json", "抛洒")
	if code != 0 {
		t.Fatalf("search after restore: %d %s", code, errs)
	}
	var res struct{ Total int }
	json.Unmarshal([]byte(out), &res)
	if res.Total != 1 {
		t.Fatalf("restored directory finds %d, want 1: %s", res.Total, out)
	}
	if code, _, errs := runCLI(t, "--data", fresh, "restore", "testdata/hostile.jsonl"); code == 0 || !strings.Contains(errs, "不是有效的民意备份文件") {
		t.Fatalf("restore of a non-backup: exit %d %q", code, errs)
	}
}

func TestCLIErrorsSayWhatToDo(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, 2, "未知命令"},
		{"import without files", []string{"import"}, 2, "至少一个文件"},
		{"show without id", []string{"show"}, 2, "记录编号"},
		{"show missing id", []string{"show", "M999999"}, 1, "未找到该记录"},
		{"bad date", []string{"search", "--since", "昨天", "x"}, 1, "日期"},
		{"serve on a public address", []string{"serve", "--addr", "0.0.0.0:8686"}, 2, "回环地址"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, append([]string{"--data", data}, tt.args...)...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			last := lines[len(lines)-1]
			if code != tt.code || !strings.Contains(last, tt.want) || !strings.HasPrefix(last, "错误：") {
				t.Fatalf("exit %d, stderr %q; want exit %d and one line with %q", code, errs, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(data, "minyi.db")); err != nil {
		t.Fatalf("data dir not created: %v", err)
	}
}

// TestGazetteerInDataDir checks that <data>/gazetteer.tsv replaces the built-in places: a
// community added there is found by analyze, and a damaged file stops start-up naming it.
func TestGazetteerInDataDir(t *testing.T) {
	data := t.TempDir()
	tsv := "省\t广东省\t\t广东\n市\t惠州市\t广东省\t惠州\n区县\t惠城区\t广东省/惠州市\t惠城\n" +
		"街道\t江北街道\t广东省/惠州市/惠城区\t江北\n社区\t云山西社区\t广东省/惠州市/惠城区/江北街道\t云山西\n"
	if err := os.WriteFile(filepath.Join(data, "gazetteer.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "--data", data, "analyze", "--json", "惠城区江北街道云山西社区门口每晚烧烤油烟扰民")
	if code != 0 {
		t.Fatalf("analyze: %d %s", code, errs)
	}
	var res struct {
		Places []struct{ Full, Level string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("analyze output %q: %v", out, err)
	}
	found := false
	for _, p := range res.Places {
		found = found || (p.Full == "云山西社区" && p.Level == "社区")
	}
	if !found {
		t.Fatalf("the community from gazetteer.tsv is not among the places: %+v", res.Places)
	}
	os.WriteFile(filepath.Join(data, "gazetteer.tsv"), []byte("街道\t孤儿街道\t不存在/的路径\t\n"), 0o644)
	code, _, errs = runCLI(t, "--data", data, "analyze", "江北")
	if code == 0 || !strings.Contains(errs, "地名表") {
		t.Fatalf("a damaged gazetteer.tsv: exit %d %q", code, errs)
	}
}
