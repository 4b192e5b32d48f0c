// Package identity turns data groups into the identity fields idagent
// hands on (docs/PROTOCOL.md §4): their names, the sensitive ones a default
// policy withholds, the kind of document, and Of, the one mapping from DG1,
// DG11, DG12 and DG13 to fields. The desk (agent/cardread) and the
// verification service both use it, so they name and fill fields alike.
package identity

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/lds"
)

// Identity field names (docs/PROTOCOL.md §4): the agent's read.identity and
// read.result and the verification service answer with them.
const (
	FieldIDNumber         = "idNumber"
	FieldFullName         = "fullName"
	FieldSurname          = "surname"
	FieldGivenNames       = "givenNames"
	FieldDateOfBirth      = "dateOfBirth"
	FieldSex              = "sex"
	FieldNationality      = "nationality"
	FieldNationalityCode  = "nationalityCode"
	FieldEthnicity        = "ethnicity"
	FieldReligion         = "religion"
	FieldPlaceOfOrigin    = "placeOfOrigin"
	FieldPlaceOfResidence = "placeOfResidence"
	FieldIdentifyingMarks = "identifyingMarks"
	FieldDateOfIssue      = "dateOfIssue"
	FieldDateOfExpiry     = "dateOfExpiry"
	FieldFatherName       = "fatherName"
	FieldMotherName       = "motherName"
	FieldSpouseName       = "spouseName"
	FieldOldIDNumber      = "oldIdNumber"
	FieldDocumentNumber   = "documentNumber"
	FieldDocumentType     = "documentType"
	FieldDocumentCode     = "documentCode"
	FieldIssuingState     = "issuingState"
	FieldPlaceOfBirth     = "placeOfBirth"
	FieldPersonalNumber   = "personalNumber"
	FieldMRZ              = "mrz"
)

// AllFields lists every identity field, in the order of the protocol
// document.
var AllFields = []string{
	FieldIDNumber, FieldFullName, FieldSurname, FieldGivenNames, FieldDateOfBirth,
	FieldSex, FieldNationality, FieldNationalityCode, FieldEthnicity, FieldReligion,
	FieldPlaceOfOrigin, FieldPlaceOfResidence, FieldIdentifyingMarks, FieldDateOfIssue,
	FieldDateOfExpiry, FieldFatherName, FieldMotherName, FieldSpouseName, FieldOldIDNumber,
	FieldDocumentNumber, FieldDocumentType, FieldDocumentCode, FieldIssuingState,
	FieldPlaceOfBirth, FieldPersonalNumber, FieldMRZ,
}

// SensitiveFields are withheld by the default policy: ethnicity and
// religion are sensitive personal data under Vietnamese law; identifying
// marks and family names are not needed at most desks.
var SensitiveFields = []string{
	FieldEthnicity, FieldReligion, FieldIdentifyingMarks,
	FieldFatherName, FieldMotherName, FieldSpouseName,
}

// KnownField reports whether name is an identity field.
func KnownField(name string) bool { return slices.Contains(AllFields, name) }

// DefaultFields is every field except the sensitive ones.
func DefaultFields() []string {
	var out []string
	for _, f := range AllFields {
		if !slices.Contains(SensitiveFields, f) {
			out = append(out, f)
		}
	}
	return out
}

// Fields are identity fields by name; a value is a string, or nil for a
// date of expiry of a card that does not expire. They are personal data.
type Fields map[string]any

// PersonalData marks Fields for the log redactor.
func (Fields) PersonalData() {}

// DocumentType is the kind of document, from the document code of DG1.
type DocumentType string

const (
	Passport DocumentType = "passport" // P
	IDCard   DocumentType = "id-card"  // I, A, C
	Visa     DocumentType = "visa"     // V
	Other    DocumentType = "other"
)

// DocumentTypeOf is the kind of document a DG1 document code names.
func DocumentTypeOf(code string) DocumentType {
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

// Groups are the parsed data groups fields come from; any may be nil.
type Groups struct {
	DG1  *lds.DG1
	DG11 *lds.DG11
	DG12 *lds.DG12
	DG13 *lds.DG13
}

// Of maps data groups to identity fields: DG1 first, then DG11, DG12
// (date of issue) and DG13, which hold the names with diacritics and win
// where both have a value. now places two-digit MRZ years.
func Of(g Groups, now time.Time) Fields {
	f := Fields{}
	if g.DG1 != nil {
		fromDG1(f, g.DG1, now)
		f[FieldDocumentType] = string(DocumentTypeOf(g.DG1.DocumentCode))
	}
	if g.DG11 != nil {
		fromDG11(f, g.DG11)
	}
	if g.DG12 != nil && g.DG12.DateOfIssue != nil && g.DG12.DateOfIssue.ISO != "" {
		f[FieldDateOfIssue] = g.DG12.DateOfIssue.ISO
	}
	if g.DG13 != nil {
		fromDG13(f, g.DG13)
	}
	idNumberFromPersonalNumber(f)
	return f
}

// idNumberFromPersonalNumber fills idNumber of a Vietnamese passport from
// its personal number (DG1 optional data, DG11), which is the holder's
// 12-digit personal identification number (docs/PROTOCOL.md §4), so a
// hospital form finds the same number on a passport as on the ID card.
// Other countries' personal numbers are not this number: they stay in
// personalNumber only.
func idNumberFromPersonalNumber(f Fields) {
	if _, ok := f[FieldIDNumber]; ok || f[FieldIssuingState] != "VNM" || f[FieldDocumentType] != string(Passport) {
		return
	}
	if pn, ok := f[FieldPersonalNumber].(string); ok && cccd.ValidateID12(pn) == nil {
		f[FieldIDNumber] = pn
	}
}

func set(f Fields, key, value string) {
	if v := strings.TrimSpace(value); v != "" {
		f[key] = v
	}
}

func fromDG1(f Fields, dg1 *lds.DG1, now time.Time) {
	set(f, FieldDocumentNumber, dg1.DocumentNumber)
	set(f, FieldDocumentCode, strings.TrimRight(dg1.DocumentCode, "<"))
	set(f, FieldIssuingState, dg1.IssuingState)
	set(f, FieldSurname, dg1.Surname)
	set(f, FieldGivenNames, dg1.GivenNames)
	set(f, FieldNationality, dg1.Nationality)
	set(f, FieldNationalityCode, dg1.Nationality)
	set(f, FieldFullName, strings.TrimSpace(dg1.Surname+" "+dg1.GivenNames))
	switch dg1.Sex {
	case "M", "F":
		f[FieldSex] = dg1.Sex
	case "<", "X":
		f[FieldSex] = "X"
	}
	if d := mrzDate(dg1.DateOfBirth, now, true); d != "" {
		f[FieldDateOfBirth] = d
	}
	if dg1.IssuingState == "VNM" && dg1.DateOfExpiry == "991231" {
		f[FieldDateOfExpiry] = nil // the card does not expire
	} else if d := mrzDate(dg1.DateOfExpiry, now, false); d != "" {
		f[FieldDateOfExpiry] = d
	}
	if len(dg1.Lines) > 0 {
		f[FieldMRZ] = strings.Join(dg1.Lines, "\n")
	}
	if dg1.VN != nil {
		set(f, FieldIDNumber, dg1.VN.ID12)
	} else if strings.Trim(dg1.OptionalData1, "<") != "" && dg1.DocumentCode != "" && dg1.DocumentCode[0] == 'P' {
		set(f, FieldPersonalNumber, strings.Trim(dg1.OptionalData1, "<"))
	}
}

func fromDG11(f Fields, dg11 *lds.DG11) {
	if dg11.FullName != "" {
		set(f, FieldFullName, mrzText(dg11.FullName))
	}
	set(f, FieldPersonalNumber, dg11.PersonalNumber)
	set(f, FieldPlaceOfBirth, mrzText(dg11.PlaceOfBirth))
	set(f, FieldPlaceOfResidence, mrzText(dg11.Address))
	if d := dg11.DateOfBirth; d != nil && d.ISO != "" {
		f[FieldDateOfBirth] = d.ISO
	}
}

// mrzText turns DG11's filler-separated text ("SMITH<<JOHN") into words.
func mrzText(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "<", " ")), " ")
}

func fromDG13(f Fields, d *lds.DG13) {
	set(f, FieldIDNumber, d.IDNumber)
	set(f, FieldFullName, d.FullName)
	if s := d.SexCode(); s != "" {
		f[FieldSex] = s
	}
	set(f, FieldNationality, d.Nationality)
	set(f, FieldEthnicity, d.Ethnicity)
	set(f, FieldReligion, d.Religion)
	set(f, FieldPlaceOfOrigin, d.PlaceOfOrigin)
	set(f, FieldPlaceOfResidence, d.PlaceOfResidence)
	set(f, FieldIdentifyingMarks, d.IdentifyingMarks)
	set(f, FieldFatherName, d.FatherName)
	set(f, FieldMotherName, d.MotherName)
	set(f, FieldSpouseName, d.SpouseName)
	set(f, FieldOldIDNumber, d.OldIDNumber)
	setDate(f, FieldDateOfBirth, d.DateOfBirth)
	setDate(f, FieldDateOfIssue, d.DateOfIssue)
	if d.DateOfExpiry != nil && d.DateOfExpiry.NoExpiry {
		f[FieldDateOfExpiry] = nil
	} else {
		setDate(f, FieldDateOfExpiry, d.DateOfExpiry)
	}
}

func setDate(f Fields, key string, d *lds.Date) {
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
