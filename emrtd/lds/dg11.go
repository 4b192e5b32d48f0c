package lds

import (
	"fmt"
	"strings"

	"github.com/idagent/idagent/emrtd/tlv"
)

// DG11 is data group 11 (tag 6B): additional personal details (ICAO
// 9303-10 §4.7.11). Every element is optional. Names keep the MRZ-style
// '<' separators in FullName and OtherNames; Surname and GivenNames split
// FullName at "<<". Address lines are separated by '<' as the chip writes
// them.
type DG11 struct {
	FullName           string   `json:"fullName,omitempty"`
	Surname            string   `json:"surname,omitempty"`
	GivenNames         string   `json:"givenNames,omitempty"`
	OtherNames         []string `json:"otherNames,omitempty"`
	PersonalNumber     string   `json:"personalNumber,omitempty"`
	DateOfBirth        *Date    `json:"dateOfBirth,omitempty"` // full date, yyyymmdd on the chip
	PlaceOfBirth       string   `json:"placeOfBirth,omitempty"`
	Address            string   `json:"address,omitempty"`
	Telephone          string   `json:"telephone,omitempty"`
	Profession         string   `json:"profession,omitempty"`
	Title              string   `json:"title,omitempty"`
	PersonalSummary    string   `json:"personalSummary,omitempty"`
	ProofOfCitizenship *Image   `json:"proofOfCitizenship,omitempty"`
	OtherTravelDocs    []string `json:"otherTravelDocuments,omitempty"`
	Custody            string   `json:"custodyInformation,omitempty"`
	// Tags is the tag list (5C); Unknown keeps elements of other tags.
	Tags    []uint32  `json:"tags,omitempty"`
	Unknown []RawData `json:"unknown,omitempty"`
}

// RawData is a data object kept as the chip encodes it.
type RawData struct {
	Tag uint32 `json:"tag"`
	Raw []byte `json:"raw"`
}

func (DG11) PersonalData()                 {}
func (DG11) String() string                { return "lds.DG11(redacted)" }
func (DG11) GoString() string              { return "lds.DG11(redacted)" }
func (DG11) Format(f fmt.State, _ rune)    { writeRedacted(f, "DG11") }
func (RawData) PersonalData()              {}
func (RawData) String() string             { return "lds.RawData(redacted)" }
func (RawData) GoString() string           { return "lds.RawData(redacted)" }
func (RawData) Format(f fmt.State, _ rune) { writeRedacted(f, "RawData") }

// ParseDG11 parses DG11.
func ParseDG11(b []byte) (*DG11, error) {
	d := &DG11{}
	fullName := func(v []byte) error {
		d.FullName = text(v)
		d.Surname, d.GivenNames = splitName(d.FullName)
		return nil
	}
	parsers := map[uint32]elementParser{
		0x5F0E: fullName,
		0x5F0F: textAppend(&d.OtherNames),
		0xA0:   countedListAppend("DG11 other names", 0x5F0F, &d.OtherNames),
		0x5F10: textInto(&d.PersonalNumber),
		0x5F2B: dateInto(&d.DateOfBirth),
		0x5F11: textInto(&d.PlaceOfBirth),
		0x5F42: textInto(&d.Address),
		0x5F12: textInto(&d.Telephone),
		0x5F13: textInto(&d.Profession),
		0x5F14: textInto(&d.Title),
		0x5F15: textInto(&d.PersonalSummary),
		0x5F16: imageInto(&d.ProofOfCitizenship),
		0x5F17: textAppend(&d.OtherTravelDocs),
		0x5F18: textInto(&d.Custody),
	}
	if err := parseTemplate("DG11", b, 0x6B, parsers, &d.Tags, &d.Unknown); err != nil {
		return nil, err
	}
	return d, nil
}

// countedList reads A0 { 02 count, tag value, tag value, ... }: the values
// of the given tag. The count is checked against what is present.
func countedList(where string, v []byte, tag uint32) ([]string, error) {
	objs, err := children(where, v)
	if err != nil {
		return nil, err
	}
	var out []string
	declared := -1
	for _, o := range objs {
		switch o.Tag {
		case tagInteger:
			n, err := intOf(o)
			if err != nil || n < 0 || n > maxItems {
				return nil, fmt.Errorf("%w: %s count out of range", ErrMalformed, where)
			}
			declared = n
		case tag:
			out = append(out, text(o.Value))
		}
	}
	if declared >= 0 && declared != len(out) {
		return out, nil // a wrong count loses nothing: keep what is there
	}
	return out, nil
}

// tagList decodes a 5C tag list of BER tags.
func tagList(v []byte) []uint32 {
	c := &COM{}
	_ = c.parseTagList(v) // a list past maxItems is cut, never an error here
	return c.Tags
}

// dateText renders a date element that may be 8 ASCII digits or 4 BCD
// bytes (older chips) as digits.
func dateText(v []byte) string {
	if len(v) == 4 && !allDigits(string(v)) {
		return fmt.Sprintf("%02X%02X%02X%02X", v[0], v[1], v[2], v[3])
	}
	return text(v)
}

// splitName splits "PRIMARY<<SECONDARY<NAMES" into its parts with spaces;
// a name without "<<" is all primary.
func splitName(s string) (primary, secondary string) {
	p, q, _ := strings.Cut(s, "<<")
	clean := func(x string) string {
		return strings.Join(strings.FieldsFunc(x, func(r rune) bool { return r == '<' }), " ")
	}
	return clean(p), clean(q)
}

// EncodeText wraps text under a tag (for tests and the software chip).
func encodeText(tag uint32, s string) []byte { return tlv.Encode(tag, []byte(s)) }
