package lds

import (
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/tlv"
)

func vnDG1(t *testing.T, id12, dob, doe string) *DG1 {
	t.Helper()
	d, err := ParseDG1(EncodeDG1(vnTD1(id12, dob, "F", doe, "NGUYEN<<THI<LAN<ANH")))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustDG13(t *testing.T, b []byte) *DG13 {
	t.Helper()
	d, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMRZAgainstDG13(t *testing.T) {
	full := mustDG13(t, sampleDG13(true))
	cases := []struct {
		name   string
		dg1    *DG1
		dg13   *DG13
		status check.Status
		reason string
	}{
		{"consistent", vnDG1(t, sampleID12, sampleDOB, sampleDOE), full, check.Pass, ReasonConsistent},
		{"other id", vnDG1(t, "001190099999", sampleDOB, sampleDOE), full, check.Fail, ReasonIDNumberMismatch},
		{"other birth", vnDG1(t, sampleID12, "900316", sampleDOE), full, check.Fail, ReasonBirthDateMismatch},
		{"other expiry", vnDG1(t, sampleID12, sampleDOB, "310315"), full, check.Fail, ReasonExpiryMismatch},
		{"no expiry both", vnDG1(t, sampleID12, sampleDOB, "991231"),
			mustDG13(t, dg13(field(1, printable(sampleID12)), field(12, utf8s("Không thời hạn")))), check.Pass, ReasonConsistent},
		{"no expiry in DG13 only", vnDG1(t, sampleID12, sampleDOB, sampleDOE),
			mustDG13(t, dg13(field(12, utf8s("Không thời hạn")))), check.Fail, ReasonExpiryMismatch},
		{"partial birth date", vnDG1(t, sampleID12, "45<<<<", sampleDOE),
			mustDG13(t, dg13(field(1, printable(sampleID12)), field(3, printable("00/00/1945")))), check.Warn, ReasonPartialDate},
		{"partial birth, other year", vnDG1(t, sampleID12, "46<<<<", sampleDOE),
			mustDG13(t, dg13(field(3, printable("00/00/1945")))), check.Fail, ReasonBirthDateMismatch},
		{"nothing to compare", vnDG1(t, sampleID12, sampleDOB, sampleDOE), mustDG13(t, dg13(field(2, utf8s("Tên")))), check.Unknown, ReasonNothingToCompare},
		{"no DG13", vnDG1(t, sampleID12, sampleDOB, sampleDOE), nil, check.Skipped, ReasonDG13Absent},
		{"no DG1", nil, full, check.Skipped, ReasonDG1Absent},
	}
	for _, c := range cases {
		got := CheckMRZAgainstDG13(c.dg1, c.dg13)
		if got.Name != check.MRZConsistency || got.Status != c.status || got.Reason != c.reason {
			t.Errorf("%s: %s %s %s", c.name, got.Status, got.Reason, got.Message)
		}
		if strings.Contains(got.Message, sampleID12) || strings.Contains(got.Message, "1990") {
			t.Errorf("%s: message holds personal data", c.name)
		}
	}
	// A passport (no VN optional data) with a DG13 whose ID ends with the
	// document number.
	dg1 := vnDG1(t, sampleID12, sampleDOB, sampleDOE)
	dg1.VN = nil
	if got := CheckMRZAgainstDG13(dg1, full); got.Status != check.Pass {
		t.Errorf("document number rule: %s %s", got.Status, got.Reason)
	}
}

func TestAccessKeyCheck(t *testing.T) {
	dg1 := vnDG1(t, sampleID12, sampleDOB, sampleDOE)
	key, err := access.NewMRZKey(sampleDocNumber, sampleDOB, sampleDOE)
	if err != nil {
		t.Fatal(err)
	}
	if c := CheckAccessKey(dg1, nil, key); c.Status != check.Pass || c.Name != check.AccessKey {
		t.Errorf("MRZ key: %s %s", c.Status, c.Reason)
	}
	other, _ := access.NewMRZKey(sampleDocNumber, sampleDOB, "310315")
	if c := CheckAccessKey(dg1, nil, other); c.Status != check.Fail || c.Reason != ReasonExpiryMismatch {
		t.Errorf("other expiry: %s %s", c.Status, c.Reason)
	}
	otherDoc, _ := access.NewMRZKey("190012346", sampleDOB, sampleDOE)
	if c := CheckAccessKey(dg1, nil, otherDoc); c.Status != check.Fail || c.Reason != ReasonDocNumberMismatch {
		t.Errorf("other document: %s %s", c.Status, c.Reason)
	}
	can, _ := access.NewCAN(sampleID12[6:])
	if c := CheckAccessKey(dg1, nil, can); c.Status != check.Pass {
		t.Errorf("CAN: %s %s", c.Status, c.Reason)
	}
	wrongCAN, _ := access.NewCAN("999999")
	if c := CheckAccessKey(dg1, nil, wrongCAN); c.Status != check.Warn || c.Reason != ReasonCANMismatch {
		t.Errorf("wrong CAN: %s %s", c.Status, c.Reason)
	}
	passport, _ := ParseDG1(EncodeDG1(td3("UTO", "ERIKSSON<<ANNA", "L898902C3", "UTO", "740812", "F", "120415", "")))
	if c := CheckAccessKey(passport, nil, can); c.Status != check.Skipped || c.Reason != ReasonCANNotInMRZ {
		t.Errorf("passport CAN: %s %s", c.Status, c.Reason)
	}
	if c := CheckAccessKey(dg1, nil, nil); c.Status != check.Skipped {
		t.Errorf("no key: %s", c.Status)
	}
}

func TestCheckDG1(t *testing.T) {
	good := vnDG1(t, sampleID12, sampleDOB, sampleDOE)
	if c := CheckDG1(good); c.Status != check.Pass {
		t.Errorf("good: %s %s", c.Status, c.Message)
	}
	text := []byte(vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "A"))
	text[36] = '9' // the birth date's check digit
	bad, _ := ParseDG1(tlv.Encode(0x61, tlv.Encode(0x5F1F, text)))
	if c := CheckDG1(bad); c.Status != check.Fail || c.Reason != ReasonCheckDigitMismatch {
		t.Errorf("bad: %s %s", c.Status, c.Reason)
	}
	if c := CheckDG1(nil); c.Status != check.Skipped {
		t.Errorf("nil: %s", c.Status)
	}
}
