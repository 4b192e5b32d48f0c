package issue

import (
	"strings"

	"github.com/idagent/idagent/emrtd/mrz"
)

// MRZ expiry of the card: YYMMDD, or 991231 for a card that never expires.
func (id Identity) mrzExpiry() string {
	if id.DateOfExpiry.IsZero() {
		return NoExpiry
	}
	return yymmdd(id.DateOfExpiry)
}

// CardMRZ is the TD1 MRZ of the CCCD, lines joined without separators (90
// characters): IDVNM, the 9-digit document number and its check digit, the
// whole ID12 as optional data followed by "<<" and a check digit over ID12;
// the standard line 2; the name line without diacritics.
func (id Identity) CardMRZ() string {
	doc := id.DocumentNumber()
	l1 := "IDVNM" + doc + check(doc) + id.ID12 + "<<" + check(id.ID12)
	dob, doe := yymmdd(id.DateOfBirth), id.mrzExpiry()
	l2 := dob + check(dob) + string(id.Sex) + doe + check(doe) + "VNM" + strings.Repeat("<", 11)
	l2 += check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	return l1 + l2 + nameField(id.Surname, id.MiddleAndGiven, 30)
}

// PassportMRZ is the TD3 MRZ of the Vietnamese passport (88 characters);
// its personal number is the ID12.
func (id Identity) PassportMRZ() string {
	l1 := "P<VNM" + nameField(id.Surname, id.MiddleAndGiven, 39)
	doc := pad(id.PassportNumber, 9)
	dob, doe := yymmdd(id.DateOfBirth), yymmdd(id.PassportDateOfExpiry)
	personal := pad(id.ID12, 14)
	l2 := doc + check(doc) + "VNM" + dob + check(dob) + string(id.Sex) + doe + check(doe) + personal + check(personal)
	l2 += check(l2[0:10] + l2[13:20] + l2[21:43])
	return l1 + l2
}

// nameField writes SURNAME<<GIVEN<NAMES padded or truncated to width.
func nameField(surname, given string, width int) string {
	s := mrzName(surname) + "<<" + mrzName(given)
	if len(s) > width {
		s = s[:width]
	}
	return pad(s, width)
}

func pad(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return s + strings.Repeat("<", width-len(s))
}

func check(s string) string { return string(mrz.CheckDigit(s)) }
