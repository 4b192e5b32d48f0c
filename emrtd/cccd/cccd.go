// Package cccd holds the rules of the Vietnamese chip identity cards (Căn
// cước công dân 2021, Căn cước 2024): the 12-digit personal identification
// number (ID12) and the access keys it gives (document number = its last 9
// digits, CAN = its last 6 digits), the expiry rule (the 25th, 40th and 60th
// birthdays, 991231 for cards without expiry) and the QR code printed on
// the card.
//
// Everything here is personal data. Errors name fields, never values.
package cccd

import (
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
)

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("cccd: invalid")

// ValidateID12 checks that id is a 12-digit personal identification number.
// The province prefix is not checked against a table: the circular that
// defined the codes has expired.
func ValidateID12(id string) error {
	if len(id) != 12 {
		return fmt.Errorf("%w: ID number must have 12 digits", ErrInvalid)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("%w: ID number must contain digits only", ErrInvalid)
		}
	}
	return nil
}

// DocumentNumber returns the document number of the card's MRZ (BAC,
// PACE-MRZ): the last 9 digits of the ID number.
func DocumentNumber(id12 string) (string, error) {
	if err := ValidateID12(id12); err != nil {
		return "", err
	}
	return id12[3:], nil
}

// CAN returns the card access number (PACE-CAN): the last 6 digits of the
// ID number.
func CAN(id12 string) (*access.CAN, error) {
	if err := ValidateID12(id12); err != nil {
		return nil, err
	}
	return access.NewCAN(id12[6:])
}

// MRZKey returns the MRZ key of a card from its ID number, the holder's
// date of birth and the card's date of expiry (YYMMDD; 991231 for a card
// without expiry).
func MRZKey(id12, dateOfBirth, dateOfExpiry string) (*access.MRZKey, error) {
	doc, err := DocumentNumber(id12)
	if err != nil {
		return nil, err
	}
	return access.NewMRZKey(doc, dateOfBirth, dateOfExpiry)
}
