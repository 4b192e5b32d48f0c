//go:build unix

package verifytest

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time this process has used (user and system):
// benchmarks divide it by their iterations, which holds on a loaded
// machine where wall time does not.
func ProcessCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
