package read

import (
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
)

// testTrust is a store holding the simulator's test CSCA as a test anchor.
func testTrust(t testing.TB) *trust.Store {
	t.Helper()
	s := trust.New()
	if _, err := s.ImportBytes(sim.TrustAnchor(), "simulator test CSCA", trust.ImportOptions{Test: true}); err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyRead reads the whole card with passive authentication and returns
// the identity callback's checks and the final result.
func verifyRead(t *testing.T, tamper issue.Tamper, store *trust.Store) (check.Report, *Result) {
	t.Helper()
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 11, Tamper: tamper})
	var early check.Report
	opts := Options{
		Keys: []access.Key{mrzKey(t, chip)}, DataGroups: []int{13, 14, 15}, Photo: true,
		Verify: true, Trust: store, AllowTestAnchors: true,
		OnIdentity: func(r *Result) { early = r.Checks },
	}
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	return early, res
}

func status(r check.Report, name string) check.Status {
	c, ok := r.Get(name)
	if !ok {
		return ""
	}
	return c.Status
}

func TestVerifyGenuine(t *testing.T) {
	early, res := verifyRead(t, issue.NoTamper, testTrust(t))
	for _, name := range []string{check.SODSignature, check.DGHash(1), check.DGHash(13)} {
		if status(early, name) != check.Pass {
			t.Errorf("identity: %s %q", name, status(early, name))
		}
	}
	if status(early, check.DGHash(2)) != "" {
		t.Error("identity carries a DG2 check before the photo was read")
	}
	for _, n := range []int{1, 2, 13, 14, 15} {
		if status(res.Checks, check.DGHash(n)) != check.Pass {
			t.Errorf("final: DG%d %q", n, status(res.Checks, check.DGHash(n)))
		}
	}
	if c, _ := res.Checks.Get(check.DSChain); c.Status == check.Fail || c.Status == check.Unknown {
		t.Errorf("chain %+v", c)
	}
	if f, _ := res.File("EF.SOD"); f.Status != FileRead {
		t.Error("EF.SOD not read")
	}
	// SELECT, BAC, then one READ BINARY per file: EF.COM, EF.SOD, DG1,
	// DG13, DG14, DG15, DG2.
	if res.Stats.Exchanges != 3+7 {
		t.Errorf("%d exchanges", res.Stats.Exchanges)
	}
}

func TestVerifyTampered(t *testing.T) {
	early, res := verifyRead(t, issue.DG13Edited, testTrust(t))
	if status(early, check.DGHash(13)) != check.Fail || status(res.Checks, check.DGHash(13)) != check.Fail {
		t.Error("edited DG13 passes")
	}
	if res.Checks.Overall() != check.Fail {
		t.Errorf("overall %v", res.Checks.Overall())
	}
	early, res = verifyRead(t, issue.DG2Swapped, testTrust(t))
	if early.Overall() == check.Fail || status(res.Checks, check.DGHash(2)) != check.Fail {
		t.Errorf("swapped photo: identity %v, final DG2 %q", early.Overall(), status(res.Checks, check.DGHash(2)))
	}
	_, res = verifyRead(t, issue.SODBadSignature, testTrust(t))
	if status(res.Checks, check.SODSignature) != check.Fail {
		t.Error("bad SOD signature passes")
	}
}

func TestVerifyWithoutTrust(t *testing.T) {
	_, res := verifyRead(t, issue.NoTamper, nil)
	if status(res.Checks, check.DSChain) == check.Pass || res.Checks.Overall() == check.Pass {
		t.Errorf("chain %q overall %v without a trust store", status(res.Checks, check.DSChain), res.Checks.Overall())
	}
}

func TestNoVerifyNoSOD(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 12})
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{mrzKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.File("EF.SOD"); ok || len(res.Checks) != 0 {
		t.Error("EF.SOD read or checks made without Verify")
	}
}
