package api

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/internal/ratelimit"
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

	bucket ratelimit.Bucket // used only by the reading goroutine
	heard  atomic.Int64     // clock time (UnixNano) of the client's last frame or pong
	// responded, when set by a handler, is closed once the request's
	// response is queued; only the reading goroutine touches it.
	responded chan struct{}
}

func newConn(s *Server, origin string, policy config.Policy) *conn {
	return &conn{
		s: s, origin: origin, policy: policy,
		send:   make(chan []byte, s.limits.SendQueue),
		done:   make(chan struct{}),
		bucket: ratelimit.New(s.limits.RatePerSecond, s.limits.Burst, s.clock.Now()),
	}
}

// attach gives the connection its upgraded socket; false (and the socket
// closed) when the server closed the connection meanwhile (shutdown).
func (c *conn) attach(ws *websocket.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		_ = ws.Close()
		return false
	}
	c.ws = ws
	c.log = c.s.log.With(zap.String("origin", c.origin), zap.String("remote", ws.RemoteAddr().String()))
	return true
}

// run serves the connection until it closes. The server has counted it
// (track) before run starts.
func (c *conn) run() {
	defer c.s.untrack(c)
	c.log.Info("client connected", zap.Int("connections", c.s.Connections()))
	c.hear()
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		c.writeLoop()
	}()
	c.s.hub.Subscribe(c)
	c.readLoop()
	c.s.hub.Unsubscribe(c)
	c.close()
	<-writer
	c.log.Info("client disconnected")
}

// close ends the connection; safe to call from any goroutine, repeatedly.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *conn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	close(c.done)
	if c.ws != nil {
		_ = c.ws.Close()
	}
}

// goingAway tells the client the agent is stopping (close status 1001)
// and closes the connection.
func (c *conn) goingAway() {
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "the agent is stopping")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
	c.close()
}

// hear records that the client showed it is alive.
func (c *conn) hear() { c.heard.Store(c.s.clock.Now().UnixNano()) }

// silentFor is how long the client has shown no sign of life.
func (c *conn) silentFor() time.Duration {
	return c.s.clock.Now().Sub(time.Unix(0, c.heard.Load()))
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
		c.closeLocked()
		return false
	}
}

// Event implements session.Sink.
func (c *conn) Event(name string, data any) bool {
	if ev, ok := data.(protocol.CardEvent); ok && !c.policy.AllowsPart(config.PartATR) {
		ev.ATR = "" // see readers
		data = ev
	}
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

// readLoop reads requests until the connection fails. Every frame and
// every pong counts as a sign of life; the writer closes a connection
// that has shown none for PongWait (keepalive on the server's clock, not
// on socket deadlines, so that tests move it by hand).
func (c *conn) readLoop() {
	c.ws.SetReadLimit(c.s.limits.MaxMessage)
	c.ws.SetPongHandler(func(string) error {
		c.hear()
		return nil
	})
	for {
		kind, msg, err := c.ws.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				c.log.Debug("read from client failed", zap.Error(err))
			}
			return
		}
		c.hear()
		if kind != websocket.TextMessage {
			c.respond(nil, "", nil, protocol.Errorf(protocol.BadRequest, "binary frames are not part of the protocol: send JSON text"))
			continue
		}
		c.handle(msg)
	}
}

// writeLoop is the connection's only writer: queued frames, and a ping
// every PingInterval unless the client has been silent for PongWait, which
// closes it.
func (c *conn) writeLoop() {
	l := c.s.limits
	ping := c.s.clock.After(l.PingInterval)
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
		case <-ping:
			if silent := c.silentFor(); silent > l.PongWait {
				c.log.Info("client answers no ping: closing it", zap.Duration("silent", silent))
				return
			}
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(l.WriteWait)); err != nil {
				return
			}
			ping = c.s.clock.After(l.PingInterval)
		}
	}
}
