package mrz

import (
	"errors"
	"testing"
)

// Specimens of ICAO 9303.
const (
	td3Specimen = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	td1Specimen = "I<UTOD231458907<<<<<<<<<<<<<<<\n" +
		"7408122F1204159UTO<<<<<<<<<<<6\n" +
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
	td1Long = "I<UTOD23145890<7349<<<<<<<<<<<\n" +
		"3407127M9507122UTO<<<<<<<<<<<2\n" +
		"STEVENSON<<PETER<JOHN<<<<<<<<<"
)

func TestTD3(t *testing.T) {
	m, err := Parse(td3Specimen)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != TD3 || m.DocumentCode != "P" || m.IssuingState != "UTO" || m.DocumentNumber != "L898902C3" ||
		m.DateOfBirth != "740812" || m.Sex != "F" || m.DateOfExpiry != "120415" || m.Nationality != "UTO" ||
		m.Surname != "ERIKSSON" || m.GivenNames != "ANNA MARIA" || m.OptionalData1 != "ZE184226B" {
		t.Errorf("%+v", m)
	}
}

func TestTD1(t *testing.T) {
	m, err := Parse(td1Specimen)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != TD1 || m.DocumentNumber != "D23145890" || m.DateOfBirth != "740812" || m.Surname != "ERIKSSON" {
		t.Errorf("%+v", m)
	}
}

func TestTD1LongNumber(t *testing.T) {
	m, err := Parse(td1Long)
	if err != nil {
		t.Fatal(err)
	}
	if m.DocumentNumber != "D23145890734" {
		t.Errorf("number %q", m.DocumentNumber)
	}
	ki, err := m.KeyInformation()
	if err != nil || ki != "D23145890734934071279507122" {
		t.Errorf("key information %q %v", ki, err)
	}
}

func TestNoLineBreaks(t *testing.T) {
	flat := ""
	for _, c := range td3Specimen {
		if c != '\n' {
			flat += string(c)
		}
	}
	if _, err := Parse(" " + flat + "\r\n"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDigitErrors(t *testing.T) {
	bad := td3Specimen[:len(td3Specimen)-1] + "1"
	m, err := Parse(bad)
	if !errors.Is(err, ErrCheckDigit) || m == nil || len(m.CheckErrors) != 1 || m.CheckErrors[0] != "composite" {
		t.Fatalf("%v %+v", err, m)
	}
	if _, err := m.KeyInformation(); err == nil {
		t.Error("key information from an MRZ with check errors")
	}
	if _, err := Parse("P<UTO"); !errors.Is(err, ErrFormat) {
		t.Errorf("short: %v", err)
	}
	if _, err := Parse(td3Specimen[:10] + "é" + td3Specimen[12:]); !errors.Is(err, ErrCharacter) && !errors.Is(err, ErrFormat) {
		t.Errorf("bad char: %v", err)
	}
}

func TestKeyInformationAppendixD(t *testing.T) {
	ki, err := KeyInformation("L898902C", "690806", "940623")
	if err != nil || ki != "L898902C<369080619406236" {
		t.Fatalf("%q %v", ki, err)
	}
	ki, err = KeyInformation("T22000129", "640812", "101031")
	if err != nil || ki != "T22000129364081251010318" {
		t.Fatalf("%q %v", ki, err)
	}
	if _, err := KeyInformation("L898902C", "691306", "940623"); err == nil {
		t.Error("month 13 accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(td3Specimen)
	f.Add(td1Specimen)
	f.Add(td1Long)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil && m == nil {
			return
		}
		_, _ = m.KeyInformation()
	})
}
