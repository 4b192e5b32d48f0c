package cccd

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Synthetic numbers: not real people.
const id12 = "001090012345"

func TestID12Keys(t *testing.T) {
	doc, err := DocumentNumber(id12)
	if err != nil || doc != "090012345" {
		t.Errorf("document number %q %v", doc, err)
	}
	can, err := CAN(id12)
	if err != nil || can.Digits() != "012345" {
		t.Errorf("CAN %v", err)
	}
	k, err := MRZKey(id12, "900515", "300515")
	if err != nil || k.DocumentNumber() != "090012345" {
		t.Fatal(err)
	}
	// The check digit of the 9-digit number, as on the card's MRZ line 1.
	if info := string(k.Information()); info[:10] != "0900123450" {
		t.Errorf("MRZ_information starts %q", info[:10])
	}
	for _, bad := range []string{"", "00109001234", "0010900123456", "00109001234a", "００1090012345"} {
		if err := ValidateID12(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q accepted", bad)
		}
		if _, err := CAN(bad); err == nil {
			t.Errorf("CAN of %q", bad)
		}
	}
	// Any province prefix is accepted.
	if err := ValidateID12("999190012345"); err != nil {
		t.Error(err)
	}
}

func d(y, m, day int) Date { return Date{y, m, day} }

func TestExpiry(t *testing.T) {
	for _, tc := range []struct {
		birth, issue, want Date
	}{
		{d(1990, 5, 15), d(2021, 3, 1), d(2030, 5, 15)},  // age 30: the 40th birthday
		{d(2000, 1, 10), d(2021, 6, 1), d(2025, 1, 10)},  // age 21: the 25th
		{d(1997, 5, 15), d(2021, 3, 1), d(2037, 5, 15)},  // within 2 years of 25: valid to 40
		{d(1997, 5, 15), d(2020, 5, 14), d(2022, 5, 15)}, // one day before the window
		{d(1997, 5, 15), d(2020, 5, 15), d(2037, 5, 15)}, // first day of the window
		{d(1982, 7, 2), d(2021, 1, 5), d(2042, 7, 2)},    // within 2 years of 40: valid to 60
		{d(1962, 8, 1), d(2021, 6, 1), NoExpiry},         // within 2 years of 60
		{d(1950, 1, 1), d(2021, 6, 1), NoExpiry},         // over 60
		{d(1965, 1, 1), d(2021, 6, 1), d(2025, 1, 1)},    // age 56: the 60th
		{d(2000, 2, 29), d(2021, 6, 1), d(2025, 2, 28)},  // leap day
		{d(2015, 3, 1), d(2024, 8, 1), d(2029, 3, 1)},    // 2023 law: the 14th birthday
		{d(2012, 3, 1), d(2024, 8, 1), d(2037, 3, 1)},    // within 2 years of 14: valid to 25
		{d(2012, 3, 1), d(2024, 6, 30), d(2037, 3, 1)},   // before the 2023 law: 14 is no milestone
		{d(2011, 12, 1), d(2024, 7, 1), d(2036, 12, 1)},  // age 12.6 under the 2023 law
	} {
		got, err := Expiry(tc.birth, tc.issue)
		if err != nil || got != tc.want {
			t.Errorf("birth %v issue %v: got %v %v, want %v", tc.birth, tc.issue, got, err, tc.want)
		}
	}
	if NoExpiry.YYMMDD() != "991231" {
		t.Error("NoExpiry")
	}
	if _, err := Expiry(d(1990, 0, 0), d(2021, 1, 1)); err == nil {
		t.Error("partial birth accepted")
	}
	if _, err := Expiry(d(2021, 1, 2), d(2021, 1, 1)); err == nil {
		t.Error("issue before birth accepted")
	}
}

func TestExpiryCandidates(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		birth Date
		want  []Date
	}{
		{d(1990, 5, 15), []Date{d(2030, 5, 15)}},
		{d(1999, 5, 15), []Date{d(2039, 5, 15), d(2024, 5, 15)}},
		{d(1963, 1, 1), []Date{NoExpiry}},
		{d(1961, 3, 1), []Date{NoExpiry}},
		{d(1964, 3, 1), []Date{NoExpiry, d(2024, 3, 1)}}, // 57–61 over the chip years
		{d(2013, 9, 1), []Date{d(2027, 9, 1)}},           // only Căn cước cards, before 12
	} {
		got, err := ExpiryCandidates(tc.birth, now)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("birth %v: got %v, want %v", tc.birth, got, tc.want)
		}
	}
	if _, err := ExpiryCandidates(d(2030, 1, 1), now); err == nil {
		t.Error("future birth accepted")
	}
}

func TestParseYYMMDD(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for s, want := range map[string]Date{"900515": d(1990, 5, 15), "050101": d(2005, 1, 1), "251231": d(2025, 12, 31), "260101": d(1926, 1, 1)} {
		got, err := ParseYYMMDD(s, now)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "9005150", "901315", "900230", "9a0515"} {
		if _, err := ParseYYMMDD(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

const qr7 = "001090012345|123456789|Nguyễn Văn An|15051990|Nam|Số 1 Phố Huế, Hà Nội|01032021"

func TestParseQR(t *testing.T) {
	for name, tc := range map[string]struct {
		payload      string
		old          string
		birth, issue Date
	}{
		"7 fields":           {qr7, "123456789", d(1990, 5, 15), d(2021, 3, 1)},
		"no old ID":          {"001090012345||Nguyen Van An|15051990|Nam|Ha Noi|01032021", "", d(1990, 5, 15), d(2021, 3, 1)},
		"mangled name":       {"001090012345||Nguy?n V?n An|15051990|N?|H? N?i|01032021\r\n", "", d(1990, 5, 15), d(2021, 3, 1)},
		"6 fields no issue":  {"001090012345|123456789|Nguyen Van An|15051990|Nam|Ha Noi", "123456789", d(1990, 5, 15), Date{}},
		"6 fields no old ID": {"001090012345|Nguyen Van An|15051990|Nam|Ha Noi|01032021", "", d(1990, 5, 15), d(2021, 3, 1)},
		"partial birth":      {"001090012345||Nguyen Van An|00001950|Nam|Ha Noi|01032021", "", d(1950, 0, 0), d(2021, 3, 1)},
		"BOM and spaces":     {"\uFEFF 001090012345|123456789|A|15051990|Nam|B|01032021 ", "123456789", d(1990, 5, 15), d(2021, 3, 1)},
	} {
		q, err := ParseQR(tc.payload)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if q.ID12 != id12 || q.OldID != tc.old || q.DateOfBirth != tc.birth || q.DateOfIssue != tc.issue {
			t.Errorf("%s: %+v", name, *q) // redacted: shows nothing on failure
		}
	}
}

func TestParseQRErrors(t *testing.T) {
	for name, payload := range map[string]string{
		"empty":      "",
		"5 fields":   "001090012345|1|A|15051990|Nam",
		"8 fields":   qr7 + "|x",
		"short ID":   "00109001234|123456789|A|15051990|Nam|B|01032021",
		"bad old ID": "001090012345|12345|A|15051990|Nam|B|01032021",
		"bad birth":  "001090012345|123456789|A|32051990|Nam|B|01032021",
		"bad issue":  "001090012345|123456789|A|15051990|Nam|B|0103202",
		"issue<dob":  "001090012345|123456789|A|15051990|Nam|B|01031980",
		"6 unknown":  "001090012345|123456789|A|B|Nam|C",
		"huge":       strings.Repeat("1", 5000),
	} {
		_, err := ParseQR(payload)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), "001090012345") || strings.Contains(err.Error(), "1990") {
			t.Errorf("%s: error shows a value: %v", name, err)
		}
	}
}

func TestQRKeys(t *testing.T) {
	q, err := ParseQR(qr7)
	if err != nil {
		t.Fatal(err)
	}
	can, err := q.CAN()
	if err != nil || can.Digits() != "012345" {
		t.Fatal(err)
	}
	keys, err := q.MRZKeys(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(keys) != 1 {
		t.Fatal(keys, err)
	}
	if k := keys[0]; k.DocumentNumber() != "090012345" || k.DateOfBirth() != "900515" || k.DateOfExpiry() != "300515" {
		t.Error("key fields")
	}
	q6, _ := ParseQR("001099012345|123456789|A|15051999|Nam|B")
	keys, err = q6.MRZKeys(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(keys) != 2 || keys[0].DateOfExpiry() != "390515" || keys[1].DateOfExpiry() != "240515" {
		t.Fatal(len(keys), err)
	}
	partial, _ := ParseQR("001090012345||A|00001950|Nam|B|01032021")
	if _, err := partial.MRZKeys(time.Now()); err == nil {
		t.Error("MRZ key from a partial birth date")
	}
	if s := fmt.Sprintf("%v %+v %#v %s", q, q, *q, q); strings.Contains(s, "0012345") {
		t.Errorf("QR not redacted: %s", s)
	}
}
