// Package agenttest is a WebSocket client of the agent's API for tests: it
// sends requests, waits for their responses and collects events, so tests
// drive the real agent over a real socket.
package agenttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Frame is any frame from the agent, decoded loosely.
type Frame struct {
	V     int             `json:"v"`
	Type  string          `json:"type"`
	Name  string          `json:"name"`
	ID    json.RawMessage `json:"id"`
	Seq   uint64          `json:"seq"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Retryable bool   `json:"retryable"`
	} `json:"error"`
	Raw  []byte    `json:"-"`
	When time.Time `json:"-"`
}

// Decode decodes the frame's data into v.
func (f *Frame) Decode(v any) error { return json.Unmarshal(f.Data, v) }

// Code is the error code of a response, "" on success.
func (f *Frame) Code() string {
	if f == nil || f.Error == nil {
		return ""
	}
	return f.Error.Code
}

// Client is a connection to the agent.
type Client struct {
	WS     *websocket.Conn
	nextID int

	mu      sync.Mutex
	cond    *sync.Cond
	frames  []*Frame // every frame received, in order
	readErr error
}

// Dial connects to ws://addr/v1/ws with the given Origin ("" for none).
func Dial(addr, origin string) (*Client, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return DialHeader(addr, h)
}

// DialHeader connects to ws://addr/v1/ws with the given request headers
// (a native client's Authorization, say).
func DialHeader(addr string, h http.Header) (*Client, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial("ws://"+addr+"/v1/ws", h)
	if err != nil {
		return nil, resp, err
	}
	c := &Client{WS: ws}
	c.cond = sync.NewCond(&c.mu)
	go c.readLoop()
	return c, resp, nil
}

func (c *Client) readLoop() {
	for {
		_, msg, err := c.WS.ReadMessage()
		c.mu.Lock()
		if err != nil {
			c.readErr = err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		f := &Frame{Raw: msg, When: time.Now()}
		if jerr := json.Unmarshal(msg, f); jerr != nil {
			f.Type = "invalid"
		}
		c.frames = append(c.frames, f)
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// Close closes the connection.
func (c *Client) Close() error { return c.WS.Close() }

// SendRaw sends a text frame as is.
func (c *Client) SendRaw(s string) error {
	return c.WS.WriteMessage(websocket.TextMessage, []byte(s))
}

// Send sends a request and returns its id.
func (c *Client) Send(name string, data any) (string, error) {
	c.nextID++
	id := "r" + strconv.Itoa(c.nextID)
	msg := map[string]any{"v": 1, "type": "request", "name": name, "id": id}
	if data != nil {
		msg["data"] = data
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return "", err
	}
	return id, c.SendRaw(string(b))
}

// Request sends a request and waits for its response.
func (c *Client) Request(name string, data any) (*Frame, error) {
	id, err := c.Send(name, data)
	if err != nil {
		return nil, err
	}
	return c.Response(id, 10*time.Second)
}

// Response waits for the response with id.
func (c *Client) Response(id string, timeout time.Duration) (*Frame, error) {
	want, _ := json.Marshal(id)
	return c.WaitFor(timeout, func(f *Frame) bool {
		return f.Type == "response" && string(f.ID) == string(want)
	})
}

// WaitFor waits until a frame satisfies match and returns the first one,
// searching every frame received so far.
func (c *Client) WaitFor(timeout time.Duration, match func(*Frame) bool) (*Frame, error) {
	return c.WaitAfter(0, timeout, match)
}

// WaitAfter is WaitFor among the frames received after the first n. match
// runs with the client locked: it must not call the client.
func (c *Client) WaitAfter(n int, timeout time.Duration, match func(*Frame) bool) (*Frame, error) {
	var found *Frame
	err := c.wait(timeout, func() bool {
		for _, f := range c.frames[min(n, len(c.frames)):] {
			if match(f) {
				found = f
				return true
			}
		}
		return false
	})
	return found, err
}

// wait waits, the client locked, until done (called with the client
// locked, after each frame received) reports true, the connection closes
// or timeout passes.
func (c *Client) wait(timeout time.Duration, done func() bool) error {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		switch {
		case done():
			return nil
		case c.readErr != nil:
			return fmt.Errorf("connection closed: %w", c.readErr)
		case time.Now().After(deadline):
			return fmt.Errorf("timed out after %v", timeout)
		}
		c.cond.Wait()
	}
}

// Event waits for an event with name whose data satisfies match (nil
// matches all).
func (c *Client) Event(name string, timeout time.Duration, match func(*Frame) bool) (*Frame, error) {
	f, err := c.WaitFor(timeout, func(f *Frame) bool {
		return f.Type == "event" && f.Name == name && (match == nil || match(f))
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for %s: %w", name, err)
	}
	return f, nil
}

// ReadEvent waits for the event name of the read readID.
func (c *Client) ReadEvent(name, readID string, timeout time.Duration) (*Frame, error) {
	return c.Event(name, timeout, func(f *Frame) bool {
		var d struct {
			ReadID string `json:"readId"`
		}
		return f.Decode(&d) == nil && d.ReadID == readID
	})
}

// Final waits for read.result or read.failed of readID.
func (c *Client) Final(readID string, timeout time.Duration) (*Frame, error) {
	return c.WaitFor(timeout, func(f *Frame) bool {
		if f.Type != "event" || (f.Name != "read.result" && f.Name != "read.failed") {
			return false
		}
		var d struct {
			ReadID string `json:"readId"`
		}
		return f.Decode(&d) == nil && d.ReadID == readID
	})
}

// WaitEvents waits until n events named name have been received.
func (c *Client) WaitEvents(name string, n int, timeout time.Duration) error {
	count, scanned := 0, 0
	err := c.wait(timeout, func() bool {
		for ; scanned < len(c.frames); scanned++ {
			if f := c.frames[scanned]; f.Type == "event" && f.Name == name {
				count++
			}
		}
		return count >= n
	})
	if err != nil {
		return fmt.Errorf("waiting for %d %s (got %d): %w", n, name, count, err)
	}
	return nil
}

// Frames returns a copy of every frame received.
func (c *Client) Frames() []*Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Frame(nil), c.frames...)
}

// Closed reports the read error once the connection is closed.
func (c *Client) Closed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}
