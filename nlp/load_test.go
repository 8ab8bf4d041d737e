package nlp

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// probeEnv makes TestLoadProbe, run in a child process, load from the cache dir it names.
const probeEnv = "MINYI_NLP_LOAD_PROBE"

// BenchmarkLoad measures a load from a warm cache, the path every start after the first takes.
func BenchmarkLoad(b *testing.B) {
	mustAnalyzer(b) // makes sure the cache exists
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadAnalyzer(context.Background(), shared.dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadProcess loads from a warm cache in a fresh child process and reports the
// child's peak resident memory (VmHWM) and its own load time: what a starting Minyi pays.
func BenchmarkLoadProcess(b *testing.B) {
	mustAnalyzer(b)
	var hwm, ms float64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadProbe$", "-test.v")
		cmd.Env = append(os.Environ(), probeEnv+"="+shared.dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("probe: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "PROBE" {
				ms, _ = strconv.ParseFloat(f[1], 64)
				hwm, _ = strconv.ParseFloat(f[2], 64)
			}
		}
	}
	b.ReportMetric(ms, "load-ms")
	b.ReportMetric(hwm/1024, "peak-RSS-MB")
}

// TestLoadProbe is the child of BenchmarkLoadProcess; it does nothing in a normal test run.
func TestLoadProbe(t *testing.T) {
	dir := os.Getenv(probeEnv)
	if dir == "" {
		t.Skip("run by BenchmarkLoadProcess only")
	}
	start := time.Now()
	a, err := loadAnalyzer(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	if len(a.Words("惠州市惠城区江北街道")) == 0 {
		t.Fatal("loaded analyzer finds no words")
	}
	fmt.Printf("PROBE %.1f %d\n", float64(el.Microseconds())/1000, vmHWM(t))
}

// vmHWM reads this process's peak resident set in kB from /proc/self/status.
func vmHWM(tb testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			v, _ := strconv.Atoi(strings.Fields(l)[1])
			return v
		}
	}
	return 0
}
