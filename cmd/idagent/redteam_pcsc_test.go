package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
)

// Red team, end to end: a production agent (idagent run without
// --simulate) reads, through the real pcscd, a card the simulator issued
// with the TEST PKI, whose private keys anyone can read in the source
// tree. Neither read.identity nor read.result ever reads as PASS: UNKNOWN
// when the trust store lacks the TEST CSCA, FAIL (TEST_ANCHOR) when it
// holds it by mistake as a CSCA.
func TestProductionAgentRefusesTestPKI(t *testing.T) {
	pcsctest.Require(t)
	const origin = "http://desk.example"
	for name, tc := range map[string]struct {
		anchor bool
		status check.Status
		reason string
	}{
		"no anchor":                    {false, check.Unknown, pa.ReasonCSCANotTrusted},
		"TEST CSCA imported as a CSCA": {true, check.Fail, pa.ReasonTestAnchor},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			store := filepath.Join(dir, "trust")
			if tc.anchor {
				store = filepath.Join(dir, "csca.der")
				if err := os.WriteFile(store, sim.TrustAnchor(), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg, _ := json.Marshal(map[string]any{"trustStore": store, "log": map[string]any{"level": "warn"},
				"origins": []map[string]any{{"origin": origin, "fields": []string{"all"}}}})
			cfgFile := filepath.Join(dir, "config.json")
			if err := os.WriteFile(cfgFile, cfg, 0o600); err != nil {
				t.Fatal(err)
			}
			run := startRun(t, "--config", cfgFile, "--listen", "127.0.0.1:0")
			t.Cleanup(func() { run.stop(t) })
			c, _, err := agenttest.Dial(run.servingAddr(t), origin)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			chip := insertPCSC(t, "cccd", sim.Options{Seed: 80})
			if _, err := c.Event("card.inserted", 15*time.Second, func(f *agenttest.Frame) bool { return f.Name == "card.inserted" }); err != nil {
				t.Fatal(err)
			}
			r, err := c.Request("read.start", map[string]any{"reader": pcsctest.Reader0, "access": map[string]any{"can": chip.AccessData().CAN}})
			var started protocol.ReadStarted
			if err != nil || r.Error != nil || r.Decode(&started) != nil {
				t.Fatalf("read.start: %v %s", err, r.Raw)
			}
			final, err := c.Final(started.ReadID, 30*time.Second)
			if err != nil || final.Name != "read.result" {
				t.Fatalf("read: %v %s", err, final.Raw)
			}
			var res protocol.Result
			if err := final.Decode(&res); err != nil {
				t.Fatal(err)
			}
			if got := check.Status(res.Verification.Overall); got != tc.status || !hasReason(res.Verification.Checks, check.DSChain, tc.reason) {
				t.Errorf("read.result: %s %+v", got, res.Verification.Checks)
			}
			idf, err := c.ReadEvent("read.identity", started.ReadID, time.Second)
			var ident protocol.Identity
			if err != nil || idf.Decode(&ident) != nil || !hasReason(ident.Checks, check.DSChain, tc.reason) {
				t.Errorf("read.identity: %v %+v", err, ident.Checks)
			}
		})
	}
}

func hasReason(checks []protocol.Check, name, reason string) bool {
	for _, c := range checks {
		if c.Name == name {
			return c.Reason == reason
		}
	}
	return false
}
