package tlv

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeNested(t *testing.T) {
	// EF.COM of ICAO 9303-11 Appendix D.
	b := unhex(t, "60145F0104303130365F36063034303030305C026175")
	top, rest, err := Decode(b)
	if err != nil || len(rest) != 0 {
		t.Fatalf("Decode: %v rest=%d", err, len(rest))
	}
	if top.Tag != 0x60 || !top.Constructed() {
		t.Fatalf("tag %X", top.Tag)
	}
	kids, err := top.Children()
	if err != nil {
		t.Fatal(err)
	}
	want := []uint32{0x5F01, 0x5F36, 0x5C}
	if len(kids) != len(want) {
		t.Fatalf("%d children", len(kids))
	}
	for i, k := range kids {
		if k.Tag != want[i] {
			t.Errorf("child %d tag %X want %X", i, k.Tag, want[i])
		}
	}
	if string(kids[2].Value) != "\x61\x75" {
		t.Errorf("5C value %X", kids[2].Value)
	}
	v, ok, err := Find(top.Value, 0x5F36)
	if err != nil || !ok || string(v.Value) != "040000" {
		t.Errorf("Find 5F36: %v %v %q", err, ok, v.Value)
	}
}

func TestHeaderLongForms(t *testing.T) {
	for _, tc := range []struct {
		in        string
		tag       uint32
		length, n int
	}{
		{"7581FF", 0x75, 255, 3},
		{"77820A00", 0x77, 2560, 4},
		{"7F618300FFFF", 0x7F61, 0xFFFF, 6},
		{"3080", 0x30, -1, 2},
		{"5F1F05", 0x5F1F, 5, 3},
	} {
		tag, length, n, err := Header(unhex(t, tc.in))
		if err != nil || tag != tc.tag || length != tc.length || n != tc.n {
			t.Errorf("Header(%s) = %X %d %d %v", tc.in, tag, length, n, err)
		}
	}
}

func TestIndefinite(t *testing.T) {
	b := unhex(t, "3080"+"0401AA"+"30800401BB0000"+"0000"+"01")
	top, rest, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rest, []byte{1}) {
		t.Fatalf("rest %X", rest)
	}
	if !bytes.Equal(top.Value, unhex(t, "0401AA30800401BB0000")) {
		t.Fatalf("value %X", top.Value)
	}
	if len(top.Raw) != len(b)-1 {
		t.Fatalf("raw len %d", len(top.Raw))
	}
}

func TestRejects(t *testing.T) {
	for _, in := range []string{
		"", "5F", "04", "0405AABB", "0480", "04850000000001", "3080", "3080" + "0401AA",
		"1FFFFFFF0100", "00",
	} {
		if _, _, err := Decode(unhex(t, in)); err == nil {
			t.Errorf("Decode(%s) accepted", in)
		} else if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%s) error %v is not typed", in, err)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20} {
		v := make([]byte, n)
		enc := Encode(0x5F2E, v)
		got, rest, err := Decode(enc)
		if err != nil || len(rest) != 0 || got.Tag != 0x5F2E || len(got.Value) != n {
			t.Errorf("n=%d: %v", n, err)
		}
	}
	if got := Encode(0x7C, []byte{1}, []byte{2, 3}); !bytes.Equal(got, []byte{0x7C, 3, 1, 2, 3}) {
		t.Errorf("Encode concat %X", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(unhex(f, "60145F0104303130365F36063034303030305C026175"))
	f.Add(unhex(f, "3080040100308004010000000000"))
	f.Add(unhex(f, "7F618300FFFF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			v, rest, err := Decode(b)
			if err != nil {
				return
			}
			if len(rest) >= len(b) || len(v.Raw) > len(b) {
				t.Fatalf("no progress")
			}
			if v.Constructed() {
				_, _ = v.Children()
			}
			b = rest
		}
	})
}

func TestTagLengthMatchesEncoder(t *testing.T) {
	// Three-byte tags decode and encode back; four-byte tags are refused,
	// since EncodeTag (and the LDS) never uses them.
	tag, _, _, err := Header(unhex(t, "5F8F0100"))
	if err != nil || tag != 0x5F8F01 || !bytes.Equal(EncodeTag(tag), unhex(t, "5F8F01")) {
		t.Fatalf("3-byte tag: %X %v", tag, err)
	}
	if _, _, _, err := Header(unhex(t, "5F8F810100")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("4-byte tag: %v", err)
	}
}
