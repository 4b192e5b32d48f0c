package agent_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/api"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/token"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

// get sends a GET with the given Host and Origin headers.
func (h *harness) get(method, path, host, origin string, extra map[string]string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(method, "http://"+h.addr+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	var body protocol.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("no JSON error body (%d)", resp.StatusCode)
	}
	return string(body.Error.Code)
}

func TestHostAllowlist(t *testing.T) {
	h := start(t, nil)
	port := h.port()
	for _, host := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("localhost:%d", port), fmt.Sprintf("[::1]:%d", port)} {
		if resp := h.get("GET", "/v1/health", host, "", nil); resp.StatusCode != 200 {
			t.Errorf("Host %s refused: %d", host, resp.StatusCode)
		}
	}
	// DNS rebinding: the attacker's name resolves to 127.0.0.1, so its
	// page's Origin and Host agree; the Host allowlist stops it.
	for _, host := range []string{"evil.example:" + fmt.Sprint(port), "127.0.0.1:1", "127.0.0.1", "localhost.evil.example:" + fmt.Sprint(port)} {
		for _, path := range []string{"/v1/health", "/v1/ws", "/demo/"} {
			resp := h.get("GET", path, host, "http://"+host, nil)
			if resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("Host %q %s: %d", host, path, resp.StatusCode)
			}
		}
	}
	// A WebSocket with a rebinding Host never upgrades.
	d := websocket.Dialer{NetDial: func(_, _ string) (net.Conn, error) { return net.Dial("tcp", h.addr) }}
	hdr := http.Header{"Origin": {"http://evil.example:" + fmt.Sprint(port)}}
	if _, resp, err := d.Dial(fmt.Sprintf("ws://evil.example:%d/v1/ws", port), hdr); err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("rebinding upgrade: %v %v", err, resp)
	}
}

func TestOriginAllowlist(t *testing.T) {
	h := start(t, nil)
	for _, origin := range []string{"https://evil.example", "https://desk.example.evil.example", "http://desk.example", "https://desk.example:8443", "null", "file://", ""} {
		c, resp, err := agenttest.Dial(h.addr, origin)
		if err == nil {
			c.Close()
			t.Errorf("origin %q connected", origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden || errorCode(t, resp) != "ORIGIN_NOT_ALLOWED" {
			t.Errorf("origin %q: %v", origin, err)
		}
	}
	// Exact match after normalisation (default port, case).
	for _, origin := range []string{"https://desk.example", "https://DESK.example:443"} {
		c, _, err := agenttest.Dial(h.addr, origin)
		if err != nil {
			t.Errorf("origin %q refused: %v", origin, err)
			continue
		}
		c.Close()
	}
	// The agent's own origin only when it serves pages.
	if _, _, err := agenttest.Dial(h.addr, fmt.Sprintf("http://127.0.0.1:%d", h.port())); err == nil {
		t.Error("own origin allowed without demo pages")
	}
}

// Native clients are explicit (issue 17, findings 1 and 5): "null", which
// any web site can send from a sandboxed frame or a data: page, is refused
// even with allowNativeClients; a request without Origin is a native
// client only with a token the administrator issued (each with its own
// policy) or with allowNativeClients; a token is refused with an Origin,
// and once revoked.
func TestNativeClients(t *testing.T) {
	s := newSetup()
	s.cfg.TokensFile = filepath.Join(t.TempDir(), "tokens.json")
	bridge, err := token.Create(s.cfg.TokensFile, "his-bridge", config.Policy{Fields: []string{"idNumber", "fullName"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, s)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	for name, hdr := range map[string]http.Header{
		"no Origin, no token":      {},
		"Origin null":              {"Origin": {"null"}},
		"Origin null with a token": {"Origin": {"null"}, "Authorization": {"Bearer " + bridge}},
		"a token with an Origin":   {"Origin": {deskOrigin}, "Authorization": {"Bearer " + bridge}},
		"a wrong token":            bearer(bridge[:len(bridge)-2] + "xx"),
		"not a token":              bearer("secret"),
	} {
		if c, resp, err := agenttest.DialHeader(h.addr, hdr); err == nil {
			c.Close()
			t.Errorf("%s: connected", name)
		} else if resp == nil || resp.StatusCode != http.StatusForbidden || errorCode(t, resp) != "ORIGIN_NOT_ALLOWED" {
			t.Errorf("%s: %v", name, err)
		}
	}
	c, _, err := agenttest.DialHeader(h.addr, bearer(bridge))
	if err != nil {
		t.Fatalf("the issued token refused: %v", err)
	}
	r := must(t)(c.Request("hello", nil))
	var hello protocol.HelloResponse
	if r.Decode(&hello) != nil || !slices.Equal(hello.Policy.Fields, []string{"idNumber", "fullName"}) || hello.Policy.Photo {
		t.Fatalf("the token's policy: %s", r.Raw)
	}
	h.insert(reader0)
	id := startRead(t, c, map[string]any{"reader": reader0})
	var res protocol.Result
	if f := must(t)(c.Final(id, wait)); f.Decode(&res) != nil || len(res.Fields) != 2 || res.Fields["dateOfBirth"] != nil {
		t.Fatalf("the token's read: %s", f.Raw)
	}
	c.Close()
	if err := token.Revoke(s.cfg.TokensFile, "his-bridge"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := agenttest.DialHeader(h.addr, bearer(bridge)); err == nil {
		t.Fatal("a revoked token connected")
	}
	if !h.logs.Contains("revoked") || h.logs.Contains(bridge[len(token.Prefix):]) {
		t.Errorf("the refusal log: %s", h.logs.String())
	}
}

// allowNativeClients lets every request without Origin in with the
// nativeClients policy, still never "null".
func TestAllowNativeClients(t *testing.T) {
	s := newSetup()
	s.cfg.AllowNativeClients = true
	h := start(t, s)
	c, _, err := agenttest.Dial(h.addr, "")
	if err != nil {
		t.Fatalf("native client refused: %v", err)
	}
	if r := must(t)(c.Request("hello", nil)); r.Error != nil {
		t.Fatal(r.Raw)
	}
	c.Close()
	for _, origin := range []string{"null", "https://evil.example"} {
		if _, _, err := agenttest.Dial(h.addr, origin); err == nil {
			t.Fatalf("allowNativeClients let %q in", origin)
		}
	}
}

func TestHealthCORSAndHeaders(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	resp := h.get("GET", "/v1/health", "", deskOrigin, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != deskOrigin || resp.Header.Get("Vary") != "Origin" {
		t.Fatalf("health for an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	var health protocol.Health
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || health.Agent != "idagent" || health.PCSC != "ok" ||
		len(health.Readers) != 2 || !health.Readers[0].CardPresent || health.Trust.State != "empty" || health.Protocol[0] != 1 {
		t.Fatalf("health: %+v %v", health, err)
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q", k, got)
		}
	}
	// Refused origin: 403 with only the error, readable by the page.
	resp = h.get("GET", "/v1/health", "", "https://evil.example", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "https://evil.example" ||
		!strings.Contains(string(body), "ORIGIN_NOT_ALLOWED") || strings.Contains(string(body), "readers") {
		t.Fatalf("health for a refused origin: %d %s", resp.StatusCode, body)
	}
	// The Local Network Access / Private Network Access preflight.
	resp = h.get("OPTIONS", "/v1/health", "", deskOrigin, map[string]string{
		"Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Private-Network") != "true" ||
		resp.Header.Get("Access-Control-Allow-Origin") != deskOrigin {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := h.get("OPTIONS", "/v1/health", "", "https://evil.example", map[string]string{"Access-Control-Request-Private-Network": "true"}); resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Private-Network") != "" {
		t.Fatalf("preflight of a refused origin: %d", resp.StatusCode)
	}
	if resp := h.get("POST", "/v1/health", "", deskOrigin, nil); resp.StatusCode != 405 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	if resp := h.get("GET", "/nope", "", "", nil); resp.StatusCode != 404 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
}

func TestOversizedFrame(t *testing.T) {
	h := start(t, nil)
	bystander := h.dial(deskOrigin)
	c := h.dial(deskOrigin)
	big := `{"v":1,"type":"request","name":"hello","id":1,"data":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`
	c.SendRaw(big)
	deadline := time.Now().Add(wait)
	for c.Closed() == nil {
		if time.Now().After(deadline) {
			t.Fatal("oversized frame did not close the connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ce, ok := c.Closed().(*websocket.CloseError); !ok || ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("closed with %v, want close code %d (message too big)", c.Closed(), websocket.CloseMessageTooBig)
	}
	if r := must(t)(bystander.Request("hello", nil)); r.Error != nil {
		t.Fatal("bystander affected")
	}
	// 60 KiB is within the limit.
	ok := h.dial(deskOrigin)
	if r := must(t)(ok.Request("hello", map[string]any{"pad": strings.Repeat("y", 60<<10)})); r.Error != nil {
		t.Fatal(r.Raw)
	}
}

// On the server's clock, standing still: exactly the burst passes, the
// rest is BUSY, and a second later the rate has refilled.
func TestRateLimit(t *testing.T) {
	s := newSetup()
	clk := s.fakeClock()
	h := start(t, s)
	c := h.dial(deskOrigin)
	var ids []string
	for i := 0; i < 100; i++ {
		id, err := c.Send("readers.list", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	busy := 0
	for _, id := range ids {
		r := must(t)(c.Response(id, wait))
		if r.Code() == "BUSY" {
			busy++
		}
	}
	if busy != 100-40 {
		t.Fatalf("%d of 100 requests answered BUSY, want 60 (burst 40)", busy)
	}
	if r := must(t)(c.Request("hello", nil)); r.Code() != "BUSY" {
		t.Fatalf("the bucket refilled without time passing: %s", r.Raw)
	}
	clk.Advance(time.Second)
	if r := must(t)(c.Request("hello", nil)); r.Error != nil {
		t.Fatalf("rate limit does not recover: %s", r.Raw)
	}
}

// A thousand WebSocket upgrades of one origin: its share (16 by default)
// connect, every other is answered 503; a connection of another origin is
// not disturbed, and events still flow to it.
func TestThousandConnections(t *testing.T) {
	h := start(t, nil)
	share := config.Default().MaxConnectionsPerOrigin
	bystander := h.dial(hotelOrigin)
	var mu sync.Mutex
	refused, open := 0, []*agenttest.Client{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, resp, err := agenttest.Dial(h.addr, deskOrigin)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
					refused++
				}
				return
			}
			open = append(open, c)
		}()
	}
	wg.Wait()
	t.Logf("1000 dials: %d open, %d refused with 503", len(open), refused)
	if len(open) != share || refused != 1000-share {
		t.Fatalf("%d open, %d refused: want %d and %d", len(open), refused, share, 1000-share)
	}
	// The bystander still works, events still flow.
	h.insert(reader0)
	must(t)(bystander.Event("card.inserted", wait, nil))
	if r := must(t)(bystander.Request("readers.list", nil)); r.Error != nil {
		t.Fatal(r.Raw)
	}
	for _, c := range open {
		c.Close()
	}
	waitConnections(t, h, 1)
	// Slots are free again.
	h.dial(deskOrigin)
}

// A client that never reads is dropped, and the others get every event,
// in order. The flood is paced by the good client (each cycle waits for
// its card.removed), so the good client is never more than one cycle
// behind whatever the machine's load; the stalled client's queue (256
// frames) overflows after a few hundred cycles.
func TestClientThatNeverReads(t *testing.T) {
	s := newSetup()
	s.opts.Limits = api.Limits{WriteWait: 500 * time.Millisecond}
	h := start(t, s)
	// Long reader names make big events, so the stalled client's buffers
	// fill after a moderate number of them.
	reader := "Flood Reader " + strings.Repeat("x", 300)
	if err := h.mgr.AddReader(reader, virtualConfig()); err != nil {
		t.Fatal(err)
	}
	// A WebSocket that never reads, with a tiny receive window set before
	// connecting, so the agent's writes to it soon block.
	d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: smallReceiveBuffer}
		return nd.Dial(network, addr)
	}}
	stalled, _, err := d.Dial("ws://"+h.addr+"/v1/ws", http.Header{"Origin": {deskOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	good := h.dial(deskOrigin)
	must(t)(good.Request("hello", nil))
	const cycles = 1500
	for i := 1; i <= cycles; i++ {
		if err := h.mgr.Insert(reader, testcard.New()); err != nil {
			t.Fatal(err)
		}
		if err := h.mgr.Remove(reader); err != nil {
			t.Fatal(err)
		}
		if err := good.WaitEvents("card.removed", i, wait); err != nil {
			t.Fatalf("cycle %d: good client: %v", i, err)
		}
	}
	// The good client received every event, in order, without a gap.
	var last uint64
	inserted, removed := 0, 0
	for _, f := range good.Frames() {
		if f.Type != "event" {
			continue
		}
		if f.Seq != last+1 {
			t.Fatalf("event seq %d after %d", f.Seq, last)
		}
		last = f.Seq
		switch f.Name {
		case "card.inserted":
			inserted++
		case "card.removed":
			removed++
		}
	}
	if inserted != cycles || removed != cycles {
		t.Fatalf("good client got %d card.inserted and %d card.removed of %d", inserted, removed, cycles)
	}
	// The stalled one was dropped.
	waitConnections(t, h, 1)
}

// waitConnections waits until the server holds n WebSockets.
func waitConnections(t *testing.T, h *harness, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for h.agent.Server.Connections() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d WebSocket connections, want %d", h.agent.Server.Connections(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Keepalive runs on the server's clock, moved here by hand: a client that
// answers pings stays however long it sends nothing else; a peer that
// answers none is closed once it has been silent for the pong wait.
func TestKeepalive(t *testing.T) {
	s := newSetup()
	clk := s.fakeClock()
	s.opts.Limits = api.Limits{PingInterval: 20 * time.Second, PongWait: 45 * time.Second}
	h := start(t, s)

	pinged := make(chan string, 16)
	synced := make(chan string, 16)
	c, _, err := websocket.DefaultDialer.Dial("ws://"+h.addr+"/v1/ws", http.Header{"Origin": {deskOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetPingHandler(func(data string) error {
		err := c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		pinged <- data
		return err
	})
	c.SetPongHandler(func(data string) error { synced <- data; return nil })
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				close(pinged)
				return
			}
		}
	}()
	// A silent peer: the upgrade, then nothing, not even pongs.
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	fmt.Fprintf(raw, "GET /v1/ws HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", h.addr, deskOrigin)
	rawClosed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, raw)
		rawClosed <- err
	}()
	waitConnections(t, h, 2)

	// Five ping periods (100 s, more than twice the pong wait): each time
	// both connections' writers are waiting for their next ping; the
	// answering client pongs, and a ping of its own, answered after the
	// agent has read that pong, tells the test the agent has seen it.
	for i := 1; i <= 5; i++ {
		timers := 2
		if i > 3 {
			timers = 1 // the silent peer is gone
		}
		if !clk.WaitForWaiters(timers, wait) {
			t.Fatalf("period %d: the connections' ping timers are not set", i)
		}
		clk.Advance(20 * time.Second)
		if _, ok := <-pinged; !ok {
			t.Fatalf("period %d: the answering client was closed", i)
		}
		tag := fmt.Sprint("sync-", i)
		if err := c.WriteControl(websocket.PingMessage, []byte(tag), time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := <-synced; got != tag {
			t.Fatalf("pong %q, want %q", got, tag)
		}
		if i == 3 {
			// 60 s of silence: the silent peer is closed at this ping.
			select {
			case <-rawClosed:
			case <-time.After(wait):
				t.Fatal("silent peer not closed after 60 s without a pong")
			}
			waitConnections(t, h, 1)
		}
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"request","name":"hello","id":1}`)); err != nil {
		t.Fatalf("the answering client was closed: %v", err)
	}
	if h.agent.Server.Connections() != 1 {
		t.Fatalf("%d connections", h.agent.Server.Connections())
	}
}

// Stopping the agent closes its WebSockets (net/http's Shutdown and Close
// leave hijacked connections open): the client gets close status 1001,
// and Run returns.
func TestShutdownClosesWebSockets(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	must(t)(c.Request("hello", nil))
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("agent: %v", err)
		}
		h.done <- nil // for the cleanup's stop
	case <-time.After(2 * wait):
		t.Fatal("the agent did not stop")
	}
	if _, err := c.WaitFor(wait, func(*agenttest.Frame) bool { return false }); err == nil || !strings.Contains(err.Error(), "connection closed") {
		t.Fatalf("client still open after the agent stopped: %v", err)
	}
	if ce, ok := c.Closed().(*websocket.CloseError); !ok || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("closed with %v, want close status 1001", c.Closed())
	}
	if n := h.agent.Server.Connections(); n != 0 {
		t.Fatalf("%d WebSockets still tracked", n)
	}
}

func TestDemoPagesOwnOrigin(t *testing.T) {
	s := newSetup()
	s.opts.Demo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<!doctype html>desk") })
	h := start(t, s)
	resp := h.get("GET", "/demo/index.html", "", "", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "<!doctype html>desk" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("demo page: %d %v", resp.StatusCode, resp.Header)
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		c, _, err := agenttest.Dial(h.addr, fmt.Sprintf("http://%s:%d", host, h.port()))
		if err != nil {
			t.Fatalf("own origin %s refused: %v", host, err)
		}
		r := must(t)(c.Request("hello", nil))
		var hello protocol.HelloResponse
		r.Decode(&hello)
		if len(hello.Policy.Fields) == 0 || contains(hello.Policy.Fields, "religion") {
			t.Fatalf("own origin outside simulate mode gets the default policy: %s", r.Raw)
		}
		c.Close()
	}
	if _, _, err := agenttest.Dial(h.addr, "http://127.0.0.1:1"); err == nil {
		t.Fatal("another local port passed as the agent's own origin")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestClientServedWithCORS: the JS client is served at /v1/client/ to pages
// of allowed origins (CORS), to requests without Origin (curl, npm), and to
// no other origin; each refused origin is logged once, with its value and
// why.
func TestClientServedWithCORS(t *testing.T) {
	s := newSetup()
	s.cfg.Origins["http://localhost:3000"] = config.DefaultPolicy()
	s.opts.Client = http.FileServer(http.FS(fstest.MapFS{"idagent.js": {Data: []byte("export const x = 1;\n")}}))
	h := start(t, s)
	resp := h.get("GET", "/v1/client/idagent.js", "", deskOrigin, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != deskOrigin || resp.Header.Get("Vary") != "Origin" ||
		!strings.Contains(resp.Header.Get("Content-Type"), "javascript") || string(body) != "export const x = 1;\n" {
		t.Fatalf("client for an allowed origin: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if resp := h.get("GET", "/v1/client/idagent.js", "", "", nil); resp.StatusCode != 200 {
		t.Fatalf("client without Origin: %d", resp.StatusCode)
	}
	resp = h.get("OPTIONS", "/v1/client/idagent.js", "", deskOrigin, map[string]string{"Access-Control-Request-Private-Network": "true"})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Fatalf("client preflight: %d %v", resp.StatusCode, resp.Header)
	}
	for i := 0; i < 3; i++ {
		resp = h.get("GET", "/v1/client/idagent.js", "", "https://evil.example", nil)
		if resp.StatusCode != 403 || errorCode(t, resp) != "ORIGIN_NOT_ALLOWED" {
			t.Fatalf("client for a refused origin: %d", resp.StatusCode)
		}
		h.get("GET", "/v1/health", "", "https://evil.example", nil)
		if _, _, err := agenttest.Dial(h.addr, "https://evil.example"); err == nil {
			t.Fatal("refused origin connected")
		}
	}
	h.get("GET", "/v1/health", "", "http://127.0.0.1:3000", nil)
	h.get("GET", "/v1/health", "", "null", nil)
	var refusals []string
	for _, l := range h.logs.Lines() {
		if strings.Contains(l, "origin refused") && strings.HasPrefix(l, "{") {
			refusals = append(refusals, l)
		}
	}
	if len(refusals) != 3 {
		t.Fatalf("want one refusal line per origin (3), got %d:\n%s", len(refusals), strings.Join(refusals, "\n"))
	}
	for i, want := range []string{`"origin":"https://evil.example"`, `localhost and 127.0.0.1 are different origins`, `always refused`} {
		if !strings.Contains(refusals[i], want) {
			t.Errorf("refusal %d lacks %q: %s", i, want, refusals[i])
		}
	}
}
