package read

import (
	"fmt"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
)

// DocumentType is the kind of document, from the document code of DG1.
type DocumentType string

const (
	Passport DocumentType = "passport" // P
	IDCard   DocumentType = "id-card"  // I, A, C
	Visa     DocumentType = "visa"     // V
	Other    DocumentType = "other"
)

func documentType(code string) DocumentType {
	if code == "" {
		return Other
	}
	switch code[0] {
	case 'P':
		return Passport
	case 'I', 'A', 'C':
		return IDCard
	case 'V':
		return Visa
	}
	return Other
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

// FileResult is the outcome of one file.
type FileResult struct {
	Name   string     `json:"name"`
	DG     int        `json:"dg,omitempty"`
	Status FileStatus `json:"status"`
	Size   int        `json:"size,omitempty"`
	// Error says why a file failed; it names tags and lengths, never
	// content.
	Error string `json:"error,omitempty"`
	// Data is the file as read (personal data: never logged, never in JSON
	// by default).
	Data []byte `json:"-"`
}

// Format prints the file's name, status and size, never its data.
func (f FileResult) Format(s fmt.State, _ rune) {
	fmt.Fprintf(s, "%s %s (%d bytes)", f.Name, f.Status, f.Size)
}

// Photo is the portrait as read from DG2.
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
	// Link is what the file reader learned: chunk size, extended length,
	// short file identifiers, re-authentications.
	Link files.Link `json:"link"`
}

// Result is what a read returns. It holds personal data (DG1, the files'
// bytes): the agent passes it on, nothing logs it.
type Result struct {
	DocumentType DocumentType `json:"documentType"`
	// AccessControl names the protocol that opened the chip ("BAC").
	AccessControl string       `json:"accessControl"`
	COM           *lds.COM     `json:"com,omitempty"`
	DG1           *lds.DG1     `json:"dg1,omitempty"`
	Files         []FileResult `json:"files"`
	// Checks are the verification results made so far (none yet: passive,
	// chip and active authentication report here as they land).
	Checks check.Report `json:"checks"`
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
	return &c
}
