package cccd

import (
	"errors"
	"fmt"
	"time"

	"github.com/idagent/idagent/emrtd/access"
)

// KeyForm is an access key as a desk gives it, in exactly one of its
// forms: the CAN, the Vietnamese card's ID number (ID12) or QR payload, the
// MRZ text, or the MRZ's three key fields. The agent's read.start and the
// reader share it, so that one set of rules decides what is tried on a
// chip (docs/PROTOCOL.md, read.start). It is personal data.
type KeyForm struct {
	CAN            string
	ID12           string
	MRZ            string
	DocumentNumber string
	DateOfBirth    string
	DateOfExpiry   string
	QR             string
}

// PersonalData marks KeyForm for the log redactor.
func (KeyForm) PersonalData() {}

// String, GoString and Format print a redaction: the form holds a key.
func (f KeyForm) String() string                { return "cccd.KeyForm(redacted)" }
func (f KeyForm) GoString() string              { return "cccd.KeyForm(redacted)" }
func (f KeyForm) Format(s fmt.State, verb rune) { fmt.Fprint(s, "cccd.KeyForm(redacted)") }

// ErrKeyForm is wrapped by the errors of a form that gives no key or more
// than one.
var ErrKeyForm = errors.New("access key form")

// Keys validates the form with the card's rules and returns the keys to
// try, in order. The rules are the constructors': a CAN is exactly 6
// digits (access.NewCAN), an ID12 exactly 12 (ValidateID12); single values
// (can, id12, documentNumber, dateOfBirth, dateOfExpiry) with a space are
// refused, never trimmed; the MRZ may have line breaks or spaces between
// its lines, the QR payload the line end a scanner adds. An ID12 gives the
// CAN; a QR payload the CAN, then the MRZ keys its dates allow (now picks
// the expiry candidates). Errors name the form and the field, never a
// value.
func (f KeyForm) Keys(now time.Time) ([]access.Key, error) {
	if err := f.one(); err != nil {
		return nil, err
	}
	switch {
	case f.CAN != "":
		can, err := access.NewCAN(f.CAN)
		if err != nil {
			return nil, fmt.Errorf("can: %w", err)
		}
		return []access.Key{can}, nil
	case f.ID12 != "":
		can, err := CAN(f.ID12)
		if err != nil {
			return nil, fmt.Errorf("id12: %w", err)
		}
		return []access.Key{can}, nil
	case f.MRZ != "":
		key, err := access.ParseMRZ(f.MRZ)
		if err != nil {
			return nil, fmt.Errorf("mrz: %w", err)
		}
		return []access.Key{key}, nil
	case f.QR != "":
		q, err := ParseQR(f.QR)
		if err != nil {
			return nil, fmt.Errorf("qr: %w", err)
		}
		return q.Keys(now)
	}
	if f.DocumentNumber == "" || f.DateOfBirth == "" || f.DateOfExpiry == "" {
		return nil, fmt.Errorf("%w: documentNumber, dateOfBirth and dateOfExpiry go together", ErrKeyForm)
	}
	key, err := access.NewMRZKey(f.DocumentNumber, f.DateOfBirth, f.DateOfExpiry)
	if err != nil {
		return nil, fmt.Errorf("documentNumber, dateOfBirth, dateOfExpiry: %w", err)
	}
	return []access.Key{key}, nil
}

// one checks that exactly one form is given.
func (f KeyForm) one() error {
	forms := 0
	for _, given := range []bool{f.CAN != "", f.ID12 != "", f.MRZ != "", f.QR != "",
		f.DocumentNumber != "" || f.DateOfBirth != "" || f.DateOfExpiry != ""} {
		if given {
			forms++
		}
	}
	switch forms {
	case 0:
		return fmt.Errorf("%w: give one of can, id12, mrz, qr or documentNumber+dateOfBirth+dateOfExpiry", ErrKeyForm)
	case 1:
		return nil
	}
	return fmt.Errorf("%w: give only one key form", ErrKeyForm)
}

// Keys returns the keys of the card the QR code belongs to: the CAN
// (PACE) first, then the MRZ keys (BAC) its dates allow; a partial birth
// date gives only the CAN.
func (q *QR) Keys(now time.Time) ([]access.Key, error) {
	can, err := q.CAN()
	if err != nil {
		return nil, err
	}
	keys := []access.Key{can}
	mrzKeys, _ := q.MRZKeys(now)
	for _, k := range mrzKeys {
		keys = append(keys, k)
	}
	return keys, nil
}
