package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/logging/logtest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/vpcd"
)

// These tests drive the agent through the real pcscd and the vsmartcard
// vpcd readers, with the software chip on the card side.

type pcscAgent struct {
	addr string
	logs *logtest.Capture
}

func startPCSC(t *testing.T) *pcscAgent {
	t.Helper()
	pcsctest.Require(t)
	cfg := config.Default()
	cfg.Origins[deskOrigin] = config.FullPolicy()
	cfg.ReadTimeout = 30 * time.Second
	addr, logs, _ := runPipelineAgent(t, cfg, pcsc.New(), nil)
	return &pcscAgent{addr: addr, logs: logs}
}

func (p *pcscAgent) dial(t *testing.T) *agenttest.Client {
	t.Helper()
	c, _, err := agenttest.Dial(p.addr, deskOrigin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readerEvent(name, reader string) func(*agenttest.Frame) bool {
	return func(f *agenttest.Frame) bool {
		return f.Name == name && strings.Contains(string(f.Data), `"`+reader+`"`)
	}
}

func newChip(t *testing.T, seed uint64, linkName string) *sim.Chip {
	t.Helper()
	o := sim.Options{Seed: seed}
	if linkName != "" {
		m, err := link.New(linkName)
		if err != nil {
			t.Fatal(err)
		}
		o.Link = m
	}
	chip, err := sim.New("cccd", o)
	if err != nil {
		t.Fatal(err)
	}
	return chip
}

func TestPCSCFullRead(t *testing.T) {
	p := startPCSC(t)
	c := p.dial(t)
	must(t)(c.Event("reader.added", 15*time.Second, readerEvent("reader.added", pcsctest.Reader0)))
	chip := newChip(t, 21, "")
	pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{})
	must(t)(c.Event("card.inserted", 15*time.Second, readerEvent("card.inserted", pcsctest.Reader0)))
	a := chip.AccessData()
	id := startRead(t, c, map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"mrz": a.MRZ}, "photo": true})
	final := must(t)(c.Final(id, 30*time.Second))
	if final.Name != "read.result" {
		t.Fatalf("read through pcscd: %s", final.Raw)
	}
	var res protocol.Result
	final.Decode(&res)
	if res.Fields["idNumber"] != a.ID12 || res.Fields["religion"] == nil {
		t.Fatalf("fields: %v", res.Fields)
	}
	must(t)(c.ReadEvent("read.identity", id, time.Second))
	must(t)(c.ReadEvent("read.photo", id, time.Second))
	for _, secret := range []string{a.ID12, a.DocumentNumber, a.MRZ, res.Fields["fullName"].(string)} {
		if p.logs.Contains(secret) {
			t.Errorf("log contains personal data")
		}
	}
}

func TestPCSCCardPulledMidRead(t *testing.T) {
	p := startPCSC(t)
	c := p.dial(t)
	chip := newChip(t, 22, "iso14443-106") // slow link: time to pull the card
	in := pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{})
	must(t)(c.Event("card.inserted", 15*time.Second, readerEvent("card.inserted", pcsctest.Reader0)))
	id := startRead(t, c, map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"mrz": chip.AccessData().MRZ}, "photo": true})
	must(t)(c.ReadEvent("read.identity", id, 30*time.Second))
	in.Remove()
	f := must(t)(c.Final(id, 15*time.Second))
	if code := failedCode(t, f); code != "CARD_REMOVED" {
		t.Fatalf("card pulled: %s", f.Raw)
	}
	pcsctest.WaitCard(t, pcsctest.Reader0, false)
	// The next card reads normally.
	next := newChip(t, 23, "")
	pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, next, vpcd.Config{})
	id = startRead(t, c, map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"mrz": next.AccessData().MRZ}})
	if f := must(t)(c.Final(id, 30*time.Second)); f.Name != "read.result" {
		t.Fatalf("next card: %s", f.Raw)
	}
}

func TestPCSCTwoReaders(t *testing.T) {
	p := startPCSC(t)
	a, b := p.dial(t), p.dial(t)
	chipA, chipB := newChip(t, 31, "iso14443-424"), newChip(t, 32, "iso14443-424")
	pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chipA, vpcd.Config{})
	pcsctest.Insert(t, vpcd.Reader1Addr, pcsctest.Reader1, chipB, vpcd.Config{})
	must(t)(a.Event("card.inserted", 15*time.Second, readerEvent("card.inserted", pcsctest.Reader1)))
	idA := startRead(t, a, map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"mrz": chipA.AccessData().MRZ}})
	idB := startRead(t, b, map[string]any{"reader": pcsctest.Reader1, "access": map[string]any{"mrz": chipB.AccessData().MRZ}})
	var ra, rb protocol.Result
	fa, fb := must(t)(a.Final(idA, 60*time.Second)), must(t)(b.Final(idB, 60*time.Second))
	if fa.Name != "read.result" || fb.Name != "read.result" {
		t.Fatalf("two readers: %s / %s", fa.Raw, fb.Raw)
	}
	fa.Decode(&ra)
	fb.Decode(&rb)
	if ra.Fields["idNumber"] != chipA.AccessData().ID12 || rb.Fields["idNumber"] != chipB.AccessData().ID12 {
		t.Fatal("reads mixed up")
	}
}

func TestPCSCDRestart(t *testing.T) {
	p := startPCSC(t)
	c := p.dial(t)
	must(t)(c.Event("reader.added", 15*time.Second, readerEvent("reader.added", pcsctest.Reader0)))
	chip := newChip(t, 41, "")
	pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{Reconnect: true})
	must(t)(c.Event("card.inserted", 15*time.Second, readerEvent("card.inserted", pcsctest.Reader0)))
	before := len(c.Frames())

	pcsctest.Kill(t) // a crash
	must(t)(c.WaitAfter(before, 15*time.Second, readerEvent("reader.removed", pcsctest.Reader0)))
	down := len(c.Frames())
	// Down is said as PCSC_UNAVAILABLE, or (pcsc-lite not yet noticed
	// gone) as no readers: never the readers it had.
	if r := must(t)(c.Request("readers.list", nil)); r.Code() != "PCSC_UNAVAILABLE" && !strings.Contains(string(r.Data), `"readers":[]`) {
		t.Errorf("readers.list while pcscd is down: %s", r.Raw)
	}
	restarted := time.Now()
	pcsctest.Start(t)
	must(t)(c.WaitAfter(down, 15*time.Second, readerEvent("reader.added", pcsctest.Reader0)))
	back := time.Since(restarted)
	// The 5 s target is reported, not asserted (a busy CI machine must not
	// fail it); the wait above fails a recovery that does not happen.
	t.Logf("readers re-announced %v after pcscd was started again (target: 5 s)", back)
	// The card comes back (the vpcd card reconnects) and reads.
	must(t)(c.WaitAfter(down, 15*time.Second, readerEvent("card.inserted", pcsctest.Reader0)))
	id := startRead(t, c, map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"mrz": chip.AccessData().MRZ}})
	if f := must(t)(c.Final(id, 30*time.Second)); f.Name != "read.result" {
		t.Fatalf("read after the restart: %s", f.Raw)
	}
}
