package lds

import (
	"strings"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
)

// CheckMRZDigits is the name of the check of DG1's own check digits
// (including the Vietnamese ID12 check digit and document-number rule).
const CheckMRZDigits = "mrz.check_digits"

// Reason codes of the checks made here. They are stable: programs match
// on them.
const (
	ReasonConsistent         = "CONSISTENT"
	ReasonPartialDate        = "PARTIAL_DATE"
	ReasonIDNumberMismatch   = "ID_NUMBER_MISMATCH"
	ReasonBirthDateMismatch  = "BIRTH_DATE_MISMATCH"
	ReasonExpiryMismatch     = "EXPIRY_DATE_MISMATCH"
	ReasonDocNumberMismatch  = "DOCUMENT_NUMBER_MISMATCH"
	ReasonCANMismatch        = "CAN_MISMATCH"
	ReasonNothingToCompare   = "NOTHING_TO_COMPARE"
	ReasonDG1Absent          = "DG1_ABSENT"
	ReasonDG13Absent         = "DG13_ABSENT"
	ReasonNoAccessKey        = "NO_ACCESS_KEY"
	ReasonCANNotInMRZ        = "CAN_NOT_IN_MRZ"
	ReasonKeyTypeUnsupported = "KEY_TYPE_UNSUPPORTED"
	ReasonCheckDigitsValid   = "CHECK_DIGITS_VALID"
	ReasonCheckDigitMismatch = "CHECK_DIGIT_MISMATCH"
	ReasonID12Mismatch       = "ID12_DOCUMENT_NUMBER_MISMATCH"
)

// noExpiryMRZ is the expiry the CCCD's MRZ carries when the card does not
// expire.
const noExpiryMRZ = "991231"

// CheckDG1 reports whether the MRZ of DG1 is internally consistent: every
// check digit, and for the Vietnamese TD1 the ID12 check digit and the
// rule that the document number is the ID12's last nine digits.
func CheckDG1(dg1 *DG1) check.Check {
	c := check.Check{Name: CheckMRZDigits}
	if dg1 == nil {
		c.Status, c.Reason, c.Message = check.Skipped, ReasonDG1Absent, "DG1 was not read"
		return c
	}
	bad := append([]string(nil), dg1.CheckErrors...)
	if dg1.VN != nil && !dg1.VN.CheckDigitValid {
		bad = append(bad, "ID12")
	}
	if len(bad) > 0 {
		c.Status, c.Reason = check.Fail, ReasonCheckDigitMismatch
		c.Message = "MRZ check digit mismatch: " + strings.Join(bad, ", ")
		return c
	}
	if dg1.VN != nil && !dg1.VN.MatchesDocumentNumber {
		c.Status, c.Reason = check.Fail, ReasonID12Mismatch
		c.Message = "the MRZ document number is not the last nine digits of the ID12"
		return c
	}
	c.Status, c.Reason, c.Message = check.Pass, ReasonCheckDigitsValid, "every MRZ check digit matches"
	return c
}

// CheckMRZAgainstDG13 compares the MRZ of DG1 with the Vietnamese DG13:
// the ID number (ID12 in the MRZ optional data, else the document number
// as its last nine digits), the date of birth (dd/mm/yyyy against YYMMDD,
// unknown parts of partial dates skipped) and the date of expiry (a
// no-expiry text against 991231). Messages name fields, never values.
func CheckMRZAgainstDG13(dg1 *DG1, dg13 *DG13) check.Check {
	c := check.Check{Name: check.MRZConsistency}
	switch {
	case dg1 == nil:
		c.Status, c.Reason, c.Message = check.Skipped, ReasonDG1Absent, "DG1 was not read"
		return c
	case dg13 == nil:
		c.Status, c.Reason, c.Message = check.Skipped, ReasonDG13Absent, "DG13 was not read"
		return c
	}
	var mismatched, reasons []string
	compared, partial := 0, false
	if id := strings.TrimSpace(dg13.IDNumber); id != "" {
		compared++
		ok := false
		switch {
		case dg1.VN != nil:
			ok = dg1.VN.ID12 == id
		case len(id) == 12:
			ok = dg1.DocumentNumber == id[3:]
		default:
			ok = dg1.DocumentNumber == id
		}
		if !ok {
			mismatched, reasons = append(mismatched, "ID number"), append(reasons, ReasonIDNumberMismatch)
		}
	}
	if d := dg13.DateOfBirth; d != nil && d.Valid() {
		compared++
		match, part := dateMatches(*d, dg1.DateOfBirth)
		partial = partial || part
		if !match {
			mismatched, reasons = append(mismatched, "date of birth"), append(reasons, ReasonBirthDateMismatch)
		}
	}
	if d := dg13.DateOfExpiry; d != nil && (d.Valid() || d.NoExpiry) {
		compared++
		var match bool
		if d.NoExpiry {
			match = dg1.DateOfExpiry == noExpiryMRZ || dg1.DateOfExpiry == "<<<<<<"
		} else {
			var part bool
			match, part = dateMatches(*d, dg1.DateOfExpiry)
			partial = partial || part
		}
		if !match {
			mismatched, reasons = append(mismatched, "date of expiry"), append(reasons, ReasonExpiryMismatch)
		}
	}
	switch {
	case len(mismatched) > 0:
		c.Status, c.Reason = check.Fail, reasons[0]
		c.Message = "the MRZ (DG1) and DG13 differ in: " + strings.Join(mismatched, ", ")
	case compared == 0:
		c.Status, c.Reason, c.Message = check.Unknown, ReasonNothingToCompare, "DG13 holds no ID number or date to compare with the MRZ"
	case partial:
		c.Status, c.Reason, c.Message = check.Warn, ReasonPartialDate, "the MRZ and DG13 agree where DG13's partial date is known"
	default:
		c.Status, c.Reason, c.Message = check.Pass, ReasonConsistent, "the MRZ (DG1) and DG13 agree on ID number and dates"
	}
	return c
}

// dateMatches compares a DG13 date with an MRZ YYMMDD, part by part;
// parts unknown in the DG13 date are not compared (partial reports that).
func dateMatches(d Date, mrzDate string) (match, partial bool) {
	want, ok := d.YYMMDD()
	if !ok || len(mrzDate) != 6 {
		return false, false
	}
	for i := 0; i < 6; i += 2 {
		if want[i:i+2] == "<<" {
			partial = true
			continue
		}
		if want[i:i+2] != mrzDate[i:i+2] {
			return false, partial
		}
	}
	return true, partial
}

// CheckAccessKey compares DG1 (and DG13 for the CCCD) with the key that
// opened the chip: an MRZ key's document number and dates must be DG1's;
// a CAN must be the last six digits of the Vietnamese ID12 (the CCCD rule;
// a mismatch is a warning, since that rule is not published). A CAN of
// another document is not in the MRZ: the check is skipped.
func CheckAccessKey(dg1 *DG1, dg13 *DG13, key access.Key) check.Check {
	c := check.Check{Name: check.AccessKey}
	if key == nil {
		c.Status, c.Reason, c.Message = check.Skipped, ReasonNoAccessKey, "no access key was used"
		return c
	}
	switch k := key.(type) {
	case *access.MRZKey:
		if dg1 == nil {
			c.Status, c.Reason, c.Message = check.Skipped, ReasonDG1Absent, "DG1 was not read"
			return c
		}
		var mismatched, reasons []string
		if normDoc(k.DocumentNumber()) != normDoc(dg1.DocumentNumber) {
			mismatched, reasons = append(mismatched, "document number"), append(reasons, ReasonDocNumberMismatch)
		}
		if k.DateOfBirth() != dg1.DateOfBirth {
			mismatched, reasons = append(mismatched, "date of birth"), append(reasons, ReasonBirthDateMismatch)
		}
		if k.DateOfExpiry() != dg1.DateOfExpiry {
			mismatched, reasons = append(mismatched, "date of expiry"), append(reasons, ReasonExpiryMismatch)
		}
		if len(mismatched) > 0 {
			c.Status, c.Reason = check.Fail, reasons[0]
			c.Message = "DG1 differs from the MRZ key that opened the chip in: " + strings.Join(mismatched, ", ")
			return c
		}
		c.Status, c.Reason, c.Message = check.Pass, ReasonConsistent, "DG1 matches the MRZ key that opened the chip"
		return c
	case *access.CAN:
		id := ""
		if dg1 != nil && dg1.VN != nil {
			id = dg1.VN.ID12
		} else if dg13 != nil && len(dg13.IDNumber) == 12 {
			id = dg13.IDNumber
		}
		if id == "" {
			c.Status, c.Reason, c.Message = check.Skipped, ReasonCANNotInMRZ, "the card access number is printed on the document, not held in its data groups"
			return c
		}
		if k.Digits() != id[6:] {
			c.Status, c.Reason, c.Message = check.Warn, ReasonCANMismatch, "the CAN that opened the chip is not the last six digits of the ID12"
			return c
		}
		c.Status, c.Reason, c.Message = check.Pass, ReasonConsistent, "the CAN that opened the chip is the last six digits of the ID12"
		return c
	}
	c.Status, c.Reason, c.Message = check.NotSupported, ReasonKeyTypeUnsupported, "this kind of access key cannot be compared with the data groups"
	return c
}

func normDoc(s string) string { return strings.TrimRight(strings.ToUpper(strings.TrimSpace(s)), "<") }
