package lds

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
)

func TestDG1VietnameseTD1(t *testing.T) {
	text := vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "NGUYEN<<THI<LAN<ANH")
	d, err := ParseDG1(EncodeDG1(text))
	if err != nil {
		t.Fatal(err)
	}
	if d.MRZFormat != "TD1" || !d.CheckDigitsValid || d.DocumentNumber != sampleDocNumber || d.Surname != "NGUYEN" || d.GivenNames != "THI LAN ANH" {
		t.Errorf("%s %v %q %q %q", d.MRZFormat, d.CheckErrors, d.DocumentNumber, d.Surname, d.GivenNames)
	}
	if d.VN == nil || d.VN.ID12 != sampleID12 || !d.VN.CheckDigitValid || !d.VN.MatchesDocumentNumber {
		t.Fatalf("VN data: %+v", d.VN)
	}
	// A wrong ID12 check digit is reported on its own.
	bad := []byte(text)
	bad[29] = '0' + (bad[29]-'0'+1)%10
	d, err = ParseDG1(EncodeDG1(string(bad)))
	if err != nil {
		t.Fatal(err)
	}
	if d.VN.CheckDigitValid {
		t.Errorf("bad ID12 check digit accepted")
	}
	if d.CheckDigitsValid { // the composite covers line 1 too
		t.Errorf("composite should fail")
	}
}

func TestDG1TD3AndLineBreaks(t *testing.T) {
	text := td3("UTO", "ERIKSSON<<ANNA<MARIA", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B")
	d, err := ParseDG1(EncodeDG1(text[:44] + "\n" + text[44:]))
	if err != nil {
		t.Fatal(err)
	}
	if d.MRZFormat != "TD3" || !d.CheckDigitsValid || d.DocumentNumber != "L898902C3" || d.VN != nil || d.OptionalData1 != "ZE184226B" {
		t.Errorf("%+v", d.CheckErrors)
	}
	// The ICAO 9303-4 specimen MRZ, with its published check digits.
	specimen := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	if d, err := ParseDG1(EncodeDG1(specimen)); err != nil || !d.CheckDigitsValid {
		t.Errorf("specimen: %v %v", err, d.CheckErrors)
	}
}

func TestDG1Rejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"not dg1":   tlv.Encode(0x62, tlv.Encode(0x5F1F, []byte("x"))),
		"no mrz":    tlv.Encode(0x61, tlv.Encode(0x5F20, []byte("x"))),
		"short mrz": EncodeDG1("P<UTO"),
		"binary":    EncodeDG1(strings.Repeat("\x00", 88)),
		"trailing":  append(EncodeDG1(vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "A")), 0),
	} {
		_, err := ParseDG1(b)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDG1Redaction(t *testing.T) {
	d, _ := ParseDG1(EncodeDG1(vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "NGUYEN<<LAN")))
	s := fmt.Sprintf("%v %+v %#v %s", d, *d, d.VN, *d.VN)
	if strings.Contains(s, sampleDocNumber) || strings.Contains(s, "NGUYEN") {
		t.Errorf("leak: %s", s)
	}
}

func TestCOM(t *testing.T) {
	c, err := ParseCOM(EncodeCOM("0107", "040000", []int{1, 2, 3, 13, 14, 15}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LDSVersion != "1.7" || c.UnicodeVersion != "4.0.0" || fmt.Sprint(c.DataGroups) != "[1 2 3 13 14 15]" || !c.Has(13) || c.Has(11) {
		t.Errorf("%+v", c)
	}
	if _, err := ParseCOM(tlv.Encode(0x60, tlv.Encode(0x5F01, []byte("0107")))); err == nil {
		t.Errorf("no tag list accepted")
	}
	f, ok := FileByTag(0x6D)
	if !ok || f.DG != 13 || f.FID != 0x010D || f.SFI != 0x0D {
		t.Errorf("DG13 file %+v", f)
	}
	if f, ok := FileByFID(0x011D); !ok || f.Name != "EF.SOD" {
		t.Errorf("SOD %+v", f)
	}
	if f, _ := DataGroup(16); f.Tag != 0x70 || f.FID != 0x0110 {
		t.Errorf("DG16 %+v", f)
	}
}
