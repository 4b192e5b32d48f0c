// Package api is the agent's HTTP face: GET /v1/health, the WebSocket API
// at GET /v1/ws (docs/PROTOCOL.md), and the desk pages at /demo/. It checks
// who is asking on every request (Host allowlist against DNS rebinding,
// exact Origin allowlist against cross-site WebSocket hijacking) and keeps
// each connection from hurting the others (size limit, connection cap, rate
// limit, bounded send queue, keepalive).
package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/clock"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/agent/token"
)

// Simulator inserts and removes software chips (idagent run --simulate).
type Simulator interface {
	// Insert inserts a card and returns its access data. Unknown profiles
	// or tampers, and a tamper the profile cannot carry, are
	// *protocol.Error BAD_REQUEST.
	Insert(ctx context.Context, req protocol.SimInsert) (protocol.SimCard, error)
	// Remove takes the card out of a reader ("" for the default one).
	Remove(ctx context.Context, reader string) error
	// DefaultReader is the reader of requests that name none.
	DefaultReader() string
	// Info lists the profiles and tamper kinds Insert accepts (hello).
	Info() protocol.SimInfo
}

// Limits bound what one client can do. Zero values take the defaults of
// docs/PROTOCOL.md §9.
type Limits struct {
	MaxMessage int64 // bytes per frame from the client
	// MaxConnections bounds the TCP connections, HTTP and WebSocket alike;
	// MaxPerOrigin is one origin's share (defaults: config).
	MaxConnections int
	MaxPerOrigin   int
	// ReadHeaderTimeout, IdleTimeout and WriteTimeout bound the HTTP side
	// (defaults: config).
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	WriteTimeout      time.Duration
	SendQueue         int           // frames queued per connection
	PingInterval      time.Duration // keepalive pings
	PongWait          time.Duration // read deadline, extended by pongs and frames
	WriteWait         time.Duration // per frame
	RatePerSecond     float64       // requests per connection
	Burst             int
}

func (l *Limits) fill(cfg *config.Config) {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxMessage <= 0 {
		l.MaxMessage = 64 << 10
	}
	def(&l.MaxConnections, cfg.MaxConnections)
	def(&l.MaxPerOrigin, cfg.MaxConnectionsPerOrigin)
	defd(&l.ReadHeaderTimeout, cfg.ReadHeaderTimeout)
	defd(&l.IdleTimeout, cfg.IdleTimeout)
	defd(&l.WriteTimeout, cfg.WriteTimeout)
	def(&l.SendQueue, 256)
	defd(&l.PingInterval, 20*time.Second)
	defd(&l.PongWait, 45*time.Second)
	defd(&l.WriteWait, 10*time.Second)
	if l.RatePerSecond <= 0 {
		l.RatePerSecond = 20
	}
	def(&l.Burst, 40)
}

// Options configure a Server.
type Options struct {
	Config    *config.Config
	Hub       *session.Hub
	Log       *zap.Logger
	Version   string
	Simulator Simulator // nil unless simulating
	// Trust reports the trust store's state; nil reports an empty store.
	Trust func() protocol.TrustState
	// Demo serves the desk pages at /demo/ when non-nil.
	Demo http.Handler
	// Client serves the JavaScript client's files at /v1/client/ (with
	// CORS for allowed origins) when non-nil.
	Client http.Handler
	Limits Limits
	// Clock drives keepalive and the request rate limit; nil is the
	// system clock.
	Clock clock.Clock
	// Tokens checks native clients' tokens; nil reads the configuration's
	// tokens file.
	Tokens *token.Checker
}

// Server serves the agent's API.
type Server struct {
	o      Options
	cfg    *config.Config
	hub    *session.Hub
	log    *zap.Logger
	limits Limits

	clock clock.Clock

	mu    sync.Mutex
	ports map[int]bool       // ports we listen on, for the Host and own-origin checks
	conns map[*conn]struct{} // open WebSockets: net/http forgets hijacked connections
	wsWG  sync.WaitGroup     // their goroutines
	// stopping refuses new WebSockets once shutdown closes them.
	stopping bool

	refusals refusalLog
	limiter  *connLimiter
	tokens   *token.Checker
	upgrader websocket.Upgrader
	httpSrv  *http.Server
}

// New returns a server.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Trust == nil {
		o.Trust = func() protocol.TrustState { return protocol.TrustState{State: "empty"} }
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Tokens == nil {
		o.Tokens = token.NewChecker(o.Config.TokensFile)
	}
	o.Limits.fill(o.Config)
	s := &Server{o: o, cfg: o.Config, hub: o.Hub, log: o.Log, limits: o.Limits, clock: o.Clock,
		ports: map[int]bool{}, conns: map[*conn]struct{}{},
		limiter: newConnLimiter(o.Limits.MaxConnections, o.Limits.MaxPerOrigin), tokens: o.Tokens}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:   4096,
		WriteBufferSize:  4096,
		HandshakeTimeout: 10 * time.Second,
		// The origin was checked against the allowlist before Upgrade;
		// gorilla's same-origin default would pass DNS rebinding.
		CheckOrigin: func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeError(w, status, protocol.Errorf(protocol.BadRequest, "websocket handshake failed"))
		},
	}
	return s
}

// AllowPort adds a port to the Host allowlist (Serve does it for its
// listeners).
func (s *Server) AllowPort(port int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ports[port] = true
}

func (s *Server) portAllowed(port int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ports[port]
}

// Connections returns the number of open WebSocket connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// track counts a WebSocket before it is upgraded; false once the server
// is stopping. (Its TCP connection counts with the others: connLimiter.)
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.conns[c] = struct{}{}
	s.wsWG.Add(1)
	return true
}

// untrack forgets a WebSocket whose goroutines have ended (or which never
// started).
func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		s.wsWG.Done()
	}
}

// closeWebSockets tells every WebSocket client the agent is stopping,
// closes the connections and waits (up to wait) for their goroutines.
func (s *Server) closeWebSockets(wait time.Duration) {
	s.mu.Lock()
	s.stopping = true
	open := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		c.goingAway()
	}
	done := make(chan struct{})
	go func() {
		s.wsWG.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
		s.log.Warn("WebSocket connections still running at shutdown", zap.Int("connections", s.Connections()))
	}
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/health", s.serveHealth())
	mux.HandleFunc("/v1/ws", s.serveWS)
	if s.o.Demo != nil {
		mux.Handle("/demo/", http.StripPrefix("/demo", s.o.Demo))
	}
	if s.o.Client != nil {
		mux.Handle("/v1/client/", s.serveClient(http.StripPrefix("/v1/client", s.o.Client)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, protocol.Errorf(protocol.BadRequest, "no such endpoint: see /v1/health and /v1/ws"))
	})
	return securityHeaders(s.checkHost(s.checkShare(mux)))
}

// OpenConnections returns the TCP connections open now (HTTP and
// WebSocket) and the most that were open at once.
func (s *Server) OpenConnections() (now, peak int) {
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	return len(s.limiter.conns), s.limiter.peak
}

// checkShare refuses a request whose origin holds more connections than
// its share: 503, and the connection is closed.
func (s *Server) checkShare(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter.overShare(r, s.shareKey(r)) {
			s.log.Warn("connection refused: its origin holds its share of connections", zap.String("origin", originForLog(r)),
				zap.Int("share", s.limits.MaxPerOrigin))
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusServiceUnavailable, errTooManyConnections)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errTooManyConnections = protocol.Errorf(protocol.Busy, "too many connections from this origin")

// Serve serves on the listeners until ctx is done, then shuts down.
func (s *Server) Serve(ctx context.Context, listeners []net.Listener) error {
	for _, l := range listeners {
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			s.AllowPort(a.Port)
		}
	}
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.limits.ReadHeaderTimeout,
		IdleTimeout:       s.limits.IdleTimeout,
		// WriteTimeout bounds HTTP answers; a WebSocket clears it when
		// it is upgraded and bounds each frame itself (WriteWait).
		WriteTimeout:   s.limits.WriteTimeout,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       zap.NewStdLog(s.log.Named("http")),
		ConnState:      s.limiter.connState,
		ConnContext:    connContext,
		// OPTIONS * goes through the handlers (Host check, headers).
		DisableGeneralOptionsHandler: true,
	}
	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { errc <- s.httpSrv.Serve(s.limiter.listener(l)) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			s.shutdown()
			return err
		}
	}
	s.shutdown()
	return nil
}

// shutdown stops accepting, lets HTTP requests finish, and closes the
// WebSockets: net/http's Shutdown and Close both leave hijacked
// connections alone, so the server tracks and closes them itself.
func (s *Server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = s.httpSrv.Shutdown(ctx)
	_ = s.httpSrv.Close()
	s.closeWebSockets(3 * time.Second)
}

// securityHeaders makes every answer carry the security headers, set as
// the answer is written so that no handler can drop them (http.FileServer
// deletes Cache-Control on its errors). net/http's own answers, written
// before any handler, get them from limitedConn.Write.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&headerWriter{ResponseWriter: w, demo: strings.HasPrefix(r.URL.Path, "/demo/")}, r)
	})
}

// setSecurityHeaders sets the headers every answer carries; the desk
// pages' CSP lets them run their own scripts.
func setSecurityHeaders(h http.Header, demo bool) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if demo {
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
	} else {
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	}
}

// headerWriter sets the security headers when the answer's header is
// written. It passes Hijack (the WebSocket upgrade) and Flush through.
type headerWriter struct {
	http.ResponseWriter
	demo  bool
	wrote bool
}

func (w *headerWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		setSecurityHeaders(w.Header(), w.demo)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *headerWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *headerWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// checkHost refuses requests whose Host is not a loopback name with one of
// our ports (DNS rebinding: the attacker's name resolves to 127.0.0.1).
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			s.log.Warn("request with a foreign Host refused", zap.String("remote", r.RemoteAddr))
			writeError(w, http.StatusMisdirectedRequest, protocol.Errorf(protocol.BadRequest, "host not allowed"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(hostport string) bool {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || !s.portAllowed(port) {
		return false
	}
	switch host {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	for _, h := range s.cfg.Hosts {
		if h == host {
			return true
		}
	}
	return false
}

// originPolicy decides whether a request may use the API, with which
// policy, and under which name its reads and connections are counted (the
// origin; "token:NAME" for a native client with a token; "" for other
// native clients). Only a request without Origin can be a native client:
// "null" is what sandboxed frames, file:// and data: pages send, which any
// web site can make, so it is always refused; a token comes with no Origin.
func (s *Server) originPolicy(r *http.Request) (config.Policy, string, bool) {
	raw := r.Header.Get("Origin")
	secret := token.FromHeader(r.Header.Get("Authorization"))
	switch {
	case raw == "null":
		return config.Policy{}, "", false
	case raw == "" && secret != "":
		if e, ok := s.tokens.Check(secret); ok {
			return e.Policy(), "token:" + e.Name, true
		}
		return config.Policy{}, "", false
	case raw == "":
		return s.cfg.NativePolicy, "", s.cfg.AllowNativeClients
	case secret != "":
		return config.Policy{}, "", false
	}
	origin, err := config.NormalizeOrigin(raw)
	if err != nil {
		return config.Policy{}, "", false
	}
	if p, ok := s.cfg.PolicyFor(origin); ok {
		return p, origin, true
	}
	if s.ownOrigin(origin) {
		if s.o.Simulator != nil {
			return config.FullPolicy(), origin, true
		}
		return config.DefaultPolicy(), origin, true
	}
	return config.Policy{}, origin, false
}

// shareKey names who a request is for the connection share: the name its
// reads count under when it is allowed, else its Origin as sent (bounded).
func (s *Server) shareKey(r *http.Request) string {
	if _, key, ok := s.originPolicy(r); ok {
		return key
	}
	if raw := r.Header.Get("Origin"); raw != "" {
		return "refused:" + truncate(raw, 100)
	}
	return ""
}

// ownOrigin: the pages the agent serves itself (demo, simulate).
func (s *Server) ownOrigin(origin string) bool {
	if s.o.Demo == nil && s.o.Simulator == nil {
		return false
	}
	for _, prefix := range []string{"http://127.0.0.1:", "http://localhost:", "http://[::1]:"} {
		if len(origin) > len(prefix) && origin[:len(prefix)] == prefix {
			port, err := strconv.Atoi(origin[len(prefix):])
			return err == nil && s.portAllowed(port)
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e *protocol.Error) {
	writeJSON(w, status, protocol.ErrorBody{Error: e})
}

var errOriginNotAllowed = protocol.Errorf(protocol.OriginNotAllowed, "this origin is not allowed to use the agent: add it to \"origins\" in the agent's configuration")

// serveHealth answers GET /v1/health, with CORS for allowed origins and the
// Private Network Access preflight.
func (s *Server) serveHealth() http.Handler {
	return s.crossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.health())
	}))
}

var errMethodNotAllowed = protocol.Errorf(protocol.BadRequest, "method not allowed")

func (s *Server) health() protocol.Health {
	pcsc := "ok"
	if !s.hub.ServiceAvailable() {
		pcsc = "unavailable"
	}
	// Anyone on the machine may ask: the readers without their cards'
	// ATR, which tells the kind of document (config.PartATR).
	readers := s.hub.Readers()
	for i := range readers {
		readers[i].ATR = ""
	}
	return protocol.Health{
		Agent: "idagent", Version: s.o.Version, Protocol: []int{protocol.Version},
		Simulate: s.o.Simulator != nil, PCSC: pcsc, Readers: readers, Trust: s.o.Trust(),
	}
}

// serveWS upgrades allowed clients to the WebSocket API.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	policy, origin, ok := s.originPolicy(r)
	if !ok {
		s.refusals.note(s.log, r, s.refusalReason(r))
		writeError(w, http.StatusForbidden, errOriginNotAllowed)
		return
	}
	c := newConn(s, origin, policy)
	if !s.track(c) {
		writeError(w, http.StatusServiceUnavailable, protocol.Errorf(protocol.Busy, "the agent is stopping"))
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.untrack(c)
		return
	}
	if tcp, ok := underlyingTCP(ws.UnderlyingConn()); ok {
		// Bound what the kernel buffers for a client that stops reading,
		// so that it blocks the writer (and is dropped) after kilobytes,
		// not megabytes.
		_ = tcp.SetWriteBuffer(sendBuffer)
	}
	if !c.attach(ws) {
		s.untrack(c)
		return
	}
	go c.run()
}

// underlyingTCP is the TCP connection under a (limited) connection.
func underlyingTCP(c net.Conn) (*net.TCPConn, bool) {
	if lc, ok := c.(*limitedConn); ok {
		c = lc.Conn
	}
	tcp, ok := c.(*net.TCPConn)
	return tcp, ok
}

// sendBuffer is the kernel send buffer of a WebSocket: a few photos.
const sendBuffer = 128 << 10

// originForLog shortens a refused Origin header for the log.
func originForLog(r *http.Request) string {
	o := r.Header.Get("Origin")
	if len(o) > 100 {
		o = o[:100]
	}
	return o
}
