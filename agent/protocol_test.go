package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/nfc"
)

// Messages of docs/PROTOCOL.md and the tests that exercise them (checked by
// TestProtocolDocCovered):
//
//	hello              TestHelloAndReaders
//	readers.list       TestHelloAndReaders, TestServiceLostAndRestored
//	read.start         TestFullRead and every read test
//	read.cancel        TestCancel
//	sim.insert         TestSimulator
//	sim.remove         TestSimulator
//	reader.added       TestHelloAndReaders, TestReaderHotplug
//	reader.removed     TestReaderHotplug, TestServiceLostAndRestored
//	card.inserted      TestHelloAndReaders, TestCardEvents
//	card.removed       TestCardEvents
//	read.progress      TestFullRead, TestReadWaitsForCard
//	read.identity      TestFullRead
//	read.photo         TestFullRead
//	read.result        TestFullRead
//	read.failed        TestCardPulledMidRead, TestCancel, TestAccessDenied, ...
var covered = map[string]string{
	"hello": "TestHelloAndReaders", "readers.list": "TestHelloAndReaders", "read.start": "TestFullRead",
	"read.cancel": "TestCancel", "sim.insert": "TestSimulator", "sim.remove": "TestSimulator",
	"reader.added": "TestHelloAndReaders", "reader.removed": "TestReaderHotplug",
	"card.inserted": "TestCardEvents", "card.removed": "TestCardEvents", "read.progress": "TestFullRead",
	"read.identity": "TestFullRead", "read.photo": "TestFullRead", "read.result": "TestFullRead",
	"read.failed": "TestCardPulledMidRead",
}

func TestHelloAndReaders(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	// A new connection learns what is attached through events.
	must(t)(c.Event("reader.added", wait, nil))
	must(t)(c.Event("card.inserted", wait, func(f *agenttest.Frame) bool { return strings.Contains(string(f.Data), reader0) }))

	r := must(t)(c.Request("hello", map[string]any{"versions": []int{1, 2}, "client": "test/1", "future": true}))
	var hello protocol.HelloResponse
	if r.Error != nil || r.Decode(&hello) != nil || hello.Protocol != 1 || hello.Agent != "idagent" || hello.Version != "test" {
		t.Fatalf("hello: %s", r.Raw)
	}
	if len(hello.Readers) != 2 || !hello.Readers[0].CardPresent || hello.Readers[0].ATR == "" {
		t.Fatalf("hello readers: %s", r.Raw)
	}
	if slices.Contains(hello.Policy.Fields, "religion") || !slices.Contains(hello.Policy.Fields, "idNumber") || slices.Contains(hello.Capabilities, "sim") ||
		hello.Sim != nil || strings.Contains(string(r.Data), `"sim"`) {
		t.Fatalf("hello policy/capabilities: %s", r.Raw)
	}
	if r := must(t)(c.Request("hello", map[string]any{"versions": []int{7}})); r.Code() != "BAD_REQUEST" {
		t.Fatalf("hello without a common version: %s", r.Raw)
	}
	r = must(t)(c.Request("readers.list", nil))
	var list protocol.ReadersList
	if r.Decode(&list) != nil || len(list.Readers) != 2 || list.Readers[1].Name != reader1 || list.Readers[1].CardPresent {
		t.Fatalf("readers.list: %s", r.Raw)
	}
}

func TestCardEvents(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	must(t)(c.Request("hello", nil))
	h.insert(reader1)
	f := must(t)(c.Event("card.inserted", wait, nil))
	var ev protocol.CardEvent
	if f.Decode(&ev) != nil || ev.Reader != reader1 || ev.ATR != "3b80800101" {
		t.Fatalf("card.inserted: %s", f.Raw)
	}
	h.remove(reader1)
	f = must(t)(c.Event("card.removed", wait, nil))
	ev = protocol.CardEvent{}
	if f.Decode(&ev) != nil || ev.Reader != reader1 || ev.ATR != "" {
		t.Fatalf("card.removed: %s", f.Raw)
	}
	// seq counts events without gaps.
	var last uint64
	for _, f := range c.Frames() {
		if f.Type == "event" {
			if f.Seq != last+1 {
				t.Fatalf("event seq %d after %d", f.Seq, last)
			}
			last = f.Seq
		}
	}
}

func TestReaderHotplug(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	must(t)(c.Request("hello", nil))
	if err := h.mgr.RemoveReader(reader1); err != nil {
		t.Fatal(err)
	}
	f := must(t)(c.Event("reader.removed", wait, nil))
	if !strings.Contains(string(f.Data), reader1) {
		t.Fatalf("reader.removed: %s", f.Raw)
	}
	if err := h.mgr.AddReader("Plugged Reader 00 00", virtualConfig()); err != nil {
		t.Fatal(err)
	}
	must(t)(c.Event("reader.added", wait, func(f *agenttest.Frame) bool { return strings.Contains(string(f.Data), "Plugged Reader") }))
	h.insert("Plugged Reader 00 00")
	id := startRead(t, c, map[string]any{"reader": "Plugged Reader 00 00"})
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("read on the plugged reader: %s", f.Raw)
	}
}

func TestServiceLostAndRestored(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	must(t)(c.Event("reader.added", wait, nil))
	h.mgr.Inject(nfc.Event{Kind: nfc.ServiceLost, Err: nfc.ErrNoService})
	must(t)(c.Event("reader.removed", wait, nil))
	if r := must(t)(c.Request("readers.list", nil)); r.Code() != "PCSC_UNAVAILABLE" || !r.Error.Retryable {
		t.Fatalf("readers.list with the service down: %s", r.Raw)
	}
	if r := must(t)(c.Request("read.start", map[string]any{"access": map[string]any{"can": "123456"}})); r.Code() != "PCSC_UNAVAILABLE" {
		t.Fatalf("read.start with the service down: %s", r.Raw)
	}
	h.mgr.Inject(nfc.Event{Kind: nfc.ServiceRestored})
	h.mgr.Inject(nfc.Event{Kind: nfc.ReaderAdded, Reader: reader0})
	deadline := time.Now().Add(wait)
	for {
		r := must(t)(c.Request("readers.list", nil))
		if r.Error == nil && strings.Contains(string(r.Data), reader0) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readers not re-announced: %s", r.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFullRead(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	other := h.dial(deskOrigin)
	must(t)(other.Request("hello", nil))
	id := startRead(t, c, map[string]any{"reader": reader0, "photo": true, "fields": nil, "unknownKey": 1})

	final := must(t)(c.Final(id, wait))
	if final.Name != "read.result" {
		t.Fatalf("read ended with %s", final.Raw)
	}
	ident := must(t)(c.ReadEvent("read.identity", id, wait))
	photo := must(t)(c.ReadEvent("read.photo", id, wait))
	if !(ident.Seq < photo.Seq && photo.Seq < final.Seq) {
		t.Fatalf("order identity %d, photo %d, result %d", ident.Seq, photo.Seq, final.Seq)
	}
	var idEv protocol.Identity
	if err := json.Unmarshal(ident.Data, &idEv); err != nil {
		t.Fatal(err)
	}
	if idEv.Fields["idNumber"] != "079201012345" || idEv.Fields["fullName"] != "Nguyễn Văn Anh" || len(idEv.Checks) != 3 {
		t.Fatalf("identity: %s", ident.Raw)
	}
	for _, f := range []string{"religion", "ethnicity", "fatherName", "motherName"} {
		if _, ok := idEv.Fields[f]; ok || !slices.Contains(idEv.Withheld, f) {
			t.Errorf("default policy sent %s (withheld %v)", f, idEv.Withheld)
		}
	}
	var ph protocol.Photo
	if photo.Decode(&ph) != nil || ph.Mime != "image/jpeg" || ph.Base64 == "" {
		t.Fatalf("photo: %s", photo.Raw)
	}
	var res protocol.Result
	if err := final.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Verification.Overall != "PASS" || len(res.Verification.Checks) != 5 || res.Document.Type != "id-card" ||
		res.Fields["dateOfBirth"] != "1992-03-04" || res.Evidence != nil {
		t.Fatalf("result: %s", final.Raw)
	}
	if v, ok := res.Fields["dateOfExpiry"]; !ok || v != nil {
		t.Fatalf("dateOfExpiry should be null: %s", final.Raw)
	}
	// Progress never goes back and ends at 100.
	last := -1
	for _, f := range c.Frames() {
		if f.Name == "read.progress" {
			var p protocol.Progress
			f.Decode(&p)
			if p.Percent < last {
				t.Fatalf("progress went back: %s", f.Raw)
			}
			last = p.Percent
		}
	}
	if last != 100 {
		t.Fatalf("progress ended at %d", last)
	}
	// Identity only to the connection that asked. The session queues events
	// on a connection as it emits them, and a connection's events and
	// responses share that queue: anything leaked to other by the time c has
	// its result is queued ahead of the answer to a request other sends now.
	must(t)(other.Request("readers.list", nil))
	for _, f := range other.Frames() {
		if strings.HasPrefix(f.Name, "read.") || strings.Contains(string(f.Raw), "079201012345") {
			t.Fatalf("another connection received %s", f.Raw)
		}
	}
	// The session logs the read once its result is sent: wait for that line,
	// then no personal value reached the log.
	if !h.logs.WaitContains("read finished", wait) {
		t.Errorf("log lacks the read: %s", h.logs.String())
	}
	for k, v := range identity {
		if s, ok := v.(string); ok && len(s) > 3 && h.logs.Contains(s) {
			t.Errorf("log contains %s", k)
		}
	}
}

func TestFieldPolicyAndRequestedFields(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	c := h.dial(hotelOrigin) // photo not allowed
	id := startRead(t, c, map[string]any{"photo": true, "fields": []string{"fullName", "religion", "sex"}})
	final := must(t)(c.Final(id, wait))
	var res protocol.Result
	final.Decode(&res)
	if len(res.Fields) != 2 || res.Fields["fullName"] == nil || res.Fields["sex"] != "M" || !slices.Contains(res.Withheld, "religion") {
		t.Fatalf("fields: %s", final.Raw)
	}
	if _, err := c.ReadEvent("read.photo", id, 100*time.Millisecond); err == nil {
		t.Fatal("photo sent to an origin whose policy forbids it")
	}
	if r := must(t)(c.Request("read.start", map[string]any{"access": map[string]any{"can": "123456"}, "fields": []string{"religon"}})); r.Code() != "BAD_REQUEST" {
		t.Fatalf("unknown field name: %s", r.Raw)
	}
}

func TestEvidence(t *testing.T) {
	s := newSetup()
	s.cfg.Origins[deskOrigin] = config.FullPolicy() // evidence holds every field
	withheld := config.FullPolicy()
	withheld.Fields = withheld.Fields[1:]
	const partialOrigin = "https://partial.example"
	s.cfg.Origins[partialOrigin] = withheld // evidence flag, but not every field
	h := start(t, s)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"evidence": true, "challenge": "q83vEjRWeJA="})
	var res protocol.Result
	must(t)(c.Final(id, wait)).Decode(&res)
	if res.Evidence == nil || res.Evidence.SOD == "" {
		t.Fatal("evidence missing")
	}
	// An origin whose policy forbids evidence, and one allowed evidence
	// but not every field (the raw data groups hold them all).
	for _, origin := range []string{hotelOrigin, partialOrigin} {
		other := h.dial(origin)
		id = startRead(t, other, map[string]any{"evidence": true})
		res = protocol.Result{}
		must(t)(other.Final(id, wait)).Decode(&res)
		if res.Evidence != nil {
			t.Fatalf("evidence sent to %s, whose policy forbids it", origin)
		}
	}
	if r := must(t)(c.Request("read.start", map[string]any{"access": map[string]any{"can": "123456"}, "challenge": "AAAA"})); r.Code() != "BAD_REQUEST" {
		t.Fatalf("short challenge: %s", r.Raw)
	}
}

func TestReadWaitsForCard(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0})
	f := must(t)(c.ReadEvent("read.progress", id, wait))
	if !strings.Contains(string(f.Data), `"phase":"waiting"`) {
		t.Fatalf("first progress: %s", f.Raw)
	}
	h.insert(reader0)
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("read after tapping: %s", f.Raw)
	}
}

func TestReadWaitsOnAnyReader(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	id := startRead(t, c, nil) // two empty readers: wait on both
	must(t)(c.ReadEvent("read.progress", id, wait))
	h.insert(reader1)
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("read after tapping: %s", f.Raw)
	}
}

func TestReadTimeout(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0, "timeoutMs": 200})
	f := must(t)(c.Final(id, wait))
	if code := failedCode(t, f); code != "TIMEOUT" {
		t.Fatalf("code %s", code)
	}
}

func TestCardPulledMidRead(t *testing.T) {
	h := start(t, nil)
	h.reader.gate = make(chan struct{})
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0})
	must(t)(c.ReadEvent("read.identity", id, wait))
	h.remove(reader0)
	f := must(t)(c.Final(id, wait))
	var d protocol.Failed
	f.Decode(&d)
	if code := failedCode(t, f); code != "CARD_REMOVED" || !d.Error.Retryable {
		t.Fatalf("pulled card: %s", f.Raw)
	}
	// The next card reads normally.
	close(h.reader.gate)
	h.insert(reader0)
	id = startRead(t, c, map[string]any{"reader": reader0})
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("next card: %s", f.Raw)
	}
}

// The card is pulled before each of the read's exchanges and just after
// its last: each read ends with exactly one final event, CARD_REMOVED
// while the read still needed the card, the result once it had read
// everything; the next card reads.
func TestCardPulledAtEveryPoint(t *testing.T) {
	h := start(t, nil)
	c := h.dial(deskOrigin)
	for point := 0; point <= 3; point++ {
		h.insert(reader0)
		h.reader.beforeStep = func(_ string, n int) {
			if n == point {
				h.remove(reader0)
			}
		}
		id := startRead(t, c, map[string]any{"reader": reader0})
		f := must(t)(c.Final(id, wait))
		switch {
		case point < 3 && (f.Name != "read.failed" || failedCode(t, f) != "CARD_REMOVED"):
			t.Fatalf("pulled before exchange %d: %s", point, f.Raw)
		case point == 3 && f.Name != "read.result":
			t.Fatalf("pulled after the last exchange: %s", f.Raw)
		}
		if point == 3 {
			h.remove(reader0)
		}
		if n := countFinal(c, id); n != 1 {
			t.Fatalf("point %d: %d final events", point, n)
		}
	}
	h.reader.beforeStep = nil
	h.insert(reader0)
	id := startRead(t, c, map[string]any{"reader": reader0})
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("next card: %s", f.Raw)
	}
}

// countFinal counts the read.result and read.failed events of readID
// received so far, after a request round trip (so that a second final
// event would have arrived).
func countFinal(c *agenttest.Client, readID string) int {
	if _, err := c.Request("hello", nil); err != nil {
		return -1
	}
	n := 0
	for _, f := range c.Frames() {
		if f.Name == "read.result" || f.Name == "read.failed" {
			var d protocol.Failed
			if f.Decode(&d) == nil && d.ReadID == readID {
				n++
			}
		}
	}
	return n
}

func TestReaderUnpluggedMidRead(t *testing.T) {
	h := start(t, nil)
	h.reader.gate = make(chan struct{})
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0})
	must(t)(c.ReadEvent("read.identity", id, wait))
	h.mgr.RemoveReader(reader0)
	f := must(t)(c.Final(id, wait))
	if code := failedCode(t, f); code != "READER_REMOVED" && code != "CARD_REMOVED" {
		t.Fatalf("unplugged: %s", f.Raw)
	}
	// The read can end (CARD_REMOVED) before the hub has taken in the
	// reader's removal; once it has announced it, the reader is gone.
	must(t)(c.Event("reader.removed", wait, nil))
	if r := must(t)(c.Request("read.start", map[string]any{"reader": reader0, "access": map[string]any{"can": "123456"}})); r.Code() != "NO_READER" {
		t.Fatalf("read on a removed reader: %s", r.Raw)
	}
}

func TestCancel(t *testing.T) {
	h := start(t, nil)
	h.reader.gate = make(chan struct{})
	defer close(h.reader.gate)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	other := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0})
	must(t)(c.ReadEvent("read.identity", id, wait))
	if r := must(t)(other.Request("read.cancel", map[string]any{"readId": id})); r.Code() != "BAD_STATE" {
		t.Fatalf("another connection cancelled the read: %s", r.Raw)
	}
	if r := must(t)(c.Request("read.cancel", map[string]any{"readId": id})); r.Error != nil || string(r.Data) != "{}" {
		t.Fatalf("read.cancel: %s", r.Raw)
	}
	if code := failedCode(t, must(t)(c.Final(id, wait))); code != "CANCELLED" {
		t.Fatalf("code %s", code)
	}
	if r := must(t)(c.Request("read.cancel", map[string]any{"readId": id})); r.Code() != "BAD_STATE" {
		t.Fatalf("second cancel: %s", r.Raw)
	}
	if r := must(t)(c.Request("read.cancel", nil)); r.Code() != "BAD_REQUEST" {
		t.Fatalf("cancel without readId: %s", r.Raw)
	}
}

func TestBusyAndDisconnectCancels(t *testing.T) {
	h := start(t, nil)
	h.reader.gate = make(chan struct{})
	defer close(h.reader.gate)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"reader": reader0})
	must(t)(c.ReadEvent("read.identity", id, wait))
	other := h.dial(deskOrigin)
	r := must(t)(other.Request("read.start", map[string]any{"reader": reader0, "access": map[string]any{"can": "123456"}}))
	if r.Code() != "BUSY" || !r.Error.Retryable {
		t.Fatalf("second read on a busy reader: %s", r.Raw)
	}
	c.Close() // the client goes away: its read is cancelled and the reader freed
	deadline := time.Now().Add(wait)
	for h.agent.Hub.ActiveReads() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("read of a closed connection still running")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r = must(t)(other.Request("read.start", map[string]any{"reader": reader0, "access": map[string]any{"can": "123456"}}))
	if r.Error != nil {
		t.Fatalf("reader not freed: %s", r.Raw)
	}
}

func TestAccessDenied(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"access": map[string]any{"can": "000000"}})
	f := must(t)(c.Final(id, wait))
	var d protocol.Failed
	f.Decode(&d)
	if d.Error == nil || d.Error.Code != "ACCESS_DENIED" || d.Error.Retryable {
		t.Fatalf("wrong key: %s", f.Raw)
	}
}

func TestTwoReadersIndependently(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0)
	h.insert(reader1)
	// A card pulled from one reader in the middle of its read does not
	// disturb the read on the other.
	h.reader.beforeStep = func(reader string, n int) {
		if reader == reader1 && n == 1 {
			h.remove(reader1)
		}
	}
	a, b := h.dial(deskOrigin), h.dial(deskOrigin)
	ida := startRead(t, a, map[string]any{"reader": reader0})
	idb := startRead(t, b, map[string]any{"reader": reader1})
	if f := must(t)(a.Final(ida, wait)); f.Name != "read.result" {
		t.Fatalf("reader 0: %s", f.Raw)
	}
	if code := failedCode(t, must(t)(b.Final(idb, wait))); code != "CARD_REMOVED" {
		t.Fatalf("reader 1: %s", code)
	}
	if r := must(t)(a.Request("read.start", map[string]any{"access": map[string]any{"can": "123456"}})); r.Error != nil {
		t.Fatalf("only one card present: the reader is implied: %s", r.Raw)
	}
}

func TestRequestErrors(t *testing.T) {
	h := start(t, nil)
	h.insert(reader0) // a card that any accepted read.start would reach
	c := h.dial(deskOrigin)
	for _, tc := range []struct{ frame, code, id string }{
		{`{not json`, "BAD_REQUEST", "null"},
		{`{"v":1,"type":"request","name":"hello"}`, "BAD_REQUEST", "null"},
		{`{"v":1,"type":"request","name":"hello","id":{"x":1}}`, "BAD_REQUEST", "null"},
		{`{"v":2,"type":"request","name":"hello","id":"a"}`, "BAD_REQUEST", `"a"`},
		{`{"v":1,"type":"event","name":"hello","id":"b"}`, "BAD_REQUEST", `"b"`},
		{`{"v":1,"type":"request","name":"card.format","id":3}`, "UNKNOWN_REQUEST", "3"},
		{`{"v":1,"type":"request","name":"sim.insert","id":4,"data":{"profile":"cccd"}}`, "UNKNOWN_REQUEST", "4"},
		{`{"v":1,"type":"request","name":"read.start","id":5,"data":{}}`, "BAD_REQUEST", "5"},
		{`{"v":1,"type":"request","name":"read.start","id":6,"data":{"access":{"can":"12"}}}`, "BAD_REQUEST", "6"},
		{`{"v":1,"type":"request","name":"read.start","id":7,"data":{"access":{"can":"123456","id12":"079201012345"}}}`, "BAD_REQUEST", "7"},
		{`{"v":1,"type":"request","name":"read.start","id":8,"data":{"access":{"documentNumber":"C1234567"}}}`, "BAD_REQUEST", "8"},
		{`{"v":1,"type":"request","name":"read.start","id":9,"data":{"access":"123456"}}`, "BAD_REQUEST", "9"},
		{`{"v":1,"type":"request","name":"read.start","id":10,"data":{"access":{"can":"123456"},"timeoutMs":-1}}`, "BAD_REQUEST", "10"},
		{`{"v":1,"type":"request","name":"read.start","id":11,"data":{"access":{"can":"123456"},"reader":"Nope"}}`, "NO_READER", "11"},
		// A key the card's rules refuse is refused here, never tried on a
		// chip (issue 17, finding 7).
		{`{"v":1,"type":"request","name":"read.start","id":12,"data":{"access":{"can":"1234567"}}}`, "BAD_REQUEST", "12"},
		{`{"v":1,"type":"request","name":"read.start","id":13,"data":{"access":{"can":" 123456"}}}`, "BAD_REQUEST", "13"},
		{`{"v":1,"type":"request","name":"read.start","id":14,"data":{"access":{"id12":"07920101234 "}}}`, "BAD_REQUEST", "14"},
	} {
		before := len(c.Frames())
		if err := c.SendRaw(tc.frame); err != nil {
			t.Fatal(err)
		}
		f, err := c.WaitAfter(before, wait, func(f *agenttest.Frame) bool {
			return f.Type == "response" && string(f.ID) == tc.id && f.Code() == tc.code
		})
		if err != nil {
			t.Fatalf("%s: no %s response with id %s: %v\n%v", tc.frame, tc.code, tc.id, err, lastFrame(c))
		}
		if strings.Contains(f.Error.Message, "079201012345") || f.Error.Retryable != protocol.Code(tc.code).Retryable() {
			t.Fatalf("%s: %s", tc.frame, f.Raw)
		}
	}
	// Binary frames are refused, and the connection survives everything.
	c.WS.WriteMessage(2, []byte{1, 2, 3})
	must(t)(c.WaitFor(wait, func(f *agenttest.Frame) bool {
		return f.Code() == "BAD_REQUEST" && strings.Contains(f.Error.Message, "binary")
	}))
	if r := must(t)(c.Request("hello", nil)); r.Error != nil {
		t.Fatalf("connection did not survive: %s", r.Raw)
	}
	if keys := h.reader.triedKeys(); len(keys) != 0 {
		t.Fatalf("malformed keys reached a card: %d", len(keys))
	}
	// Every request got exactly one response.
	ids := map[string]int{}
	for _, f := range c.Frames() {
		if f.Type == "response" && string(f.ID) != "null" {
			ids[string(f.ID)]++
		}
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("id %s answered %d times", id, n)
		}
	}
}

func lastFrame(c *agenttest.Client) string {
	fs := c.Frames()
	if len(fs) == 0 {
		return "(no frames)"
	}
	return string(fs[len(fs)-1].Raw)
}

func TestErrorCodesDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, code := range protocol.AllCodes {
		retry := "no"
		if code.Retryable() {
			retry = "yes"
		}
		if code == protocol.AccessDenied {
			retry = "**no**"
		}
		if !strings.Contains(doc, "| `"+string(code)+"` | "+retry+" |") {
			t.Errorf("docs/PROTOCOL.md §6 lacks %s with retryable %s", code, retry)
		}
	}
}

func TestProtocolDocCovered(t *testing.T) {
	doc := readDoc(t)
	for _, name := range []string{"hello", "readers.list", "read.start", "read.cancel", "sim.insert", "sim.remove",
		"reader.added", "reader.removed", "card.inserted", "card.removed", "read.progress", "read.identity",
		"read.photo", "read.result", "read.failed"} {
		if !strings.Contains(doc, `"name":"`+name+`"`) {
			t.Errorf("docs/PROTOCOL.md has no example of %s", name)
		}
		if covered[name] == "" {
			t.Errorf("no test named for %s", name)
		}
	}
}

func TestIgnoredReaders(t *testing.T) {
	s := newSetup()
	s.cfg.IgnoreReaders = []string{"*SAM*"}
	h := start(t, s)
	if err := h.mgr.AddReader("Generic SAM Slot 0", virtualConfig()); err != nil {
		t.Fatal(err)
	}
	h.insert("Generic SAM Slot 0")
	c := h.dial(deskOrigin)
	r := must(t)(c.Request("readers.list", nil))
	if strings.Contains(string(r.Data), "SAM") {
		t.Fatalf("ignored reader listed: %s", r.Raw)
	}
	for _, f := range c.Frames() {
		if strings.Contains(string(f.Raw), "SAM") {
			t.Fatalf("ignored reader announced: %s", f.Raw)
		}
	}
	if r := must(t)(c.Request("read.start", map[string]any{"reader": "Generic SAM Slot 0", "access": map[string]any{"can": "123456"}})); r.Code() != "NO_READER" {
		t.Fatalf("read on an ignored reader: %s", r.Raw)
	}
}

// panickyReader panics on its first read, as a parser bug would on a
// hostile chip, with the data it was parsing in the panic value; then
// reads as the fake reader does.
type panickyReader struct {
	fakeReader
	panicked bool
}

func (p *panickyReader) Read(ctx context.Context, card nfc.Conn, req session.Request, obs session.Observer) (*session.Result, error) {
	if !p.panicked {
		p.panicked = true
		panic(fmt.Errorf("DG13 field NGUYEN VAN AN at %d", 7))
	}
	return p.fakeReader.Read(ctx, card, req, obs)
}

// A read that panics fails with INTERNAL, the service and the next read
// go on, and the log says where it broke without the panic's value.
func TestReadPanicIsContained(t *testing.T) {
	s := newSetup()
	s.reader = &panickyReader{}
	h := start(t, s)
	h.insert(reader0)
	c := h.dial(deskOrigin)
	id := startRead(t, c, map[string]any{"access": map[string]any{"can": "123456"}})
	f := must(t)(c.Final(id, wait))
	var d protocol.Failed
	if f.Decode(&d) != nil || d.Error == nil || d.Error.Code != "INTERNAL" {
		t.Fatalf("panicking read: %s", f.Raw)
	}
	id = startRead(t, c, map[string]any{"access": map[string]any{"can": "123456"}})
	if f := must(t)(c.Final(id, wait)); f.Name != "read.result" {
		t.Fatalf("the read after: %s", f.Raw)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "read stopped by an internal fault") || !strings.Contains(logs, "panicky") || strings.Contains(logs, "NGUYEN") {
		t.Errorf("log: %s", logs)
	}
}
