package lds

import (
	"encoding/asn1"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
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

// parseInt decodes a DER INTEGER value of at most eight bytes (a signed
// 64-bit integer).
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
	oid, err := ber.ParseOID(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return oid, nil
}

// decodeText turns the value of a character-string object into NFC text,
// decoded by the one string decoder (ber.DecodeString: damaged bytes are
// marked with U+FFFD, 8-bit strings that are not UTF-8 are Latin-1).
func decodeText(tag uint32, v []byte) string {
	s, _ := ber.DecodeString(tag, v) // callers pass string tags only
	return norm.NFC.String(s)
}

// isStringTag reports whether tag is a universal character-string type.
func isStringTag(tag uint32) bool { return ber.IsStringTag(tag) }

// text decodes the value of an LDS text data object (DG11, DG12, EF.COM):
// UTF-8 when valid, else Latin-1, normalised to NFC.
func text(v []byte) string { return norm.NFC.String(ber.DecodeEightBit(v)) }

// clone copies b, so a parsed value does not pin the whole file in memory
// and cannot be changed through the caller's buffer.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
