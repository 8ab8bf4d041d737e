//go:build !unix

package monitor

import "time"

// cpuTime is unknown off unix; benchmarks then report 0 CPU seconds.
func cpuTime() time.Duration { return 0 }
