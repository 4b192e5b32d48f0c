package issue

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Data group tags of ICAO 9303-10 (the first byte of each file).
var dgTags = map[int]byte{
	1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
	9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70,
}

// EFCOM encodes EF.COM: LDS version 1.7, Unicode 4.0.0, and the tag list of
// the data groups present.
func EFCOM(dgs []int) []byte {
	tags := make([]byte, 0, len(dgs))
	for _, n := range dgs {
		tags = append(tags, dgTags[n])
	}
	return tlv.Encode(0x60,
		tlv.Encode(0x5F01, []byte("0107")),
		tlv.Encode(0x5F36, []byte("040000")),
		tlv.Encode(0x5C, tags))
}

// DG1 wraps an MRZ (lines joined) in DG1.
func DG1(mrzText string) []byte {
	return tlv.Encode(0x61, tlv.Encode(0x5F1F, []byte(mrzText)))
}

// DG2 wraps a JPEG face in the ISO/IEC 19794-5 biometric information
// template of ICAO 9303-10: one instance (7F61 with count 1), a biometric
// header template (A1) and the facial record data block (5F2E).
func DG2(jpegBytes []byte, sex Sex, width, height int) []byte {
	return dg2(facialRecord(jpegBytes, sex, width, height, 0))
}

// dg2 wraps a biometric data block (5F2E) in DG2's templates.
func dg2(block []byte) []byte {
	header := tlv.Encode(0xA1,
		tlv.Encode(0x80, []byte{0x01, 0x01}), // patron header version 1.1
		tlv.Encode(0x81, []byte{0x02}),       // biometric type: facial features
		tlv.Encode(0x82, []byte{0x00}),       // biometric subtype: none
		tlv.Encode(0x87, []byte{0x01, 0x01}), // format owner: ISO/IEC JTC 1/SC 37
		tlv.Encode(0x88, []byte{0x00, 0x08})) // format type: face image
	return tlv.Encode(0x75, tlv.Encode(0x7F61,
		tlv.Encode(0x02, []byte{0x01}),
		tlv.Encode(0x7F60, header, tlv.Encode(0x5F2E, block))))
}

// facialRecord is an ISO/IEC 19794-5:2005 facial record: a 14-byte general
// header ("FAC\0", version "010\0", record length, image count), a 20-byte
// facial information block with no feature points, a 12-byte image
// information block, then the JPEG. miscount is added to both lengths the
// record declares (0 for a correct record; real-chips.md L-06: +8 on New
// Zealand passports, −1 on British ones).
func facialRecord(img []byte, sex Sex, width, height, miscount int) []byte {
	const headerLen, infoLen, imageInfoLen = 14, 20, 12
	gender := byte(1)
	if sex == Female {
		gender = 2
	}
	blockLen := infoLen + imageInfoLen + len(img)
	out := make([]byte, 0, headerLen+blockLen)
	out = append(out, 'F', 'A', 'C', 0, '0', '1', '0', 0)
	out = be32(out, uint32(headerLen+blockLen+miscount))
	out = append(out, 0x00, 0x01) // one facial image
	// Facial information.
	out = be32(out, uint32(blockLen+miscount))
	out = append(out, 0x00, 0x00) // feature points
	out = append(out, gender, 0x00, 0x00)
	out = append(out, 0x00, 0x00, 0x00) // feature mask
	out = append(out, 0x00, 0x01)       // expression: neutral
	out = append(out, 0, 0, 0, 0, 0, 0) // pose angles and their uncertainty
	// Image information.
	out = append(out, 0x01, 0x00) // full frontal, JPEG
	out = append(out, byte(width>>8), byte(width), byte(height>>8), byte(height))
	out = append(out, 0x01, 0x02)       // 24-bit RGB, digital still camera
	out = append(out, 0x00, 0x00, 0, 0) // device type, quality
	return append(out, img...)
}

func be32(b []byte, v uint32) []byte { return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)) }

// DG3 is a placeholder fingerprint template. The chip never lets it out
// (Terminal Authentication protects it), but it exists and its hash is in
// EF.SOD as on a real card.
func DG3() []byte {
	return tlv.Encode(0x63, tlv.Encode(0x7F61, tlv.Encode(0x02, []byte{0x00})))
}

// ParentsNesting selects how DG13 nests field 13 (father, mother): both
// layouts are seen on real cards.
type ParentsNesting int

const (
	// ParentsSeparate puts each name in its own SEQUENCE:
	// SEQUENCE { INTEGER 13, SEQUENCE { UTF8String father }, SEQUENCE { UTF8String mother } }.
	ParentsSeparate ParentsNesting = iota
	// ParentsTogether puts both names in one SEQUENCE:
	// SEQUENCE { INTEGER 13, SEQUENCE { UTF8String father, UTF8String mother } }.
	ParentsTogether
)

// oidISO10646 is the character set identifier DG13 opens with.
var oidISO10646 = asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}

// DG13 encodes the Vietnamese personal data group: 6D { SEQUENCE { INTEGER
// 1, OID 1.0.10646.1.0.8, SET OF SEQUENCE { INTEGER field, value... } } }
// with every field of the table in cccd.md, in field order. Field 14
// (spouse) is SEQUENCE { INTEGER 14, SEQUENCE { UTF8String } }, with an
// empty string when there is none; field 15 is absent when there is no old
// ID number.
func DG13(id Identity, nesting ParentsNesting) ([]byte, error) {
	return dg13(id, nesting, LDSOptions{})
}

// dg13 encodes DG13 shaped by the L-09 options: field 12's string type,
// other string types, empty and extra fields, a missing field 16, the
// fields in reverse order.
func dg13(id Identity, nesting ParentsNesting, o LDSOptions) ([]byte, error) {
	var fields [][]byte
	text := func(n int, tag cbasn1.Tag, v string) {
		if o.DG13BMPStrings && tag == cbasn1.UTF8String {
			fields = append(fields, fieldBytes(n, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0x1E), func(b *cryptobyte.Builder) { b.AddBytes(bmp(v)) })
			}))
			return
		}
		fields = append(fields, fieldBytes(n, func(b *cryptobyte.Builder) { addString(b, tag, v) }))
	}
	printable := func(n int, v string) { text(n, cbasn1.PrintableString, v) }
	utf8s := func(n int, v string) { text(n, cbasn1.UTF8String, v) }
	printable(1, id.ID12)
	utf8s(2, id.FullName())
	printable(3, ddmmyyyy(id.DateOfBirth))
	utf8s(4, sexText(id.Sex))
	utf8s(5, "Việt Nam")
	utf8s(6, nfc(id.Ethnicity))
	religion, marks := nfc(id.Religion), nfc(id.IdentifyingMarks)
	if o.DG13EmptyFields {
		religion, marks = "", ""
	}
	utf8s(7, religion)
	utf8s(8, nfc(id.PlaceOfOrigin))
	utf8s(9, nfc(id.PlaceOfResidence))
	utf8s(10, marks)
	printable(11, ddmmyyyy(id.DateOfIssue))
	if o.DG13PrintableExpiry {
		printable(12, dg13Expiry(id.DateOfExpiry))
	} else {
		utf8s(12, dg13Expiry(id.DateOfExpiry))
	}
	fields = append(fields, fieldBytes(13, func(b *cryptobyte.Builder) { addParents(b, id.Father, id.Mother, nesting) }))
	fields = append(fields, fieldBytes(14, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { addString(b, cbasn1.UTF8String, id.Spouse) })
	}))
	if id.OldID != "" {
		printable(15, id.OldID)
	}
	if !o.DG13NoCardSerial {
		printable(16, id.CardSerial)
	}
	if o.DG13ExtraField {
		utf8s(dg13ExtraField, "trường mới")
	}
	if o.DG13Shuffled {
		slices.Reverse(fields)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(oidISO10646)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(bytes.Join(fields, nil)) })
	})
	seq, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode DG13: %w", err)
	}
	return tlv.Encode(0x6D, seq), nil
}

// fieldBytes encodes one DG13 field, SEQUENCE { INTEGER n, value }.
func fieldBytes(n int, value func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	field(&b, n, value)
	return b.BytesOrPanic()
}

func field(b *cryptobyte.Builder, n int, value func(*cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(int64(n))
		value(b)
	})
}

func addString(b *cryptobyte.Builder, tag cbasn1.Tag, s string) {
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
}

func addParents(b *cryptobyte.Builder, father, mother string, nesting ParentsNesting) {
	if nesting == ParentsTogether {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addString(b, cbasn1.UTF8String, father)
			addString(b, cbasn1.UTF8String, mother)
		})
		return
	}
	for _, name := range []string{father, mother} {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { addString(b, cbasn1.UTF8String, name) })
	}
}

func sexText(s Sex) string {
	if s == Female {
		return "Nữ"
	}
	return "Nam"
}

func dg13Expiry(t time.Time) string {
	if t.IsZero() {
		return NoExpiryText
	}
	return ddmmyyyy(t)
}

// DG11 encodes additional personal details (ICAO 9303-10 §4.7.11) for
// passports: full name with diacritics, personal number (ID12), full date
// of birth, place of birth and permanent address.
func DG11(id Identity) []byte { return dg11(id, LDSOptions{}) }

// dg11 encodes DG11 shaped by the L-07 options.
func dg11(id Identity, o LDSOptions) []byte {
	name, place := id.FullName(), upper(id.PlaceOfBirth)
	if o.DG11Filler {
		name = mrzName(id.Surname) + "<<" + mrzName(id.MiddleAndGiven) + "<<<<"
		place = strings.ReplaceAll(place, " ", "<") + "<<<"
	}
	dob := []byte(id.DateOfBirth.Format("20060102"))
	if o.DG11BCDDate {
		dob = bcdDate(id.DateOfBirth)
	}
	items := [][]byte{
		tlv.Encode(0x5F0E, []byte(name)),
		tlv.Encode(0x5F10, []byte(id.ID12)),
		tlv.Encode(0x5F2B, dob),
		tlv.Encode(0x5F11, []byte(place)),
		tlv.Encode(0x5F42, []byte(nfc(id.PlaceOfResidence))),
	}
	list := []byte{0x5F, 0x0E, 0x5F, 0x10, 0x5F, 0x2B, 0x5F, 0x11, 0x5F, 0x42}
	if o.DG11OtherNameUnwrapped {
		items = append(items, tlv.Encode(0x5F0F, []byte(upper(id.MiddleAndGiven))))
		list = append(list, 0x5F, 0x0F)
	}
	if o.DG11EmptyTags {
		items = append(items, tlv.Encode(0x5F12, nil), tlv.Encode(0x5F13, nil))
		list = append(list, 0x5F, 0x12, 0x5F, 0x13)
	}
	return tlv.Encode(0x6B, append([][]byte{tlv.Encode(0x5C, list)}, items...)...)
}

// DG12 encodes additional document details (§4.7.12) for passports: the
// issuing authority and the date of issue.
func DG12(id Identity) []byte { return dg12(id, LDSOptions{}) }

// dg12 encodes DG12 shaped by the L-07 options.
func dg12(id Identity, o LDSOptions) []byte {
	issued := []byte(id.PassportDateOfIssue.Format("20060102"))
	switch {
	case o.DG12BCDDate:
		issued = bcdDate(id.PassportDateOfIssue)
	case o.DG12BadIssueDate:
		issued = []byte(id.PassportDateOfIssue.Format("2006") + "1399")
	}
	return tlv.Encode(0x6C,
		tlv.Encode(0x5C, []byte{0x5F, 0x19, 0x5F, 0x26}),
		tlv.Encode(0x5F19, []byte(nfc("Cục Quản lý xuất nhập cảnh"))),
		tlv.Encode(0x5F26, issued))
}

// bcdDate is yyyymmdd in four BCD bytes (Malaysian DG11, Taiwanese DG12).
func bcdDate(t time.Time) []byte {
	digits := t.Format("20060102")
	out := make([]byte, 4)
	for i := range out {
		out[i] = (digits[2*i]-'0')<<4 | (digits[2*i+1] - '0')
	}
	return out
}
