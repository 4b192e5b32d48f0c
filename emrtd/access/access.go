// Package access holds the access keys that open an eMRTD chip: the MRZ key
// (document number, date of birth, date of expiry) and the card access
// number (CAN), and what the access protocols derive from them: the BAC key
// seed (ICAO 9303-11 §9.7.2) and the PACE password with its reference
// (§4.4.3.1).
//
// Keys are secrets. Their String, GoString and Format methods print a
// redaction, never the value, so a key that reaches a log or an error by
// mistake shows nothing. Validation errors name the field, never its value.
package access

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"strings"

	"github.com/idagent/idagent/emrtd/mrz"
)

// ErrDenied is the error every access protocol (BAC, PACE) wraps when the
// chip refused the key: the key does not open this chip. Callers test it with
// errors.Is and must not retry with the same key (chips count failures).
var ErrDenied = errors.New("access denied")

// ErrTokenInvalid is the error every access protocol (BAC, PACE) wraps when
// the chip accepted the reader's proof of the key but its own proof (the
// PACE authentication token, the BAC cryptogram) does not verify after a
// well-formed exchange. A genuine chip either refuses a wrong key (6300,
// 63Cx) or proves the right one, so this is an attack (a chip that does not
// know the key and hopes the reader accepts anything, or a relay that
// changed the answer), not a typo: the read ends, no other key and no
// other mechanism is tried, and it is never reported as a wrong key.
var ErrTokenInvalid = errors.New("the chip's authentication token does not verify")

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("invalid access key")

// PasswordRef is the PACE password reference of ICAO 9303-11 §4.4.3.1 and
// BSI TR-03110 (the value of tag 83 in MSE:Set AT).
type PasswordRef byte

// PACE password references.
const (
	PasswordMRZ PasswordRef = 1
	PasswordCAN PasswordRef = 2
	PasswordPIN PasswordRef = 3
	PasswordPUK PasswordRef = 4
)

func (r PasswordRef) String() string {
	switch r {
	case PasswordMRZ:
		return "MRZ"
	case PasswordCAN:
		return "CAN"
	case PasswordPIN:
		return "PIN"
	case PasswordPUK:
		return "PUK"
	}
	return fmt.Sprintf("password reference %d", byte(r))
}

// Key is an access key: anything PACE can use. MRZ keys can do BAC too
// (see BACKey).
type Key interface {
	// PACEPassword returns the password reference and the password bytes
	// that PACE derives Kπ from (§4.4.3.1: SHA-1(MRZ_information) for the
	// MRZ, the digits for a CAN).
	PACEPassword() (PasswordRef, []byte)
	fmt.Stringer
	fmt.GoStringer
	fmt.Formatter
}

// BACKey is a key that Basic Access Control can use.
type BACKey interface {
	Key
	// BACSeed returns K_seed: the first 16 bytes of SHA-1(MRZ_information).
	BACSeed() []byte
}

// redacted writes the redaction of a key of the given kind for every verb.
func redacted(f fmt.State, kind string) {
	fmt.Fprintf(f, "%s(redacted)", kind)
}

// MRZKey is the key printed in the machine readable zone: document number,
// date of birth and date of expiry. Its fields are unexported so that
// reflection-based encoders (JSON, loggers) see nothing.
type MRZKey struct {
	documentNumber string
	dateOfBirth    string
	dateOfExpiry   string
	info           string // MRZ_information
}

// NewMRZKey validates the three fields and builds the key. The document
// number may be up to 22 characters of the MRZ alphabet (longer than 9 for
// the TD1 long-number rule); it is upper-cased and stripped of fillers at
// the end. Dates are YYMMDD. Like every key value here, a field with a
// space is refused, not trimmed: a key is taken as given or not at all.
func NewMRZKey(documentNumber, dateOfBirth, dateOfExpiry string) (*MRZKey, error) {
	doc := strings.TrimRight(strings.ToUpper(documentNumber), "<")
	if err := checkDocumentNumber(doc); err != nil {
		return nil, err
	}
	dob := dateOfBirth
	if !mrz.IsKeyDate(dob) {
		return nil, fmt.Errorf("%w: date of birth must be YYMMDD", ErrInvalid)
	}
	doe := dateOfExpiry
	if !mrz.IsKeyDate(doe) {
		return nil, fmt.Errorf("%w: date of expiry must be YYMMDD", ErrInvalid)
	}
	info, err := mrz.KeyInformation(doc, dob, doe)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &MRZKey{documentNumber: doc, dateOfBirth: dob, dateOfExpiry: doe, info: info}, nil
}

// MRZKeyFromMRZ builds the key of a parsed MRZ. An MRZ whose check digits
// fail is refused: a key built from a misread MRZ would only burn one of the
// chip's attempts.
func MRZKeyFromMRZ(m *mrz.MRZ) (*MRZKey, error) {
	if len(m.CheckErrors) > 0 {
		return nil, fmt.Errorf("%w: MRZ check digit mismatch in %s", ErrInvalid, strings.Join(m.CheckErrors, ", "))
	}
	return NewMRZKey(m.DocumentNumber, m.DateOfBirth, m.DateOfExpiry)
}

// ParseMRZ parses MRZ text (TD1, TD2 or TD3, with or without line breaks)
// into its key.
func ParseMRZ(text string) (*MRZKey, error) {
	m, err := mrz.Parse(text)
	if err != nil && !errors.Is(err, mrz.ErrCheckDigit) {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return MRZKeyFromMRZ(m)
}

func checkDocumentNumber(doc string) error {
	if doc == "" {
		return fmt.Errorf("%w: document number is empty", ErrInvalid)
	}
	if len(doc) > 22 {
		return fmt.Errorf("%w: document number is longer than 22 characters", ErrInvalid)
	}
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '<') {
			return fmt.Errorf("%w: document number has a character outside the MRZ alphabet at position %d", ErrInvalid, i+1)
		}
	}
	return nil
}

// DocumentNumber, DateOfBirth and DateOfExpiry return the key's fields.
// They are personal data: never log them.
func (k *MRZKey) DocumentNumber() string { return k.documentNumber }
func (k *MRZKey) DateOfBirth() string    { return k.dateOfBirth }
func (k *MRZKey) DateOfExpiry() string   { return k.dateOfExpiry }

// Information returns the MRZ_information of ICAO 9303-11 §9.7.2: document
// number, date of birth and date of expiry, each followed by its check digit.
func (k *MRZKey) Information() []byte { return []byte(k.info) }

// BACSeed returns K_seed = the first 16 bytes of SHA-1(MRZ_information).
func (k *MRZKey) BACSeed() []byte {
	h := sha1.Sum([]byte(k.info))
	return h[:16]
}

// PACEPassword returns PasswordMRZ and SHA-1(MRZ_information).
func (k *MRZKey) PACEPassword() (PasswordRef, []byte) {
	h := sha1.Sum([]byte(k.info))
	return PasswordMRZ, h[:]
}

// String, GoString and Format print a redaction for every verb. They have
// value receivers so that a dereferenced key is redacted too.
func (k MRZKey) String() string                { return "MRZKey(redacted)" }
func (k MRZKey) GoString() string              { return "access.MRZKey(redacted)" }
func (k MRZKey) Format(f fmt.State, verb rune) { redacted(f, "MRZKey") }

// CAN is a card access number: the digits printed on the card (for a
// Vietnamese card, the last 6 digits of the ID number).
type CAN struct {
	digits string
}

// CANLength is the number of digits of a card access number: what ICAO
// documents print (BSI TR-03110 fixes 6) and what the Vietnamese cards
// derive from the ID number.
const CANLength = 6

// NewCAN validates a CAN: exactly 6 decimal digits, nothing else (no
// spaces: a key is taken as given or refused, so that a mistyped key is
// never tried on a chip that counts failures).
func NewCAN(digits string) (*CAN, error) {
	if len(digits) != CANLength {
		return nil, fmt.Errorf("%w: CAN must have exactly %d digits", ErrInvalid, CANLength)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, fmt.Errorf("%w: CAN must contain digits only", ErrInvalid)
		}
	}
	return &CAN{digits: digits}, nil
}

// Digits returns the CAN. It is a secret: never log it.
func (c *CAN) Digits() string { return c.digits }

// PACEPassword returns PasswordCAN and the CAN's ASCII digits.
func (c *CAN) PACEPassword() (PasswordRef, []byte) { return PasswordCAN, []byte(c.digits) }

// String, GoString and Format print a redaction for every verb.
func (c CAN) String() string                { return "CAN(redacted)" }
func (c CAN) GoString() string              { return "access.CAN(redacted)" }
func (c CAN) Format(f fmt.State, verb rune) { redacted(f, "CAN") }

// Compile-time checks.
var (
	_ BACKey = (*MRZKey)(nil)
	_ Key    = (*CAN)(nil)
)
