// Package verify is idagent's one verification core: evidence of a chip
// read in (the chip's files exactly as read, and what the desk that read
// the chip observed), checks, a verdict and the data of the verified data
// groups out. The desk's read pipeline (emrtd/read), `idagent verify
// evidence` and the verification service all call Verify, so they cannot
// disagree.
//
// # Checks
//
// Verify makes, per emrtd/check: sod.signature, ds.chain, ds.profile,
// ds.validity, ds.revocation, ds.country and dg.hash.DGn for every data
// group in the evidence (passive authentication, emrtd/pa),
// mrz.check_digits, mrz.dg13.consistency, access.key.consistency
// (emrtd/lds), chip.authentication, active.authentication, the challenge
// check, cardaccess.consistency, access.protocol and com.consistency.
//
// Only what is signed counts. EF.SOD decides which data groups exist: one
// it lists that the desk asked for and did not get has a dg.hash check all
// the same (FAIL when the chip denied holding it, UNKNOWN otherwise).
// Chip and active authentication are required where EF.SOD lists DG14 and
// DG15: at the desk any outcome but PASS is FAIL (UNKNOWN only when this
// reader cannot use the key), and a chip proving a key DG14 does not
// publish fails. They count as PASS only when passive authentication
// proved their key; a document whose EF.SOD lists neither is WARN
// (NOT_PROVEN), never PASS. EF.CardAccess and EF.COM are unsigned:
// EF.CardAccess must agree with the SecurityInfos DG14 or a verified
// EF.CardSecurity sign (ICAO 9303-11 §9.2.11), and a chip whose signed
// data lists PACE but was opened with BAC is WARN. Verdict folds the
// checks.
//
// # Rules
//
// Each check is made by one rule, a function of the verification so far
// (the evidence, the options, the data groups parsed, the checks made
// before it), listed in rules in the order its inputs are decided. A new
// rule is a new function in that list with its own check name (emrtd/check)
// and its own reason codes (reasons.go): reason codes are stable API,
// documented in docs/PROTOCOL.md, and never renamed.
package verify

import (
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/trust"
)

// Options are the inputs of Verify besides the evidence.
type Options struct {
	// Trust is the trust store of passive authentication (nil: no
	// anchors, trust is UNKNOWN). AllowTestAnchors lets a chain end at a
	// test anchor (simulate mode and tests only).
	Trust            *trust.Store
	AllowTestAnchors bool
	// Now is the time certificates are checked at (zero: the time of the
	// check).
	Now time.Time
	// AtDesk says the caller made the evidence's desk observations itself
	// (emrtd/read) and trusts them.
	AtDesk bool
	// Pending are data groups the desk is still reading (the photo, while
	// the early identity is reported): their hash checks are SKIPPED
	// (PENDING).
	Pending []int
	// Challenge is the challenge the chip must have signed in active
	// authentication for this verification (a server's fresh challenge,
	// 8 bytes); with it the challenge check is made. A chip that cannot
	// sign one (no active authentication) leaves that check WARN, or
	// UNKNOWN with RequireSignedChallenge.
	Challenge              []byte
	RequireSignedChallenge bool
}

// Result is the outcome of a verification.
type Result struct {
	// Checks are every check made, in order; Verdict folds them (see
	// Verdict).
	Checks  check.Report
	Verdict check.Status
	// CardSecurityChecks is the passive authentication of EF.CardSecurity
	// when the chip authentication key came from it, nil otherwise.
	CardSecurityChecks check.Report
}

// rule makes one check (passive authentication: several) and adds it to
// the verification's report.
type rule func(v *verification)

// rules are every rule, in the order their inputs are decided: passive
// authentication first, since the others ask whether it proved the file
// they rest on.
var rules = []rule{
	passiveAuthentication,
	mrzCheckDigits,
	mrzAgainstDG13,
	accessKeyConsistency,
	chipAuthentication,
	activeAuthentication,
	cardAccessConsistency,
	accessProtocol,
	comConsistency,
	challengeSigned,
}

// verification is the state of one Verify: the inputs, the data groups
// parsed once, and the checks made so far.
type verification struct {
	ev   *Evidence
	opts Options
	sod  *pa.SOD // nil when EF.SOD is absent or malformed
	dg1  *lds.DG1
	dg13 *lds.DG13
	dg14 *lds.SecurityInfos
	dg15 *lds.DG15
	// cardAccess and com are the unsigned EF.CardAccess and EF.COM
	// parsed (nil when absent or malformed).
	cardAccess *lds.SecurityInfos
	com        *lds.COM
	// cardSecurity is EF.CardSecurity's checks and SecurityInfos, once
	// asked for (see cardSecurityProven).
	cardSecurity *cardSecurityState
	report       check.Report
	res          *Result
	// aa is the outcome of active authentication, decided once (nil
	// until then).
	aa *check.Status
}

// Verify makes every check over the evidence.
func Verify(ev *Evidence, opts Options) *Result {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	v := &verification{ev: ev, opts: opts, res: &Result{}}
	v.parse()
	for _, r := range rules {
		r(v)
	}
	v.res.Checks = v.report
	v.res.Verdict = Verdict(v.report)
	return v.res
}

// parse parses the data groups the rules read. A data group that does not
// parse stays nil: the rules report what they could not decide.
func (v *verification) parse() {
	if v.ev.SOD != nil {
		v.sod, _ = pa.ParseSOD(v.ev.SOD)
	}
	if v.ev.CardAccess != nil {
		v.cardAccess, _ = lds.ParseSecurityInfos(v.ev.CardAccess)
	}
	if v.ev.COM != nil {
		v.com, _ = lds.ParseCOM(v.ev.COM)
	}
	if b, ok := v.ev.DataGroups[1]; ok {
		v.dg1, _ = lds.ParseDG1(b)
	}
	if b, ok := v.ev.DataGroups[13]; ok {
		v.dg13, _ = lds.ParseDG13(b)
	}
	if b, ok := v.ev.DataGroups[14]; ok {
		v.dg14, _ = lds.ParseDG14(b)
	}
	if b, ok := v.ev.DataGroups[15]; ok {
		v.dg15, _ = lds.ParseDG15(b)
	}
}

func (v *verification) add(c check.Check) { v.report = append(v.report, c) }

// sodLists reports whether EF.SOD lists data group n: the chip holds it,
// whether or not the evidence carries it.
func (v *verification) sodLists(n int) bool {
	if v.sod == nil {
		return false
	}
	_, ok := v.sod.LDS.Hashes[n]
	return ok
}

// holds reports whether the chip holds data group n: the evidence carries
// it or EF.SOD lists it.
func (v *verification) holds(n int) bool {
	_, ok := v.ev.DataGroups[n]
	return ok || v.sodLists(n)
}
