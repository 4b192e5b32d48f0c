//go:build unix

package pcsctest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// PID returns the process id of the running pcscd, from its pid file.
func PID() (int, error) {
	b, err := os.ReadFile(PIDFile)
	if err != nil {
		return 0, fmt.Errorf("pcscd pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimRight(string(b), "\x00")))
	if err != nil || pid <= 1 {
		return 0, fmt.Errorf("pcscd pid file %s holds %q", PIDFile, b)
	}
	return pid, nil
}

// removeStale deletes the socket and pid files of a pcscd that is dead or
// a zombie (killed, not yet reaped by its parent): pcscd refuses to start
// while its pid file names a process that kill(pid, 0) still finds.
func removeStale() {
	pid, err := PID()
	if err == nil && syscall.Kill(pid, 0) == nil && !zombie(pid) {
		return // alive: leave its files alone
	}
	os.Remove(Socket)
	os.Remove(PIDFile)
}

// Stop terminates pcscd (SIGTERM, a clean shutdown) and waits until it is
// gone.
func Stop(t testing.TB) { signalPCSCD(t, syscall.SIGTERM) }

// Kill kills pcscd (SIGKILL, a crash: its socket and pid files stay
// behind) and waits until it is gone.
func Kill(t testing.TB) { signalPCSCD(t, syscall.SIGKILL) }

func signalPCSCD(t testing.TB, sig syscall.Signal) {
	t.Helper()
	pid, err := PID()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("signal pcscd (pid %d): %v", pid, err)
	}
	deadline := time.Now().Add(startTimeout)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pcscd (pid %d) still running %v after %v", pid, startTimeout, sig)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// zombie reports whether pid has exited but not been reaped (possible when
// the test process itself started pcscd in the foreground).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// The lock is held per process by at most one test at a time; tests in the
// same binary that run in parallel queue on mu.
var mu sync.Mutex

// lock takes the exclusive file lock on LockFile for t, waiting for other
// processes, and releases it when t ends.
func lock(t testing.TB) {
	t.Helper()
	mu.Lock()
	fd, err := syscall.Open(LockFile, syscall.O_CREAT|syscall.O_RDWR|syscall.O_CLOEXEC, 0o666)
	if err != nil {
		mu.Unlock()
		unavailable(t, fmt.Errorf("open lock file: %w", err))
		return
	}
	locked := make(chan error, 1)
	go func() { locked <- syscall.Flock(fd, syscall.LOCK_EX) }()
	select {
	case err = <-locked:
	case <-time.After(lockTimeout):
		err = fmt.Errorf("another test process held %s for %v", LockFile, lockTimeout)
	}
	if err != nil {
		syscall.Close(fd) // also ends the pending flock
		mu.Unlock()
		t.Fatalf("lock virtual readers: %v", err)
	}
	t.Cleanup(func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		syscall.Close(fd)
		mu.Unlock()
	})
}
