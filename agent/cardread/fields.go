package cardread

import (
	"strconv"
	"strings"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/read"
)

// Fields maps what the pipeline read and parsed to the protocol's identity
// fields (docs/PROTOCOL.md §4): DG1 first, then DG11, DG12 (date of issue)
// and DG13, which hold the names with diacritics and win where both have a
// value.
func Fields(res *read.Result, now time.Time) protocol.Fields {
	f := protocol.Fields{}
	if res == nil {
		return f
	}
	if res.DG1 != nil {
		fromDG1(f, res.DG1, now)
	}
	if res.DocumentType != "" {
		f[config.FieldDocumentType] = string(res.DocumentType)
	}
	if res.DG11 != nil {
		fromDG11(f, res.DG11)
	}
	if res.DG12 != nil && res.DG12.DateOfIssue != nil && res.DG12.DateOfIssue.ISO != "" {
		f[config.FieldDateOfIssue] = res.DG12.DateOfIssue.ISO
	}
	if res.DG13 != nil {
		fromDG13(f, res.DG13)
	}
	return f
}

func set(f protocol.Fields, key, value string) {
	if v := strings.TrimSpace(value); v != "" {
		f[key] = v
	}
}

func fromDG1(f protocol.Fields, dg1 *lds.DG1, now time.Time) {
	set(f, config.FieldDocumentNumber, dg1.DocumentNumber)
	set(f, config.FieldDocumentCode, strings.TrimRight(dg1.DocumentCode, "<"))
	set(f, config.FieldIssuingState, dg1.IssuingState)
	set(f, config.FieldSurname, dg1.Surname)
	set(f, config.FieldGivenNames, dg1.GivenNames)
	set(f, config.FieldNationality, dg1.Nationality)
	set(f, config.FieldNationalityCode, dg1.Nationality)
	set(f, config.FieldFullName, strings.TrimSpace(dg1.Surname+" "+dg1.GivenNames))
	switch dg1.Sex {
	case "M", "F":
		f[config.FieldSex] = dg1.Sex
	case "<", "X":
		f[config.FieldSex] = "X"
	}
	if d := mrzDate(dg1.DateOfBirth, now, true); d != "" {
		f[config.FieldDateOfBirth] = d
	}
	if dg1.IssuingState == "VNM" && dg1.DateOfExpiry == "991231" {
		f[config.FieldDateOfExpiry] = nil // the card does not expire
	} else if d := mrzDate(dg1.DateOfExpiry, now, false); d != "" {
		f[config.FieldDateOfExpiry] = d
	}
	if len(dg1.Lines) > 0 {
		f[config.FieldMRZ] = strings.Join(dg1.Lines, "\n")
	}
	if dg1.VN != nil {
		set(f, config.FieldIDNumber, dg1.VN.ID12)
	} else if strings.Trim(dg1.OptionalData1, "<") != "" && dg1.DocumentCode != "" && dg1.DocumentCode[0] == 'P' {
		set(f, config.FieldPersonalNumber, strings.Trim(dg1.OptionalData1, "<"))
	}
}

func fromDG11(f protocol.Fields, dg11 *lds.DG11) {
	if dg11.FullName != "" {
		set(f, config.FieldFullName, mrzText(dg11.FullName))
	}
	set(f, config.FieldPersonalNumber, dg11.PersonalNumber)
	set(f, config.FieldPlaceOfBirth, mrzText(dg11.PlaceOfBirth))
	set(f, config.FieldPlaceOfResidence, mrzText(dg11.Address))
	if d := dg11.DateOfBirth; d != nil && d.ISO != "" {
		f[config.FieldDateOfBirth] = d.ISO
	}
}

// mrzText turns DG11's filler-separated text ("SMITH<<JOHN") into words.
func mrzText(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "<", " ")), " ")
}

func fromDG13(f protocol.Fields, d *lds.DG13) {
	set(f, config.FieldIDNumber, d.IDNumber)
	set(f, config.FieldFullName, d.FullName)
	if s := d.SexCode(); s != "" {
		f[config.FieldSex] = s
	}
	set(f, config.FieldNationality, d.Nationality)
	set(f, config.FieldEthnicity, d.Ethnicity)
	set(f, config.FieldReligion, d.Religion)
	set(f, config.FieldPlaceOfOrigin, d.PlaceOfOrigin)
	set(f, config.FieldPlaceOfResidence, d.PlaceOfResidence)
	set(f, config.FieldIdentifyingMarks, d.IdentifyingMarks)
	set(f, config.FieldFatherName, d.FatherName)
	set(f, config.FieldMotherName, d.MotherName)
	set(f, config.FieldSpouseName, d.SpouseName)
	set(f, config.FieldOldIDNumber, d.OldIDNumber)
	setDate(f, config.FieldDateOfBirth, d.DateOfBirth)
	setDate(f, config.FieldDateOfIssue, d.DateOfIssue)
	if d.DateOfExpiry != nil && d.DateOfExpiry.NoExpiry {
		f[config.FieldDateOfExpiry] = nil
	} else {
		setDate(f, config.FieldDateOfExpiry, d.DateOfExpiry)
	}
}

func setDate(f protocol.Fields, key string, d *lds.Date) {
	if d == nil {
		return
	}
	if d.ISO != "" {
		f[key] = d.ISO
	} else {
		set(f, key, d.Text)
	}
}

// mrzDate turns YYMMDD into ISO 8601. Birth dates are in the past (a year
// after this one's is last century); expiry dates in this century. Unknown
// parts ("<<") shorten the date.
func mrzDate(s string, now time.Time, birth bool) string {
	if len(s) != 6 {
		return ""
	}
	yy, err := strconv.Atoi(s[:2])
	if err != nil {
		return ""
	}
	year := 2000 + yy
	if birth && year > now.Year() {
		year -= 100
	}
	out := strconv.Itoa(year)
	if mm := s[2:4]; mm != "<<" && mm != "00" {
		out += "-" + mm
		if dd := s[4:6]; dd != "<<" && dd != "00" {
			out += "-" + dd
		}
	}
	return out
}
