package lds

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/text/unicode/norm"
)

func TestDG13BothNestings(t *testing.T) {
	for _, each := range []bool{true, false} {
		d, err := ParseDG13(sampleDG13(each))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"id": sampleID12, "name": "Nguyễn Thị Lan Anh", "sex": "Nữ", "nat": "Việt Nam", "eth": "Kinh", "rel": "Không",
			"father": "Nguyễn Văn Bình", "mother": "Trần Thị Hoa", "spouse": "Lê Minh Quân", "old": "012345678", "serial": "0A1B2C3D4E5F6071",
		}
		got := map[string]string{
			"id": d.IDNumber, "name": d.FullName, "sex": d.Sex, "nat": d.Nationality, "eth": d.Ethnicity, "rel": d.Religion,
			"father": d.FatherName, "mother": d.MotherName, "spouse": d.SpouseName, "old": d.OldIDNumber, "serial": d.CardSerial,
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("nested=%v %s: got %q want %q", each, k, got[k], v)
			}
		}
		if d.DateOfBirth.ISO != "1990-03-15" || d.DateOfBirth.Text != "15/03/1990" || d.DateOfIssue.ISO != "2021-07-10" || d.DateOfExpiry.ISO != "2030-03-15" {
			t.Errorf("dates: %s %s %s", d.DateOfBirth.ISO, d.DateOfIssue.ISO, d.DateOfExpiry.ISO)
		}
		if d.SexCode() != "F" {
			t.Errorf("sex code %q", d.SexCode())
		}
		if len(d.FieldsPresent) != 16 || len(d.Notes) != 0 || len(d.Unknown) != 0 {
			t.Errorf("present %v notes %v unknown %d", d.FieldsPresent, d.Notes, len(d.Unknown))
		}
	}
}

func TestDG13MissingPartialUnknownAndNFC(t *testing.T) {
	// "Nữ" and a name in decomposed form (NFD) must come out NFC.
	nfdName := norm.NFD.String("Phạm Thị Thu Hương")
	b := dg13(
		field(2, utf8s(nfdName)),
		field(3, printable("00/00/1945")),
		field(12, utf8s("Không thời hạn")),
		field(14, tlv.Encode(tagSequence)), // no spouse: empty entry
		field(13, tlv.Encode(tagSequence), tlv.Encode(tagSequence, utf8s("Đỗ Thị Mai"))), // father unknown
		field(42, utf8s("future field")),
		field(2, utf8s("second name")),
	)
	d, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.FullName != "Phạm Thị Thu Hương" || !norm.NFC.IsNormalString(d.FullName) {
		t.Errorf("name not NFC")
	}
	if d.IDNumber != "" || d.DateOfIssue != nil || d.Has(1) {
		t.Errorf("missing fields set")
	}
	if !d.DateOfBirth.Partial || d.DateOfBirth.ISO != "1945" || d.DateOfBirth.Text != "00/00/1945" {
		t.Errorf("partial: %+v", *d.DateOfBirth)
	}
	if yymmdd, ok := d.DateOfBirth.YYMMDD(); !ok || yymmdd != "45<<<<" {
		t.Errorf("YYMMDD %q", yymmdd)
	}
	if !d.DateOfExpiry.NoExpiry || d.DateOfExpiry.ISO != "" || d.DateOfExpiry.Text != "Không thời hạn" {
		t.Errorf("no-expiry: %+v", *d.DateOfExpiry)
	}
	if d.SpouseName != "" || d.FatherName != "" || d.MotherName != "Đỗ Thị Mai" {
		t.Errorf("family: %q %q %q", d.SpouseName, d.FatherName, d.MotherName)
	}
	if len(d.Unknown) != 1 || d.Unknown[0].Number != 42 || d.Unknown[0].Text != "future field" {
		t.Errorf("unknown: %d", len(d.Unknown))
	}
	if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "field 2") {
		t.Errorf("notes %v", d.Notes)
	}
}

func TestDG13FlatParents(t *testing.T) {
	d, err := ParseDG13(dg13(field(13, utf8s("Cha"), utf8s("Mẹ"))))
	if err != nil || d.FatherName != "Cha" || d.MotherName != "Mẹ" {
		t.Fatalf("%v %q %q", err, d.FatherName, d.MotherName)
	}
	// Fields directly in the outer sequence, without the SET.
	b := tlv.Encode(0x6D, tlv.Encode(tagSequence, intDER(1), tlv.Encode(tagOID, encodeOID(OIDDG13)), field(1, printable(sampleID12))))
	if d, err := ParseDG13(b); err != nil || d.IDNumber != sampleID12 {
		t.Fatalf("flat: %v", err)
	}
}

// DG13 text goes through the one string decoder: any string type, and a
// BMPString of odd length keeps its last byte visible as U+FFFD instead of
// losing it (the LDS decoder used to drop it; the certificate decoder
// refused the whole string).
func TestDG13StringTypes(t *testing.T) {
	bmp := func(b ...byte) []byte { return tlv.Encode(tagBMPString, b) }
	d, err := ParseDG13(dg13(
		field(2, bmp(0, 'L', 0x1E, 0xC7, 0x00)),
		field(5, tlv.Encode(0x1C, []byte{0, 0, 0, 'V', 0, 0, 0, 'N'})), // UniversalString
		field(8, tlv.Encode(tagT61String, []byte("H\xe0 N\xf4i")))))
	if err != nil {
		t.Fatal(err)
	}
	if d.FullName != "Lệ\uFFFD" || d.Nationality != "VN" || d.PlaceOfOrigin != "Hà Nôi" {
		t.Errorf("got %q %q %q", d.FullName, d.Nationality, d.PlaceOfOrigin)
	}
}

func TestDG13JSONNamesAndRedaction(t *testing.T) {
	d, err := ParseDG13(sampleDG13(true))
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"idNumber", "fullName", "dateOfBirth", "sex", "nationality", "ethnicity", "religion", "placeOfOrigin",
		"placeOfResidence", "identifyingMarks", "dateOfIssue", "dateOfExpiry", "fatherName", "motherName", "spouseName", "oldIdNumber", "cardSerial"} {
		if !strings.Contains(string(j), `"`+k+`"`) {
			t.Errorf("JSON lacks %s", k)
		}
	}
	if !strings.Contains(string(j), "Nguyễn Thị Lan Anh") {
		t.Errorf("JSON lacks the name")
	}
	for _, s := range []string{fmt.Sprint(d), fmt.Sprintf("%v %+v %#v %s %q", d, *d, d, d, d), fmt.Sprint(*d.DateOfBirth)} {
		if strings.Contains(s, "Nguyễn") || strings.Contains(s, sampleID12) || strings.Contains(s, "1990") {
			t.Errorf("fmt leaks personal data: %s", s)
		}
	}
}

func TestDG13Rejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"wrong tag":   tlv.Encode(0x6C, tlv.Encode(tagSequence)),
		"no fields":   dg13(),
		"bad number":  dg13(tlv.Encode(tagSequence, tlv.Encode(tagInteger, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}))),
		"zero number": dg13(field(0, utf8s("x"))),
		"truncated":   sampleDG13(true)[:50],
	} {
		if _, err := ParseDG13(b); err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), sampleID12) {
			t.Errorf("%s: error leaks data", name)
		}
	}
	deep := field(1, printable("x"))
	for i := 0; i < 10; i++ {
		deep = tlv.Encode(tagSet, deep)
	}
	if _, err := ParseDG13(tlv.Encode(0x6D, deep)); err == nil {
		t.Errorf("deep nesting: no error")
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"15/03/1990": "1990-03-15", "15-03-1990": "1990-03-15", "15031990": "1990-03-15", "00/03/1950": "1950-03",
		"00/00/1950": "1950", "31/02/1990": "", "1/3/1990": "", "": "", "15/13/1990": "", "00/05/0000": "",
	} {
		if got := ParseDate(in).ISO; got != want {
			t.Errorf("ParseDate(%q) = %q, want %q", in, got, want)
		}
	}
	if d := ParseCompactDate("19900315"); d.ISO != "1990-03-15" || d.Text != "19900315" {
		t.Errorf("compact %+v", d)
	}
	if ParseExpiryDate("15/03/2030").NoExpiry || !ParseExpiryDate("Không thời hạn").NoExpiry || ParseExpiryDate("99/99/9999").NoExpiry {
		t.Errorf("no-expiry detection")
	}
}
