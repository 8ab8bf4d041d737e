//go:build unix

package route_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the CPU time this process has used, user and system (garbage collection
// included). On a machine shared with other work, CPU time per message is steadier than
// wall-clock ns/op, which counts the time the benchmark waited for a core.
func cpuSeconds(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Skipf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
