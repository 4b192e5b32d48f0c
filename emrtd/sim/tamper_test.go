package sim

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
)

// TestTampersOnEveryProfile: every tamper of docs/SIMULATOR.md gives its
// intended failure on every profile that can carry it (the clones are
// TestCloneTampersFail's), and is refused, with a reason, where it cannot.
func TestTampersOnEveryProfile(t *testing.T) {
	intended := map[issue.Tamper]struct {
		check string
		bad   []check.Status
	}{
		issue.DG13Edited:      {"dg.hash.DG13", []check.Status{check.Fail}},
		issue.DG2Swapped:      {"dg.hash.DG2", []check.Status{check.Fail}},
		issue.DG1Edited:       {"dg.hash.DG1", []check.Status{check.Fail}},
		issue.SODBadSignature: {"sod.signature", []check.Status{check.Fail}},
		issue.DSCUntrusted:    {"ds.chain", []check.Status{check.Fail, check.Unknown}},
		issue.DSCExpired:      {"ds.validity", []check.Status{check.Fail}},
		issue.DSCRevoked:      {"ds.revocation", []check.Status{check.Fail}},
		issue.DSCWrongCountry: {"ds.country", []check.Status{check.Fail}},
		issue.MRZDG13Mismatch: {check.MRZConsistency, []check.Status{check.Fail}},
	}
	store := testTrust(t)
	for _, name := range Profiles() {
		for tamper, want := range intended {
			c, err := New(name, Options{Seed: 34, Tamper: tamper})
			p, _ := LookupProfile(name)
			if needsDG13 := tamper == issue.DG13Edited || tamper == issue.MRZDG13Mismatch; needsDG13 && !p.has(13) {
				if !errors.Is(err, issue.ErrTamperNotApplicable) || !strings.Contains(err.Error(), "DG13") {
					t.Errorf("%s/%s: %v, want a refusal naming DG13", name, tamper, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s/%s: %v", name, tamper, err)
				continue
			}
			got := tamperedReport(t, c, store)
			res, ok := got.Get(want.check)
			if !ok || !containsStatus(want.bad, res.Status) {
				t.Errorf("%s/%s: %s is %v (%s), want %v", name, tamper, want.check, res.Status, res.Reason, want.bad)
			}
		}
	}
}

// tamperedReport verifies the chip's document as a reader would: passive
// authentication, and on cards the MRZ against DG13.
func tamperedReport(t *testing.T, c *Chip, store *trust.Store) check.Report {
	t.Helper()
	doc, p := c.Document(), c.Profile()
	dgs := map[int][]byte{}
	for _, n := range p.DataGroups {
		dgs[n] = doc.Files[issue.FIDOfDG(n)]
	}
	res := pa.VerifyBytes(doc.Files[issue.FIDSOD], pa.Options{Trust: store, AllowTestAnchors: true, DataGroups: dgs, IssuingState: "VNM"})
	report := res.Report
	if p.has(13) {
		dg1, err1 := lds.ParseDG1(dgs[1])
		dg13, err13 := lds.ParseDG13(dgs[13])
		if err := errors.Join(err1, err13); err != nil {
			t.Fatal(err)
		}
		report = append(report, lds.CheckMRZAgainstDG13(dg1, dg13))
	}
	return report
}

func containsStatus(list []check.Status, s check.Status) bool { return slices.Contains(list, s) }
