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
	v, err := unwrap("DG11", b, 0x6B)
	if err != nil {
		return nil, err
	}
	objs, err := children("DG11", v)
	if err != nil {
		return nil, err
	}
	d := &DG11{}
	for _, o := range objs {
		switch o.Tag {
		case 0x5C:
			d.Tags = tagList(o.Value)
		case 0x5F0E:
			d.FullName = text(o.Value)
			d.Surname, d.GivenNames = splitName(d.FullName)
		case 0x5F0F:
			d.OtherNames = append(d.OtherNames, text(o.Value))
		case 0xA0:
			names, err := countedList("DG11 other names", o.Value, 0x5F0F)
			if err != nil {
				return nil, err
			}
			d.OtherNames = append(d.OtherNames, names...)
		case 0x5F10:
			d.PersonalNumber = text(o.Value)
		case 0x5F2B:
			dt := ParseCompactDate(dateText(o.Value))
			d.DateOfBirth = &dt
		case 0x5F11:
			d.PlaceOfBirth = text(o.Value)
		case 0x5F42:
			d.Address = text(o.Value)
		case 0x5F12:
			d.Telephone = text(o.Value)
		case 0x5F13:
			d.Profession = text(o.Value)
		case 0x5F14:
			d.Title = text(o.Value)
		case 0x5F15:
			d.PersonalSummary = text(o.Value)
		case 0x5F16:
			d.ProofOfCitizenship = NewImage(o.Value)
		case 0x5F17:
			d.OtherTravelDocs = append(d.OtherTravelDocs, text(o.Value))
		case 0x5F18:
			d.Custody = text(o.Value)
		default:
			d.Unknown = append(d.Unknown, RawData{Tag: o.Tag, Raw: clone(o.Raw)})
		}
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
