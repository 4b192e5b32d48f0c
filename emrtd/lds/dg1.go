package lds

import (
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/mrz"
	"github.com/idagent/idagent/emrtd/tlv"
)

// DG1 is data group 1 (tag 61): the machine readable zone (tag 5F1F) as the
// chip holds it, parsed, with the result of its check digits.
type DG1 struct {
	// MRZ is the parsed zone, CheckErrors included.
	MRZ *mrz.MRZ `json:"-"`

	MRZFormat      string   `json:"format"` // "TD1", "TD2", "TD3"
	DocumentCode   string   `json:"documentCode"`
	IssuingState   string   `json:"issuingState"`
	DocumentNumber string   `json:"documentNumber"`
	Surname        string   `json:"surname"`
	GivenNames     string   `json:"givenNames"`
	Nationality    string   `json:"nationality"`
	DateOfBirth    string   `json:"dateOfBirth"` // YYMMDD as in the MRZ
	Sex            string   `json:"sex"`         // "M", "F" or "<"
	DateOfExpiry   string   `json:"dateOfExpiry"`
	OptionalData1  string   `json:"optionalData1,omitempty"`
	OptionalData2  string   `json:"optionalData2,omitempty"`
	Lines          []string `json:"lines"`
	// CheckDigitsValid is true when every check digit of the MRZ matched;
	// CheckErrors names those that did not.
	CheckDigitsValid bool     `json:"checkDigitsValid"`
	CheckErrors      []string `json:"checkErrors,omitempty"`

	// VN holds the ID12 of a Vietnamese TD1 (CCCD / Căn cước), nil for
	// other documents.
	VN *VNMRZData `json:"vn,omitempty"`
}

// VNMRZData is the optional data of the Vietnamese TD1: line 1 positions
// 16–27 hold the 12-digit personal identification number (ID12), position
// 30 a check digit over it, and the document number (positions 6–14) is the
// last 9 digits of the ID12.
type VNMRZData struct {
	ID12 string `json:"id12"`
	// CheckDigitValid: position 30 is the 7-3-1 check digit of the ID12.
	CheckDigitValid bool `json:"checkDigitValid"`
	// MatchesDocumentNumber: the document number is the last 9 digits of
	// the ID12, as the issuing rule says.
	MatchesDocumentNumber bool `json:"matchesDocumentNumber"`
}

func (DG1) PersonalData()                    {}
func (DG1) String() string                   { return "lds.DG1(redacted)" }
func (DG1) GoString() string                 { return "lds.DG1(redacted)" }
func (DG1) Format(f fmt.State, _ rune)       { writeRedacted(f, "DG1") }
func (VNMRZData) PersonalData()              {}
func (VNMRZData) String() string             { return "lds.VNMRZData(redacted)" }
func (VNMRZData) GoString() string           { return "lds.VNMRZData(redacted)" }
func (VNMRZData) Format(f fmt.State, _ rune) { writeRedacted(f, "VNMRZData") }

// ParseDG1 parses DG1. An MRZ whose check digits fail is returned with
// CheckDigitsValid false and no error: the chip's content is what it is,
// and passive authentication decides whether to believe it. An MRZ that is
// not a TD1, TD2 or TD3 zone is an error.
func ParseDG1(b []byte) (*DG1, error) {
	v, err := unwrap("DG1", b, 0x61)
	if err != nil {
		return nil, err
	}
	t, ok, err := tlv.Find(v, 0x5F1F)
	if err != nil {
		return nil, fmt.Errorf("%w: DG1: %v", ErrMalformed, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: DG1 has no MRZ (5F1F)", ErrMalformed)
	}
	for _, c := range t.Value {
		if c < 0x20 || c > 0x7E {
			if c != '\n' && c != '\r' {
				return nil, fmt.Errorf("%w: DG1 MRZ (5F1F) holds a byte outside printable ASCII", ErrMalformed)
			}
		}
	}
	m, err := mrz.Parse(string(t.Value))
	if err != nil && !errors.Is(err, mrz.ErrCheckDigit) {
		return nil, fmt.Errorf("%w: DG1 MRZ (5F1F): %v", ErrMalformed, err)
	}
	return dg1From(m), nil
}

func dg1From(m *mrz.MRZ) *DG1 {
	d := &DG1{
		MRZ:              m,
		MRZFormat:        m.Format.String(),
		DocumentCode:     m.DocumentCode,
		IssuingState:     m.IssuingState,
		DocumentNumber:   m.DocumentNumber,
		Surname:          m.Surname,
		GivenNames:       m.GivenNames,
		Nationality:      m.Nationality,
		DateOfBirth:      m.DateOfBirth,
		Sex:              m.Sex,
		DateOfExpiry:     m.DateOfExpiry,
		OptionalData1:    m.OptionalData1,
		OptionalData2:    m.OptionalData2,
		Lines:            append([]string(nil), m.Lines...),
		CheckDigitsValid: len(m.CheckErrors) == 0,
		CheckErrors:      append([]string(nil), m.CheckErrors...),
	}
	d.VN = vnMRZData(m)
	return d
}

// vnMRZData extracts the ID12 of a Vietnamese TD1, nil when the zone is not
// one (other state, other size, or no 12 digits where the ID12 belongs).
func vnMRZData(m *mrz.MRZ) *VNMRZData {
	if m.Format != mrz.TD1 || m.IssuingState != "VNM" || len(m.Lines) != 3 || len(m.Lines[0]) != 30 {
		return nil
	}
	l1 := m.Lines[0]
	id := l1[15:27]
	if !allDigits(id) {
		return nil
	}
	vn := &VNMRZData{ID12: id, CheckDigitValid: mrz.CheckDigit(id) == l1[29]}
	vn.MatchesDocumentNumber = m.DocumentNumber == id[3:]
	return vn
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// EncodeDG1 wraps MRZ text (lines concatenated, no line breaks) as DG1.
func EncodeDG1(mrzText string) []byte {
	return tlv.Encode(0x61, tlv.Encode(0x5F1F, []byte(mrzText)))
}
