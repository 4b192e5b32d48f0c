package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/cardread"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/agent/simulate"
	"github.com/idagent/idagent/emrtd/check"
	idfields "github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/sim"
)

// identityObserver keeps what a read reports before its result.
type identityObserver struct {
	fields protocol.Fields
	checks check.Report
}

func (o *identityObserver) Progress(string, int) {}
func (o *identityObserver) Identity(f protocol.Fields, c check.Report) {
	o.fields, o.checks = f, c
}
func (o *identityObserver) Photo(string, []byte) {}

// readProfile reads a simulated chip of profile with the real pipeline and
// returns what the session discloses from: the result and the identity.
func readProfile(t *testing.T, profile string) (*session.Result, *identityObserver) {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: 41})
	if err != nil {
		t.Fatal(err)
	}
	conn := agenttest.Connect(t, chip)
	store, _, err := simulate.Trust()
	if err != nil {
		t.Fatal(err)
	}
	a := chip.AccessData()
	key := protocol.AccessKey{MRZ: a.MRZ}
	if strings.HasPrefix(profile, "cccd") {
		key = protocol.AccessKey{ID12: a.ID12}
	}
	obs := &identityObserver{}
	res, err := (&cardread.Reader{Trust: store, AllowTestAnchors: true}).Read(context.Background(), conn,
		session.Request{Access: key, Evidence: true}, obs)
	if err != nil {
		t.Fatalf("%s: %v", profile, err)
	}
	return res, obs
}

// disclosed is everything a connection with policy p receives of a read:
// read.identity and read.result (evidence asked for), as JSON.
func disclosed(t *testing.T, p config.Policy, res *session.Result, obs *identityObserver) string {
	t.Helper()
	d := session.Disclosure{Policy: p}
	ident, err := json.Marshal(d.Identity("rd_x", obs.fields, obs.checks))
	if err != nil {
		t.Fatal(err)
	}
	result, err := json.Marshal(d.Result("rd_x", res, true))
	if err != nil {
		t.Fatal(err)
	}
	return string(ident) + "\n" + string(result)
}

// tokens are the forms a field's value takes in JSON: quoted always, bare
// (inside a sentence) when long enough not to occur by chance.
func tokens(v string) []string {
	q, _ := json.Marshal(v)
	out := []string{string(q)}
	if len(v) >= 3 {
		out = append(out, strings.Trim(string(q), `"`))
	}
	return out
}

// The field policy covers every byte (issue 17, finding 4: document.type,
// code and issuingState reached an origin allowed only idNumber and
// fullName). For every simulated profile and every field: a policy that
// withholds only that field sends its value nowhere, in no block, unless
// another allowed field holds the same text (issuingState and
// nationalityCode are both VNM on a Vietnamese card); a policy that allows
// nothing sends no value at all; the full policy sends them all (so the
// test can fail).
func TestPolicyCoversEveryByte(t *testing.T) {
	for _, profile := range sim.Profiles() {
		t.Run(profile, func(t *testing.T) {
			res, obs := readProfile(t, profile)
			values := map[string]string{}
			for f, v := range res.Fields {
				if s, ok := v.(string); ok && s != "" {
					values[f] = s
				}
			}
			if len(values) < 8 {
				t.Fatalf("only %d fields read: %v", len(values), slices.Sorted(maps.Keys(values)))
			}
			full := disclosed(t, config.FullPolicy(), res, obs)
			for f, v := range values {
				if !strings.Contains(full, tokens(v)[0]) {
					t.Errorf("full policy: %s not sent", f)
				}
			}
			none := disclosed(t, config.Policy{}, res, obs)
			for f, v := range values {
				for _, tok := range tokens(v) {
					if strings.Contains(none, tok) {
						t.Errorf("a policy allowing nothing still sends %s (as %s)", f, tok)
					}
				}
			}
			for _, withheld := range idfields.AllFields {
				v, ok := values[withheld]
				if !ok {
					continue
				}
				// Withhold the field and every field that holds the same
				// text (issuingState and nationalityCode are both VNM on a
				// Vietnamese card; the MRZ holds the document number).
				hide := sameText(values, v)
				p := config.FullPolicy()
				p.Fields = slices.DeleteFunc(slices.Clone(p.Fields), func(f string) bool { return slices.Contains(hide, f) })
				out := disclosed(t, p, res, obs)
				for _, tok := range tokens(v) {
					if at := strings.Index(out, tok); at >= 0 {
						t.Errorf("%v withheld, yet %s sent as %s at …%s…", hide, withheld, tok, out[max(0, at-60):min(len(out), at+len(tok)+20)])
					}
				}
			}
		})
	}
}

// sameText lists the fields whose value is v, or contains it when v is
// long enough to be found inside a sentence (tokens).
func sameText(values map[string]string, v string) []string {
	var out []string
	for f, w := range values {
		if w == v || len(v) >= 3 && strings.Contains(w, v) {
			out = append(out, f)
		}
	}
	return out
}

// Finding 4 over the WebSocket: an origin allowed only idNumber and
// fullName reads a passport and receives those two fields and nothing that
// names the document's kind or issuer: no document.type, code or
// issuingState, no data groups or access mechanism, no check message
// naming the signer's country, no ATR; withheld names every other field
// whatever the card holds; hello offers neither photo nor evidence.
func TestNarrowPolicyOverWebSocket(t *testing.T) {
	s := startSimWithPolicy(t, config.Policy{Fields: []string{idfields.FieldIDNumber, idfields.FieldFullName}})
	c := s.dial(t, deskOrigin)
	r := must(t)(c.Request("hello", nil))
	var hello protocol.HelloResponse
	if r.Decode(&hello) != nil || slices.Contains(hello.Capabilities, "photo") || slices.Contains(hello.Capabilities, "evidence") ||
		hello.Policy.Photo || hello.Policy.Evidence {
		t.Fatalf("hello offers what the policy forbids: %s", r.Raw)
	}
	card := insertSim(t, c, map[string]any{"profile": "passport", "seed": 43})
	id := startRead(t, c, map[string]any{"access": map[string]any{"mrz": card.MRZ}, "photo": true, "evidence": true})
	final := must(t)(c.Final(id, 20*time.Second))
	var res protocol.Result
	if final.Name != "read.result" || final.Decode(&res) != nil {
		t.Fatalf("read: %s", final.Raw)
	}
	for f := range res.Fields {
		if f != idfields.FieldIDNumber && f != idfields.FieldFullName {
			t.Errorf("field %s sent", f)
		}
	}
	if res.Fields[idfields.FieldFullName] == nil || res.Evidence != nil {
		t.Fatalf("fields: %s", final.Raw)
	}
	var doc map[string]any
	var raw struct {
		Document json.RawMessage `json:"document"`
	}
	if json.Unmarshal(final.Data, &raw) != nil || json.Unmarshal(raw.Document, &doc) != nil || len(doc) != 0 {
		t.Fatalf("document block sent: %s", raw.Document)
	}
	want := slices.DeleteFunc(slices.Clone(idfields.AllFields), func(f string) bool {
		return f == idfields.FieldIDNumber || f == idfields.FieldFullName
	})
	if !slices.Equal(res.Withheld, want) {
		t.Fatalf("withheld %v, want every other field", res.Withheld)
	}
	for _, f := range c.Frames() {
		if f.Type == "event" && (strings.Contains(string(f.Data), "VNM") || strings.Contains(string(f.Data), `"atr"`) ||
			strings.Contains(string(f.Data), "DG1")) {
			t.Errorf("%s betrays the document: %s", f.Name, f.Raw)
		}
		if f.Name == "read.photo" {
			t.Errorf("photo sent against the policy")
		}
	}
}

// Finding 7 (notes): what a response echoes is bounded, hello's client
// label has its documented limit, and read.progress never repeats a phase
// after a later one nor sends the same step twice (a real pipeline read).
func TestEchoLimitsAndProgress(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	longName := strings.Repeat("n", 10<<10)
	c.SendRaw(`{"v":1,"type":"request","name":"` + longName + `","id":"x"}`)
	f := must(t)(c.WaitFor(wait, func(f *agenttest.Frame) bool { return f.Type == "response" }))
	if f.Code() != "BAD_REQUEST" || len(f.Raw) > 300 || string(f.ID) != "null" {
		t.Fatalf("long name: %d bytes: %.300s", len(f.Raw), f.Raw)
	}
	longID := `"` + strings.Repeat("i", 10<<10) + `"`
	n := len(c.Frames())
	c.SendRaw(`{"v":1,"type":"request","name":"hello","id":` + longID + `}`)
	f = must(t)(c.WaitAfter(n, wait, func(f *agenttest.Frame) bool { return f.Type == "response" }))
	if f.Code() != "BAD_REQUEST" || len(f.Raw) > 300 {
		t.Fatalf("long id: %d bytes", len(f.Raw))
	}
	if r := must(t)(c.Request("hello", map[string]any{"client": strings.Repeat("c", 10<<10)})); r.Code() != "BAD_REQUEST" {
		t.Fatalf("a 10 KB client label: %.200s", r.Raw)
	}
	if r := must(t)(c.Request("hello", map[string]any{"client": strings.Repeat("ư", 100)})); r.Error != nil {
		t.Fatalf("a 100-character client label: %.200s", r.Raw)
	}
	card := insertSim(t, c, map[string]any{"profile": "cccd", "seed": 44})
	id := startRead(t, c, map[string]any{"access": map[string]any{"id12": card.ID12}, "photo": true})
	if f := must(t)(c.Final(id, 20*time.Second)); f.Name != "read.result" {
		t.Fatalf("read: %s", f.Raw)
	}
	order := []string{"waiting", "throttled", "connecting", "access", "reading", "photo", "verifying", "done"}
	var last protocol.Progress
	for _, f := range c.Frames() {
		var p protocol.Progress
		if f.Name != "read.progress" || f.Decode(&p) != nil || p.ReadID != id {
			continue
		}
		if slices.Index(order, p.Phase) < slices.Index(order, last.Phase) || p.Percent < last.Percent ||
			p.Phase == last.Phase && p.Percent == last.Percent {
			t.Errorf("progress %s %d after %s %d", p.Phase, p.Percent, last.Phase, last.Percent)
		}
		last = p
	}
	if last.Phase != "done" || last.Percent != 100 {
		t.Fatalf("progress ended at %s %d", last.Phase, last.Percent)
	}
}

// A policy that withholds the document's kind gets read.progress by phase
// only: a passport and a Vietnamese card give the same percents (the finer
// percent follows the files each holds).
func TestProgressByPhaseForNarrowPolicy(t *testing.T) {
	s := startSimWithPolicy(t, config.Policy{Fields: []string{idfields.FieldIDNumber, idfields.FieldFullName}})
	c := s.dial(t, deskOrigin)
	percents := func(profile string, seed int, access func(card protocol.SimCard) map[string]any) []string {
		card := insertSim(t, c, map[string]any{"profile": profile, "seed": seed})
		n := len(c.Frames())
		id := startRead(t, c, map[string]any{"access": access(card)})
		if f := must(t)(c.Final(id, 20*time.Second)); f.Name != "read.result" {
			t.Fatalf("%s: %s", profile, f.Raw)
		}
		var out []string
		for _, f := range c.Frames()[n:] {
			var p protocol.Progress
			if f.Name == "read.progress" && f.Decode(&p) == nil && p.ReadID == id {
				out = append(out, fmt.Sprintf("%s %d", p.Phase, p.Percent))
			}
		}
		must(t)(c.Request("sim.remove", map[string]any{"reader": card.Reader}))
		return out
	}
	cccd := percents("cccd", 45, func(card protocol.SimCard) map[string]any { return map[string]any{"id12": card.ID12} })
	passport := percents("passport", 46, func(card protocol.SimCard) map[string]any { return map[string]any{"mrz": card.MRZ} })
	if !slices.Equal(cccd, passport) || len(cccd) < 3 {
		t.Errorf("progress tells the document: cccd %v, passport %v", cccd, passport)
	}
}
