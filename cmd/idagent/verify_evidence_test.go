package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

var evidenceChallenge = []byte("cli-chal")

// verifyEvidence runs idagent verify evidence on evidence JSON with the
// simulator's test anchors and an empty store, and decodes its --json.
func verifyEvidence(t *testing.T, evidence []byte, extra ...string) (int, evidenceJSON, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "evidence.json")
	if err := os.WriteFile(file, evidence, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"verify", "evidence", file, "--trust", t.TempDir(), "--allow-test-anchors", "--json"}, extra...)
	code, stdout, stderr := runTrustCmd(t, args...)
	var out evidenceJSON
	if code < 64 {
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("exit %d, %v: %s %s", code, err, stdout, stderr)
		}
	}
	return code, out, stderr
}

// Evidence of every simulator profile (chip and document profiles)
// verifies on the command line with
// the checks emrtd/verify makes away from the desk; exit 0 (PASS, or WARN
// for a chip that cannot sign the challenge).
func TestVerifyEvidenceEveryProfile(t *testing.T) {
	challenge := "--challenge=" + base64.StdEncoding.EncodeToString(evidenceChallenge)
	for _, profile := range append(sim.Profiles(), sim.Documents()...) {
		t.Run(profile, func(t *testing.T) {
			d := verifytest.Desk(t, profile, sim.Options{Seed: 60}, evidenceChallenge)
			code, out, stderr := verifyEvidence(t, d.JSON, challenge)
			ev, _ := verify.ParseEvidence(d.JSON)
			want := verify.Verify(ev, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true, Challenge: evidenceChallenge})
			if code != exitOK || out.Verdict != want.Verdict || len(out.Checks) != len(want.Checks) {
				t.Fatalf("exit %d, verdict %s, want %s; %s", code, out.Verdict, want.Verdict, stderr)
			}
			for i, c := range out.Checks {
				if w := want.Checks[i]; c.Name != w.Name || c.Status != w.Status || c.Reason != w.Reason {
					t.Errorf("%+v, want %+v", c, w)
				}
			}
			if out.Fields != nil {
				t.Error("fields printed without --fields")
			}
		})
	}
}

// A forgery exits 1 (an edited DG13, an EF.CardAccess that disagrees
// with DG14), unknown trust 2, a chip that signed another challenge 1; the whole read.result is accepted; --fields prints the
// verified fields; unusable input exits 65.
func TestVerifyEvidenceOutcomes(t *testing.T) {
	d := verifytest.Desk(t, "cccd", sim.Options{Seed: 61}, evidenceChallenge)
	forged := verifytest.Desk(t, "cccd", sim.Options{Seed: 61, Tamper: issue.DG13Edited}, nil)
	if code, out, _ := verifyEvidence(t, forged.JSON); code != exitFailed || status(out.Checks, check.DGHash(13)) != check.Fail {
		t.Errorf("edited DG13: exit %d, %+v", code, out.Checks)
	}
	other := "--challenge=" + base64.StdEncoding.EncodeToString([]byte("another!"))
	if code, out, _ := verifyEvidence(t, d.JSON, other); code != exitFailed || status(out.Checks, check.Challenge) != check.Fail {
		t.Errorf("other challenge: exit %d, %+v", code, out.Checks)
	}
	passport := verifytest.Desk(t, "passport", sim.Options{Seed: 61}, nil)
	ev, _ := verify.ParseEvidence(d.JSON)
	ev.CardAccess = passport.Result.Evidence().CardAccess
	swapped, _ := ev.MarshalJSON()
	if code, out, _ := verifyEvidence(t, swapped); code != exitFailed || status(out.Checks, check.CardAccessConsistency) != check.Fail {
		t.Errorf("EF.CardAccess of another document: exit %d, %+v", code, out.Checks)
	}
	message := []byte(`{"v":1,"type":"event","name":"read.result","seq":7,"data":{"readId":"rd_x","evidence":` + string(d.JSON) + `}}`)
	code, out, _ := verifyEvidence(t, message, "--fields")
	if code != exitOK || out.Fields["idNumber"] != d.Chip.AccessData().ID12 || len(out.Verified) < 5 {
		t.Errorf("read.result: exit %d, verified %v, %d fields", code, out.Verified, len(out.Fields))
	}
	file := filepath.Join(t.TempDir(), "e.json")
	os.WriteFile(file, d.JSON, 0o600)
	if code, _, _ := runTrustCmd(t, "verify", "evidence", file, "--trust", t.TempDir(), "--json"); code != exitUnknown {
		t.Errorf("without test anchors: exit %d", code)
	}
	for name, bad := range map[string]string{"not JSON": "{", "no evidence": `{"readId":"x"}`, "bad data group": `{"sod":"","dataGroups":{"DGX":""}}`} {
		code, _, stderr := verifyEvidence(t, []byte(bad))
		if code != exitInput || !strings.Contains(stderr, "evidence") {
			t.Errorf("%s: exit %d, %s", name, code, stderr)
		}
	}
	if code, _, _ := verifyEvidence(t, d.JSON, "--challenge=abc"); code != exitUsage {
		t.Errorf("bad challenge: exit %d", code)
	}
}

func status(r check.Report, name string) check.Status {
	c, _ := r.Get(name)
	return c.Status
}

// idagent read --challenge BASE64 --evidence FILE writes evidence that
// idagent verify evidence accepts with that challenge: the round trip of
// docs/VERIFIER.md without a browser.
func TestReadEvidenceRoundTrip(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 62})
	file := filepath.Join(t.TempDir(), "evidence.json")
	chal := base64.StdEncoding.EncodeToString([]byte("rt-chal!"))
	if code, _, errOut := runCmd(append(append(deskArgs(chip), testTrustArgs(t)...), "--challenge", chal, "--evidence", file, "--no-photo")...); code != exitOK {
		t.Fatalf("read: exit %d: %s", code, errOut)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("evidence file: %v", err)
	}
	raw, _ := os.ReadFile(file)
	code, out, errOut := verifyEvidence(t, raw, "--challenge="+chal)
	if code != exitOK || status(out.Checks, check.Challenge) != check.Pass {
		t.Errorf("verify: exit %d %s: %+v", code, errOut, out.Checks)
	}
}
