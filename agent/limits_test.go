package agent_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
)

// Issue 17, finding 3: 2,000 idle keep-alive connections took the agent
// from 12 to 2,012 file descriptors and, under a 256-descriptor limit, made
// it refuse a legitimate WebSocket upgrade. Now every TCP connection counts
// (cap 64 here), an idle or silent one makes room for a new one, and idle
// ones are closed after the idle timeout: all 2,000 are closed, the agent
// never held more than the cap, and the desk's WebSocket upgrade succeeds
// while they idle. The test waits for events (each connection's EOF), it
// does not sleep.
func TestIdleConnectionsAreClosed(t *testing.T) {
	s := newSetup()
	s.cfg.MaxConnections, s.cfg.MaxConnectionsPerOrigin = 64, 16
	s.cfg.IdleTimeout, s.cfg.ReadHeaderTimeout = time.Second, time.Second
	h := start(t, s)
	const idle = 2000
	var closed sync.WaitGroup
	for i := 0; i < idle; i++ {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		defer c.Close()
		if i%2 == 0 {
			// A keep-alive request, then nothing: an idle connection.
			fmt.Fprintf(c, "GET /v1/health HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\n\r\n", h.addr, hotelOrigin)
		}
		closed.Add(1)
		go func() {
			defer closed.Done()
			_, _ = io.Copy(io.Discard, c)
		}()
	}
	// While they idle, the desk page connects.
	desk, _, err := agenttest.Dial(h.addr, deskOrigin)
	if err != nil {
		t.Fatalf("WebSocket upgrade refused among idle connections: %v", err)
	}
	defer desk.Close()
	if r := must(t)(desk.Request("hello", nil)); r.Error != nil {
		t.Fatal(r.Raw)
	}
	done := make(chan struct{})
	go func() { closed.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("idle connections still open")
	}
	now, peak := h.agent.Server.OpenConnections()
	t.Logf("%d idle connections closed; the agent held at most %d at once", idle, peak)
	if peak > 64 || now != 1 {
		t.Fatalf("%d connections open now, %d at the peak: want 1 (the desk) and at most 64", now, peak)
	}
	if r := must(t)(desk.Request("readers.list", nil)); r.Error != nil {
		t.Fatal(r.Raw)
	}
}

// One origin cannot hold more than its share of connections: beyond it an
// upgrade is answered 503 and its connection closed; another origin still
// connects. When every slot holds a WebSocket, a new connection is closed
// at once, before any answer (issue 17, finding 5: a process forging an
// allowed origin held all 64 slots and the desk page got 503).
func TestConnectionShare(t *testing.T) {
	s := newSetup()
	s.cfg.MaxConnections, s.cfg.MaxConnectionsPerOrigin = 6, 4
	h := start(t, s)
	var hotel []*agenttest.Client
	for i := 0; i < 4; i++ {
		c, _, err := agenttest.Dial(h.addr, hotelOrigin)
		if err != nil {
			t.Fatalf("hotel connection %d: %v", i, err)
		}
		hotel = append(hotel, c)
		defer c.Close()
	}
	// The fifth of the hotel's: 503, and the connection is closed.
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	fmt.Fprintf(raw, "GET /v1/ws HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", h.addr, hotelOrigin)
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, resp) != "BUSY" {
		t.Fatalf("over the share: %v %v", resp, err)
	}
	if _, err := raw.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the refused connection stays open: %v", err)
	}
	// The desk's origin has its own share.
	a := h.dial(deskOrigin)
	b := h.dial(deskOrigin)
	must(t)(a.Request("hello", nil))
	must(t)(b.Request("hello", nil))
	// Six WebSockets: the cap. A seventh connection is closed unanswered.
	if _, resp, err := agenttest.Dial(h.addr, deskOrigin); err == nil || resp != nil {
		t.Fatalf("a connection beyond the cap was answered: %v %v", resp, err)
	}
	hotel[0].Close()
	waitConnections(t, h, 5)
	h.dial(deskOrigin)
	for _, c := range hotel[1:] {
		if r := must(t)(c.Request("hello", nil)); r.Error != nil {
			t.Fatal(r.Raw)
		}
	}
}

// Every answer carries the security headers: net/http's own 400 and 431
// (written before any handler), a 404 of the desk pages' file server
// (which deletes Cache-Control), errors and refusals (issue 17, finding 7).
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	s := newSetup()
	s.opts.Demo = http.FileServer(http.Dir(t.TempDir()))
	h := start(t, s)
	for name, request := range map[string]string{
		"malformed request line": "GET\r\n\r\n",
		"no Host":                "GET /v1/health HTTP/1.1\r\n\r\n",
		"headers too large":      "GET /v1/health HTTP/1.1\r\nHost: " + h.addr + "\r\nX-Pad: " + strings.Repeat("p", 40<<10) + "\r\n\r\n",
		"demo 404":               "GET /demo/nothing.html HTTP/1.1\r\nHost: " + h.addr + "\r\n\r\n",
		"unknown path":           "GET /nope HTTP/1.1\r\nHost: " + h.addr + "\r\n\r\n",
		"foreign Host":           "GET /v1/health HTTP/1.1\r\nHost: evil.example\r\n\r\n",
		"refused origin":         "GET /v1/ws HTTP/1.1\r\nHost: " + h.addr + "\r\nOrigin: null\r\n\r\n",
		"OPTIONS *":              "OPTIONS * HTTP/1.1\r\nHost: " + h.addr + "\r\n\r\n",
	} {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(c, request)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resp.StatusCode < 400 {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		for k, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s (%d): %s %q", name, resp.StatusCode, k, got)
			}
		}
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s (%d): no CSP", name, resp.StatusCode)
		}
	}
}
