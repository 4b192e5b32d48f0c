package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/internal/ratelimit"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// testConn is a connection without a socket: frames go to its queue.
func testConn(t testing.TB) *conn {
	cfg := config.Default()
	hub := session.New(session.Options{
		Manager: virtual.New("R0"),
		Reader: session.ReaderFunc(func(ctx context.Context, _ nfc.Conn, _ session.Request, _ session.Observer) (*session.Result, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}),
		ReadTimeout: 50 * time.Millisecond,
	})
	s := New(Options{Config: cfg, Hub: hub, Version: "fuzz"})
	c := &conn{s: s, policy: config.DefaultPolicy(), log: s.log, send: make(chan []byte, 4096), done: make(chan struct{}),
		bucket: ratelimit.New(1e9, 1e9, time.Now())}
	return c
}

// FuzzHandleFrame feeds arbitrary frames to the request handler: it never
// panics and answers every frame with exactly one well-formed response.
func FuzzHandleFrame(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"type":"request","name":"hello","id":1,"data":{"versions":[1]}}`,
		`{"v":1,"type":"request","name":"readers.list","id":"a"}`,
		`{"v":1,"type":"request","name":"read.start","id":2,"data":{"access":{"can":"123456"},"fields":["idNumber"],"photo":true,"challenge":"q83vEjRWeJA=","timeoutMs":10}}`,
		`{"v":1,"type":"request","name":"read.start","id":3,"data":{"access":{"mrz":"x"}}}`,
		`{"v":1,"type":"request","name":"read.cancel","id":4,"data":{"readId":"rd_x"}}`,
		`{"v":1,"type":"request","name":"sim.insert","id":5,"data":{"profile":"cccd"}}`,
		`{"v":1,"type":"request","name":"read.start","id":6,"data":{"access":{"documentNumber":"A","dateOfBirth":"9","dateOfExpiry":""}}}`,
		`{"v":1,"id":[],"data":null}`, `[]`, `null`, `{"v":"1"}`, `{`, "\x00", `{"v":1,"type":"request","name":"hello","id":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	c := testConn(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		for len(c.send) > 0 {
			<-c.send
		}
		c.handle(frame)
		var responses int
		for len(c.send) > 0 {
			out := <-c.send
			var m map[string]json.RawMessage
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("agent sent invalid JSON %q", out)
			}
			if string(m["type"]) == `"response"` {
				responses++
				if _, ok := m["id"]; !ok {
					t.Fatalf("response without id: %s", out)
				}
				if _, hasErr := m["error"]; !hasErr {
					if _, hasData := m["data"]; !hasData {
						t.Fatalf("response with neither data nor error: %s", out)
					}
				}
			}
		}
		if responses != 1 {
			t.Fatalf("%d responses to %q", responses, frame)
		}
	})
}
