package issue

import (
	_ "embed"
	"fmt"
)

// LDSOptions are the ways real data groups are encoded beyond the plain
// ones (../shared/reference/real-chips.md L-06, L-07, L-09). The document
// is signed as encoded: a reader must take every one of them. The zero
// value is the plain encoding.
type LDSOptions struct {
	// DG2Miscount is added to the lengths the ISO/IEC 19794-5 record
	// declares (L-06: +8 on New Zealand passports, −1 on British ones).
	DG2Miscount int
	// DG2RawJP2 puts a JPEG 2000 file in the biometric data block with no
	// ISO/IEC 19794-5 header (L-06).
	DG2RawJP2 bool

	// DG11EmptyTags adds zero-length elements (telephone, profession) to
	// DG11, as Belgian passports have (L-07).
	DG11EmptyTags bool
	// DG11OtherNameUnwrapped adds an other name as a bare 5F0F, not in its
	// counted A0 list (L-07, a Chinese passport).
	DG11OtherNameUnwrapped bool
	// DG11Filler writes the name and place of birth with '<' fillers
	// (L-07).
	DG11Filler bool
	// DG11BCDDate writes the date of birth as four BCD bytes (L-07,
	// Malaysia).
	DG11BCDDate bool
	// DG12BCDDate writes the date of issue as four BCD bytes (L-07,
	// Taiwan).
	DG12BCDDate bool
	// DG12BadIssueDate writes a date of issue that is no date, month 13
	// (L-07: Italian ID cards with wrong issue dates).
	DG12BadIssueDate bool

	// DG13PrintableExpiry writes field 12 (expiry) as a PrintableString
	// (L-09: parsers disagree on its type).
	DG13PrintableExpiry bool
	// DG13BMPStrings writes the text fields as BMPString instead of
	// UTF8String (L-09: accept any string type).
	DG13BMPStrings bool
	// DG13Shuffled writes the fields in reverse order (L-09: walk by
	// field number).
	DG13Shuffled bool
	// DG13EmptyFields leaves religion and identifying marks empty (L-09).
	DG13EmptyFields bool
	// DG13ExtraField adds a field of a number no parser knows (L-09: keep
	// unknown fields raw).
	DG13ExtraField bool
	// DG13NoCardSerial leaves field 16 out (L-09).
	DG13NoCardSerial bool
}

// dg13ExtraField is the number of the field DG13ExtraField adds.
const dg13ExtraField = 17

// faceJP2 is a synthetic portrait in JPEG 2000 (420 × 525, lossy 9/7,
// drawn for emrtd/lds/jpeg2000's tests; no real person) for DG2RawJP2.
//
//go:embed face.jp2
var faceJP2 []byte

// dataGroup2 encodes DG2 for a seed: the drawn JPEG face (padded with
// padding bytes of comments) in a 19794-5 record, or the JPEG 2000
// portrait with no record header.
func (o LDSOptions) dataGroup2(seed uint64, sex Sex, padding int) ([]byte, error) {
	if o.DG2RawJP2 {
		return dg2(faceJP2), nil
	}
	img, err := Face(seed, sex)
	if err != nil {
		return nil, err
	}
	if o.DG2Miscount < -16 || o.DG2Miscount > 16 {
		return nil, fmt.Errorf("issue: DG2 length miscount %d", o.DG2Miscount)
	}
	return dg2(facialRecord(padJPEG(img, padding), sex, FaceWidth, FaceHeight, o.DG2Miscount)), nil
}
