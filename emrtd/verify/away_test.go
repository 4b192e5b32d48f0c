package verify_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

var (
	challengeA = []byte("chal-A-1")
	challengeB = []byte("chal-B-2")
)

// server verifies evidence JSON as a backend does, with its challenge.
func server(t *testing.T, evidence []byte, challenge []byte) *verify.Result {
	t.Helper()
	ev, err := verify.ParseEvidence(evidence)
	if err != nil {
		t.Fatal(err)
	}
	return verify.Verify(ev, verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true, Challenge: challenge})
}

// away is what the desk's checks become at a server: the access key is
// not there (SKIPPED), chip authentication's PASS is verified at the desk
// only (SKIPPED when active authentication proves the chip here, else
// WARN), so is the access control's PASS (SKIPPED), and the challenge
// check comes last.
func away(desk check.Report) check.Report {
	aaPassed := false
	if c, ok := desk.Get(check.ActiveAuth); ok && c.Status == check.Pass {
		aaPassed = true
	}
	var out check.Report
	for _, c := range desk {
		switch {
		case c.Name == check.AccessKey:
			c.Status, c.Reason = check.Skipped, lds.ReasonNoAccessKey
		case c.Name == check.ChipAuth && c.Status == check.Pass && aaPassed:
			c.Status, c.Reason = check.Skipped, verify.ReasonVerifiedAtDeskOnly
		case c.Name == check.ChipAuth && c.Status == check.Pass:
			c.Status, c.Reason = check.Warn, verify.ReasonVerifiedAtDeskOnly
		case c.Name == check.AccessProtocol && c.Status == check.Pass:
			c.Status, c.Reason = check.Skipped, verify.ReasonVerifiedAtDeskOnly
		}
		out = append(out, check.Check{Name: c.Name, Status: c.Status, Reason: c.Reason})
	}
	challenge := check.Check{Name: check.Challenge, Status: check.Pass, Reason: verify.ReasonChallengeSigned}
	if !aaPassed {
		challenge.Status, challenge.Reason = check.Warn, verify.ReasonChallengeNotSigned
	}
	return append(out, challenge)
}

func outcomes(r check.Report) check.Report {
	var out check.Report
	for _, c := range r {
		out = append(out, check.Check{Name: c.Name, Status: c.Status, Reason: c.Reason})
	}
	return out
}

// Evidence of every simulator profile (chip and document profiles)
// verifies at a server with the desk's checks, except what only the desk
// can check; a chip with active authentication gets the desk's verdict,
// one without is at best WARN (chip authenticity verified at the desk
// only).
func TestEveryProfileAwayFromDesk(t *testing.T) {
	for _, profile := range append(sim.Profiles(), sim.Documents()...) {
		t.Run(profile, func(t *testing.T) {
			d := verifytest.Desk(t, profile, sim.Options{Seed: 50}, challengeA)
			got := server(t, d.JSON, challengeA)
			want := away(d.Result.Checks)
			if g := outcomes(got.Checks); !slices.Equal(g, want) {
				t.Errorf("server:\n%v\nwant:\n%v", g, want)
			}
			if got.Verdict != verify.Verdict(want) {
				t.Errorf("verdict %s, want %s", got.Verdict, verify.Verdict(want))
			}
			hasAA := d.Result.DG15 != nil
			if hasAA && got.Verdict != d.Result.Verdict || !hasAA && got.Verdict != check.Warn {
				t.Errorf("verdict %s, desk %s (active authentication: %v)", got.Verdict, d.Result.Verdict, hasAA)
			}
		})
	}
}

// want asserts one check's status and reason and a failing verdict.
func want(t *testing.T, res *verify.Result, name string, status check.Status, reason string) {
	t.Helper()
	c, _ := res.Checks.Get(name)
	if c.Status != status || c.Reason != reason {
		t.Errorf("%s: %s %s, want %s %s", name, c.Status, c.Reason, status, reason)
	}
	if res.Verdict == check.Pass || res.Verdict == check.Warn {
		t.Errorf("verdict %s", res.Verdict)
	}
}

// editEvidence decodes evidence JSON, lets edit change it and encodes it
// again.
func editEvidence(t *testing.T, raw []byte, edit func(*verify.Evidence)) []byte {
	t.Helper()
	ev, err := verify.ParseEvidence(raw)
	if err != nil {
		t.Fatal(err)
	}
	edit(ev)
	out, err := ev.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Forgeries of the evidence each fail at a server with their own check
// and reason.
func TestForgedEvidence(t *testing.T) {
	genuine := verifytest.Desk(t, "cccd", sim.Options{Seed: 51}, challengeA)
	other := verifytest.Desk(t, "cccd", sim.Options{Seed: 52}, challengeA)

	t.Run("edited DG13 byte", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) {
			dg13 := bytes.Clone(ev.DataGroups[13])
			dg13[len(dg13)-1] ^= 1
			ev.DataGroups[13] = dg13
		})
		want(t, server(t, raw, challengeA), check.DGHash(13), check.Fail, "HASH_MISMATCH")
	})
	t.Run("swapped DG2", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) {
			ev.DataGroups[2] = other.Result.Evidence().DataGroups[2]
		})
		res := server(t, raw, challengeA)
		want(t, res, check.DGHash(2), check.Fail, "HASH_MISMATCH")
		if doc := res.Document(mustParse(t, raw)); doc.Portrait != nil {
			t.Error("the swapped portrait is in the verified document")
		}
	})
	t.Run("EF.CardAccess disagreeing with DG14", func(t *testing.T) {
		passport := verifytest.Desk(t, "passport", sim.Options{Seed: 51}, nil)
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) { ev.CardAccess = passport.Result.Evidence().CardAccess })
		want(t, server(t, raw, challengeA), check.CardAccessConsistency, check.Fail, verify.ReasonCardAccessMismatch)
	})
	t.Run("challenge from another read", func(t *testing.T) {
		want(t, server(t, genuine.JSON, challengeB), check.Challenge, check.Fail, verify.ReasonChallengeMismatch)
	})
	t.Run("challenge replaced", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) { ev.ActiveAuth.Challenge = challengeB })
		want(t, server(t, raw, challengeB), check.ActiveAuth, check.Fail, verify.ReasonSignatureInvalid)
	})
	t.Run("signature from another chip", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) {
			ev.ActiveAuth.Signature = other.Result.ActiveAuth.Signature
		})
		want(t, server(t, raw, challengeA), check.ActiveAuth, check.Fail, verify.ReasonSignatureInvalid)
	})
	t.Run("signature stripped", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) { ev.ActiveAuth = nil })
		res := server(t, raw, challengeA)
		want(t, res, check.ActiveAuth, check.Unknown, verify.ReasonSignatureMissing)
		want(t, res, check.Challenge, check.Unknown, verify.ReasonChallengeNotSigned)
	})
	t.Run("DG15 stripped", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) {
			delete(ev.DataGroups, 15)
			ev.ActiveAuth = nil
		})
		want(t, server(t, raw, challengeA), check.ActiveAuth, check.Unknown, verify.ReasonSignatureMissing)
	})
	t.Run("chip authentication claimed without anti-clone keys proven", func(t *testing.T) {
		raw := editEvidence(t, genuine.JSON, func(ev *verify.Evidence) {
			ev.ChipAuth = nil
			ev.ActiveAuth = nil
		})
		want(t, server(t, raw, challengeA), check.ChipAuth, check.Unknown, verify.ReasonNotShown)
	})
}

// Forgeries the simulator issues (the chip itself lies) fail at a server
// with the check the desk fails them with.
func TestTampersAwayFromDesk(t *testing.T) {
	for _, tamper := range issue.Tampers {
		t.Run(string(tamper), func(t *testing.T) {
			d := verifytest.Desk(t, "cccd", sim.Options{Seed: 53, Tamper: tamper}, challengeA)
			caught := tamper.Caught()
			res := server(t, d.JSON, challengeA)
			c, _ := res.Checks.Get(caught.Check)
			deskCheck, _ := d.Result.Checks.Get(caught.Check)
			if c.Status != caught.Status || c.Reason != deskCheck.Reason || res.Verdict == check.Pass || res.Verdict == check.Warn {
				t.Errorf("%s %s %s, desk %s; verdict %s", caught.Check, c.Status, c.Reason, deskCheck.Reason, res.Verdict)
			}
		})
	}
}

func mustParse(t *testing.T, raw []byte) *verify.Evidence {
	t.Helper()
	ev, err := verify.ParseEvidence(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
