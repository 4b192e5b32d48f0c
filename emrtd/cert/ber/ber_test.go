package ber

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

func h(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIndefiniteAndConstructed(t *testing.T) {
	// SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { 01 02, 03 }, INTEGER 5 }
	b := h(t, "3080"+"2480"+"04020102"+"040103"+"0000"+"020105"+"0000")
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	r := v.Children()
	os, err := r.Expect(TagOctetString|0x20, "octets")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.OctetString()
	if err != nil || !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("octets %X %v", got, err)
	}
	n, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := n.Int64(); i != 5 {
		t.Fatal("integer")
	}
	der, err := ToDER(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(der, h(t, "3008"+"0403010203"+"020105")) {
		t.Fatalf("DER %X", der)
	}
}

func TestToDERSortsSets(t *testing.T) {
	der, err := ToDER(h(t, "3106"+"020102"+"020101"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(der, h(t, "3106020101020102")) {
		t.Fatalf("%X", der)
	}
	// DER input comes back unchanged; non-minimal lengths are shortened.
	in := h(t, "30820003020101")
	if out, _ := ToDER(in); !bytes.Equal(out, h(t, "3003020101")) {
		t.Fatalf("%X", out)
	}
}

func TestIntegers(t *testing.T) {
	for s, want := range map[string]int64{"020100": 0, "0201ff": -1, "02020080": 128, "02028000": -32768} {
		v, _ := Decode(h(t, s))
		if n, err := v.Int64(); err != nil || n != want {
			t.Errorf("%s: %d %v", s, n, err)
		}
	}
	v, _ := Decode(h(t, "0200"))
	if _, err := v.Int(); err == nil {
		t.Error("empty integer accepted")
	}
}

func TestOIDs(t *testing.T) {
	v, _ := Decode(h(t, "06092b2403030208010107"))
	oid, err := v.OID()
	if err != nil || oid.String() != "1.3.36.3.3.2.8.1.1.7" {
		t.Fatalf("%v %v", oid, err)
	}
	for _, bad := range []string{"0600", "060188", "06118fffffffffffffffffffffffffffffff01"} {
		v, _ := Decode(h(t, bad))
		if _, err := v.OID(); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestTimes(t *testing.T) {
	cases := map[string]time.Time{
		"170d3232303632393031333730375a":     time.Date(2022, 6, 29, 1, 37, 7, 0, time.UTC),
		"170d3439313233313233353935395a":     time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC),
		"170d3530303130313030303030305a":     time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC),
		"170b393930313031303030305a":         time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC),
		"180f32303530303130313030303030305a": time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for s, want := range cases {
		v, _ := Decode(h(t, s))
		got, err := v.Time()
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
}

func TestStrings(t *testing.T) {
	cases := map[string]string{
		"0c03566965":           "Vie",
		"1e0400560069":         "Vi",
		"1401e9":               "é",
		"130156":               "V",
		"1c080000005600000069": "Vi",
	}
	for s, want := range cases {
		v, _ := Decode(h(t, s))
		got, err := v.String()
		if err != nil || got != want {
			t.Errorf("%s: %q %v", s, got, err)
		}
	}
}

func TestRejectsTruncation(t *testing.T) {
	for _, s := range []string{"3005020101", "30800201", "2480048200", "3003020101ff"} {
		if _, err := Decode(h(t, s)); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}
