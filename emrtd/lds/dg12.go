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
	v, err := unwrap("DG12", b, 0x6C)
	if err != nil {
		return nil, err
	}
	objs, err := children("DG12", v)
	if err != nil {
		return nil, err
	}
	d := &DG12{}
	for _, o := range objs {
		switch o.Tag {
		case 0x5C:
			d.Tags = tagList(o.Value)
		case 0x5F19:
			d.IssuingAuthority = text(o.Value)
		case 0x5F26:
			dt := ParseCompactDate(dateText(o.Value))
			d.DateOfIssue = &dt
		case 0xA0:
			names, err := countedList("DG12 other persons", o.Value, 0x5F1A)
			if err != nil {
				return nil, err
			}
			d.OtherPersons = append(d.OtherPersons, names...)
		case 0x5F1A:
			d.OtherPersons = append(d.OtherPersons, text(o.Value))
		case 0x5F1B:
			d.Endorsements = text(o.Value)
		case 0x5F1C:
			d.TaxExit = text(o.Value)
		case 0x5F1D:
			d.FrontImage = NewImage(o.Value)
		case 0x5F1E:
			d.RearImage = NewImage(o.Value)
		case 0x5F55:
			if len(o.Value) == 7 && !allDigits(string(o.Value)) { // BCD
				d.PersonalizationTime = fmt.Sprintf("%X", o.Value)
			} else {
				d.PersonalizationTime = text(o.Value)
			}
		case 0x5F56:
			d.PersonalizationSystemSerial = text(o.Value)
		default:
			d.Unknown = append(d.Unknown, RawData{Tag: o.Tag, Raw: clone(o.Raw)})
		}
	}
	return d, nil
}
