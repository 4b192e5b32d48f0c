package read

import (
	"context"
	"fmt"
	"strings"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
)

// Reason codes of the checks this package makes (passive authentication
// and the MRZ cross-checks have theirs in emrtd/pa and emrtd/lds).
const (
	// ReasonSODMissing: the chip holds no readable EF.SOD, so nothing it
	// holds can be verified.
	ReasonSODMissing = "SOD_MISSING"
	// ReasonNotRead: a data group the read asked for and the chip lists
	// could not be read, so its hash was not checked.
	ReasonNotRead = "NOT_READ"

	// chip.authentication and active.authentication.
	ReasonChipAuthenticated = "CHIP_AUTHENTICATED" // PASS: the chip holds the private key of its proven public key
	ReasonSignatureValid    = "SIGNATURE_VALID"    // PASS (active authentication)
	ReasonKeyMismatch       = "KEY_MISMATCH"       // FAIL: the chip does not hold the key its files name (a clone)
	ReasonSignatureInvalid  = "SIGNATURE_INVALID"  // FAIL (active authentication)
	ReasonKeyNotVerified    = "KEY_NOT_VERIFIED"   // UNKNOWN: the chip proved a key that passive authentication did not prove
	ReasonUnconfirmed       = "UNCONFIRMED"        // UNKNOWN: no protected answer under chip authentication's keys
	ReasonProtocolError     = "PROTOCOL_ERROR"     // UNKNOWN: the chip refused or garbled the protocol
	ReasonNotSupported      = "NOT_SUPPORTED"      // NOT_SUPPORTED: the chip has no such key (no DG14/DG15) or an unusable one
	ReasonNotRequested      = "NOT_REQUESTED"      // SKIPPED: the read did not ask for DG14/DG15
)

// sodState is EF.SOD as read and, when it parses, decoded.
type sodState struct {
	raw    []byte
	parsed *pa.SOD
}

// readSOD reads EF.SOD when verification is asked for. An absent or
// unreadable EF.SOD does not end the read: passive authentication reports
// it.
func (r *reading) readSOD(ctx context.Context) error {
	if !r.opts.Verify {
		return nil
	}
	data, err := r.readFile(ctx, files.EFSOD, 0)
	if err != nil {
		return err
	}
	r.sod = &sodState{raw: data}
	if data != nil {
		r.sod.parsed, _ = pa.ParseSOD(data) // a malformed SOD is reported by VerifyBytes
	}
	return nil
}

// verify makes every check over what was read so far and puts the report
// and its verdict in the result, replacing an earlier one (the early
// identity's report covers the text data groups and chip authentication;
// the final one everything).
func (r *reading) verify(final bool) {
	if !r.opts.Verify {
		return
	}
	r.begin(PhaseVerify, "")
	report := r.passiveAuth()
	report = append(report, lds.CheckDG1(r.res.DG1))
	report = append(report, lds.CheckMRZAgainstDG13(r.res.DG1, r.res.DG13))
	var key access.Key
	if r.opener != nil {
		key = r.opener.key
	}
	report = append(report, lds.CheckAccessKey(r.res.DG1, r.res.DG13, key))
	report = append(report, r.chipAuthCheck(report))
	if final || r.res.ActiveAuth != nil {
		report = append(report, r.activeAuthCheck(report))
	}
	r.res.Checks = report
	r.res.Verdict = Verdict(report)
}

// passiveAuth verifies EF.SOD over the data groups read so far.
func (r *reading) passiveAuth() check.Report {
	var report check.Report
	if r.sod == nil || r.sod.raw == nil {
		report.Add(check.SODSignature, check.Fail, ReasonSODMissing,
			"The chip holds no readable security data (EF.SOD): nothing it holds can be verified.")
		return report
	}
	o := r.paOptions()
	o.DataGroups = map[int][]byte{}
	for _, f := range r.res.Files {
		if f.Status == FileRead && f.DG > 0 {
			o.DataGroups[f.DG] = f.Data
		}
	}
	var res *pa.Result
	if r.sod.parsed != nil {
		res = pa.Verify(r.sod.parsed, o)
	} else {
		res = pa.VerifyBytes(r.sod.raw, o)
	}
	report = append(report, res.Report...)
	for _, f := range r.res.Files {
		if f.Status == FileFailed && f.DG > 0 {
			report.Add(check.DGHash(f.DG), check.Unknown, ReasonNotRead,
				fmt.Sprintf("DG%d could not be read, so it was not checked.", f.DG))
		}
	}
	return report
}

func (r *reading) paOptions() pa.Options {
	o := pa.Options{Trust: r.opts.Trust, AllowTestAnchors: r.opts.AllowTestAnchors, Now: r.opts.Now}
	if r.res.DG1 != nil {
		o.IssuingState = r.res.DG1.IssuingState
	}
	return o
}

// Verdict folds a read's checks into one status: FAIL when any check
// failed; UNKNOWN when one could not be decided, when the SOD signature,
// the signer chain or a data group's hash could not run (SKIPPED or
// NOT_SUPPORTED), or when there are no checks; WARN when one passed with a
// caveat; PASS only when every check that ran passed. Skipped or
// unsupported chip and active authentication (a chip without them) do not
// lower it.
func Verdict(report check.Report) check.Status {
	v := report.Overall()
	if v == check.Fail || len(report) == 0 {
		return v
	}
	for _, c := range report {
		required := c.Name == check.SODSignature || c.Name == check.DSChain || strings.HasPrefix(c.Name, "dg.hash.")
		if required && (c.Status == check.NotSupported || c.Status == check.Skipped) {
			return check.Unknown
		}
	}
	return v
}

// keyProven reports whether passive authentication proved the file that
// holds an anti-clone key: the SOD signature, the signer chain and the
// file's hash passed, and no check of the signer failed. (A revocation
// list that is missing leaves the verdict UNKNOWN, but does not stop the
// key from being the signed one.) When not, why names the check.
func keyProven(report check.Report, dg int) (ok bool, why string) {
	for _, name := range []string{check.SODSignature, check.DSChain, check.DGHash(dg)} {
		c, found := report.Get(name)
		switch {
		case !found:
			return false, name + " was not made"
		case c.Status != check.Pass && c.Status != check.Warn:
			return false, fmt.Sprintf("%s is %s", name, c.Status)
		}
	}
	for _, name := range []string{check.DSValidity, check.DSRevocation, check.DSCountry} {
		if c, found := report.Get(name); found && c.Status == check.Fail {
			return false, fmt.Sprintf("%s is %s", name, c.Status)
		}
	}
	return true, ""
}

// chipAuthCheck is the chip.authentication check: the protocol's own
// outcome, counted as PASS only when passive authentication proved the
// key it used. A chip that cannot prove the key its own files name fails,
// whatever passive authentication says.
func (r *reading) chipAuthCheck(report check.Report) check.Check {
	c := check.Check{Name: check.ChipAuth}
	ca := r.res.ChipAuth
	if ca == nil {
		return r.notRunCheck(c, "chip authentication", 14)
	}
	proven, why := r.chipKeyProven(report)
	return antiCloneCheck(c, ca.Status, ca.unconfirmed, proven, why, chipAuthMessages(ca))
}

// chipKeyProven says whether the chip authentication key is proven: DG14's
// by EF.SOD, EF.CardSecurity's by its own signature.
func (r *reading) chipKeyProven(report check.Report) (bool, string) {
	ca := r.res.ChipAuth
	if ca.KeySource != "EF.CardSecurity" {
		return keyProven(report, 14)
	}
	if ca.KeyChecks == nil {
		_, res, err := pa.VerifyCardSecurity(r.cam.cardSecurity, r.paOptions())
		if err != nil {
			return false, err.Error()
		}
		ca.KeyChecks = res.Report
	}
	for _, c := range ca.KeyChecks {
		if c.Status == check.Fail || ((c.Name == check.SODSignature || c.Name == check.DSChain) && c.Status != check.Pass) {
			return false, fmt.Sprintf("EF.CardSecurity's %s is %s", c.Name, c.Status)
		}
	}
	return true, ""
}

// activeAuthCheck is the active.authentication check, like
// chipAuthCheck with DG15.
func (r *reading) activeAuthCheck(report check.Report) check.Check {
	c := check.Check{Name: check.ActiveAuth}
	aa := r.res.ActiveAuth
	if aa == nil {
		return r.notRunCheck(c, "active authentication", 15)
	}
	proven, why := keyProven(report, 15)
	return antiCloneCheck(c, aa.Status, false, proven, why, activeAuthMessages)
}

// cloneMessages are the reasons and sentences of one anti-clone check.
type cloneMessages struct {
	passReason, failReason string
	pass, fail, keyFile    string
}

var activeAuthMessages = cloneMessages{
	passReason: ReasonSignatureValid, failReason: ReasonSignatureInvalid,
	pass:    "The chip signed the challenge with the private key of DG15 (active authentication): it is not a copy.",
	fail:    "The chip's signature does not verify with the key of DG15: the chip is not the one the document was issued with (a clone) or it answered wrongly.",
	keyFile: "DG15",
}

func chipAuthMessages(ca *ChipAuthResult) cloneMessages {
	how := "chip authentication"
	if ca.Mechanism == ChipAuthCAM {
		how = "PACE chip authentication mapping"
	}
	return cloneMessages{
		passReason: ReasonChipAuthenticated, failReason: ReasonKeyMismatch,
		pass:    fmt.Sprintf("The chip proved it holds the private key of %s (%s): it is not a copy.", ca.KeySource, how),
		fail:    fmt.Sprintf("The chip could not prove it holds the private key %s names (%s): it is not the chip the document was issued with (a clone).", ca.KeySource, how),
		keyFile: ca.KeySource,
	}
}

// antiCloneCheck combines an anti-clone protocol's outcome with whether
// passive authentication proved its key.
func antiCloneCheck(c check.Check, status check.Status, unconfirmed, proven bool, why string, m cloneMessages) check.Check {
	switch {
	case status == check.Fail:
		c.Status, c.Reason, c.Message = check.Fail, m.failReason, m.fail
	case status == check.NotSupported:
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNotSupported,
			fmt.Sprintf("The key of %s cannot be used by this reader.", m.keyFile)
	case status != check.Pass:
		c.Status, c.Reason = check.Unknown, ReasonProtocolError
		c.Message = "The chip did not complete the protocol, so it could not be decided whether it is a copy."
		if unconfirmed {
			c.Reason = ReasonUnconfirmed
		}
	case !proven:
		c.Status, c.Reason = check.Unknown, ReasonKeyNotVerified
		c.Message = fmt.Sprintf("The chip proved it holds the key of %s, but %s is not proven genuine (%s), so this does not show the chip is genuine.", m.keyFile, m.keyFile, why)
	default:
		c.Status, c.Reason, c.Message = check.Pass, m.passReason, m.pass
	}
	return c
}

// notRunCheck is an anti-clone check whose protocol did not run: the chip
// lacks its data group dg (NOT_SUPPORTED), or dg was not asked for
// (SKIPPED).
func (r *reading) notRunCheck(c check.Check, protocol string, dg int) check.Check {
	if r.wanted(dg) {
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNotSupported,
			fmt.Sprintf("The chip does not support %s (no DG%d).", protocol, dg)
	} else {
		c.Status, c.Reason, c.Message = check.Skipped, ReasonNotRequested,
			fmt.Sprintf("%s%s was not asked for (DG%d not read).", strings.ToUpper(protocol[:1]), protocol[1:], dg)
	}
	return c
}
