package read

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
)

// pkiQuirkWant is the verdict a genuine document with each quirk of EF.SOD,
// the PKI, the LDS and active authentication reads with; every other
// quirk of those families PASSes.
var pkiQuirkWant = map[string]check.Status{
	"ds-no-key-usage": check.Warn, // ds.profile DS_KEY_USAGE_MISSING, by policy
}

// pkiQuirkFamilies are the catalogue ids of the quirks this test covers
// (real-chips.md L-02 to P-08, C-05, C-06).
func isPKIQuirk(q sim.Quirk) bool {
	for _, p := range []string{"L-02", "L-03", "L-04", "L-06", "L-07", "L-09", "P-", "C-05", "C-06"} {
		if strings.HasPrefix(q.ID, p) {
			return true
		}
	}
	return false
}

// Every quirk of EF.SOD, the PKI, the LDS and active authentication, on
// every profile it applies to among cccd, passport and the RSA AA
// passports: the read of the genuine document succeeds and its verdict is
// PASS (WARN where the policy says so), with every data group's hash and
// every anti-clone check passing.
func TestReadPKIAndLDSQuirks(t *testing.T) {
	store := testTrust(t)
	signers, err := sim.TrustedDocumentSigners()
	if err != nil {
		t.Fatal(err)
	}
	for _, der := range signers {
		if _, err := store.ImportBytes(der, "simulator test DS", trust.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, q := range sim.Quirks() {
		if !isPKIQuirk(q) {
			continue
		}
		for _, profile := range []string{"cccd", "passport", "passport-dh", "passport-bac-only"} {
			chip, err := sim.New(profile, sim.Options{Seed: 3, Quirks: []string{q.Name}})
			if errors.Is(err, sim.ErrQuirkNotApplicable) {
				continue
			}
			t.Run(q.Name+"/"+profile, func(t *testing.T) {
				if err != nil {
					t.Fatal(err)
				}
				n++
				_, conn := insertChip(t, chip)
				opts := fullOptions(t, deskKey(t, chip))
				opts.Trust = store
				res, err := Read(context.Background(), conn, opts)
				if err != nil {
					t.Fatal(err)
				}
				want := check.Pass
				if w, ok := pkiQuirkWant[q.Name]; ok {
					want = w
				}
				if res.Verdict != want {
					for _, c := range res.Checks {
						if c.Status != check.Pass {
							t.Logf("%s %s %s: %s", c.Name, c.Status, c.Reason, c.Message)
						}
					}
					t.Errorf("verdict %s, want %s", res.Verdict, want)
				}
				for _, c := range res.Checks {
					if (strings.HasPrefix(c.Name, "dg.hash.") || c.Name == check.ChipAuth || c.Name == check.ActiveAuth) &&
						c.Status != check.Pass && c.Status != check.NotSupported {
						t.Errorf("%s %s %s", c.Name, c.Status, c.Reason)
					}
				}
			})
		}
	}
	if n < 20 {
		t.Errorf("only %d quirky reads", n)
	}
}
