package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
)

// buildCLI compiles the headless binary once per test into dir.
func buildCLI(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "minyi")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// searchTotal runs `minyi search --json` and returns the total.
func searchTotal(t *testing.T, bin, data, query string) int {
	t.Helper()
	out, err := exec.Command(bin, "--data", data, "search", "--json", query).Output()
	if err != nil {
		t.Fatalf("search %q: %v", query, err)
	}
	var res struct{ Total int }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("search output %q: %v", out, err)
	}
	return res.Total
}

// TestKillDuringImport SIGKILLs a large import after it has reported committed rows, restarts,
// and checks that every reported row is stored and searchable, and that importing the file
// again stores nothing twice.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports thousands of rows")
	}
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	data := filepath.Join(dir, "data")
	const rows = 8000
	file := filepath.Join(dir, "big.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	places := []string{"江北街道", "桥东街道", "淡水街道", "罗阳街道", "澳头街道"}
	things := []string{"渣土车夜间抛洒泥土", "烧烤店油烟直排", "工地夜间施工噪音", "流动摊贩占道经营", "建筑垃圾偷倒河边"}
	for i := 0; i < rows; i++ {
		p, th := places[i%len(places)], things[(i/len(places))%len(things)]
		fmt.Fprintf(f, `{"id":"k%d","title":"压测批次%s%s第%d号","body":"%s附近%s，已持续多日，请尽快处理。编号%d。","time":"2026-10-%02d 08:00:00","channel":"12345"}`+"\n",
			i, p, th, i, p, th, i, 1+i%28)
	}
	f.Close()

	cmd := exec.Command(bin, "--data", data, "import", file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	re := regexp.MustCompile(`已提交 (\d+) 条`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			committed, _ = strconv.Atoi(m[1])
			if committed >= 1500 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed < 1500 || committed >= rows {
		t.Fatalf("killed after %d committed rows; the test needs a kill mid-import", committed)
	}

	// Restart: opening the data directory recovers bbolt and indexes what the index lacks.
	total := searchTotal(t, bin, data, "压测批次")
	if total < committed || total > rows {
		t.Fatalf("after kill -9: %d searchable, %d were reported committed (of %d)", total, committed, rows)
	}
	if n := searchTotal(t, bin, data, "编号0。"); n < 1 {
		t.Fatalf("first committed row not found after restart")
	}

	out, err := exec.Command(bin, "--data", data, "import", file).Output()
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	var res struct{ Read, New, Duplicate, Rejected int }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if res.Read != rows || res.New+res.Duplicate != rows || res.Duplicate < committed {
		t.Fatalf("re-import = %+v, want %d read with at least %d duplicates", res, rows, committed)
	}
	if n := searchTotal(t, bin, data, "压测批次"); n != rows {
		t.Fatalf("after re-import %d searchable, want exactly %d (nothing twice, nothing lost)", n, rows)
	}
}
