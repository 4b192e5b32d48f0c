package lds

import (
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/text/unicode/norm"
)

// Universal ASN.1 tags as tlv reports them (constructed bit included).
const (
	tagInteger         = 0x02
	tagBitString       = 0x03
	tagOctetString     = 0x04
	tagNull            = 0x05
	tagOID             = 0x06
	tagEnumerated      = 0x0A
	tagUTF8String      = 0x0C
	tagPrintableString = 0x13
	tagT61String       = 0x14
	tagIA5String       = 0x16
	tagVisibleString   = 0x1A
	tagBMPString       = 0x1E
	tagSequence        = 0x30
	tagSet             = 0x31
)

// unwrap decodes b as one object with the given tag. Bytes after it are an
// error: a file is one object, and trailing bytes would escape the hash the
// SOD covers only if the parser ignored them silently.
func unwrap(name string, b []byte, tag uint32) ([]byte, error) {
	if err := checkSize(name, b); err != nil {
		return nil, err
	}
	v, err := tlv.Unwrap(b, tag)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	return v, nil
}

// children decodes the value of a constructed object, bounding the count.
func children(where string, v []byte) ([]tlv.TLV, error) {
	var out []tlv.TLV
	for len(v) > 0 {
		if len(out) >= maxItems*4 {
			return nil, fmt.Errorf("%w: %s holds more than %d objects", ErrTooLarge, where, maxItems*4)
		}
		t, rest, err := tlv.Decode(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, where, err)
		}
		out = append(out, t)
		v = rest
	}
	return out, nil
}

// parseInt decodes a DER INTEGER value that fits in 62 bits.
func parseInt(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 8 {
		return 0, fmt.Errorf("%w: integer of %d bytes", ErrMalformed, len(v))
	}
	n := int64(int8(v[0])) // sign-extend the first byte
	for _, c := range v[1:] {
		n = n<<8 | int64(c)
	}
	return n, nil
}

// intOf decodes an INTEGER object (tag 02, or an implicit context tag).
func intOf(t tlv.TLV) (int, error) {
	n, err := parseInt(t.Value)
	if err != nil {
		return 0, err
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, fmt.Errorf("%w: integer out of range", ErrMalformed)
	}
	return int(n), nil
}

// parseOID decodes the value of an OBJECT IDENTIFIER.
func parseOID(v []byte) (asn1.ObjectIdentifier, error) {
	if len(v) == 0 || len(v) > 64 {
		return nil, fmt.Errorf("%w: object identifier of %d bytes", ErrMalformed, len(v))
	}
	var arcs []int
	n := 0
	started := false
	for i, c := range v {
		if !started && c == 0x80 {
			return nil, fmt.Errorf("%w: object identifier arc not minimal", ErrMalformed)
		}
		started = true
		if n > 1<<24 {
			return nil, fmt.Errorf("%w: object identifier arc too large", ErrMalformed)
		}
		n = n<<7 | int(c&0x7F)
		if c&0x80 != 0 {
			if i == len(v)-1 {
				return nil, fmt.Errorf("%w: object identifier truncated", ErrMalformed)
			}
			continue
		}
		if len(arcs) == 0 {
			switch {
			case n < 40:
				arcs = append(arcs, 0, n)
			case n < 80:
				arcs = append(arcs, 1, n-40)
			default:
				arcs = append(arcs, 2, n-80)
			}
		} else {
			arcs = append(arcs, n)
		}
		n = 0
		started = false
	}
	return asn1.ObjectIdentifier(arcs), nil
}

// encodeOID encodes an object identifier's value (for tests and encoders).
func encodeOID(oid asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(oid)
	if err != nil {
		return nil
	}
	v, _ := tlv.Unwrap(b, tagOID)
	return v
}

// decodeText turns the value of a character-string object into NFC text.
// UTF8String that is not valid UTF-8 keeps its valid parts and marks the
// rest with U+FFFD; 8-bit strings that are not UTF-8 are read as Latin-1
// (ICAO 9303 before Unicode); BMPString is UTF-16BE.
func decodeText(tag uint32, v []byte) string {
	var s string
	switch tag {
	case tagBMPString:
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		s = string(utf16.Decode(u))
	case tagUTF8String:
		s = strings.ToValidUTF8(string(v), "\uFFFD")
	default:
		s = latin1OrUTF8(v)
	}
	return norm.NFC.String(s)
}

// latin1OrUTF8 reads v as UTF-8 when it is valid UTF-8, else as Latin-1.
func latin1OrUTF8(v []byte) string {
	if utf8.Valid(v) {
		return string(v)
	}
	r := make([]rune, len(v))
	for i, c := range v {
		r[i] = rune(c)
	}
	return string(r)
}

// isStringTag reports whether tag is a universal character-string type.
func isStringTag(tag uint32) bool {
	switch tag {
	case tagUTF8String, tagPrintableString, tagT61String, tagIA5String, tagVisibleString, tagBMPString,
		0x12, 0x15, 0x19, 0x1B, 0x1C: // Numeric, Videotex, Graphic, General, Universal
		return true
	}
	return false
}

// text decodes the value of an LDS text data object (DG11, DG12, EF.COM):
// UTF-8 when valid, else Latin-1, normalised to NFC.
func text(v []byte) string { return norm.NFC.String(latin1OrUTF8(v)) }

// clone copies b, so a parsed value does not pin the whole file in memory
// and cannot be changed through the caller's buffer.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
