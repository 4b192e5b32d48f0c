// Package redistest runs a real redis-server for tests, on a free port in
// a temporary directory, and stops and starts it again to show what the
// verification service does without it. Tests skip when redis-server is
// not installed, unless IDAGENT_REQUIRE_REDIS=1 (CI), where they fail.
package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Server is one redis-server process.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	Addr string // host:port
	cmd  *exec.Cmd
}

// Start starts redis-server on a free port; it is stopped when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("IDAGENT_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis-server not found and IDAGENT_REQUIRE_REDIS=1: %v (scripts/deps.sh installs it)", err)
		}
		t.Skip("redis-server not installed (scripts/deps.sh installs it; IDAGENT_REQUIRE_REDIS=1 makes this a failure)")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), Addr: net.JoinHostPort("127.0.0.1", freePort(t))}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Restart starts the server again on the same address (empty: nothing is
// persisted).
func (s *Server) Restart() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	s.cmd = exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--protected-mode", "yes")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	// Wait until it accepts connections: a fixed bound on a startup,
	// not a timed assertion.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", s.Addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.t.Fatalf("redis-server on %s did not start: %v", s.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// String names the server for messages.
func (s *Server) String() string { return fmt.Sprintf("redis-server %s", s.Addr) }
