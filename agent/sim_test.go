package agent_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent"
	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/cardread"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/logging/logtest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/simulate"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
)

// simAgent runs the agent as `idagent run --simulate` does: simulated
// readers, the real read pipeline, the simulator's test anchor.
type simAgent struct {
	addr string
	logs *logtest.Capture
	sim  *simulate.Simulator
}

func startSim(t *testing.T, linkName string) *simAgent {
	t.Helper()
	s, err := simulate.New(linkName)
	if err != nil {
		t.Fatal(err)
	}
	store, state, err := cardread.SimTrust()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Origins[deskOrigin] = config.DefaultPolicy()
	cfg.MaxConnections = 200
	log, logs := logtest.New()
	a := agent.New(agent.Options{
		Config: cfg, Log: log, Version: "test", Manager: s.Manager, Simulator: s,
		Reader:   &cardread.Reader{Trust: store, AllowTestAnchors: true},
		Trust:    func() protocol.TrustState { return state },
		CheckKey: cardread.CheckKey,
	})
	ls, err := agent.Listen([]string{"127.0.0.1:0"}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ls) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	waitReaders(t, a, len(simulate.Readers))
	return &simAgent{addr: ls[0].Addr().String(), logs: logs, sim: s}
}

func (s *simAgent) dial(t *testing.T, origin string) *agenttest.Client {
	t.Helper()
	c, _, err := agenttest.Dial(s.addr, origin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func insertSim(t *testing.T, c *agenttest.Client, data map[string]any) protocol.SimCard {
	t.Helper()
	r := must(t)(c.Request("sim.insert", data))
	var card protocol.SimCard
	if r.Error != nil || r.Decode(&card) != nil || card.Reader == "" || card.MRZ == "" {
		t.Fatalf("sim.insert: %s", r.Raw)
	}
	return card
}

func TestSimulator(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	r := must(t)(c.Request("hello", nil))
	var hello protocol.HelloResponse
	r.Decode(&hello)
	if !hello.Simulate || !slices.Contains(hello.Capabilities, "sim") || !hello.Trust.Test || hello.Trust.State != "test" {
		t.Fatalf("hello in simulate mode: %s", r.Raw)
	}
	seed := 7
	card := insertSim(t, c, map[string]any{"profile": "cccd", "seed": seed})
	if len(card.ID12) != 12 || card.CAN != card.ID12[6:] || card.DocumentNumber != card.ID12[3:] || len(card.DateOfBirth) != 6 {
		t.Fatalf("access data: %+v", card)
	}
	if again := insertSim(t, c, map[string]any{"seed": seed}); again.ID12 != card.ID12 {
		t.Fatal("same seed, different card")
	}
	must(t)(c.Event("card.inserted", wait, nil))
	for _, bad := range []map[string]any{{"profile": "nope"}, {"tamper": "nope"}, {"reader": "nope"}} {
		if r := must(t)(c.Request("sim.insert", bad)); r.Error == nil {
			t.Fatalf("sim.insert %v accepted", bad)
		}
	}
	if r := must(t)(c.Request("sim.remove", nil)); r.Error != nil {
		t.Fatalf("sim.remove: %s", r.Raw)
	}
	must(t)(c.Event("card.removed", wait, nil))
	if r := must(t)(c.Request("sim.remove", map[string]any{"reader": simulate.Readers[0]})); r.Code() != "BAD_STATE" {
		t.Fatalf("sim.remove of an empty reader: %s", r.Raw)
	}
}

func TestSimulatedFullRead(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	card := insertSim(t, c, map[string]any{"profile": "cccd", "seed": 42})
	start := time.Now()
	id := startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "photo": true})
	final := must(t)(c.Final(id, 20*time.Second))
	if final.Name != "read.result" {
		t.Fatalf("read failed: %s", final.Raw)
	}
	t.Logf("full read in %v", time.Since(start))
	var res protocol.Result
	if err := final.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Fields["idNumber"] != card.ID12 || res.Fields["documentNumber"] != card.DocumentNumber || res.Document.Type != "id-card" {
		t.Fatalf("fields: %s", final.Raw)
	}
	ident := must(t)(c.ReadEvent("read.identity", id, wait))
	if ident.Seq > final.Seq {
		t.Fatal("identity after result")
	}
	if ph, err := c.ReadEvent("read.photo", id, wait); err != nil || !strings.Contains(string(ph.Data), `"mime":"image/jpeg"`) {
		t.Fatalf("photo: %v", err)
	}
	// Every value the card holds stays out of the logs.
	for k, v := range res.Fields {
		if str, ok := v.(string); ok && len(str) >= 4 && k != "documentType" && k != "documentCode" && k != "issuingState" &&
			k != "nationality" && k != "nationalityCode" && k != "sex" && s.logs.Contains(str) {
			t.Errorf("log contains %s", k)
		}
	}
	for _, secret := range []string{card.ID12, card.CAN, card.DocumentNumber, card.MRZ} {
		if s.logs.Contains(secret) {
			t.Error("log contains access data")
		}
	}
}

func TestSimulatedAccessKeys(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	card := insertSim(t, c, map[string]any{"seed": 3})
	for name, key := range map[string]map[string]any{
		"mrz":   {"mrz": strings.ReplaceAll(card.MRZ, "\n", "")},
		"dates": {"documentNumber": card.DocumentNumber, "dateOfBirth": card.DateOfBirth, "dateOfExpiry": card.DateOfExpiry},
	} {
		id := startRead(t, c, map[string]any{"access": key})
		if f := must(t)(c.Final(id, 20*time.Second)); f.Name != "read.result" {
			t.Errorf("%s: %s", name, f.Raw)
		}
	}
	wrong := map[string]any{"documentNumber": card.DocumentNumber, "dateOfBirth": "010101", "dateOfExpiry": card.DateOfExpiry}
	id := startRead(t, c, map[string]any{"access": wrong})
	f := must(t)(c.Final(id, 20*time.Second))
	if code := failedCode(t, f); code != "ACCESS_DENIED" {
		t.Fatalf("wrong key: %s", f.Raw)
	}
	// The next read with the right key works.
	id = startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}})
	if f := must(t)(c.Final(id, 20*time.Second)); f.Name != "read.result" {
		t.Fatalf("after a wrong key: %s", f.Raw)
	}
}

// startSimB and dialB are the benchmark forms of startSim and dial.
func startSimB(b *testing.B, linkName string) *simAgent {
	b.Helper()
	s, err := simulate.New(linkName)
	if err != nil {
		b.Fatal(err)
	}
	store, state, err := cardread.SimTrust()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Origins[deskOrigin] = config.DefaultPolicy()
	cfg.MaxConnections = 200
	log, logs := logtest.New()
	a := agent.New(agent.Options{
		Config: cfg, Log: log, Version: "bench", Manager: s.Manager, Simulator: s,
		Reader:   &cardread.Reader{Trust: store, AllowTestAnchors: true},
		Trust:    func() protocol.TrustState { return state },
		CheckKey: cardread.CheckKey,
	})
	ls, err := agent.Listen([]string{"127.0.0.1:0"}, log)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ls) }()
	b.Cleanup(func() { cancel(); <-done })
	waitReaders(b, a, len(simulate.Readers))
	return &simAgent{addr: ls[0].Addr().String(), logs: logs, sim: s}
}

func (s *simAgent) dialB(b *testing.B) *agenttest.Client {
	b.Helper()
	c, _, err := agenttest.Dial(s.addr, deskOrigin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// TestSimulatedVerification: a clean card verifies (against the test
// anchor, flagged as such); each forgery the simulator makes is caught.
func TestSimulatedVerification(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	for _, tc := range []struct {
		tamper, overall, check string
	}{
		{"", "PASS", ""},
		{"dg13-edited", "FAIL", "dg.hash.DG13"},
		{"dg2-swapped", "FAIL", "dg.hash.DG2"},
		{"sod-bad-signature", "FAIL", "sod.signature"},
		{"dsc-untrusted", "UNKNOWN", "ds.chain"},
		{"dsc-revoked", "FAIL", "ds.revocation"},
	} {
		card := insertSim(t, c, map[string]any{"seed": 9, "tamper": tc.tamper})
		id := startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "photo": true})
		final := must(t)(c.Final(id, 20*time.Second))
		var res protocol.Result
		if final.Name != "read.result" || final.Decode(&res) != nil {
			t.Fatalf("%s: %s", tc.tamper, final.Raw)
		}
		v := res.Verification
		if string(v.Overall) != tc.overall {
			t.Errorf("tamper %q: overall %s, want %s: %s", tc.tamper, v.Overall, tc.overall, final.Data)
		}
		if tc.check != "" {
			if ch, ok := v.Checks.Get(tc.check); !ok || ch.Status == "PASS" {
				t.Errorf("tamper %q: check %s = %+v", tc.tamper, tc.check, ch)
			}
		}
		if tc.tamper == "" && !v.TestAnchor {
			t.Error("test anchor not flagged")
		}
		// The identity event came with the text data groups' checks.
		var ident protocol.Identity
		must(t)(c.ReadEvent("read.identity", id, wait)).Decode(&ident)
		if _, ok := ident.Checks.Get("dg.hash.DG13"); !ok {
			t.Errorf("tamper %q: read.identity without the DG13 hash check", tc.tamper)
		}
	}
}

// TestSimInsertKeysMatchSimJSON: sim.insert answers with the keys of
// `idagent sim --json` (emrtd/sim.AccessData).
func TestSimInsertKeysMatchSimJSON(t *testing.T) {
	keys := func(v any) []string {
		b, _ := json.Marshal(v)
		var m map[string]any
		json.Unmarshal(b, &m)
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if a, b := keys(sim.AccessData{}), keys(protocol.SimCard{}); !slices.Equal(a, b) {
		t.Fatalf("sim --json keys %v, sim.insert keys %v", a, b)
	}
}

// TestSimulatedEvidence: with evidence allowed and asked for, the result
// carries EF.SOD and the data groups, and a backend re-verifies them.
func TestSimulatedEvidence(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	if r := must(t)(c.Request("hello", nil)); strings.Contains(string(r.Data), `"evidence"`) && strings.Contains(string(r.Data), `"evidence":true`) {
		t.Fatal("default policy allows evidence")
	}
	card := insertSim(t, c, map[string]any{"seed": 5})
	id := startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "evidence": true})
	var res protocol.Result
	must(t)(c.Final(id, 20*time.Second)).Decode(&res)
	if res.Evidence != nil {
		t.Fatal("evidence sent to an origin whose policy does not allow it")
	}

	full := startSimWithPolicy(t, config.FullPolicy())
	fc := full.dial(t, deskOrigin)
	card = insertSim(t, fc, map[string]any{"seed": 5})
	id = startRead(t, fc, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "evidence": true, "photo": true})
	res = protocol.Result{}
	must(t)(fc.Final(id, 20*time.Second)).Decode(&res)
	ev := res.Evidence
	if ev == nil || ev.SOD == "" || ev.DataGroups["DG1"] == "" || ev.DataGroups["DG13"] == "" || ev.DataGroups["DG2"] == "" {
		t.Fatalf("evidence: %+v", ev)
	}
	sod, _ := base64.StdEncoding.DecodeString(ev.SOD)
	dgs := map[int][]byte{}
	for name, b64 := range ev.DataGroups {
		n, _ := strconv.Atoi(strings.TrimPrefix(name, "DG"))
		dgs[n], _ = base64.StdEncoding.DecodeString(b64)
	}
	store, _, _ := cardread.SimTrust()
	again := pa.VerifyBytes(sod, pa.Options{Trust: store, AllowTestAnchors: true, DataGroups: dgs})
	if again.Report.Overall() != res.Verification.Overall {
		t.Fatalf("backend verdict %s, agent verdict %s", again.Report.Overall(), res.Verification.Overall)
	}
}

// startSimWithPolicy is startSim with deskOrigin given policy p.
func startSimWithPolicy(t *testing.T, p config.Policy) *simAgent {
	t.Helper()
	s, err := simulate.New("")
	if err != nil {
		t.Fatal(err)
	}
	store, state, _ := cardread.SimTrust()
	cfg := config.Default()
	cfg.Origins[deskOrigin] = p
	log, logs := logtest.New()
	a := agent.New(agent.Options{
		Config: cfg, Log: log, Version: "test", Manager: s.Manager, Simulator: s,
		Reader: &cardread.Reader{Trust: store, AllowTestAnchors: true},
		Trust:  func() protocol.TrustState { return state }, CheckKey: cardread.CheckKey,
	})
	ls, err := agent.Listen([]string{"127.0.0.1:0"}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ls) }()
	t.Cleanup(func() { cancel(); <-done })
	waitReaders(t, a, len(simulate.Readers))
	return &simAgent{addr: ls[0].Addr().String(), logs: logs, sim: s}
}
