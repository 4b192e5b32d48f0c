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
	"github.com/idagent/idagent/agent/listen"
	"github.com/idagent/idagent/agent/logging/logtest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/simulate"
	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc"
)

// simAgent runs the agent as `idagent run --simulate` does: simulated
// readers, the real read pipeline, the simulator's test anchor.
type simAgent struct {
	addr string
	logs *logtest.Capture
	sim  *simulate.Simulator
}

func startSim(tb testing.TB, linkName string) *simAgent {
	tb.Helper()
	return startSimAgent(tb, linkName, config.DefaultPolicy())
}

// startSimWithPolicy is startSim with deskOrigin given policy p.
func startSimWithPolicy(t *testing.T, p config.Policy) *simAgent {
	t.Helper()
	return startSimAgent(t, "", p)
}

// startSimAgent runs the agent in simulate mode over the link model
// linkName, deskOrigin given policy p.
func startSimAgent(tb testing.TB, linkName string, p config.Policy) *simAgent {
	tb.Helper()
	s, err := simulate.New(linkName)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	cfg.Origins[deskOrigin] = p
	cfg.MaxConnections, cfg.MaxConnectionsPerOrigin = 200, 200 // load tests hold 100 clients of one origin
	addr, logs, a := runPipelineAgent(tb, cfg, s.Manager, s)
	waitReaders(tb, a, len(simulate.Readers))
	return &simAgent{addr: addr, logs: logs, sim: s}
}

// runPipelineAgent runs the agent with the real read pipeline (cardread,
// trusting the simulator's test anchor) over mgr, with simulator's
// requests when it is not nil, and stops it when the test ends.
func runPipelineAgent(tb testing.TB, cfg *config.Config, mgr nfc.Manager, simulator *simulate.Simulator) (string, *logtest.Capture, *agent.Agent) {
	tb.Helper()
	store, state, err := simulate.Trust()
	if err != nil {
		tb.Fatal(err)
	}
	log, logs := logtest.New()
	o := agent.Options{
		Config: cfg, Log: log, Version: "test", Manager: mgr,
		Reader: &cardread.Reader{Trust: store, AllowTestAnchors: true},
		Trust:  func() protocol.TrustState { return state },
	}
	if simulator != nil { // a nil *Simulator in the interface would not be nil
		o.Simulator = simulator
	}
	a := agent.New(o)
	ls, err := listen.Open([]string{"127.0.0.1:0"}, log)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ls) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Error(err)
			}
		case <-time.After(15 * time.Second):
			tb.Error("agent did not stop")
		}
	})
	return ls[0].Addr().String(), logs, a
}

func (s *simAgent) dial(t testing.TB, origin string) *agenttest.Client {
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
	// hello lists what sim.insert takes, the default profile first.
	var tampers []string
	for _, k := range issue.Tampers {
		tampers = append(tampers, string(k))
	}
	if info := hello.Sim; info == nil || len(info.Profiles) != len(sim.Profiles())+len(sim.Documents()) || info.Profiles[0] != simulate.DefaultProfile ||
		!slices.Equal(info.Tampers, tampers) || info.Cards == nil || len(info.Cards) != 0 || !slices.Equal(info.Quirks, sim.QuirkNames()) {
		t.Fatalf("hello sim: %s", r.Raw)
	}
	seed := 7
	card := insertSim(t, c, map[string]any{"profile": "cccd", "seed": seed})
	if len(card.ID12) != 12 || card.CAN != card.ID12[6:] || card.DocumentNumber != card.ID12[3:] || len(card.DateOfBirth) != 6 {
		t.Fatalf("access data: %+v", card)
	}
	if again := insertSim(t, c, map[string]any{"seed": seed, "quirks": []string{"no-sfi-lds", "sm-error-plain-counted"}}); again.ID12 != card.ID12 {
		t.Fatal("same seed, different card (quirks change the chip, not the person)")
	}
	must(t)(c.Event("card.inserted", wait, nil))
	// A connection made later (a page opened after idagent run --sim-card)
	// learns the inserted card's access data from hello.
	later := s.dial(t, deskOrigin)
	r = must(t)(later.Request("hello", nil))
	hello = protocol.HelloResponse{}
	r.Decode(&hello)
	if cards := hello.Sim.Cards; len(cards) != 1 || cards[0] != card || cards[0].Reader != simulate.Readers[0] {
		t.Fatalf("hello sim cards after an insert: %s", r.Raw)
	}
	for _, bad := range []map[string]any{{"profile": "nope"}, {"tamper": "nope"}, {"reader": "nope"}, {"quirks": []string{"nope"}},
		{"profile": "passport-bac-only", "quirks": []string{"no-bac-after-pace"}}, {"quirks": []string{"eof-6700", "eof-6b00"}}} {
		if r := must(t)(c.Request("sim.insert", bad)); r.Error == nil || bad["reader"] == nil && r.Code() != "BAD_REQUEST" {
			t.Fatalf("sim.insert %v: %s", bad, r.Raw)
		}
	}
	if r := must(t)(c.Request("sim.remove", nil)); r.Error != nil {
		t.Fatalf("sim.remove: %s", r.Raw)
	}
	must(t)(c.Event("card.removed", wait, nil))
	if r := must(t)(c.Request("sim.remove", map[string]any{"reader": simulate.Readers[0]})); r.Code() != "BAD_STATE" {
		t.Fatalf("sim.remove of an empty reader: %s", r.Raw)
	}
	r = must(t)(later.Request("hello", nil))
	hello = protocol.HelloResponse{}
	r.Decode(&hello)
	if len(hello.Sim.Cards) != 0 {
		t.Fatalf("hello sim cards after the removal: %s", r.Raw)
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
	if ev == nil || ev.SOD == "" || ev.CardAccess == "" || ev.DataGroups["DG1"] == "" || ev.DataGroups["DG13"] == "" || ev.DataGroups["DG2"] == "" {
		t.Fatalf("evidence: %+v", ev)
	}
	sod, _ := base64.StdEncoding.DecodeString(ev.SOD)
	dgs := map[int][]byte{}
	for name, b64 := range ev.DataGroups {
		n, _ := strconv.Atoi(strings.TrimPrefix(name, "DG"))
		dgs[n], _ = base64.StdEncoding.DecodeString(b64)
	}
	store, _, _ := simulate.Trust()
	again := pa.VerifyBytes(sod, pa.Options{Trust: store, AllowTestAnchors: true, DataGroups: dgs})
	if string(again.Report.Overall()) != string(res.Verification.Overall) {
		t.Fatalf("backend verdict %s, agent verdict %s", again.Report.Overall(), res.Verification.Overall)
	}
}

// TestActiveAuthEvidence: read.start's challenge reaches active
// authentication, and a backend verifies the chip's signature over it
// offline (activeauth.VerifySignature) with DG15's key from the evidence:
// ECDSA on the CCCD (hash from DG14), RSA ISO/IEC 9796-2 on an older
// passport. PACE-CAM's EF.CardSecurity comes with the evidence too.
func TestActiveAuthEvidence(t *testing.T) {
	s := startSimWithPolicy(t, config.FullPolicy())
	c := s.dial(t, deskOrigin)
	const challenge = "q83vEjRWeJA="
	for _, profile := range []string{"cccd", "passport-bac-only", "passport-cam"} {
		t.Run(profile, func(t *testing.T) {
			card := insertSim(t, c, map[string]any{"profile": profile, "seed": 6})
			id := startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "evidence": true, "challenge": challenge})
			var res protocol.Result
			if f := must(t)(c.Final(id, 20*time.Second)); f.Decode(&res) != nil || res.Evidence == nil {
				t.Fatalf("%s", f.Raw)
			}
			ev := res.Evidence
			if profile == "passport-cam" {
				if ev.CardSecurity == "" || ev.ActiveAuthSignature != "" || ev.Challenge != "" {
					t.Errorf("PACE-CAM evidence: %+v", ev)
				}
				return
			}
			if ev.Challenge != challenge || ev.ActiveAuthSignature == "" || ev.ActiveAuthAlgorithm == "" {
				t.Fatalf("evidence: %+v", ev)
			}
			verifyAAEvidence(t, ev)
		})
	}
}

// verifyAAEvidence checks active authentication's evidence as a backend
// would, and that it proves nothing for another challenge or signature.
func verifyAAEvidence(t *testing.T, ev *protocol.Evidence) {
	t.Helper()
	b64 := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dg15, err := lds.ParseDG15(b64(ev.DataGroups["DG15"]))
	if err != nil {
		t.Fatal(err)
	}
	spki, err := lds.ParseSubjectPublicKeyInfo(b64(ev.ActiveAuthPublicKey))
	if err != nil {
		t.Fatal(err)
	}
	var info *lds.ActiveAuthenticationInfo
	if dg14 := ev.DataGroups["DG14"]; dg14 != "" {
		infos, err := lds.ParseDG14(b64(dg14))
		if err != nil {
			t.Fatal(err)
		}
		if len(infos.ActiveAuthentication) > 0 {
			info = &infos.ActiveAuthentication[0]
		}
	}
	challenge, sig := b64(ev.Challenge), b64(ev.ActiveAuthSignature)
	for _, key := range []*lds.PublicKey{dg15.PublicKey, spki} {
		if _, err := activeauth.VerifySignature(key, info, challenge, sig); err != nil {
			t.Errorf("the signature does not verify: %v", err)
		}
	}
	other := slices.Clone(challenge)
	other[0] ^= 1
	bad := slices.Clone(sig)
	bad[len(bad)/2] ^= 1
	if _, err := activeauth.VerifySignature(dg15.PublicKey, info, other, sig); err == nil {
		t.Error("the signature verifies for another challenge")
	}
	if _, err := activeauth.VerifySignature(dg15.PublicKey, info, challenge, bad); err == nil {
		t.Error("a corrupted signature verifies")
	}
}
