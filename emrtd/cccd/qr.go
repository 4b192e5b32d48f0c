package cccd

import (
	"fmt"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/access"
)

// QR is what idagent takes from the QR code of a card:
// ID12|oldID|Full Name|ddMMyyyy (birth)|Nam or Nữ|address|ddMMyyyy (issue),
// or the 6-field variant without one of the optional fields.
//
// Only digits and dates are kept. USB QR scanners act as keyboards and
// mangle Vietnamese diacritics unless set to UTF-8, so the name, sex and
// address of a scanned payload are never trusted; the chip holds the
// authoritative values. String and Format print a redaction.
type QR struct {
	ID12        string
	OldID       string // the 9-digit (or 12-digit) number of the old card; empty if none
	DateOfBirth Date   // Month or Day may be 0 on cards with partial birth dates
	DateOfIssue Date   // zero when the payload does not carry it
}

// maxQRLen bounds the payload; real ones are about 150 bytes.
const maxQRLen = 2048

// ParseQR parses the payload of a card's QR code. Surrounding spaces, line
// ends and a byte order mark are ignored.
func ParseQR(payload string) (*QR, error) {
	if len(payload) > maxQRLen {
		return nil, fmt.Errorf("%w: QR payload longer than %d bytes", ErrInvalid, maxQRLen)
	}
	payload = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(payload), "\uFEFF"))
	fields := strings.Split(payload, "|")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	var oldID, birth, issue string
	switch {
	case len(fields) == 7:
		oldID, birth, issue = fields[1], fields[3], fields[6]
	case len(fields) == 6 && isDigits(fields[3], 8):
		// No issue date: ID12|oldID|name|birth|sex|address.
		oldID, birth = fields[1], fields[3]
	case len(fields) == 6 && isDigits(fields[2], 8):
		// No old ID: ID12|name|birth|sex|address|issue.
		birth, issue = fields[2], fields[5]
	default:
		return nil, fmt.Errorf("%w: QR payload has %d fields, want 6 or 7 separated by |", ErrInvalid, len(fields))
	}
	q := &QR{ID12: fields[0], OldID: oldID}
	if err := ValidateID12(q.ID12); err != nil {
		return nil, err
	}
	if oldID != "" && !isDigits(oldID, 9) && !isDigits(oldID, 12) {
		return nil, fmt.Errorf("%w: old ID number must have 9 or 12 digits", ErrInvalid)
	}
	var err error
	if q.DateOfBirth, err = parseDDMMYYYY(birth, true); err != nil {
		return nil, fmt.Errorf("date of birth: %w", err)
	}
	if issue != "" {
		if q.DateOfIssue, err = parseDDMMYYYY(issue, false); err != nil {
			return nil, fmt.Errorf("date of issue: %w", err)
		}
		if q.DateOfBirth.Complete() && q.DateOfIssue.Before(q.DateOfBirth) {
			return nil, fmt.Errorf("%w: date of issue is before the date of birth", ErrInvalid)
		}
	}
	return q, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDDMMYYYY parses ddMMyyyy; with partial, day and month may be 00.
func parseDDMMYYYY(s string, partial bool) (Date, error) {
	if !isDigits(s, 8) {
		return Date{}, fmt.Errorf("%w: date must be ddMMyyyy", ErrInvalid)
	}
	n := func(a, b int) int {
		v := 0
		for _, c := range s[a:b] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	d := Date{Year: n(4, 8), Month: n(2, 4), Day: n(0, 2)}
	if d.Year < 1900 || d.Year > 2200 {
		return Date{}, fmt.Errorf("%w: year out of range", ErrInvalid)
	}
	if partial && (d.Month == 0 || d.Day == 0) {
		if d.Month > 12 || (d.Month == 0 && d.Day != 0) {
			return Date{}, fmt.Errorf("%w: not a calendar date", ErrInvalid)
		}
		return d, nil
	}
	if !d.Complete() {
		return Date{}, fmt.Errorf("%w: not a calendar date", ErrInvalid)
	}
	return d, nil
}

// CAN returns the card access number: the last 6 digits of the ID number.
func (q *QR) CAN() (*access.CAN, error) { return CAN(q.ID12) }

// MRZKeys returns the MRZ keys the card can have, most likely first: one
// key when the payload carries the issue date, the expiry candidates
// otherwise (see ExpiryCandidates). A partial date of birth gives no MRZ
// key (the CAN still opens the card).
func (q *QR) MRZKeys(now time.Time) ([]*access.MRZKey, error) {
	if !q.DateOfBirth.Complete() {
		return nil, fmt.Errorf("%w: date of birth is incomplete, no MRZ key", ErrInvalid)
	}
	var expiries []Date
	if q.DateOfIssue.Complete() {
		e, err := Expiry(q.DateOfBirth, q.DateOfIssue)
		if err != nil {
			return nil, err
		}
		expiries = []Date{e}
	} else {
		var err error
		if expiries, err = ExpiryCandidates(q.DateOfBirth, now); err != nil {
			return nil, err
		}
	}
	keys := make([]*access.MRZKey, 0, len(expiries))
	for _, e := range expiries {
		k, err := MRZKey(q.ID12, q.DateOfBirth.YYMMDD(), e.YYMMDD())
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// String, GoString and Format print a redaction: the payload is personal
// data.
func (q QR) String() string                { return "cccd.QR(redacted)" }
func (q QR) GoString() string              { return "cccd.QR(redacted)" }
func (q QR) Format(f fmt.State, verb rune) { fmt.Fprint(f, "cccd.QR(redacted)") }
