package lds

import (
	"strings"

	"github.com/idagent/idagent/emrtd/mrz"
	"github.com/idagent/idagent/emrtd/tlv"
)

// Sample identity (invented): a Vietnamese citizen born 15/03/1990 in
// province 001, card expiring on her 40th birthday.
const (
	sampleID12      = "001190012345"
	sampleDocNumber = "190012345"
	sampleDOB       = "900315"
	sampleDOE       = "300315"
)

func pad(s string, n int) string { return s + strings.Repeat("<", n-len(s)) }

// vnTD1 builds a Vietnamese TD1 MRZ with correct check digits.
func vnTD1(id12, dob, sex, doe, name string) string {
	doc := id12[3:]
	l1 := "IDVNM" + doc + string(mrz.CheckDigit(doc)) + id12 + "<<" + string(mrz.CheckDigit(id12))
	l2 := dob + string(mrz.CheckDigit(dob)) + sex + doe + string(mrz.CheckDigit(doe)) + "VNM" + strings.Repeat("<", 11)
	composite := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	l2 += string(mrz.CheckDigit(composite))
	return l1 + l2 + pad(name, 30)
}

// td3 builds a passport TD3 MRZ with correct check digits.
func td3(state, name, doc, nat, dob, sex, doe, personal string) string {
	l1 := pad("P<"+state+name, 44)
	docF := pad(doc, 9)
	pn := pad(personal, 14)
	l2 := docF + string(mrz.CheckDigit(docF)) + nat + dob + string(mrz.CheckDigit(dob)) + sex + doe + string(mrz.CheckDigit(doe)) + pn + string(mrz.CheckDigit(pn))
	composite := l2[0:10] + l2[13:20] + l2[21:43]
	return l1 + l2 + string(mrz.CheckDigit(composite))
}

func utf8s(s string) []byte     { return tlv.Encode(tagUTF8String, []byte(s)) }
func printable(s string) []byte { return tlv.Encode(tagPrintableString, []byte(s)) }

func field(n int, values ...[]byte) []byte {
	return tlv.Encode(tagSequence, append([][]byte{intDER(n)}, values...)...)
}

// dg13 wraps field entries in the CCCD's DG13 structure.
func dg13(fields ...[]byte) []byte {
	return tlv.Encode(0x6D, tlv.Encode(tagSequence,
		intDER(1), tlv.Encode(tagOID, encodeOID(OIDDG13)), tlv.Encode(tagSet, fields...)))
}

// sampleDG13 is a full DG13; parentsEachNested selects the nesting of
// field 13.
func sampleDG13(parentsEachNested bool) []byte {
	var parents []byte
	if parentsEachNested {
		parents = field(13, tlv.Encode(tagSequence, utf8s("Nguyễn Văn Bình")), tlv.Encode(tagSequence, utf8s("Trần Thị Hoa")))
	} else {
		parents = field(13, tlv.Encode(tagSequence, utf8s("Nguyễn Văn Bình"), utf8s("Trần Thị Hoa")))
	}
	return dg13(
		field(1, printable(sampleID12)),
		field(2, utf8s("Nguyễn Thị Lan Anh")),
		field(3, printable("15/03/1990")),
		field(4, utf8s("Nữ")),
		field(5, utf8s("Việt Nam")),
		field(6, utf8s("Kinh")),
		field(7, utf8s("Không")),
		field(8, utf8s("Xã Đông Hưng, Huyện Đông Hưng, Thái Bình")),
		field(9, utf8s("Số 12 Phố Huế, Phường Hàng Bài, Quận Hoàn Kiếm, Hà Nội")),
		field(10, utf8s("Nốt ruồi C:2cm trên sau cánh mũi phải")),
		field(11, printable("10/07/2021")),
		field(12, utf8s("15/03/2030")),
		parents,
		field(14, tlv.Encode(tagSequence, utf8s("Lê Minh Quân"))),
		field(15, printable("012345678")),
		field(16, printable("0A1B2C3D4E5F6071")),
	)
}
