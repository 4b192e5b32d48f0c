package lds

import (
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"

	"github.com/idagent/idagent/emrtd/tlv"
)

// OIDDG13 is the object identifier the Vietnamese DG13 carries in its
// header (ISO/IEC 10646 UTF-8, the encoding of its strings).
var OIDDG13 = asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}

// DG13 field numbers of the Vietnamese CCCD / Căn cước card (cccd.md).
const (
	VNFieldIDNumber         = 1
	VNFieldFullName         = 2
	VNFieldDateOfBirth      = 3
	VNFieldSex              = 4
	VNFieldNationality      = 5
	VNFieldEthnicity        = 6
	VNFieldReligion         = 7
	VNFieldPlaceOfOrigin    = 8
	VNFieldPlaceOfResidence = 9
	VNFieldIdentifyingMarks = 10
	VNFieldDateOfIssue      = 11
	VNFieldDateOfExpiry     = 12
	VNFieldParents          = 13
	VNFieldSpouse           = 14
	VNFieldOldIDNumber      = 15
	VNFieldCardSerial       = 16
)

// DG13 is the Vietnamese personal data of data group 13 (tag 6D):
// 6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET OF SEQUENCE {
// INTEGER fieldNumber, value... } } }. Fields are taken by number, never
// by position; any may be missing (empty in JSON, omitted). Text is NFC.
// Ethnicity and religion are sensitive personal data under Vietnamese law:
// a client must be configured to receive them.
type DG13 struct {
	IDNumber         string `json:"idNumber,omitempty"` // ID12
	FullName         string `json:"fullName,omitempty"`
	DateOfBirth      *Date  `json:"dateOfBirth,omitempty"`
	Sex              string `json:"sex,omitempty"` // "Nam" or "Nữ" as written; see SexCode
	Nationality      string `json:"nationality,omitempty"`
	Ethnicity        string `json:"ethnicity,omitempty"`
	Religion         string `json:"religion,omitempty"`
	PlaceOfOrigin    string `json:"placeOfOrigin,omitempty"`
	PlaceOfResidence string `json:"placeOfResidence,omitempty"`
	IdentifyingMarks string `json:"identifyingMarks,omitempty"`
	DateOfIssue      *Date  `json:"dateOfIssue,omitempty"`
	DateOfExpiry     *Date  `json:"dateOfExpiry,omitempty"`
	FatherName       string `json:"fatherName,omitempty"`
	MotherName       string `json:"motherName,omitempty"`
	SpouseName       string `json:"spouseName,omitempty"`
	OldIDNumber      string `json:"oldIdNumber,omitempty"`
	// CardSerial is field 16: 16 hex characters, probably a chip or card
	// serial (its meaning is not confirmed).
	CardSerial string `json:"cardSerial,omitempty"`

	// FieldsPresent lists the field numbers found, in ascending order.
	FieldsPresent []int `json:"fieldsPresent"`
	// Unknown keeps fields whose number this package does not know.
	Unknown []RawField `json:"unknownFields,omitempty"`
	// Notes name oddities met while parsing (a field given twice, a value
	// of an unexpected type); never values.
	Notes []string `json:"notes,omitempty"`
}

// RawField is a DG13 field kept as the card encodes it.
type RawField struct {
	Number int    `json:"number"`
	Text   string `json:"text,omitempty"` // its first string, when it has one
	Raw    []byte `json:"raw"`            // the whole SEQUENCE, DER
}

func (DG13) PersonalData()                  {}
func (DG13) String() string                 { return "lds.DG13(redacted)" }
func (DG13) GoString() string               { return "lds.DG13(redacted)" }
func (DG13) Format(f fmt.State, _ rune)     { writeRedacted(f, "DG13") }
func (RawField) PersonalData()              {}
func (RawField) String() string             { return "lds.RawField(redacted)" }
func (RawField) GoString() string           { return "lds.RawField(redacted)" }
func (RawField) Format(f fmt.State, _ rune) { writeRedacted(f, "RawField") }

// SexCode maps the Vietnamese sex text to the MRZ code: "M" for Nam, "F"
// for Nữ, "" for anything else.
func (d *DG13) SexCode() string {
	switch strings.ToLower(strings.TrimSpace(d.Sex)) {
	case "nam", "m", "male":
		return "M"
	case "nữ", "nu", "f", "female":
		return "F"
	}
	return ""
}

// Has reports whether field n was present.
func (d *DG13) Has(n int) bool { return slices.Contains(d.FieldsPresent, n) }

// maxDG13Depth bounds how deep field entries are looked for.
const maxDG13Depth = 4

// ParseDG13 parses the Vietnamese DG13.
func ParseDG13(b []byte) (*DG13, error) {
	v, err := unwrap("DG13", b, 0x6D)
	if err != nil {
		return nil, err
	}
	objs, err := children("DG13", v)
	if err != nil {
		return nil, err
	}
	var entries []fieldEntry
	if err := collectFields(objs, 0, &entries); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: DG13 holds no field", ErrMalformed)
	}
	d := &DG13{FieldsPresent: []int{}}
	for _, e := range entries {
		if d.Has(e.number) {
			d.Notes = append(d.Notes, fmt.Sprintf("field %d given more than once; the first is used", e.number))
			continue
		}
		d.FieldsPresent = append(d.FieldsPresent, e.number)
		d.set(e)
	}
	slices.Sort(d.FieldsPresent)
	return d, nil
}

// fieldEntry is one SEQUENCE { INTEGER number, value... }.
type fieldEntry struct {
	number int
	values []tlv.TLV
	raw    []byte
}

// collectFields finds the field entries: a SEQUENCE that starts with an
// INTEGER and an OID is the header (its other children hold the fields),
// one that starts with an INTEGER alone is a field, any other SET or
// SEQUENCE is a container of fields.
func collectFields(objs []tlv.TLV, depth int, out *[]fieldEntry) error {
	if depth > maxDG13Depth {
		return fmt.Errorf("%w: DG13 nested deeper than %d", ErrMalformed, maxDG13Depth)
	}
	for _, o := range objs {
		if o.Tag != tagSequence && o.Tag != tagSet {
			continue
		}
		kids, err := children("DG13", o.Value)
		if err != nil {
			return err
		}
		switch {
		case len(kids) >= 2 && kids[0].Tag == tagInteger && kids[1].Tag == tagOID:
			if err := collectFields(kids[2:], depth+1, out); err != nil {
				return err
			}
		case o.Tag == tagSequence && len(kids) >= 1 && kids[0].Tag == tagInteger:
			n, err := intOf(kids[0])
			if err != nil || n < 1 || n > 255 {
				return fmt.Errorf("%w: DG13 field number out of range", ErrMalformed)
			}
			if len(*out) >= maxItems {
				return fmt.Errorf("%w: DG13 holds more than %d fields", ErrTooLarge, maxItems)
			}
			*out = append(*out, fieldEntry{number: n, values: kids[1:], raw: o.Raw})
		default:
			if err := collectFields(kids, depth+1, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// set stores one field by its number (dg13Fields), or keeps it raw when
// the number is not known.
func (d *DG13) set(e fieldEntry) {
	if apply, ok := dg13Fields[e.number]; ok {
		apply(d, e)
		return
	}
	s, _ := firstString(e.values, 0)
	d.Unknown = append(d.Unknown, RawField{Number: e.number, Text: s, Raw: clone(e.raw)})
}

// dg13Fields says how each known field number is stored (cccd.md's table).
var dg13Fields = map[int]func(*DG13, fieldEntry){
	VNFieldIDNumber:         textField(func(d *DG13) *string { return &d.IDNumber }),
	VNFieldFullName:         textField(func(d *DG13) *string { return &d.FullName }),
	VNFieldDateOfBirth:      dateField(func(d *DG13) **Date { return &d.DateOfBirth }, false),
	VNFieldSex:              textField(func(d *DG13) *string { return &d.Sex }),
	VNFieldNationality:      textField(func(d *DG13) *string { return &d.Nationality }),
	VNFieldEthnicity:        textField(func(d *DG13) *string { return &d.Ethnicity }),
	VNFieldReligion:         textField(func(d *DG13) *string { return &d.Religion }),
	VNFieldPlaceOfOrigin:    textField(func(d *DG13) *string { return &d.PlaceOfOrigin }),
	VNFieldPlaceOfResidence: textField(func(d *DG13) *string { return &d.PlaceOfResidence }),
	VNFieldIdentifyingMarks: textField(func(d *DG13) *string { return &d.IdentifyingMarks }),
	VNFieldDateOfIssue:      dateField(func(d *DG13) **Date { return &d.DateOfIssue }, false),
	VNFieldDateOfExpiry:     dateField(func(d *DG13) **Date { return &d.DateOfExpiry }, true),
	VNFieldParents:          (*DG13).setParents,
	VNFieldSpouse:           (*DG13).setSpouse,
	VNFieldOldIDNumber:      textField(func(d *DG13) *string { return &d.OldIDNumber }),
	VNFieldCardSerial:       textField(func(d *DG13) *string { return &d.CardSerial }),
}

// textField stores a field's first string, trimmed.
func textField(target func(*DG13) *string) func(*DG13, fieldEntry) {
	return func(d *DG13, e fieldEntry) { *target(d) = d.text(e) }
}

// dateField stores a field's first string as a dd/mm/yyyy date (expiry:
// "Không thời hạn" is no expiry); an empty field stays nil.
func dateField(target func(*DG13) **Date, expiry bool) func(*DG13, fieldEntry) {
	return func(d *DG13, e fieldEntry) {
		s := d.text(e)
		if s == "" {
			return
		}
		parse := ParseDate
		if expiry {
			parse = ParseExpiryDate
		}
		dt := parse(s)
		if !dt.Valid() && !dt.NoExpiry {
			d.Notes = append(d.Notes, fmt.Sprintf("field %d is not a dd/mm/yyyy date", e.number))
		}
		*target(d) = &dt
	}
}

// text returns a field's first string, trimmed, noting a field that has
// values but no string.
func (d *DG13) text(e fieldEntry) string {
	s, ok := firstString(e.values, 0)
	if !ok && len(e.values) > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("field %d holds no string", e.number))
	}
	return strings.TrimSpace(s)
}

// setParents stores field 13: father, then mother, in any nesting.
func (d *DG13) setParents(e fieldEntry) {
	slots := nameSlots(e.values)
	if len(slots) > 0 {
		d.FatherName = slots[0]
	}
	if len(slots) > 1 {
		d.MotherName = slots[1]
	}
}

// setSpouse stores field 14, which is often an empty SEQUENCE (no spouse):
// no note when it holds no string.
func (d *DG13) setSpouse(e fieldEntry) {
	s, _ := firstString(e.values, 0)
	d.SpouseName = strings.TrimSpace(s)
}

// nameSlots reads the parents' field in any of its nestings: the names
// directly after the number, each in its own SEQUENCE, or both in one
// SEQUENCE. An empty SEQUENCE keeps its place (an unknown father).
func nameSlots(values []tlv.TLV) []string {
	if len(values) == 1 && values[0].Constructed() {
		if kids, err := children("DG13", values[0].Value); err == nil && len(kids) >= 2 {
			values = kids
		}
	}
	var out []string
	for _, v := range values {
		s, _ := firstString([]tlv.TLV{v}, 0)
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// firstString returns the first character string found depth first.
func firstString(objs []tlv.TLV, depth int) (string, bool) {
	if depth > maxDG13Depth {
		return "", false
	}
	for _, o := range objs {
		if isStringTag(o.Tag) {
			return decodeText(o.Tag, o.Value), true
		}
		if o.Constructed() {
			kids, err := children("DG13", o.Value)
			if err != nil {
				continue
			}
			if s, ok := firstString(kids, depth+1); ok {
				return s, true
			}
		}
	}
	return "", false
}
