package verify_test

import (
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
)

// A document whose EF.SOD lists neither DG14 nor DG15 (a clonable
// BAC-only passport, real-chips C-07) is never PASS: nothing proves its
// chip is not a copy.
func TestNotProvenWithoutAntiClone(t *testing.T) {
	doc, err := issue.Issue(issue.Options{Seed: 50, Kind: issue.Passport, DataGroups: []int{1, 11, 12}})
	if err != nil {
		t.Fatal(err)
	}
	ev := &verify.Evidence{SOD: doc.Files[issue.FIDSOD], COM: doc.Files[issue.FIDCOM], DataGroups: map[int][]byte{},
		Access: &verify.Access{Mechanism: verify.MechanismBAC, Password: "MRZ", Cipher: "3DES", Attempts: 1}}
	for _, n := range []int{1, 11, 12} {
		ev.DataGroups[n] = doc.Files[issue.FIDOfDG(n)]
	}
	got := verify.Verify(ev, deskOptions(t))
	if c, _ := got.Checks.Get(check.ChipAuth); c.Status != check.Warn || c.Reason != verify.ReasonNotProven {
		t.Errorf("%+v", c)
	}
	for name, want := range map[string]check.Status{check.AccessProtocol: check.NotSupported, check.CardAccessConsistency: check.NotSupported,
		check.COMConsistency: check.Pass, check.ActiveAuth: check.Skipped} {
		if c, _ := got.Checks.Get(name); c.Status != want {
			t.Errorf("%+v, want %s", c, want)
		}
	}
	if got.Verdict != check.Warn {
		t.Errorf("verdict %s: %+v", got.Verdict, got.Checks)
	}
}

// A data group EF.SOD lists that the desk did not get has its hash check,
// with the reason of how the chip refused it; one EF.SOD does not list has
// none.
func TestRefusedDataGroups(t *testing.T) {
	res := verifytest.Desk(t, "cccd", sim.Options{Seed: 51}, nil).Result
	for _, tc := range []struct {
		refused verify.Refused
		status  check.Status
		reason  string
	}{
		{verify.Refused{Name: "DG13", DG: 13, Status: verify.FileAbsent}, check.Fail, verify.ReasonListedFileAbsent},
		{verify.Refused{Name: "DG13", DG: 13, Status: verify.FileProtected}, check.Unknown, verify.ReasonFileProtected},
		{verify.Refused{Name: "DG13", DG: 13, Status: verify.FileFailed, Unprotected: true}, check.Unknown, verify.ReasonUnprotectedStatus},
		{verify.Refused{Name: "DG13", DG: 13, Status: verify.FileFailed}, check.Unknown, verify.ReasonNotRead},
	} {
		ev := res.Evidence()
		delete(ev.DataGroups, 13)
		ev.Refused = append(ev.Refused, tc.refused)
		got := verify.Verify(ev, deskOptions(t))
		if c, _ := got.Checks.Get(check.DGHash(13)); c.Status != tc.status || c.Reason != tc.reason {
			t.Errorf("%+v: %+v", tc.refused, c)
		}
		if got.Verdict == check.Pass {
			t.Errorf("%+v: verdict PASS", tc.refused)
		}
	}
	// DG11 is not in the card's EF.SOD: its absence is no check.
	ev := res.Evidence()
	ev.Refused = append(ev.Refused, verify.Refused{Name: "DG11", DG: 11, Status: verify.FileFailed, Unprotected: true})
	got := verify.Verify(ev, deskOptions(t))
	if c, found := got.Checks.Get(check.DGHash(11)); found || got.Verdict != check.Pass {
		t.Errorf("%+v, verdict %s", c, got.Verdict)
	}
}

// A chip that proved a key DG14 does not publish fails, whatever it
// proved; an EF.COM that disagrees with EF.SOD is a WARN.
func TestKeyNotSignedAndCOM(t *testing.T) {
	res := verifytest.Desk(t, "passport", sim.Options{Seed: 52}, nil).Result
	ev := res.Evidence()
	ca := *ev.ChipAuth
	ca.PublicKey = append([]byte(nil), ca.PublicKey...)
	ca.PublicKey[len(ca.PublicKey)-1] ^= 1
	ev.ChipAuth = &ca
	got := verify.Verify(ev, deskOptions(t))
	if c, _ := got.Checks.Get(check.ChipAuth); c.Status != check.Fail || c.Reason != verify.ReasonKeyNotSigned {
		t.Errorf("%+v", c)
	}
	ev = res.Evidence()
	ev.COM = issue.EFCOM([]int{1, 2, 11, 12})
	got = verify.Verify(ev, deskOptions(t))
	if c, _ := got.Checks.Get(check.COMConsistency); c.Status != check.Warn || c.Reason != verify.ReasonCOMMismatch || got.Verdict != check.Warn {
		t.Errorf("%+v, verdict %s", c, got.Verdict)
	}
}

// A PACE chip without chip authentication keeps DG14 for EF.CardAccess's
// SecurityInfos (real-chips C-07, ICAO 9303-11 §9.2.11): its DG14
// publishes no key, so chip authentication is NOT_SUPPORTED, not required,
// and active authentication proves the chip, at the desk and away. Hiding
// that DG14 still makes chip authentication required.
func TestDG14WithoutChipAuthKey(t *testing.T) {
	challenge := []byte("12345678")
	read := verifytest.Desk(t, "passport", sim.Options{Seed: 53, Quirks: []string{"no-chip-authentication"}}, challenge)
	ev := read.Result.Evidence()
	for _, tc := range []struct {
		name string
		opts verify.Options
		want check.Status
	}{
		{"desk", deskOptions(t), check.Pass},
		{"away", verify.Options{Trust: verifytest.Trust(t), AllowTestAnchors: true, Challenge: challenge}, check.Pass},
	} {
		got := verify.Verify(ev, tc.opts)
		if c, _ := got.Checks.Get(check.ChipAuth); c.Status != check.NotSupported || c.Reason != verify.ReasonNotSupported {
			t.Errorf("%s: %+v", tc.name, c)
		}
		if c, _ := got.Checks.Get(check.ActiveAuth); c.Status != check.Pass {
			t.Errorf("%s: %+v", tc.name, c)
		}
		if got.Verdict != tc.want {
			t.Errorf("%s: verdict %s: %+v", tc.name, got.Verdict, got.Checks)
		}
	}
	hidden := read.Result.Evidence()
	delete(hidden.DataGroups, 14)
	hidden.ChipAuth = nil
	hidden.Refused = append(hidden.Refused, verify.Refused{Name: "DG14", DG: 14, Status: verify.FileAbsent})
	got := verify.Verify(hidden, deskOptions(t))
	if c, _ := got.Checks.Get(check.ChipAuth); c.Status != check.Fail || c.Reason != verify.ReasonRequiredNotRun {
		t.Errorf("DG14 hidden: %+v", c)
	}
}
