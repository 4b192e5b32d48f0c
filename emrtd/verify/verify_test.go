package verify_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc/virtual"
)

// desk reads chip as a desk does (every data group, the photo, verified
// against the simulator's test PKI) and returns the result and the key
// that opened it.
func desk(t testing.TB, chip *sim.Chip) (*read.Result, access.Key) {
	t.Helper()
	m := virtual.New("reader")
	if err := m.Insert("reader", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "reader")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := deskKey(t, chip)
	res, err := read.Read(context.Background(), conn, read.Options{Keys: []access.Key{key},
		DataGroups: []int{11, 12, 13, 14, 15}, Photo: true, Verify: true, Trust: testTrust(t), AllowTestAnchors: true})
	if err != nil {
		t.Fatal(err)
	}
	return res, key
}

// deskKey is the key a desk has: the CAN of a Vietnamese card, the MRZ of
// a passport.
func deskKey(t testing.TB, chip *sim.Chip) access.Key {
	t.Helper()
	var k access.Key
	var err error
	if chip.Profile().Kind == issue.Passport {
		k, err = access.ParseMRZ(chip.AccessData().MRZ)
	} else {
		k, err = access.NewCAN(chip.AccessData().CAN)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testTrust holds the simulator's test CSCA (a test anchor) and its CRL.
func testTrust(t testing.TB) *trust.Store {
	t.Helper()
	s := trust.New()
	if _, err := s.ImportBytes(sim.TrustAnchor(), "simulator test CSCA", trust.ImportOptions{Test: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportBytes(testpki.CRL(), "simulator test CRL", trust.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func deskOptions(t testing.TB) verify.Options {
	return verify.Options{Trust: testTrust(t), AllowTestAnchors: true, AtDesk: true}
}

// The evidence of a read of every simulator profile, verified again,
// gives the read's own checks and verdict, and the verdict passes.
func TestEveryProfileVerifiesAgain(t *testing.T) {
	for _, profile := range sim.Profiles() {
		t.Run(profile, func(t *testing.T) {
			chip, err := sim.New(profile, sim.Options{Seed: 40})
			if err != nil {
				t.Fatal(err)
			}
			res, key := desk(t, chip)
			ev := res.Evidence()
			ev.AccessKey = key
			got := verify.Verify(ev, deskOptions(t))
			if !reflect.DeepEqual(got.Checks, res.Checks) || got.Verdict != res.Verdict {
				t.Errorf("verified again: %s %+v\nread: %s %+v", got.Verdict, got.Checks, res.Verdict, res.Checks)
			}
			if res.Verdict != check.Pass && res.Verdict != check.Warn {
				t.Errorf("verdict %s: %+v", res.Verdict, res.Checks)
			}
		})
	}
}

// The document holds only data groups whose hash matched: an edited DG13
// is left out, the others are there.
func TestDocumentHoldsOnlyVerifiedGroups(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 41, Tamper: issue.DG13Edited})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := desk(t, chip)
	ev := res.Evidence()
	got := verify.Verify(ev, deskOptions(t))
	doc := got.Document(ev)
	if doc.DG13 != nil || slices.Contains(doc.Verified, 13) {
		t.Error("the edited DG13 is in the document")
	}
	if doc.DG1 == nil || doc.Portrait == nil || !slices.Contains(doc.Verified, 2) {
		t.Errorf("verified %v", doc.Verified)
	}
	if c, _ := got.Checks.Get(check.DGHash(13)); c.Status != check.Fail {
		t.Errorf("%+v", c)
	}
}

// Without a signed EF.SOD nothing is verified.
func TestDocumentEmptyWithoutSOD(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := desk(t, chip)
	ev := res.Evidence()
	ev.SOD = nil
	got := verify.Verify(ev, deskOptions(t))
	if c, _ := got.Checks.Get(check.SODSignature); c.Reason != verify.ReasonSODMissing || got.Verdict != check.Fail {
		t.Errorf("%+v, verdict %s", c, got.Verdict)
	}
	if doc := got.Document(ev); doc.DG1 != nil || len(doc.Verified) != 0 {
		t.Errorf("verified %v", doc.Verified)
	}
}
