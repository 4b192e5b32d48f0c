package config

import "slices"

// Identity field names of the protocol (docs/PROTOCOL.md §4).
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

// Policy is what one origin may receive.
type Policy struct {
	Fields   []string // allowed identity fields
	Photo    bool
	Evidence bool
}

// DefaultPolicy withholds the sensitive fields, sends the photo and no
// evidence.
func DefaultPolicy() Policy { return Policy{Fields: DefaultFields(), Photo: true} }

// FullPolicy allows everything (simulate mode's own pages: test data only).
func FullPolicy() Policy {
	return Policy{Fields: slices.Clone(AllFields), Photo: true, Evidence: true}
}

// Allows reports whether field may be sent.
func (p Policy) Allows(field string) bool { return slices.Contains(p.Fields, field) }
