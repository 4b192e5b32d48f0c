package apdu

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestEncodeCases(t *testing.T) {
	data := []byte{1, 2}
	big := make([]byte, 300)
	for _, tc := range []struct {
		cmd  Command
		want string
		cas  int
	}{
		{Command{0, 0xA4, 0, 0x0C, nil, 0, false}, "00A4000C", 1},
		{Command{0, 0x84, 0, 0, nil, 8, false}, "0084000008", 2},
		{Command{0, 0xB0, 0, 0, nil, 256, false}, "00B0000000", 2},
		{Command{0, 0xA4, 2, 0x0C, data, 0, false}, "00A4020C020102", 3},
		{Command{0, 0x88, 0, 0, data, 256, false}, "00880000020102" + "00", 4},
		{Command{0, 0xB0, 0, 0, nil, 65536, false}, "00B0000000" + "0000", 2},
		{Command{0, 0xB0, 0, 0, nil, 1000, false}, "00B00000" + "0003E8", 2},
		{Command{0, 0xB0, 0, 0, nil, 200, true}, "00B00000" + "0000C8", 2},
		{Command{0x0C, 0xB0, 0, 0, data, 65536, true}, "0CB00000" + "000002" + "0102" + "0000", 4},
	} {
		got, err := tc.cmd.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != lower(tc.want) {
			t.Errorf("%v: got %X want %s", tc.cmd, got, tc.want)
		}
		if tc.cmd.Case() != tc.cas {
			t.Errorf("%v: case %d want %d", tc.cmd, tc.cmd.Case(), tc.cas)
		}
		back, err := ParseCommand(got)
		if err != nil {
			t.Fatalf("ParseCommand(%X): %v", got, err)
		}
		if back.INS != tc.cmd.INS || back.Ne != tc.cmd.Ne || !bytes.Equal(back.Data, tc.cmd.Data) {
			t.Errorf("round trip %X: %+v", got, back)
		}
	}
	ext := Command{INS: 0xD6, Data: big}
	if !ext.Extended() {
		t.Error("300 data bytes must be extended")
	}
	if _, err := (Command{Data: make([]byte, 70000)}).Bytes(); err == nil {
		t.Error("70000 data bytes accepted")
	}
}

func lower(s string) string {
	b, _ := hex.DecodeString(s)
	return hex.EncodeToString(b)
}

func TestParseCommandRejects(t *testing.T) {
	for _, in := range []string{"", "00A4", "00A4020C0501", "00A4020C000002AA", "00A4020C02010203FF"} {
		b, _ := hex.DecodeString(in)
		if _, err := ParseCommand(b); err == nil {
			t.Errorf("ParseCommand(%s) accepted", in)
		}
	}
}

func TestResponse(t *testing.T) {
	r, err := ParseResponse([]byte{1, 2, 0x90, 0})
	if err != nil || !r.OK() || !bytes.Equal(r.Data, []byte{1, 2}) {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := ParseResponse([]byte{0x90}); err == nil {
		t.Error("one byte accepted")
	}
	if SW(0x6A82).Name() != "file or application not found" || SW(0x61FF).Name() == "unknown status" {
		t.Error("names")
	}
	if err := (Response{SW: 0x6982}).Err(Command{INS: InsReadBinary}); err == nil {
		t.Error("6982 is an error")
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0, 0xA4, 2, 0x0C, 2, 1, 0x1E})
	f.Add([]byte{0x0C, 0xB0, 0, 0, 0, 0, 2, 1, 2, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCommand(b)
		if err != nil {
			return
		}
		enc, err := c.Bytes()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("re-encode %X != %X", enc, b)
		}
	})
}
