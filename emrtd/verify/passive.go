package verify

import (
	"fmt"
	"slices"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
)

// passiveAuthentication verifies EF.SOD (signature, signer chain,
// validity, revocation, country) and the hash of every data group in the
// evidence. EF.SOD decides which data groups exist: one it lists that the
// desk asked for and did not get has its hash check all the same, FAIL
// when the chip said under secure messaging that it does not hold it
// (LISTED_FILE_ABSENT), UNKNOWN when the chip protected it
// (FILE_PROTECTED), answered unprotected (UNPROTECTED_STATUS) or failed
// otherwise (NOT_READ). Data groups still being read are PENDING.
func passiveAuthentication(v *verification) {
	if v.ev.SOD == nil {
		v.report.Add(check.SODSignature, check.Fail, ReasonSODMissing,
			"The chip holds no readable security data (EF.SOD): nothing it holds can be verified.")
		return
	}
	o := v.paOptions()
	o.DataGroups = v.ev.DataGroups
	if v.sod != nil {
		v.report = append(v.report, pa.Verify(v.sod, o).Report...)
	} else {
		v.report = append(v.report, pa.VerifyBytes(v.ev.SOD, o).Report...)
	}
	for _, f := range v.ev.Refused {
		if f.DG > 0 && (v.sod == nil || v.sodLists(f.DG)) {
			v.refusedCheck(f)
		}
	}
	for _, n := range v.opts.Pending {
		if _, read := v.ev.DataGroups[n]; !read && (v.sod == nil || v.sodLists(n)) {
			v.report.Add(check.DGHash(n), check.Skipped, ReasonPending,
				fmt.Sprintf("DG%d is being read; its hash is checked next.", n))
		}
	}
}

// refusedCheck is the hash check of a data group the desk asked for and did
// not get. Without a parsed EF.SOD (it is reported FAIL) only failures
// count.
func (v *verification) refusedCheck(f Refused) {
	name := check.DGHash(f.DG)
	switch {
	case f.Status == FileFailed && f.Unprotected:
		v.report.Add(name, check.Unknown, ReasonUnprotectedStatus,
			fmt.Sprintf("DG%d, which the security data lists, was refused with an unprotected answer during secure messaging, "+
				"which anyone between the reader and the chip can send: it was not checked.", f.DG))
	case f.Status == FileFailed:
		v.report.Add(name, check.Unknown, ReasonNotRead,
			fmt.Sprintf("DG%d could not be read, so it was not checked.", f.DG))
	case v.sod == nil:
	case f.Status == FileAbsent:
		v.report.Add(name, check.Fail, ReasonListedFileAbsent,
			fmt.Sprintf("The chip says it does not hold DG%d, which its signed security data lists: a genuine chip holds every data group it signed.", f.DG))
	case f.Status == FileProtected:
		v.report.Add(name, check.Unknown, ReasonFileProtected,
			fmt.Sprintf("The chip refused to give DG%d (access conditions not met), so it was not checked.", f.DG))
	}
}

// paOptions are passive authentication's options: the trust store, and
// DG1's issuing state to bind the signer's country to.
func (v *verification) paOptions() pa.Options {
	o := pa.Options{Trust: v.opts.Trust, AllowTestAnchors: v.opts.AllowTestAnchors, Now: v.opts.Now}
	if v.dg1 != nil {
		o.IssuingState = v.dg1.IssuingState
	}
	return o
}

// keyProven reports whether passive authentication proved the file that
// holds an anti-clone key (proven).
func (v *verification) keyProven(dg int) (ok bool, why string) { return proven(v.report, dg) }

// Proven reports whether data group dg of ev is what the document's
// issuer signed, by report, the checks of a verification of ev (Verify,
// partial or not). A data group read after that verification (the
// portrait, read after the early identity's, where its hash was PENDING)
// has its hash checked here against ev's EF.SOD, without verifying the
// SOD's signature again. The desk asks before it decodes the portrait: a
// decoder sees only what an authority signed. When not, why names the
// check.
func Proven(report check.Report, ev *Evidence, dg int) (ok bool, why string) {
	name := check.DGHash(dg)
	if c, found := report.Get(name); !found || c.Reason == ReasonPending {
		report = slices.DeleteFunc(slices.Clone(report), func(c check.Check) bool { return c.Name == name })
		report = append(report, hashCheck(ev, dg)...)
	}
	return proven(report, dg)
}

// hashCheck is the dg.hash check of dg against ev's EF.SOD; none when
// either is missing or EF.SOD does not parse.
func hashCheck(ev *Evidence, dg int) check.Report {
	data, read := ev.DataGroups[dg]
	sod, err := pa.ParseSOD(ev.SOD)
	if !read || err != nil {
		return nil
	}
	return pa.HashChecks(sod.LDS, map[int][]byte{dg: data})
}

// proven reports whether report proves data group dg: the SOD signature,
// the signer chain and dg's hash passed, and no check of the signer
// failed. (A revocation list that is missing leaves the verdict UNKNOWN,
// but does not stop the file from being the signed one.) When not, why
// names the check.
func proven(report check.Report, dg int) (ok bool, why string) {
	for _, name := range []string{check.SODSignature, check.DSChain, check.DGHash(dg)} {
		c, found := report.Get(name)
		switch {
		case !found:
			return false, name + " was not made"
		case c.Status != check.Pass && c.Status != check.Warn:
			return false, fmt.Sprintf("%s is %s", name, c.Status)
		}
	}
	for _, name := range []string{check.DSValidity, check.DSRevocation, check.DSCountry, check.DSProfile} {
		if c, found := report.Get(name); found && c.Status == check.Fail {
			return false, fmt.Sprintf("%s is %s", name, c.Status)
		}
	}
	return true, ""
}

// cardSecurityState is EF.CardSecurity verified: its SecurityInfos, and
// whether its own signature and chain prove them (why not, when not).
type cardSecurityState struct {
	infos  *lds.SecurityInfos
	proven bool
	why    string
}

// cardSecurityProven reports whether EF.CardSecurity, which holds the key
// of PACE-CAM, is proven by its own signature, and keeps its checks in the
// result. It is verified once.
func (v *verification) cardSecurityProven() (bool, string) {
	if v.cardSecurity == nil {
		v.cardSecurity = v.verifyCardSecurity()
	}
	return v.cardSecurity.proven, v.cardSecurity.why
}

func (v *verification) verifyCardSecurity() *cardSecurityState {
	if v.ev.CardSecurity == nil {
		return &cardSecurityState{why: "EF.CardSecurity was not read"}
	}
	sd, res, err := pa.VerifyCardSecurity(v.ev.CardSecurity, v.paOptions())
	if err != nil {
		return &cardSecurityState{why: err.Error()}
	}
	v.res.CardSecurityChecks = res.Report
	st := &cardSecurityState{proven: true}
	if st.infos, err = lds.ParseSecurityInfos(sd.Content); err != nil {
		st.proven, st.why = false, "EF.CardSecurity's content: "+err.Error()
	}
	for _, c := range res.Report {
		if c.Status == check.Fail || ((c.Name == check.SODSignature || c.Name == check.DSChain) && c.Status != check.Pass) {
			st.proven, st.why = false, fmt.Sprintf("EF.CardSecurity's %s is %s", c.Name, c.Status)
			break
		}
	}
	return st
}
