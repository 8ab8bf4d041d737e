//go:build !unix

// Package cputime reads the CPU time this process has used. Benchmarks report CPU time per
// operation beside wall time because the machines they run on are shared: wall time there
// measures the neighbours as much as the code.
package cputime

import "time"

// Used is unavailable on this system: 0, so benchmarks report no CPU time.
func Used() time.Duration { return 0 }
