//go:build unix

package monitor

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used: on a machine shared with other work, wall-clock
// benchmark figures measure the neighbours too, so benchmarks also report CPU seconds.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
