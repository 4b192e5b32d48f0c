package read

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
)

// Every forgery of the simulator ends in its own failing check and a
// verdict that is not PASS; no other check fails; chip and active
// authentication of a document whose signature chain failed do not pass.
func TestTampersCaught(t *testing.T) {
	// Every kind on the CCCD; on the passports the kinds whose path differs
	// there (TD3 DG1, P-256 keys, PACE-CAM with its key from EF.CardSecurity).
	matrix := map[string][]issue.Tamper{
		"cccd":         issue.Tampers,
		"passport":     {issue.DG1Edited, issue.AAClone, issue.CAClone},
		"passport-cam": {issue.CAClone, issue.SODBadSignature, issue.DSCRevoked},
	}
	for profile, tampers := range matrix {
		for _, tamper := range tampers {
			chip, err := sim.New(profile, sim.Options{Seed: 20, Tamper: tamper})
			if err != nil {
				continue // the profile lacks what the forgery needs (DG13, AA)
			}
			t.Run(profile+"/"+string(tamper), func(t *testing.T) {
				_, conn := insertChip(t, chip)
				res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
				if err != nil {
					t.Fatal(err)
				}
				want := tamper.Caught()
				if got := status(res.Checks, want.Check); got != want.Status {
					t.Errorf("%s %s, want %s", want.Check, got, want.Status)
				}
				if res.Verdict == check.Pass || res.Verdict == check.Warn {
					t.Errorf("verdict %s", res.Verdict)
				}
				for _, c := range res.Checks {
					if c.Status == check.Fail && c.Name != want.Check {
						t.Errorf("also failed: %s %s", c.Name, c.Reason)
					}
				}
			})
		}
	}
}

// When passive authentication does not vouch for DG14 and DG15, a chip
// that proved their keys is UNKNOWN, never PASS.
func TestAntiCloneNeedsPassiveAuthentication(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 21})
	opts := fullOptions(t, canKey(t, chip))
	opts.Trust = nil
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{check.ChipAuth, check.ActiveAuth} {
		c, _ := res.Checks.Get(name)
		if c.Status != check.Unknown || c.Reason != verify.ReasonKeyNotVerified {
			t.Errorf("%+v", c)
		}
	}
	if res.ChipAuth.Status != check.Pass || res.ActiveAuth.Status != check.Pass {
		t.Error("the protocols themselves should have passed")
	}
	if status(res.Checks, check.DSChain) != check.Unknown || res.Verdict != check.Unknown {
		t.Errorf("chain %s, verdict %s", status(res.Checks, check.DSChain), res.Verdict)
	}
}

// Test anchors satisfy a read only when the caller allows them; otherwise
// the chain fails as a test document and the verdict is FAIL.
func TestTestAnchorsNotAllowed(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 22})
	opts := fullOptions(t, canKey(t, chip))
	opts.AllowTestAnchors = false
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := res.Checks.Get(check.DSChain)
	if c.Status != check.Fail || c.Reason != pa.ReasonTestAnchor || res.Verdict != check.Fail {
		t.Errorf("chain %+v, verdict %s", c, res.Verdict)
	}
	if status(res.Checks, check.ChipAuth) != check.Unknown {
		t.Error("chip authentication passes on a test document that is not accepted")
	}
	opts.AllowTestAnchors = true
	chip.Reset()
	res, err = Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := res.Checks.Get(check.DSChain); c.Status != check.Pass || c.Reason != pa.ReasonTestAnchor {
		t.Errorf("allowed: %+v", c)
	}
}

// Without a CRL revocation is unchecked (WARN, as emrtd/pa decides): the
// verdict is WARN, and the signed keys still let chip and active
// authentication pass.
func TestNoCRL(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 23})
	opts := fullOptions(t, canKey(t, chip))
	opts.Trust = trust.New()
	if _, err := opts.Trust.ImportBytes(sim.TrustAnchor(), "test CSCA", trust.ImportOptions{Test: true}); err != nil {
		t.Fatal(err)
	}
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	if status(res.Checks, check.DSRevocation) != check.Warn || res.Verdict != check.Warn ||
		status(res.Checks, check.ChipAuth) != check.Pass || status(res.Checks, check.ActiveAuth) != check.Pass {
		t.Errorf("verdict %s, checks %+v", res.Verdict, res.Checks)
	}
}

// A chip without a readable EF.SOD fails verification.
func TestSODMissing(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 24})
	if err != nil {
		t.Fatal(err)
	}
	card := &interceptCard{chip: chip, answer: []byte{0x6A, 0x82}, match: func(cmd []byte) bool {
		return cmd[0] == 0x0C && cmd[1] == 0xB0 && cmd[2] == 0x9D
	}}
	opts := fullOptions(t, canKey(t, chip))
	opts.DataGroups = []int{13}
	res, err := Read(context.Background(), card, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := res.Checks.Get(check.SODSignature)
	if c.Status != check.Fail || c.Reason != verify.ReasonSODMissing || res.Verdict != check.Fail {
		t.Errorf("%+v, verdict %s", c, res.Verdict)
	}
}

// Without Verify no EF.SOD is read and no checks are made; chip and active
// authentication still run and report their own outcome.
func TestNoVerifyNoChecks(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 25})
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{canKey(t, chip)}, DataGroups: []int{14, 15}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.File("EF.SOD"); ok || len(res.Checks) != 0 || res.Verdict != "" {
		t.Error("EF.SOD read or checks made without Verify")
	}
	if res.ChipAuth == nil || res.ChipAuth.Status != check.Pass || res.ActiveAuth == nil || res.ActiveAuth.Status != check.Pass {
		t.Errorf("%+v %+v", res.ChipAuth, res.ActiveAuth)
	}
}

// A clone opened with BAC (PACE refused): chip authentication fails, the
// chip is opened again with BAC and the read goes on to the end.
func TestCloneUnderBAC(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 26, Tamper: issue.CAClone})
	if err != nil {
		t.Fatal(err)
	}
	card := &interceptCard{chip: chip, answer: []byte{0x6A, 0x80}, match: func(cmd []byte) bool { return cmd[1] == 0x22 && cmd[2] == 0xC1 }}
	res, err := Read(context.Background(), card, fullOptions(t, mrzKey(t, chip)))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := res.Checks.Get(check.ChipAuth)
	if res.AccessControl != MechanismBAC || c.Status != check.Fail || c.Reason != verify.ReasonKeyMismatch || res.DG13 == nil || res.Portrait == nil {
		t.Errorf("access %s, %+v", res.AccessControl, c)
	}
	if status(res.Checks, check.ActiveAuth) != check.Pass || res.Verdict != check.Fail {
		t.Errorf("active authentication %s, verdict %s", status(res.Checks, check.ActiveAuth), res.Verdict)
	}
}

// The portrait reaches OnPhoto, whose callers decode it, only when the
// issuer is proven to have signed it: EF.SOD's signature and signer chain
// (from the early identity's verification) and DG2's own hash. Any
// forgery of those, or a signer nobody trusts, withholds it with a
// warning, and the final checks still report why.
func TestPhotoOnlyWhenProven(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper issue.Tamper
		trust  bool
		shown  bool
	}{
		{"genuine", issue.NoTamper, true, true},
		{"dg2-swapped", issue.DG2Swapped, true, false},
		{"sod-bad-signature", issue.SODBadSignature, true, false},
		{"dsc-untrusted", issue.DSCUntrusted, true, false},
		{"no trust store", issue.NoTamper, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, _, conn := insert(t, "cccd", sim.Options{Seed: 27, Tamper: tc.tamper})
			opts := fullOptions(t, canKey(t, chip))
			if !tc.trust {
				opts.Trust, opts.AllowTestAnchors = nil, false
			}
			photos := 0
			opts.OnPhoto = func(Photo) { photos++ }
			res, err := Read(context.Background(), conn, opts)
			if err != nil {
				t.Fatal(err)
			}
			withheld := slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, "the portrait is not passed on") })
			if (photos == 1) != tc.shown || withheld == tc.shown {
				t.Errorf("%d photos, warnings %q; want shown %v", photos, res.Warnings, tc.shown)
			}
			if f, ok := res.File("DG2"); !ok || f.Status != FileRead {
				t.Errorf("DG2 %+v: the portrait is read either way", f)
			}
		})
	}
}

// Without verification nothing proves the portrait: it is not passed on.
func TestPhotoNeedsVerify(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 28})
	opts := fullOptions(t, canKey(t, chip))
	opts.Verify = false
	opts.OnPhoto = func(Photo) { t.Error("an unverified portrait was passed on") }
	if _, err := Read(context.Background(), conn, opts); err != nil {
		t.Fatal(err)
	}
}
