package agenttest

import (
	"net"
	"testing"
)

// FreePort is a TCP port on 127.0.0.1 that nothing listens on now (as far
// as one can tell: it is released before the caller uses it). Tests give it
// to an agent, a doctor or an installed service so as never to take 20606,
// which other tests and a real agent use.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
