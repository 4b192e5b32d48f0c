// Package mrz parses machine readable zones (ICAO 9303-3/4/5/6: TD1 3×30,
// TD2 2×36, TD3 2×44), computes their 7-3-1 check digits and builds the
// MRZ_information that BAC and PACE-MRZ derive their keys from.
//
// MRZ text is personal data: nothing here logs it, and errors name the field
// that failed, never its value.
package mrz

import (
	"errors"
	"fmt"
	"strings"
)

// Format is the document's MRZ size.
type Format int

const (
	TD1 Format = 1 // ID cards: 3 lines of 30
	TD2 Format = 2 // 2 lines of 36
	TD3 Format = 3 // passports: 2 lines of 44
)

func (f Format) String() string {
	switch f {
	case TD1:
		return "TD1"
	case TD2:
		return "TD2"
	case TD3:
		return "TD3"
	}
	return "unknown"
}

// MRZ is a parsed machine readable zone. Text fields keep the MRZ alphabet
// with fillers removed at the ends; names have their '<' separators turned
// into spaces.
type MRZ struct {
	Format         Format
	DocumentCode   string // "P", "ID", "I", "AC", ...
	IssuingState   string // three letters, "D" for Germany
	DocumentNumber string // the whole number, including the TD1 long-number overflow
	OptionalData1  string // TD1: line 1 optional data (after a long number's overflow); TD3: personal number
	OptionalData2  string // TD1: line 2 optional data
	DateOfBirth    string // YYMMDD, '<' where unknown
	Sex            string // "M", "F" or "<"
	DateOfExpiry   string // YYMMDD
	Nationality    string
	Surname        string // primary identifier
	GivenNames     string // secondary identifier
	Lines          []string

	// CheckErrors names every check digit that did not match (empty when all
	// did). Parse still returns the fields so a caller can show what the chip
	// holds; access keys must only be built from an MRZ without check errors.
	CheckErrors []string
}

// Errors.
var (
	ErrFormat     = errors.New("mrz: not a TD1, TD2 or TD3 machine readable zone")
	ErrCharacter  = errors.New("mrz: character outside the MRZ alphabet")
	ErrCheckDigit = errors.New("mrz: check digit mismatch")
)

// Normalize removes line breaks, spaces and carriage returns, and upper-cases
// the text, so an MRZ typed or pasted with or without line breaks parses.
func Normalize(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '\n' || r == '\r' || r == ' ' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Parse parses an MRZ given with or without line breaks. It returns
// ErrFormat or ErrCharacter for text that is no MRZ; an MRZ whose check digits
// fail is returned with CheckErrors set and an error wrapping ErrCheckDigit.
func Parse(text string) (*MRZ, error) {
	s := Normalize(text)
	for i := 0; i < len(s); i++ {
		if value(s[i]) < 0 {
			return nil, fmt.Errorf("%w at position %d", ErrCharacter, i+1)
		}
	}
	var m *MRZ
	switch len(s) {
	case 90:
		m = parseTD1(s[0:30], s[30:60], s[60:90])
	case 72:
		m = parseTD2or3(TD2, s[0:36], s[36:72])
	case 88:
		m = parseTD2or3(TD3, s[0:44], s[44:88])
	default:
		return nil, fmt.Errorf("%w (%d characters)", ErrFormat, len(s))
	}
	if len(m.CheckErrors) > 0 {
		return m, fmt.Errorf("%w: %s", ErrCheckDigit, strings.Join(m.CheckErrors, ", "))
	}
	return m, nil
}

func parseTD1(l1, l2, l3 string) *MRZ {
	m := &MRZ{Format: TD1, Lines: []string{l1, l2, l3}}
	m.DocumentCode = trim(l1[0:2])
	m.IssuingState = trim(l1[2:5])
	number, numberCheck := l1[5:14], l1[14]
	optional := l1[15:30]
	if numberCheck == '<' {
		// Long document number: the rest of the number and its check digit
		// open the optional data, ended by a filler.
		end := strings.IndexByte(optional, '<')
		if end < 1 {
			m.CheckErrors = append(m.CheckErrors, "document number")
			end = 1
		}
		numberCheck = optional[end-1]
		number += optional[:end-1]
		optional = optional[end:]
	}
	m.DocumentNumber = trim(number)
	m.OptionalData1 = trim(optional)
	m.check("document number", number, numberCheck)
	m.DateOfBirth = l2[0:6]
	m.check("date of birth", l2[0:6], l2[6])
	m.Sex = l2[7:8]
	m.DateOfExpiry = l2[8:14]
	m.check("date of expiry", l2[8:14], l2[14])
	m.Nationality = trim(l2[15:18])
	m.OptionalData2 = trim(l2[18:29])
	m.check("composite", l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29], l2[29])
	m.Surname, m.GivenNames = names(l3)
	return m
}

func parseTD2or3(f Format, l1, l2 string) *MRZ {
	m := &MRZ{Format: f, Lines: []string{l1, l2}}
	m.DocumentCode = trim(l1[0:2])
	m.IssuingState = trim(l1[2:5])
	m.Surname, m.GivenNames = names(l1[5:])
	m.DocumentNumber = trim(l2[0:9])
	m.check("document number", l2[0:9], l2[9])
	m.Nationality = trim(l2[10:13])
	m.DateOfBirth = l2[13:19]
	m.check("date of birth", l2[13:19], l2[19])
	m.Sex = l2[20:21]
	m.DateOfExpiry = l2[21:27]
	m.check("date of expiry", l2[21:27], l2[27])
	last := len(l2) - 1
	if f == TD3 {
		m.OptionalData1 = trim(l2[28:42])
		// The personal number's check digit may be '<' when it is empty.
		if m.OptionalData1 != "" || (l2[42] != '<' && l2[42] != '0') {
			m.check("personal number", l2[28:42], l2[42])
		}
	} else {
		m.OptionalData1 = trim(l2[28:35])
		if l2[9] == '<' {
			// TD2 long numbers follow the TD1 rule in the optional data.
			end := strings.IndexByte(l2[28:35], '<')
			if end > 0 {
				m.CheckErrors = removeName(m.CheckErrors, "document number")
				m.DocumentNumber = trim(l2[0:9]) + l2[28:28+end-1]
				m.check("document number", l2[0:9]+l2[28:28+end-1], l2[28+end-1])
				m.OptionalData1 = trim(l2[28+end : 35])
			}
		}
	}
	m.check("composite", l2[0:10]+l2[13:20]+l2[21:last], l2[last])
	return m
}

func (m *MRZ) check(name, field string, digit byte) {
	if CheckDigit(field) != digit {
		m.CheckErrors = append(m.CheckErrors, name)
	}
}

func removeName(list []string, name string) []string {
	out := list[:0]
	for _, n := range list {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}

func trim(s string) string { return strings.Trim(s, "<") }

// names splits the name field at the first "<<" into primary and secondary
// identifiers, turning fillers into spaces.
func names(field string) (surname, given string) {
	field = strings.TrimRight(field, "<")
	primary, secondary, _ := strings.Cut(field, "<<")
	clean := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
	}
	return clean(primary), clean(secondary)
}

// value gives a character's check-digit value, -1 outside the alphabet.
func value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c == '<':
		return 0
	}
	return -1
}

// CheckDigit computes the ICAO 9303 check digit (weights 7, 3, 1) of s as
// an ASCII digit. Characters outside the alphabet count as fillers.
func CheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		if v := value(s[i]); v > 0 {
			sum += v * weights[i%3]
		}
	}
	return byte('0' + sum%10)
}

// KeyInformation builds the MRZ_information of ICAO 9303-11 §9.7.1 (BAC) and
// §4.4.3.1 (PACE with an MRZ password): the document number padded to at
// least 9 characters with its check digit, then the date of birth and the
// date of expiry each with theirs. Numbers longer than 9 characters are used
// whole, as the long-number rule requires.
func KeyInformation(documentNumber, dateOfBirth, dateOfExpiry string) (string, error) {
	doc := strings.ToUpper(strings.TrimSpace(documentNumber))
	for len(doc) < 9 {
		doc += "<"
	}
	for _, f := range []struct{ name, v string }{{"document number", doc}, {"date of birth", dateOfBirth}, {"date of expiry", dateOfExpiry}} {
		for i := 0; i < len(f.v); i++ {
			if value(f.v[i]) < 0 {
				return "", fmt.Errorf("%w in the %s", ErrCharacter, f.name)
			}
		}
	}
	if !IsKeyDate(dateOfBirth) {
		return "", errors.New("mrz: date of birth must be YYMMDD")
	}
	if !IsKeyDate(dateOfExpiry) {
		return "", errors.New("mrz: date of expiry must be YYMMDD")
	}
	return doc + string(CheckDigit(doc)) +
		dateOfBirth + string(CheckDigit(dateOfBirth)) +
		dateOfExpiry + string(CheckDigit(dateOfExpiry)), nil
}

// KeyInformation returns the MRZ_information of a parsed MRZ.
func (m *MRZ) KeyInformation() (string, error) {
	if len(m.CheckErrors) > 0 {
		return "", fmt.Errorf("%w: %s", ErrCheckDigit, strings.Join(m.CheckErrors, ", "))
	}
	return KeyInformation(m.DocumentNumber, m.DateOfBirth, m.DateOfExpiry)
}

// IsKeyDate reports whether s is a date an access key (BAC, PACE with the
// MRZ) can be built from: six digits forming a plausible YYMMDD date.
// Unknown parts ('<') are not accepted: keys need the printed date.
func IsKeyDate(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	month := int(s[2]-'0')*10 + int(s[3]-'0')
	day := int(s[4]-'0')*10 + int(s[5]-'0')
	return month >= 1 && month <= 12 && day >= 1 && day <= 31
}
