package read

import (
	"fmt"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/session"
	"github.com/idagent/idagent/emrtd/verify"
)

// DocumentType is the kind of document, from the document code of DG1
// (emrtd/identity's).
type DocumentType = identity.DocumentType

const (
	Passport = identity.Passport // P
	IDCard   = identity.IDCard   // I, A, C
	Visa     = identity.Visa     // V
	Other    = identity.Other
)

// FileStatus says what became of one file (emrtd/verify's, which the
// evidence carries).
type FileStatus = verify.FileStatus

const (
	FileRead      = verify.FileRead
	FileAbsent    = verify.FileAbsent    // 6A82: the chip does not hold it
	FileProtected = verify.FileProtected // 6982: access conditions not met (DG3, DG4)
	FileSkipped   = verify.FileSkipped   // not asked for, or not listed in EF.COM
	FileFailed    = verify.FileFailed
)

// FileResult is the outcome of one file.
type FileResult struct {
	Name   string     `json:"name"`
	DG     int        `json:"dg,omitempty"`
	Status FileStatus `json:"status"`
	Size   int        `json:"size,omitempty"`
	// Error says why a file failed; it names tags and lengths, never
	// content.
	Error string `json:"error,omitempty"`
	// Unprotected: under secure messaging the failure came as an
	// unprotected status word (files.ErrUnprotected).
	Unprotected bool `json:"unprotected,omitempty"`
	// Data is the file as read (personal data: never logged, never in JSON
	// by default).
	Data []byte `json:"-"`
}

// Format prints the file's name, status and size, never its data.
func (f FileResult) Format(s fmt.State, _ rune) {
	fmt.Fprintf(s, "%s %s (%d bytes)", f.Name, f.Status, f.Size)
}

// Photo is the portrait as read from DG2, proven signed by the issuer
// (Options.OnPhoto).
type Photo struct {
	// DG2 is the data group as read (ISO 19794-5 or ISO 39794-5 wrapper
	// around a JPEG or JPEG 2000 image).
	DG2 []byte
}

// Format prints a redaction.
func (p Photo) Format(s fmt.State, _ rune) { fmt.Fprintf(s, "read.Photo(%d bytes)", len(p.DG2)) }

// PhaseStats is the traffic and time of one phase of a read.
type PhaseStats struct {
	Name      string        `json:"name"`
	Exchanges int           `json:"exchanges"`
	BytesOut  int64         `json:"bytesOut"`
	BytesIn   int64         `json:"bytesIn"`
	Duration  time.Duration `json:"durationNs"`
}

// Stats is the traffic and time of a whole read.
type Stats struct {
	Exchanges int           `json:"exchanges"`
	BytesOut  int64         `json:"bytesOut"`
	BytesIn   int64         `json:"bytesIn"`
	Duration  time.Duration `json:"durationNs"`
	Phases    []PhaseStats  `json:"phases"`
	// Identity is when the identity callback ran, from the start of the
	// read (zero when it did not).
	Identity time.Duration `json:"identityNs,omitempty"`
	// Link is what the file reader learned: chunk size, extended length,
	// short file identifiers, header-first reads, re-opened sessions.
	Link files.Link `json:"link"`
	// Session is what the secure messaging session learned: what the chip
	// does after an unprotected status word.
	Session session.Hints `json:"session"`
}

// Hints are what a read learned about a chip, for the next read of the
// same chip (Options.Hints): they save the exchanges of learning again.
type Hints struct {
	Link    files.Link    `json:"link"`
	Session session.Hints `json:"session"`
}

// Hints returns what this read learned about the chip.
func (r *Result) Hints() Hints { return Hints{Link: r.Stats.Link, Session: r.Stats.Session} }

// Mechanisms of access control (AccessResult.Mechanism).
const (
	MechanismBAC     = verify.MechanismBAC
	MechanismPACEGM  = verify.MechanismPACEGM
	MechanismPACEIM  = verify.MechanismPACEIM
	MechanismPACECAM = verify.MechanismPACECAM
)

// AccessResult describes how the chip was opened (a desk observation of
// the evidence). It holds no key.
type AccessResult = verify.Access

// Mechanisms of chip authentication (ChipAuthResult.Mechanism).
const (
	ChipAuthCA  = verify.ChipAuthCA  // Chip Authentication v1 with DG14's key
	ChipAuthCAM = verify.ChipAuthCAM // PACE's chip authentication mapping
)

// ChipAuthResult is what chip authentication did (a desk observation of
// the evidence); the chip.authentication check adds passive
// authentication of its key.
type ChipAuthResult = verify.ChipAuth

// ActiveAuthResult is what active authentication did, with everything a
// server needs to check the chip's signature itself; the
// active.authentication check checks it again and adds passive
// authentication of DG15.
type ActiveAuthResult = verify.ActiveAuth

// Result is what a read returns. It holds personal data (DG1, the files'
// bytes, the parsed data groups): the agent passes it on, nothing logs it.
type Result struct {
	DocumentType DocumentType `json:"documentType"`
	// AccessControl names the mechanism that opened the chip ("BAC",
	// "PACE-GM", "PACE-IM", "PACE-CAM"); Access has the details.
	AccessControl string        `json:"accessControl"`
	Access        *AccessResult `json:"access,omitempty"`
	// CardAccess is EF.CardAccess as parsed, nil when the chip has none.
	CardAccess *lds.SecurityInfos `json:"cardAccess,omitempty"`
	COM        *lds.COM           `json:"com,omitempty"`
	DG1        *lds.DG1           `json:"dg1,omitempty"`
	DG11       *lds.DG11          `json:"dg11,omitempty"`
	DG12       *lds.DG12          `json:"dg12,omitempty"`
	DG13       *lds.DG13          `json:"dg13,omitempty"`
	DG14       *lds.SecurityInfos `json:"dg14,omitempty"`
	DG15       *lds.DG15          `json:"dg15,omitempty"`
	// Portrait describes DG2's first image as the chip stores it (format,
	// size, dimensions); its bytes are not in JSON. lds.PortraitFromDG2
	// gives an image a browser shows.
	Portrait *lds.Image   `json:"portrait,omitempty"`
	Files    []FileResult `json:"files"`
	// ChipAuth and ActiveAuth are the anti-clone protocols' outcomes (nil
	// when they did not run).
	ChipAuth   *ChipAuthResult   `json:"chipAuthentication,omitempty"`
	ActiveAuth *ActiveAuthResult `json:"activeAuthentication,omitempty"`
	// Checks are the verification results (with Options.Verify): passive
	// authentication, MRZ check digits and cross-checks, chip and active
	// authentication, made by emrtd/verify. Verdict folds them
	// (verify.Verdict).
	Checks  check.Report `json:"checks"`
	Verdict check.Status `json:"verdict,omitempty"`
	// Warnings name recoverable trouble (an unparsable EF.COM, a failed
	// optional file); they never carry personal data.
	Warnings []string `json:"warnings,omitempty"`
	Stats    Stats    `json:"stats"`
}

// File returns the result of the named file ("EF.COM", "DG1", ...).
func (r *Result) File(name string) (FileResult, bool) {
	for _, f := range r.Files {
		if f.Name == name {
			return f, true
		}
	}
	return FileResult{}, false
}

// snapshot returns a copy of r that later changes to r do not affect, for
// the callbacks.
func (r *Result) snapshot() *Result {
	c := *r
	c.Files = append([]FileResult(nil), r.Files...)
	c.Checks = append(check.Report(nil), r.Checks...)
	c.Warnings = append([]string(nil), r.Warnings...)
	c.Stats.Phases = append([]PhaseStats(nil), r.Stats.Phases...)
	if r.ChipAuth != nil {
		ca := *r.ChipAuth
		c.ChipAuth = &ca
	}
	return &c
}
