package lds

import "fmt"

// DG12 is data group 12 (tag 6C): additional document details (ICAO
// 9303-10 §4.7.12). Every element is optional.
type DG12 struct {
	IssuingAuthority string   `json:"issuingAuthority,omitempty"`
	DateOfIssue      *Date    `json:"dateOfIssue,omitempty"` // yyyymmdd on the chip
	OtherPersons     []string `json:"otherPersons,omitempty"`
	Endorsements     string   `json:"endorsements,omitempty"`
	TaxExit          string   `json:"taxExitRequirements,omitempty"`
	FrontImage       *Image   `json:"frontImage,omitempty"`
	RearImage        *Image   `json:"rearImage,omitempty"`
	// PersonalizationTime is yyyymmddhhmmss as the chip holds it.
	PersonalizationTime string `json:"personalizationTime,omitempty"`
	// PersonalizationSystemSerial is the serial number of the
	// personalization system.
	PersonalizationSystemSerial string    `json:"personalizationSystemSerial,omitempty"`
	Tags                        []uint32  `json:"tags,omitempty"`
	Unknown                     []RawData `json:"unknown,omitempty"`
}

func (DG12) PersonalData()              {}
func (DG12) String() string             { return "lds.DG12(redacted)" }
func (DG12) GoString() string           { return "lds.DG12(redacted)" }
func (DG12) Format(f fmt.State, _ rune) { writeRedacted(f, "DG12") }

// ParseDG12 parses DG12.
func ParseDG12(b []byte) (*DG12, error) {
	d := &DG12{}
	personalizationTime := func(v []byte) error {
		if len(v) == 7 && !allDigits(string(v)) { // BCD
			d.PersonalizationTime = fmt.Sprintf("%X", v)
		} else {
			d.PersonalizationTime = text(v)
		}
		return nil
	}
	parsers := map[uint32]elementParser{
		0x5F19: textInto(&d.IssuingAuthority),
		0x5F26: dateInto(&d.DateOfIssue),
		0xA0:   countedListAppend("DG12 other persons", 0x5F1A, &d.OtherPersons),
		0x5F1A: textAppend(&d.OtherPersons),
		0x5F1B: textInto(&d.Endorsements),
		0x5F1C: textInto(&d.TaxExit),
		0x5F1D: imageInto(&d.FrontImage),
		0x5F1E: imageInto(&d.RearImage),
		0x5F55: personalizationTime,
		0x5F56: textInto(&d.PersonalizationSystemSerial),
	}
	if err := parseTemplate("DG12", b, 0x6C, parsers, &d.Tags, &d.Unknown); err != nil {
		return nil, err
	}
	return d, nil
}
