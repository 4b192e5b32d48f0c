package agent_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
)

// Issue 17, finding 2: with two readers and no card, ten connections of
// one origin queued 1,383 read.start without naming a reader; when a card
// came, they made 1,284 wrong-key attempts on it before the desk's own
// read got it, 12.3 s late. Now the origin gets two reads (every other is
// BUSY); the card is read by one read at a time, in arrival order; after
// two wrong keys each try waits its turn on the throttle, the desk's too.
// Everything runs on a fake clock: the test counts, it does not time.
func TestReadFloodLeavesTheDeskOnTime(t *testing.T) {
	s := newSetup()
	clk := s.fakeClock()
	h := start(t, s)
	var flood []*agenttest.Client
	for i := 0; i < 10; i++ {
		flood = append(flood, h.dial(hotelOrigin))
	}
	wrongKey := map[string]any{"access": map[string]any{"can": "000000"}}
	// 1,383 read.start, paced under the request rate limit (the clock
	// moves two seconds after each round of 35 per connection).
	var accepted []string
	busy, sent := 0, 0
	for sent < 1383 {
		var ids [][2]any
		for i, c := range flood {
			for n := 0; n < 35 && sent < 1383; n++ {
				id, err := c.Send("read.start", wrongKey)
				if err != nil {
					t.Fatal(err)
				}
				ids, sent = append(ids, [2]any{i, id}), sent+1
			}
		}
		for _, p := range ids {
			r := must(t)(flood[p[0].(int)].Response(p[1].(string), wait))
			switch {
			case r.Error == nil:
				var d protocol.ReadStarted
				r.Decode(&d)
				accepted = append(accepted, d.ReadID)
			case r.Code() == "BUSY" && strings.Contains(r.Error.Message, "read"):
				busy++
			default:
				t.Fatalf("read.start: %s", r.Raw)
			}
		}
		clk.Advance(2 * time.Second)
	}
	if len(accepted) != 2 || busy != 1381 {
		t.Fatalf("%d reads accepted, %d BUSY: want 2 (maxReadsPerOrigin) and 1381", len(accepted), busy)
	}
	// The desk starts its read after the flood, then the card comes.
	desk := h.dial(deskOrigin)
	deskRead := startRead(t, desk, map[string]any{"access": map[string]any{"can": "123456"}})
	h.insert(reader0)
	// The two flood reads take the card in turn and fail; the desk's is
	// next, throttled for a second.
	for _, c := range flood {
		for _, id := range accepted {
			if f, err := c.Final(id, 10*time.Millisecond); err == nil && failedCode(t, f) != "ACCESS_DENIED" {
				t.Fatalf("flood read: %s", f.Raw)
			}
		}
	}
	f := must(t)(desk.ReadEvent("read.progress", deskRead, wait))
	for !strings.Contains(string(f.Data), `"throttled"`) {
		n := len(desk.Frames())
		f = must(t)(desk.WaitAfter(n-1, wait, func(f *agenttest.Frame) bool {
			return f.Name == "read.progress" && strings.Contains(string(f.Data), `"throttled"`)
		}))
	}
	if !strings.Contains(string(f.Data), `"retryAfterMs":1000`) {
		t.Fatalf("throttled progress: %s", f.Raw)
	}
	if keys := h.reader.triedKeys(); !slices.Equal(keys, []string{"000000", "000000"}) {
		t.Fatalf("keys tried before the desk's: %v", keys)
	}
	// The flood starts again, behind the desk.
	for _, c := range flood[:2] {
		startRead(t, c, wrongKey)
	}
	if !clk.WaitForWaiters(1, wait) {
		t.Fatal("the desk's read is not waiting for the throttle")
	}
	clk.Advance(time.Second)
	if f := must(t)(desk.Final(deskRead, wait)); f.Name != "read.result" {
		t.Fatalf("the desk's read: %s", f.Raw)
	}
	// The next flood read waits for its own turn: the card has seen two
	// wrong keys and the desk's, nothing more, until the clock moves.
	if !clk.WaitForWaiters(1, wait) {
		t.Fatal("the next flood read is not throttled")
	}
	if keys := h.reader.triedKeys(); !slices.Equal(keys, []string{"000000", "000000", "123456"}) {
		t.Fatalf("keys tried: %v", keys)
	}
	t.Logf("1383 read.start: %d accepted, %d BUSY; the card saw %d keys", len(accepted), busy, len(h.reader.triedKeys()))
}

// A connection has at most one read waiting or running; a new card resets
// the throttle; a read that waits for any reader takes cards in turn with
// the others, never at once.
func TestOneReadPerConnectionAndThrottleReset(t *testing.T) {
	s := newSetup()
	s.fakeClock() // the throttle waits until a new card comes, never for real time
	h := start(t, s)
	c := h.dial(deskOrigin)
	startRead(t, c, map[string]any{"access": map[string]any{"can": "000000"}})
	if r := must(t)(c.Request("read.start", map[string]any{"access": map[string]any{"can": "123456"}})); r.Code() != "BUSY" {
		t.Fatalf("a second read on one connection: %s", r.Raw)
	}
	// Three wrong keys on one card: the third waits.
	h.insert(reader0)
	for i := 0; i < 3; i++ {
		if i > 0 {
			startRead(t, c, map[string]any{"access": map[string]any{"can": "000000"}})
		}
		id := lastReadID(t, c)
		if i == 2 {
			if _, err := c.WaitFor(wait, func(f *agenttest.Frame) bool {
				return f.Name == "read.progress" && strings.Contains(string(f.Data), id) && strings.Contains(string(f.Data), "throttled")
			}); err != nil {
				for _, f := range c.Frames() {
					t.Logf("%s", f.Raw)
				}
				t.Fatal(err)
			}
			if n := len(h.reader.triedKeys()); n != 2 {
				t.Fatalf("%d keys tried before the throttle's turn", n)
			}
			// A new card starts afresh: the waiting read tries at once.
			h.remove(reader0)
			h.insert(reader0)
		}
		if code := failedCode(t, must(t)(c.Final(id, wait))); code != "ACCESS_DENIED" {
			t.Fatalf("read %d: %s", i, code)
		}
	}
	if n := len(h.reader.triedKeys()); n != 3 {
		t.Fatalf("%d keys tried", n)
	}
}

// lastReadID is the readId of the last read.start response on c.
func lastReadID(t *testing.T, c *agenttest.Client) string {
	t.Helper()
	frames := c.Frames()
	for i := len(frames) - 1; i >= 0; i-- {
		if f := frames[i]; f.Type == "response" && f.Name == "read.start" && f.Error == nil {
			var d protocol.ReadStarted
			if f.Decode(&d) == nil {
				return d.ReadID
			}
		}
	}
	t.Fatal("no read started")
	return ""
}
