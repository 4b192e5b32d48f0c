package ber

import (
	"bytes"
	"encoding/asn1"
	"testing"
	"unicode/utf8"
)

func TestParseOID(t *testing.T) {
	for _, oid := range []asn1.ObjectIdentifier{
		{2, 23, 136, 1, 1, 1}, {0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}, {1, 0, 10646, 1, 0, 8},
		{2, 999, 3}, {1, 2, 840, 113549, 1, 1, 11}, {2, 5, 4, 3}, {1, 39}, {2, 100000, 1<<31 - 1},
	} {
		der, err := asn1.Marshal(oid)
		if err != nil {
			t.Fatal(err)
		}
		contents := der[2:]
		enc, err := OIDContents(oid)
		if err != nil || !bytes.Equal(enc, contents) {
			t.Errorf("OIDContents(%v) = %X, %v; encoding/asn1 writes %X", oid, enc, err, contents)
		}
		got, err := ParseOID(contents)
		if err != nil || !got.Equal(oid) {
			t.Errorf("ParseOID(%X) = %v, %v; want %v", contents, got, err, oid)
		}
	}
	for _, bad := range [][]byte{
		nil,
		{0x2A, 0x86},             // truncated arc
		{0x80, 0x01},             // non-minimal first arc
		{0x2A, 0x80, 0x86, 0x48}, // non-minimal later arc
		{0x2A, 0x88, 0x80, 0x80, 0x80, 0x80, 0x00}, // arc past 31 bits
		bytes.Repeat([]byte{0x01}, maxOIDLen+1),
	} {
		if oid, err := ParseOID(bad); err == nil {
			t.Errorf("ParseOID(%X) = %v, want an error", bad, oid)
		}
	}
	for _, bad := range []asn1.ObjectIdentifier{{1}, {3, 1}, {1, 40}, {1, 2, -1}} {
		if _, err := OIDContents(bad); err == nil {
			t.Errorf("OIDContents(%v) accepted", bad)
		}
	}
}

func TestDecodeString(t *testing.T) {
	for _, c := range []struct {
		name string
		tag  uint32
		in   []byte
		want string
	}{
		{"UTF8String", TagUTF8String, []byte("Nguyễn"), "Nguyễn"},
		{"UTF8String with a bad byte", TagUTF8String, []byte("Nguy\xffn"), "Nguy\uFFFDn"},
		{"PrintableString", TagPrintableString, []byte("VN"), "VN"},
		{"T61String in Latin-1", TagT61String, []byte("M\xfcnchen"), "München"},
		{"IA5String in UTF-8", TagIA5String, []byte("Đà Nẵng"), "Đà Nẵng"},
		{"BMPString", TagBMPString, []byte{0, 'V', 0x1E, 0xC7}, "Vệ"},
		// An odd BMPString keeps its whole characters and marks the
		// dangling byte: not an error (the certificate decoder used to
		// refuse it) and not dropped (the LDS decoder used to).
		{"BMPString of odd length", TagBMPString, []byte{0, 'V', 0x1E, 0xC7, 0x00}, "Vệ\uFFFD"},
		{"UniversalString", TagUniversalString, []byte{0, 0, 0, 'A', 0, 0, 0x1E, 0xC7}, "Aệ"},
		{"UniversalString cut short", TagUniversalString, []byte{0, 0, 0, 'A', 0, 0}, "A\uFFFD"},
		{"UniversalString past U+10FFFF", TagUniversalString, []byte{0xFF, 0xFF, 0xFF, 0xFF}, "\uFFFD"},
		{"GeneralString", TagGeneralString, []byte("x"), "x"},
	} {
		got, err := DecodeString(c.tag, c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := DecodeString(TagOctetString, []byte("x")); err == nil {
		t.Error("an OCTET STRING decoded as text")
	}
	// Value.String joins constructed strings first.
	v, err := Decode([]byte{0x2C, 0x80, 0x0C, 0x01, 'a', 0x0C, 0x01, 'b', 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := v.String(); err != nil || s != "ab" {
		t.Errorf("constructed UTF8String: %q, %v", s, err)
	}
}

// FuzzOID: what ParseOID accepts, OIDContents writes back byte for byte
// (one encoding per identifier), and ParseOID never panics.
func FuzzOID(f *testing.F) {
	f.Add([]byte{0x67, 0x81, 0x08, 0x01, 0x01, 0x01})
	f.Add([]byte{0x80, 0x01})
	f.Add([]byte{0x88, 0x37, 0x03})
	f.Fuzz(func(t *testing.T, b []byte) {
		oid, err := ParseOID(b)
		if err != nil {
			return
		}
		again, err := OIDContents(oid)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("%X parsed as %v, encoded back as %X (%v)", b, oid, again, err)
		}
	})
}

// FuzzDecodeString: any bytes of any string type decode to valid UTF-8.
func FuzzDecodeString(f *testing.F) {
	f.Add(byte(TagBMPString), []byte{0, 'V', 0x1E})
	f.Add(byte(TagUTF8String), []byte("Nguy\xffn"))
	f.Add(byte(TagUniversalString), []byte{0, 0, 0, 'A', 0xFF})
	f.Fuzz(func(t *testing.T, tag byte, b []byte) {
		s, err := DecodeString(uint32(tag), b)
		if err != nil {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("tag %X: invalid UTF-8 out of %X", tag, b)
		}
	})
}
