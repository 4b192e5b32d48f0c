package access

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// ICAO 9303-11 Appendix D.2.
func TestAppendixDSeed(t *testing.T) {
	k, err := NewMRZKey("L898902C<", "690806", "940623")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(k.Information()); got != "L898902C<369080619406236" {
		t.Errorf("MRZ_information %q", got)
	}
	if got := hex.EncodeToString(k.BACSeed()); got != "239ab9cb282daf66231dc5a4df6bfbae" {
		t.Errorf("K_seed %s", got)
	}
	ref, pw := k.PACEPassword()
	if ref != PasswordMRZ || hex.EncodeToString(pw) != "239ab9cb282daf66231dc5a4df6bfbaedf477565" {
		t.Errorf("PACE password %v %x", ref, pw)
	}
}

// ICAO 9303-11 Appendix G.1: the PACE MRZ password K = SHA-1(MRZ_information).
func TestAppendixGPassword(t *testing.T) {
	k, err := NewMRZKey("T22000129", "640812", "101031")
	if err != nil {
		t.Fatal(err)
	}
	_, pw := k.PACEPassword()
	if hex.EncodeToString(pw) != "7e2d2a41c74ea0b38cd36f863939bfa8e9032aad" {
		t.Errorf("K %x", pw)
	}
}

func TestLongDocumentNumber(t *testing.T) {
	k, err := NewMRZKey("D23145890734", "340712", "950712")
	if err != nil {
		t.Fatal(err)
	}
	if string(k.Information()) != "D23145890734934071279507122" {
		t.Errorf("MRZ_information %q", k.Information())
	}
	if hex.EncodeToString(k.BACSeed()) != "b366ad857ddca2b08c0e299811714730" {
		t.Errorf("K_seed %x", k.BACSeed())
	}
}

func TestParseMRZ(t *testing.T) {
	k, err := ParseMRZ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	if err != nil {
		t.Fatal(err)
	}
	if k.DocumentNumber() != "L898902C3" || k.DateOfBirth() != "740812" || k.DateOfExpiry() != "120415" {
		t.Error("fields")
	}
	// A misread check digit is refused.
	if _, err := ParseMRZ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408123F1204159ZE184226B<<<<<10"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad check digit: %v", err)
	}
	if _, err := ParseMRZ("not an mrz"); !errors.Is(err, ErrInvalid) {
		t.Errorf("garbage: %v", err)
	}
}

func TestValidationNamesFieldNotValue(t *testing.T) {
	for _, tc := range []struct {
		doc, dob, doe, field string
	}{
		{"", "690806", "940623", "document number"},
		{"AB12$4567", "690806", "940623", "document number"},
		{strings.Repeat("1", 23), "690806", "940623", "document number"},
		{"123456789", "691306", "940623", "date of birth"},
		{"123456789", "69080", "940623", "date of birth"},
		{"123456789", "690806", "94062X", "date of expiry"},
		{" 123456789", "690806", "940623", "document number"},
		{"123456789", "690806 ", "940623", "date of birth"},
		{"123456789", "690806", " 940623", "date of expiry"},
	} {
		_, err := NewMRZKey(tc.doc, tc.dob, tc.doe)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%q: %v", tc.field, err)
			continue
		}
		for _, v := range []string{tc.doc, tc.dob, tc.doe} {
			if len(v) >= 5 && strings.Contains(err.Error(), v) {
				t.Errorf("error %q shows a value", err)
			}
		}
	}
}

func TestCAN(t *testing.T) {
	c, err := NewCAN("123456")
	if err != nil {
		t.Fatal(err)
	}
	ref, pw := c.PACEPassword()
	if ref != PasswordCAN || string(pw) != "123456" {
		t.Errorf("%v %q", ref, pw)
	}
	for _, bad := range []string{"", "12345", "12345a", "1234567", "12345678901", " 123456", "123456 ", "123 456", "１23456"} {
		if _, err := NewCAN(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error shows value: %v", err)
		}
	}
}

func TestRedaction(t *testing.T) {
	k, _ := NewMRZKey("L898902C<", "690806", "940623")
	c, _ := NewCAN("654321")
	for _, v := range []any{k, c, *k, *c, []any{k}, map[string]any{"k": k}, struct{ K Key }{c}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			for _, secret := range []string{"L898902C", "690806", "940623", "654321", "3635343332", "4c383938"} {
				if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
					t.Errorf("%s of %T leaks: %s", verb, v, out)
				}
			}
		}
	}
	if k.String() != "MRZKey(redacted)" || c.String() != "CAN(redacted)" {
		t.Error("String")
	}
}
