package ber

import (
	"bytes"
	"testing"
)

// FuzzToDER decodes and re-encodes BER; DER output must be stable.
func FuzzToDER(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00})
	f.Add([]byte{0x31, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01})
	f.Add([]byte{0x17, 0x0d, '2', '2', '0', '6', '2', '9', '0', '1', '3', '7', '0', '7', 'Z'})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		_, _ = v.Time()
		_, _ = v.String()
		_, _ = v.OID()
		_, _ = v.Int()
		_, _, _ = v.BitString()
		der, err := ToDER(b)
		if err != nil {
			return
		}
		again, err := ToDER(der)
		if err != nil || !bytes.Equal(again, der) {
			t.Fatalf("DER not stable: %X -> %X (%v)", der, again, err)
		}
	})
}
