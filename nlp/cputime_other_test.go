//go:build !unix

package nlp

import (
	"testing"
	"time"
)

// cpuSeconds falls back to wall-clock time where getrusage is missing.
func cpuSeconds(tb testing.TB) float64 {
	return float64(time.Now().UnixNano()) / 1e9
}
