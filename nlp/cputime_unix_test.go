//go:build unix

package nlp

import (
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the CPU time this process has used, user and system. On a machine shared
// with other work, messages per CPU-second is the honest per-core rate; wall-clock msgs/s
// is reported next to it.
func cpuSeconds(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Skipf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
