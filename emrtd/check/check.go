// Package check holds the per-check verification results that idagent
// reports for every read: never one boolean, but one entry per check (SOD
// signature, document signer chain, each data group's hash, chip and active
// authentication, consistency), each with a status, a stable reason code and
// an explanation for developers; and the one table of words for people
// (Wording, Vietnamese and English) that says what each check and verdict
// means to a clerk.
package check

import (
	"slices"
	"strconv"
)

// Status is the outcome of one check.
type Status string

const (
	Pass         Status = "PASS"
	Fail         Status = "FAIL"
	Warn         Status = "WARN"    // passed with a caveat (expired DS on an old document, ...)
	Unknown      Status = "UNKNOWN" // could not be decided (CSCA not in the trust store, ...)
	NotSupported Status = "NOT_SUPPORTED"
	Skipped      Status = "SKIPPED"
)

// Stable check names. Data-group hash checks are named with DGHash.
const (
	SODSignature   = "sod.signature"
	DSChain        = "ds.chain"
	DSValidity     = "ds.validity"
	DSRevocation   = "ds.revocation"
	DSCountry      = "ds.country"
	DSProfile      = "ds.profile" // the DS and CSCA certificates are marked for their roles
	ChipAuth       = "chip.authentication"
	ActiveAuth     = "active.authentication"
	MRZConsistency = "mrz.dg13.consistency"
	AccessKey      = "access.key.consistency"
	// CardAccessConsistency: EF.CardAccess (unsigned) agrees with the
	// SecurityInfos of DG14 or a verified EF.CardSecurity.
	CardAccessConsistency = "cardaccess.consistency"
	// AccessProtocol: the chip was opened with the access control its
	// signed data lists (PACE, not BAC, when DG14 lists PACE).
	AccessProtocol = "access.protocol"
	// COMConsistency: EF.COM (unsigned) lists the data groups EF.SOD lists.
	COMConsistency = "com.consistency"
	// Challenge: the chip signed the verifier's challenge (emrtd/verify
	// with a challenge: a backend's fresh one).
	Challenge = "challenge"
)

// DGHash names the hash check of data group n ("dg.hash.DG1").
func DGHash(n int) string { return "dg.hash.DG" + strconv.Itoa(n) }

// Check is one verification result. Reason is a stable upper-case code
// (CSCA_NOT_TRUSTED, HASH_MISMATCH, ...) for programs and for the words
// people read (Wording, keyed by name and reason); Message is an exact
// English explanation for developers and logs, and never contains personal
// data.
type Check struct {
	Name    string `json:"name"`
	Status  Status `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Report is the list of checks of one read or one verification.
type Report []Check

// Add appends a check.
func (r *Report) Add(name string, status Status, reason, message string) {
	*r = append(*r, Check{Name: name, Status: status, Reason: reason, Message: message})
}

// Get returns the check with the given name.
func (r Report) Get(name string) (Check, bool) {
	i := slices.IndexFunc(r, func(c Check) bool { return c.Name == name })
	if i < 0 {
		return Check{}, false
	}
	return r[i], true
}

// Overall folds the checks into one verdict: FAIL if any check failed,
// UNKNOWN if any could not be decided (or none were made), WARN if any
// passed with a caveat, PASS only when every check that ran passed. Skipped
// and unsupported checks do not lower the verdict; the caller decides which
// checks are required and reports a missing one as FAIL or UNKNOWN.
func (r Report) Overall() Status {
	verdict := Pass
	ran := false
	for _, c := range r {
		switch c.Status {
		case Fail:
			return Fail
		case Unknown:
			verdict = Unknown
			ran = true
		case Warn:
			if verdict == Pass {
				verdict = Warn
			}
			ran = true
		case Pass:
			ran = true
		}
	}
	if !ran {
		return Unknown
	}
	return verdict
}
