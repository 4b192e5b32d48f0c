// Package ber reads the ASN.1 BER and DER encodings of certificates, CRLs
// and CMS messages leniently: definite and indefinite lengths, non-minimal
// length octets and constructed strings are accepted, as real eMRTD PKI
// data needs (Go's encoding/asn1 and cryptobyte insist on DER). Every
// length is checked against the bytes present; nothing is copied except
// where a constructed string must be joined. Tags are those emrtd/tlv
// reads: up to three bytes (tag numbers below 16384, more than any eMRTD
// or PKI structure uses); a longer tag is malformed.
//
// Object identifiers (ParseOID, OIDContents) and character strings
// (DecodeString) are decoded here for every package of idagent, so that
// certificates, CMS and the LDS read them the same way.
//
// It also re-encodes values in DER (ToDER), for the CMS signed attributes
// whose signature is defined over their DER form.
package ber

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/idagent/idagent/emrtd/tlv"
)

// Universal and context tags as tlv writes them (class and constructed
// bits included).
const (
	TagBoolean         = 0x01
	TagInteger         = 0x02
	TagBitString       = 0x03
	TagOctetString     = 0x04
	TagNull            = 0x05
	TagOID             = 0x06
	TagEnumerated      = 0x0A
	TagUTF8String      = 0x0C
	TagPrintableString = 0x13
	TagT61String       = 0x14
	TagIA5String       = 0x16
	TagUTCTime         = 0x17
	TagGeneralizedTime = 0x18
	TagVisibleString   = 0x1A
	TagUniversalString = 0x1C
	TagBMPString       = 0x1E
	TagSequence        = 0x30
	TagSet             = 0x31
)

// ContextConstructed returns the tag of [n] constructed (EXPLICIT or an
// IMPLICIT constructed type), n < 31.
func ContextConstructed(n int) uint32 { return uint32(0xA0 | n) }

// ContextPrimitive returns the tag of [n] primitive (IMPLICIT), n < 31.
func ContextPrimitive(n int) uint32 { return uint32(0x80 | n) }

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("ber: malformed")

// Value is one decoded object.
type Value struct {
	Tag     uint32
	Content []byte // the contents octets (for indefinite length, without the end-of-contents)
	Raw     []byte // the whole encoding as it appeared
}

// Constructed reports whether the value holds nested objects.
func (v Value) Constructed() bool { return tlv.IsConstructed(v.Tag) }

// Decode decodes exactly one value filling b.
func Decode(b []byte) (Value, error) {
	r := NewReader(b)
	v, err := r.Next()
	if err != nil {
		return Value{}, err
	}
	if !r.Empty() {
		return Value{}, fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(r.b))
	}
	return v, nil
}

// Reader walks a sequence of values.
type Reader struct{ b []byte }

// NewReader reads the values that fill b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Children returns a reader over a constructed value's contents.
func (v Value) Children() *Reader { return NewReader(v.Content) }

// Empty reports whether every value has been read.
func (r *Reader) Empty() bool { return len(r.b) == 0 }

// Rest returns the bytes not yet read.
func (r *Reader) Rest() []byte { return r.b }

// PeekTag returns the tag of the next value, or 0 when there is none or it
// cannot be decoded.
func (r *Reader) PeekTag() uint32 {
	tag, _, _, err := tlv.Header(r.b)
	if err != nil {
		return 0
	}
	return tag
}

// Next decodes the next value.
func (r *Reader) Next() (Value, error) {
	if len(r.b) == 0 {
		return Value{}, fmt.Errorf("%w: no more values", ErrMalformed)
	}
	t, rest, err := tlv.Decode(r.b)
	if err != nil {
		return Value{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	r.b = rest
	return Value{Tag: t.Tag, Content: t.Value, Raw: t.Raw}, nil
}

// Expect decodes the next value and checks its tag; what names the field
// in the error.
func (r *Reader) Expect(tag uint32, what string) (Value, error) {
	if len(r.b) == 0 {
		return Value{}, fmt.Errorf("%w: %s missing", ErrMalformed, what)
	}
	v, err := r.Next()
	if err != nil {
		return Value{}, fmt.Errorf("%s: %w", what, err)
	}
	if v.Tag != tag {
		return Value{}, fmt.Errorf("%w: %s has tag %X, want %X", ErrMalformed, what, v.Tag, tag)
	}
	return v, nil
}

// Optional decodes the next value when it has the given tag.
func (r *Reader) Optional(tag uint32) (Value, bool, error) {
	if len(r.b) == 0 || r.PeekTag() != tag {
		return Value{}, false, nil
	}
	v, err := r.Next()
	return v, err == nil, err
}

// OID decodes an OBJECT IDENTIFIER.
func (v Value) OID() (asn1.ObjectIdentifier, error) {
	if v.Tag != TagOID {
		return nil, fmt.Errorf("%w: tag %X is not an OID", ErrMalformed, v.Tag)
	}
	return ParseOID(v.Content)
}

// Int decodes an INTEGER (or ENUMERATED) as a signed big integer.
func (v Value) Int() (*big.Int, error) {
	if (v.Tag != TagInteger && v.Tag != TagEnumerated && v.Tag&0xC0 == 0) || v.Constructed() || len(v.Content) == 0 {
		return nil, fmt.Errorf("%w: integer", ErrMalformed)
	}
	n := new(big.Int).SetBytes(v.Content)
	if v.Content[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v.Content))))
	}
	return n, nil
}

// Unsigned decodes an INTEGER's magnitude, ignoring a sign some encoders
// get wrong (an RSA modulus without its leading zero octet).
func (v Value) Unsigned() (*big.Int, error) {
	if v.Constructed() || len(v.Content) == 0 {
		return nil, fmt.Errorf("%w: integer", ErrMalformed)
	}
	return new(big.Int).SetBytes(v.Content), nil
}

// Int64 decodes a small INTEGER.
func (v Value) Int64() (int64, error) {
	n, err := v.Int()
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() {
		return 0, fmt.Errorf("%w: integer out of range", ErrMalformed)
	}
	return n.Int64(), nil
}

// Bool decodes a BOOLEAN (any non-zero octet is true, as BER allows).
func (v Value) Bool() (bool, error) {
	if v.Tag != TagBoolean || len(v.Content) != 1 {
		return false, fmt.Errorf("%w: boolean", ErrMalformed)
	}
	return v.Content[0] != 0, nil
}

// maxStringSegments bounds the pieces of a constructed string.
const maxStringSegments = 4096

// Bytes returns a string type's contents, joining the segments of a
// constructed (BER) encoding. It does not check the tag.
func (v Value) Bytes() ([]byte, error) {
	if !v.Constructed() {
		return v.Content, nil
	}
	var out []byte
	if err := v.appendSegments(&out, 0, new(int)); err != nil {
		return nil, err
	}
	return out, nil
}

func (v Value) appendSegments(out *[]byte, depth int, count *int) error {
	if depth > 8 {
		return fmt.Errorf("%w: constructed string nested too deeply", ErrMalformed)
	}
	r := v.Children()
	for !r.Empty() {
		*count++
		if *count > maxStringSegments {
			return fmt.Errorf("%w: constructed string has too many segments", ErrMalformed)
		}
		seg, err := r.Next()
		if err != nil {
			return err
		}
		if seg.Constructed() {
			if err := seg.appendSegments(out, depth+1, count); err != nil {
				return err
			}
			continue
		}
		*out = append(*out, seg.Content...)
	}
	return nil
}

// OctetString decodes an OCTET STRING, primitive or constructed.
func (v Value) OctetString() ([]byte, error) {
	if v.Tag != TagOctetString && v.Tag != TagOctetString|0x20 {
		return nil, fmt.Errorf("%w: tag %X is not an OCTET STRING", ErrMalformed, v.Tag)
	}
	return v.Bytes()
}

// BitString decodes a BIT STRING into its bytes and the number of unused
// bits in the last byte.
func (v Value) BitString() ([]byte, int, error) {
	if v.Tag != TagBitString && v.Tag != TagBitString|0x20 {
		return nil, 0, fmt.Errorf("%w: tag %X is not a BIT STRING", ErrMalformed, v.Tag)
	}
	b, err := v.Bytes()
	if err != nil {
		return nil, 0, err
	}
	if v.Constructed() {
		return nil, 0, fmt.Errorf("%w: constructed BIT STRING", ErrMalformed)
	}
	if len(b) == 0 || b[0] > 7 || (len(b) == 1 && b[0] != 0) {
		return nil, 0, fmt.Errorf("%w: BIT STRING", ErrMalformed)
	}
	return b[1:], int(b[0]), nil
}

// Time decodes a UTCTime or GeneralizedTime. UTCTime years 50–99 are 19xx
// (RFC 5280 §4.1.2.5.1). Seconds may be missing and fractions present, as
// old certificates have them.
func (v Value) Time() (time.Time, error) {
	s := string(v.Content)
	var layouts []string
	switch v.Tag {
	case TagUTCTime:
		layouts = []string{"0601021504Z0700", "060102150405Z0700"}
	case TagGeneralizedTime:
		layouts = []string{"20060102150405Z0700", "20060102150405.999999999Z0700", "200601021504Z0700"}
	default:
		return time.Time{}, fmt.Errorf("%w: tag %X is not a time", ErrMalformed, v.Tag)
	}
	for _, l := range layouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if v.Tag == TagUTCTime && t.Year() >= 2050 {
			t = t.AddDate(-100, 0, 0)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%w: time value of %d characters", ErrMalformed, len(s))
}

// String decodes a string value, primitive or constructed, as
// DecodeString does.
func (v Value) String() (string, error) {
	b, err := v.Bytes()
	if err != nil {
		return "", err
	}
	return DecodeString(v.Tag&^0x20, b)
}
