package api

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
)

// conn is one WebSocket client. Its reading goroutine handles requests in
// order; its writing goroutine is the only writer; everything else queues
// frames without blocking, and a client whose queue is full is dropped.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	origin string
	policy config.Policy
	log    *zap.Logger

	mu     sync.Mutex // orders seq with the queue
	seq    uint64
	send   chan []byte
	done   chan struct{}
	closed bool

	bucket tokenBucket
	// responded, when set by a handler, is closed once the request's
	// response is queued; only the reading goroutine touches it.
	responded chan struct{}
}

func newConn(s *Server, ws *websocket.Conn, origin string, policy config.Policy) *conn {
	return &conn{
		s: s, ws: ws, origin: origin, policy: policy,
		log:    s.log.With(zap.String("origin", origin), zap.String("remote", ws.RemoteAddr().String())),
		send:   make(chan []byte, s.limits.SendQueue),
		done:   make(chan struct{}),
		bucket: tokenBucket{rate: s.limits.RatePerSecond, burst: float64(s.limits.Burst), tokens: float64(s.limits.Burst), last: time.Now()},
	}
}

// run serves the connection until it closes.
func (c *conn) run() {
	c.log.Info("client connected", zap.Int("connections", c.s.Connections()))
	go c.writeLoop()
	c.s.hub.Subscribe(c)
	c.readLoop()
	c.s.hub.Unsubscribe(c)
	c.close()
	c.s.conns.Add(-1)
	c.log.Info("client disconnected")
}

// close ends the connection; safe to call from any goroutine, repeatedly.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	close(c.done)
	_ = c.ws.Close()
}

// enqueue queues a frame without blocking; a full queue drops the client.
func (c *conn) enqueue(frame []byte) bool {
	if c.closed {
		return false
	}
	select {
	case c.send <- frame:
		return true
	default:
		c.log.Warn("client too slow: dropping it", zap.Int("queue", cap(c.send)))
		c.closed = true
		close(c.done)
		_ = c.ws.Close()
		return false
	}
}

// Event implements session.Sink.
func (c *conn) Event(name string, data any) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	frame, err := json.Marshal(protocol.Outgoing{V: protocol.Version, Type: protocol.TypeEvent, Name: name, Seq: c.seq, Data: data})
	if err != nil {
		c.log.Error("cannot encode event", zap.String("event", name), zap.Error(err))
		return false
	}
	return c.enqueue(frame)
}

// respond queues the one response to a request.
func (c *conn) respond(id json.RawMessage, name string, data any, perr *protocol.Error) {
	if len(id) == 0 {
		id = protocol.NullID
	}
	out := protocol.Outgoing{V: protocol.Version, Type: protocol.TypeResponse, Name: name, ID: &id}
	if perr != nil {
		out.Error = perr
	} else {
		if data == nil {
			data = protocol.Empty{}
		}
		out.Data = data
	}
	frame, err := json.Marshal(out)
	if err != nil {
		c.log.Error("cannot encode response", zap.String("request", name), zap.Error(err))
		frame, _ = json.Marshal(protocol.Outgoing{V: protocol.Version, Type: protocol.TypeResponse, Name: name, ID: &id,
			Error: protocol.Errorf(protocol.Internal, "cannot encode the response")})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueue(frame)
}

func (c *conn) readLoop() {
	l := c.s.limits
	c.ws.SetReadLimit(l.MaxMessage)
	_ = c.ws.SetReadDeadline(time.Now().Add(l.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(l.PongWait))
	})
	for {
		kind, msg, err := c.ws.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				c.log.Debug("read from client failed", zap.Error(err))
			}
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(l.PongWait))
		if kind != websocket.TextMessage {
			c.respond(nil, "", nil, protocol.Errorf(protocol.BadRequest, "binary frames are not part of the protocol: send JSON text"))
			continue
		}
		c.handle(msg)
	}
}

func (c *conn) writeLoop() {
	l := c.s.limits
	ping := time.NewTicker(l.PingInterval)
	defer ping.Stop()
	defer c.close()
	for {
		select {
		case <-c.done:
			return
		case frame := <-c.send:
			_ = c.ws.SetWriteDeadline(time.Now().Add(l.WriteWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(l.WriteWait)); err != nil {
				return
			}
		}
	}
}

// tokenBucket limits requests per connection; used only by the reading
// goroutine.
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
