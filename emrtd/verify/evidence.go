package verify

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
)

// Evidence is everything a verification looks at: the chip's files exactly
// as the desk read them, and what only the desk that talked to the chip
// could observe. It holds personal data (the data groups, the access key):
// never log it.
//
// The files are evidence anyone can check again: EF.SOD and EF.CardSecurity
// are signed, the data groups are hashed in EF.SOD, and an active
// authentication signature over a challenge is checked with DG15's key.
// The desk's observations (how the chip was opened, how chip
// authentication went, which files the chip refused) are not: only the
// desk saw the chip answer. Verify with Options.AtDesk set trusts them (the
// caller is that desk); without it they count only where they lower the
// verdict, and what rests on them alone is reported as verified at the
// desk only.
type Evidence struct {
	// SOD is EF.SOD as read; nil when the chip holds no readable one.
	SOD []byte
	// DataGroups are the data groups read, by number, exactly as read.
	DataGroups map[int][]byte
	// CardAccess is EF.CardAccess (unsigned: what the chip offers), nil
	// when absent; CardSecurity is EF.CardSecurity (PACE-CAM), signed like
	// EF.SOD, nil when not read.
	CardAccess   []byte
	CardSecurity []byte
	// COM is EF.COM (unsigned: the data groups the chip says it holds),
	// nil when not read.
	COM []byte
	// ActiveAuth is active authentication's challenge and the chip's
	// signature, nil when it did not run.
	ActiveAuth *ActiveAuth

	// Access is how the desk opened the chip (desk only).
	Access *Access
	// ChipAuth is what chip authentication did at the desk (desk only),
	// nil when it did not run.
	ChipAuth *ChipAuth
	// Refused are the files the desk asked for and did not get, and how
	// the chip refused them (desk only).
	Refused []Refused
	// AccessKey is the key that opened the chip (desk only, personal
	// data: never serialized), nil when unknown.
	AccessKey access.Key
}

// Format prints the evidence's shape, never its content.
func (e Evidence) Format(s fmt.State, _ rune) {
	fmt.Fprintf(s, "verify.Evidence(SOD %d bytes, %d data groups, %d refused)", len(e.SOD), len(e.DataGroups), len(e.Refused))
}

// requested reports whether the desk asked for data group n: it was read,
// or it is among the refused files.
func (e *Evidence) requested(n int) bool {
	if _, ok := e.DataGroups[n]; ok {
		return true
	}
	for _, f := range e.Refused {
		if f.DG == n {
			return true
		}
	}
	return false
}

// Mechanisms of access control (Access.Mechanism).
const (
	MechanismBAC     = "BAC"
	MechanismPACEGM  = "PACE-GM"
	MechanismPACEIM  = "PACE-IM"
	MechanismPACECAM = "PACE-CAM"
)

// Access describes how the chip was opened. It holds no key.
type Access struct {
	// Mechanism is BAC, PACE-GM, PACE-IM or PACE-CAM.
	Mechanism string `json:"mechanism"`
	// Password is the kind of key that opened the chip: "MRZ" or "CAN".
	Password string `json:"password"`
	// Protocol is the PACE protocol (id-PACE-ECDH-GM-AES-CBC-CMAC-128),
	// empty for BAC.
	Protocol string `json:"protocol,omitempty"`
	// Cipher is the secure messaging cipher: "3DES", "AES-128", ...
	Cipher string `json:"cipher"`
	// Domain names PACE's domain parameters ("brainpoolP256r1"), and
	// ParameterID their standardized ID as sent in MSE:Set AT.
	Domain      string `json:"domain,omitempty"`
	ParameterID *int   `json:"parameterId,omitempty"`
	// Fallback is true when the chip lists PACE but was opened with BAC
	// because PACE failed; FallbackReason says how it failed.
	Fallback       bool   `json:"fallback,omitempty"`
	FallbackReason string `json:"fallbackReason,omitempty"`
	// Attempts counts the access control runs (PACE and BAC), one per key
	// and mechanism at most.
	Attempts int `json:"attempts"`
}

// Mechanisms of chip authentication (ChipAuth.Mechanism).
const (
	ChipAuthCA  = "CA"       // Chip Authentication v1 with DG14's key
	ChipAuthCAM = "PACE-CAM" // PACE's chip authentication mapping
)

// Key sources of chip authentication (ChipAuth.KeySource).
const (
	KeyFromDG14         = "DG14"
	KeyFromCardSecurity = "EF.CardSecurity"
)

// ChipAuth is what chip authentication did. Status is the protocol's own
// outcome (PASS: the chip proved it holds the private key), before passive
// authentication says whether that key is the document's; the
// chip.authentication check combines both.
type ChipAuth struct {
	Mechanism string `json:"mechanism"`
	// Protocol is the protocol that ran (id-CA-ECDH-AES-CBC-CMAC-128, or
	// the PACE-CAM protocol).
	Protocol string `json:"protocol,omitempty"`
	// KeySource is the file holding the chip's public key: "DG14" or
	// "EF.CardSecurity".
	KeySource string       `json:"keySource"`
	Status    check.Status `json:"status"`
	Error     string       `json:"error,omitempty"`
	// KeyChecks is the passive authentication of EF.CardSecurity when
	// the key came from it (Result.CardSecurityChecks of the verification).
	KeyChecks check.Report `json:"keyChecks,omitempty"`
	// Repeated counts the times the chip proved its key again, after it
	// had dropped its session and was opened again: what is read after
	// that comes from the same chip too.
	Repeated int `json:"repeated,omitempty"`
	// Unconfirmed: the chip answered unprotected under the new keys (the
	// protocol's outcome is UNKNOWN, not a refusal).
	Unconfirmed bool `json:"-"`
	// PublicKey is the public value of the key the protocol ran with (the
	// encoded point, or the DH value): it must be one DG14 (or a verified
	// EF.CardSecurity) publishes. Nil when the protocol did not run.
	PublicKey []byte `json:"publicKey,omitempty"`
}

// ActiveAuth is what active authentication did, with everything a server
// needs to check the chip's signature itself: the challenge, the signature
// and DG15's public key. Status is the outcome at the desk; Verify checks
// the signature again with DG15's key and uses Status only when there is
// no signature to check.
type ActiveAuth struct {
	Algorithm string       `json:"algorithm,omitempty"`
	Hash      string       `json:"hash,omitempty"`
	Challenge []byte       `json:"challenge,omitempty"`
	Signature []byte       `json:"signature,omitempty"`
	PublicKey []byte       `json:"publicKey,omitempty"` // DG15's SubjectPublicKeyInfo, DER
	Status    check.Status `json:"status"`
	Error     string       `json:"error,omitempty"`
	// Repeated counts the times the chip signed again, after it had been
	// opened again (the signature above is the last one).
	Repeated int `json:"repeated,omitempty"`
}

// FileStatus says what became of one file.
type FileStatus string

const (
	FileRead      FileStatus = "read"
	FileAbsent    FileStatus = "absent"    // 6A82: the chip does not hold it
	FileProtected FileStatus = "protected" // 6982: access conditions not met (DG3, DG4)
	FileSkipped   FileStatus = "skipped"   // not asked for, or not listed in EF.COM
	FileFailed    FileStatus = "failed"
)

// Refused is a file the desk asked for and did not get.
type Refused struct {
	Name   string     `json:"name"`
	DG     int        `json:"dg,omitempty"`
	Status FileStatus `json:"status"`
	// Error says why it failed; it names tags and lengths, never content.
	Error string `json:"error,omitempty"`
	// Unprotected: under secure messaging the refusal came unprotected
	// (6A82 without a MAC), which anyone on the link can send.
	Unprotected bool `json:"unprotected,omitempty"`
}
