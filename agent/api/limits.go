package api

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimiter counts every TCP connection the server accepts, HTTP and
// WebSocket alike, so that idle keep-alive connections cannot exhaust the
// agent's file descriptors nor crowd out the desk page (issue 17, finding
// 3):
//
//   - beyond max connections, a new one makes room by closing the oldest
//     connection that has sent no request yet or idles between requests;
//     when every connection is busy (a request in progress, a WebSocket),
//     the new one is closed at once;
//   - each connection is tagged with the origin of its requests, and an
//     origin holding more than perOrigin of them is answered 503 and its
//     connection closed, so that one origin cannot starve another.
type connLimiter struct {
	max, perOrigin int

	mu    sync.Mutex
	conns map[*limitedConn]struct{}
	peak  int // the most connections open at once, for tests and the log
}

func newConnLimiter(max, perOrigin int) *connLimiter {
	return &connLimiter{max: max, perOrigin: perOrigin, conns: map[*limitedConn]struct{}{}}
}

// limitedConn is an accepted connection as the limiter tracks it.
type limitedConn struct {
	net.Conn
	l *connLimiter

	// guarded by l.mu
	state  http.ConnState
	since  time.Time // of the last state change
	origin string    // the origin key of its last request ("" before one)

	closeOnce sync.Once
}

// Close closes the connection and frees its slot (net/http forgets a
// hijacked WebSocket; its Close still comes here).
func (c *limitedConn) Close() error {
	c.closeOnce.Do(func() { c.l.forget(c) }) // before the peer can see the close
	return c.Conn.Close()
}

// Write adds the security headers to the error answers net/http writes by
// itself, before any handler (400 for a malformed request, 431 for headers
// too large, 501): those come in one write, with these exact headers, which
// no handler's answer has (net/http sorts a handler's headers, putting
// Connection before Content-Type).
func (c *limitedConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("HTTP/1.1 ")) && bytes.Contains(p, goErrorHeaders) {
		if i := bytes.Index(p, []byte("\r\n")); i > 0 {
			fixed := make([]byte, 0, len(p)+len(rawSecurityHeaders))
			fixed = append(append(append(fixed, p[:i+2]...), rawSecurityHeaders...), p[i+2:]...)
			if _, err := c.Conn.Write(fixed); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// goErrorHeaders are the headers of net/http's own error answers.
var goErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

// rawSecurityHeaders are securityHeaderValues as header lines.
var rawSecurityHeaders = func() []byte {
	var b bytes.Buffer
	h := http.Header{}
	setSecurityHeaders(h, false)
	_ = h.Write(&b)
	return b.Bytes()
}()

// listener wraps l so that the limiter sees every connection.
func (cl *connLimiter) listener(l net.Listener) net.Listener { return limitedListener{l, cl} }

type limitedListener struct {
	net.Listener
	cl *connLimiter
}

// Accept admits the next connection, closing those it cannot make room
// for.
func (l limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc := l.cl.admit(c); lc != nil {
			return lc, nil
		}
	}
}

// admit tracks c, evicting an idle connection when the limiter is full;
// nil (c closed) when there is no room.
func (cl *connLimiter) admit(c net.Conn) *limitedConn {
	cl.mu.Lock()
	var evict *limitedConn
	if len(cl.conns) >= cl.max {
		evict = cl.oldestIdle()
		if evict == nil {
			cl.mu.Unlock()
			_ = c.Close()
			return nil
		}
		delete(cl.conns, evict) // its slot is the newcomer's from now
	}
	lc := &limitedConn{Conn: c, l: cl, state: http.StateNew, since: time.Now()}
	cl.conns[lc] = struct{}{}
	cl.peak = max(cl.peak, len(cl.conns))
	cl.mu.Unlock()
	if evict != nil {
		_ = evict.Close()
	}
	return lc
}

// oldestIdle is the connection that has waited longest without a request
// in progress: never a WebSocket, never one being answered (cl.mu held).
func (cl *connLimiter) oldestIdle() *limitedConn {
	var oldest *limitedConn
	for c := range cl.conns {
		if c.state != http.StateNew && c.state != http.StateIdle {
			continue
		}
		if oldest == nil || c.since.Before(oldest.since) {
			oldest = c
		}
	}
	return oldest
}

func (cl *connLimiter) forget(c *limitedConn) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	delete(cl.conns, c)
}

// connState is the http.Server's ConnState hook.
func (cl *connLimiter) connState(c net.Conn, st http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	if st == http.StateClosed {
		lc.closeOnce.Do(func() { cl.forget(lc) })
		return
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	lc.state, lc.since = st, time.Now()
}

// count is the number of connections open now.
func (cl *connLimiter) count() int {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return len(cl.conns)
}

// overShare tags the connection of r with origin and reports whether that
// origin now holds more connections than its share.
func (cl *connLimiter) overShare(r *http.Request, origin string) bool {
	lc, ok := r.Context().Value(connKey{}).(*limitedConn)
	if !ok {
		return false
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if _, open := cl.conns[lc]; !open {
		return false
	}
	lc.origin = origin
	n := 0
	for c := range cl.conns {
		if c.origin == origin {
			n++
		}
	}
	return n > cl.perOrigin
}

// connKey is the request context key of the request's *limitedConn.
type connKey struct{}

// connContext is the http.Server's ConnContext hook.
func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}
