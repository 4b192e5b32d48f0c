//go:build unix

package sim

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) the test process has used:
// benchmarks report it per operation beside wall time, because the
// development machine is shared and wall time follows its load.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
