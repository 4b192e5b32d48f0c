package agent_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
)

// simRead inserts a simulated card, reads it over the WebSocket with the
// key a desk has for it (the ID12 of a Vietnamese card, opening it with
// PACE-CAN; a passport's MRZ), and returns the identity and result events.
func simRead(t *testing.T, c *agenttest.Client, profile string, tamper issue.Tamper) (protocol.Identity, protocol.Result) {
	t.Helper()
	return simReadCard(t, c, map[string]any{"profile": profile, "tamper": string(tamper), "seed": 31})
}

// simReadCard inserts the card sim.insert describes and reads it as
// simRead does.
func simReadCard(t *testing.T, c *agenttest.Client, insert map[string]any) (protocol.Identity, protocol.Result) {
	t.Helper()
	profile, _ := insert["profile"].(string)
	card := insertSim(t, c, insert)
	key := map[string]any{"mrz": card.MRZ}
	if profile == "cccd" || profile == "cccd2024" {
		key = map[string]any{"id12": card.ID12}
	}
	id := startRead(t, c, map[string]any{"access": key, "photo": true, "reader": card.Reader})
	final := must(t)(c.Final(id, 20*time.Second))
	var ident protocol.Identity
	var res protocol.Result
	if final.Name != "read.result" || final.Decode(&res) != nil {
		t.Fatalf("%v: %s", insert, final.Raw)
	}
	if err := must(t)(c.ReadEvent("read.identity", id, wait)).Decode(&ident); err != nil {
		t.Fatal(err)
	}
	return ident, res
}

// checkStatus is the status of the check name ("" when absent).
func checkStatus(checks []protocol.Check, name string) check.Status {
	for _, c := range checks {
		if c.Name == name {
			return check.Status(c.Status)
		}
	}
	return ""
}

// Every simulated profile reads over the WebSocket with the key a desk has
// and passes every check against the simulator's test anchor (reported as
// such); the result says how the chip was opened and which anti-clone
// protocols ran; read.identity already carries chip authentication.
func TestSimulatedProfiles(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	want := map[string]struct {
		mechanism, password  string
		chipAuth, activeAuth check.Status
	}{
		"cccd":              {"PACE-GM", "CAN", check.Pass, check.Pass},
		"cccd2024":          {"PACE-GM", "CAN", check.Pass, check.Pass},
		"passport":          {"PACE-GM", "MRZ", check.Pass, check.Pass},
		"passport-im":       {"PACE-IM", "MRZ", check.Pass, check.Pass},
		"passport-dh":       {"PACE-GM", "MRZ", check.Pass, check.Pass},
		"passport-cam":      {"PACE-CAM", "MRZ", check.Pass, check.NotSupported},
		"passport-3des":     {"PACE-GM", "MRZ", check.Pass, check.Pass},
		"passport-bac-only": {"BAC", "MRZ", check.NotSupported, check.Pass},
	}
	if len(want) != len(sim.Profiles()) {
		t.Fatalf("the test knows %d profiles, the simulator has %v", len(want), sim.Profiles())
	}
	for _, profile := range sim.Profiles() {
		t.Run(profile, func(t *testing.T) {
			w := want[profile]
			ident, res := simRead(t, c, profile, issue.NoTamper)
			v := res.Verification
			if check.Status(v.Overall) != check.Pass || !v.TestAnchor {
				t.Errorf("overall %s, test anchor %v: %+v", v.Overall, v.TestAnchor, v.Checks)
			}
			ac := res.Document.AccessControl
			if res.Document.Access != w.mechanism || ac == nil || ac.Mechanism != w.mechanism || ac.Password != w.password || ac.Fallback || ac.Cipher == "" {
				t.Errorf("access %q, %+v", res.Document.Access, ac)
			}
			if got := checkStatus(v.Checks, check.ChipAuth); got != w.chipAuth {
				t.Errorf("chip authentication %s, want %s", got, w.chipAuth)
			}
			if got := checkStatus(v.Checks, check.ActiveAuth); got != w.activeAuth {
				t.Errorf("active authentication %s, want %s", got, w.activeAuth)
			}
			if got := checkStatus(ident.Checks, check.ChipAuth); got != w.chipAuth {
				t.Errorf("read.identity: chip authentication %s, want %s", got, w.chipAuth)
			}
			// The chip proved itself before the identity is sent: its
			// checks are final but DG2's hash, pending.
			if got := checkStatus(ident.Checks, check.ActiveAuth); got != w.activeAuth {
				t.Errorf("read.identity: active authentication %s, want %s", got, w.activeAuth)
			}
			if got := checkStatus(ident.Checks, check.DGHash(2)); got != check.Skipped {
				t.Errorf("read.identity: DG2's hash %s, want SKIPPED (pending)", got)
			}
		})
	}
}

// Every forgery of the simulator ends, over the WebSocket, in a verdict
// that is not PASS and its own check; no other check fails. Every kind on
// the CCCD, and on the passports the kinds whose path differs there (TD3
// DG1, PACE-CAM's key in EF.CardSecurity, RSA active authentication).
func TestSimulatedTampers(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	cases := []struct {
		profile string
		tampers []issue.Tamper
	}{
		{"cccd", issue.Tampers},
		{"passport", []issue.Tamper{issue.DG1Edited, issue.CAClone, issue.AAClone}},
		{"passport-cam", []issue.Tamper{issue.CAClone, issue.SODBadSignature}},
		{"passport-bac-only", []issue.Tamper{issue.AAClone, issue.DSCExpired}},
	}
	for _, tc := range cases {
		for _, tamper := range tc.tampers {
			t.Run(tc.profile+"/"+string(tamper), func(t *testing.T) {
				ident, res := simRead(t, c, tc.profile, tamper)
				w, v := tamper.Caught(), res.Verification
				if check.Status(v.Overall) == check.Pass || check.Status(v.Overall) == check.Warn {
					t.Errorf("overall %s", v.Overall)
				}
				if got := checkStatus(v.Checks, w.Check); got != w.Status {
					t.Errorf("%s %s, want %s", w.Check, got, w.Status)
				}
				for _, ch := range v.Checks {
					if check.Status(ch.Status) == check.Fail && ch.Name != w.Check {
						t.Errorf("also failed: %s %s", ch.Name, ch.Reason)
					}
				}
				// A clone fails chip or active authentication before the
				// identity is sent, and read.identity says so.
				if (tamper == issue.CAClone || tamper == issue.AAClone) && checkStatus(ident.Checks, w.Check) != check.Fail {
					t.Errorf("read.identity: %s %s", w.Check, checkStatus(ident.Checks, w.Check))
				}
			})
		}
	}
}

// A tamper kind a profile cannot carry is a bad request naming both; a
// CAN (or ID12) cannot open a chip without PACE, and the read says which
// key form to give.
func TestSimulatedUnsupportedRequests(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	for _, bad := range [][2]string{{"passport", "dg13-edited"}, {"passport-cam", "aa-clone"}, {"passport-bac-only", "ca-clone"}} {
		r := must(t)(c.Request("sim.insert", map[string]any{"profile": bad[0], "tamper": bad[1]}))
		if r.Code() != "BAD_REQUEST" || r.Error.Retryable || !containsAll(r.Error.Message, bad[0], bad[1], "cannot be applied") {
			t.Errorf("%s with %s: %s", bad[0], bad[1], r.Raw)
		}
	}
	card := insertSim(t, c, map[string]any{"profile": "passport-bac-only", "seed": 32})
	for _, key := range []map[string]any{{"can": card.CAN}, {"id12": card.ID12}} {
		id := startRead(t, c, map[string]any{"access": key, "reader": card.Reader})
		f := must(t)(c.Final(id, 20*time.Second))
		var d protocol.Failed
		if failedCode(t, f) != "BAD_REQUEST" || f.Decode(&d) != nil || d.Error.Retryable ||
			!containsAll(d.Error.Message, "does not offer PACE", "mrz") || containsAll(string(f.Raw), card.CAN) {
			t.Errorf("CAN on a chip without PACE: %s", f.Raw)
		}
	}
}

func containsAll(s string, parts ...string) bool {
	return !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(s, p) })
}

// Hostile chips over the WebSocket: hello lists the attacks, sim.insert
// makes them (refusing with the reason where the profile cannot carry
// one), and read.identity already shows the failure of the chip that did
// not prove itself.
func TestSimulatedAttacks(t *testing.T) {
	s := startSim(t, "")
	c := s.dial(t, deskOrigin)
	r := must(t)(c.Request("hello", nil))
	var hello protocol.HelloResponse
	if r.Decode(&hello) != nil || hello.Sim == nil || !slices.Equal(hello.Sim.Attacks, sim.Attacks()) {
		t.Fatalf("hello sim attacks: %s", r.Raw)
	}
	for _, bad := range []map[string]any{{"attack": "nope"}, {"profile": "passport-bac-only", "attack": "dg14-hidden"}} {
		if r := must(t)(c.Request("sim.insert", bad)); r.Code() != "BAD_REQUEST" || !strings.Contains(r.Error.Message, bad["attack"].(string)) {
			t.Errorf("sim.insert %v: %s", bad, r.Raw)
		}
	}
	for _, attack := range []string{"dg15-hidden", "ca-key-planted"} {
		ident, res := simReadCard(t, c, map[string]any{"profile": "cccd", "attack": attack, "seed": 33})
		a, _ := sim.LookupAttack(attack)
		p, _ := sim.LookupProfile("cccd")
		if check.Status(res.Verification.Overall) == check.Pass {
			t.Errorf("%s: verdict PASS", attack)
		}
		for _, want := range a.Caught(p) {
			if got := checkStatus(res.Verification.Checks, want.Check); got != want.Status {
				t.Errorf("%s: %s %s, want %s", attack, want.Check, got, want.Status)
			}
			if got := checkStatus(ident.Checks, want.Check); got != want.Status {
				t.Errorf("%s: read.identity: %s %s, want %s", attack, want.Check, got, want.Status)
			}
		}
	}
}
