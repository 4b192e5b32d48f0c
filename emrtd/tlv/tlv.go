// Package tlv reads and writes the BER-TLV data objects of ISO/IEC 7816-4
// and ICAO 9303 (LDS files, secure messaging, PACE and CA exchanges).
//
// Tags are kept as the big-endian integer of their bytes (0x5F1F, 0x7F61),
// as the specifications write them. Decoding never trusts a length: every
// length is checked against the bytes present, so a hostile chip cannot make
// it allocate or loop.
package tlv

import (
	"errors"
	"fmt"
)

// TLV is one decoded data object.
type TLV struct {
	Tag   uint32
	Value []byte // for an indefinite-length object, the content without the 00 00 end
	Raw   []byte // the whole encoding: tag, length and value
}

// Constructed reports whether the tag says the value holds nested objects.
func (t TLV) Constructed() bool { return IsConstructed(t.Tag) }

// Children decodes the value as a sequence of objects.
func (t TLV) Children() ([]TLV, error) { return DecodeAll(t.Value) }

// IsConstructed reports whether bit 6 of the tag's first byte is set.
func IsConstructed(tag uint32) bool {
	first := tag
	for first > 0xFF {
		first >>= 8
	}
	return first&0x20 != 0
}

// maxDepth bounds nested indefinite-length objects.
const maxDepth = 32

// Errors a caller may want to tell apart.
var (
	ErrTruncated = errors.New("tlv: truncated")
	ErrMalformed = errors.New("tlv: malformed")
)

// Header decodes the tag and length of the object at the start of b. It
// needs only the header bytes, so a reader can learn a file's length from its
// first few bytes. length is -1 for the indefinite form.
func Header(b []byte) (tag uint32, length, headerLen int, err error) {
	tag, n, err := decodeTag(b)
	if err != nil {
		return 0, 0, 0, err
	}
	length, m, err := decodeLength(b[n:])
	if err != nil {
		return 0, 0, 0, err
	}
	if length < 0 && !IsConstructed(tag) {
		return 0, 0, 0, fmt.Errorf("%w: indefinite length on primitive tag %X", ErrMalformed, tag)
	}
	return tag, length, n + m, nil
}

// Decode decodes the first object of b and returns it with the bytes that
// follow it.
func Decode(b []byte) (TLV, []byte, error) { return decode(b, 0) }

func decode(b []byte, depth int) (TLV, []byte, error) {
	if depth > maxDepth {
		return TLV{}, nil, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, maxDepth)
	}
	tag, length, hl, err := Header(b)
	if err != nil {
		return TLV{}, nil, err
	}
	if length >= 0 {
		if length > len(b)-hl {
			return TLV{}, nil, fmt.Errorf("%w: tag %X says %d bytes, %d present", ErrTruncated, tag, length, len(b)-hl)
		}
		end := hl + length
		return TLV{Tag: tag, Value: b[hl:end:end], Raw: b[:end:end]}, b[end:], nil
	}
	// Indefinite length: walk the nested objects up to the end-of-contents.
	rest := b[hl:]
	for {
		if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
			end := len(b) - len(rest)
			return TLV{Tag: tag, Value: b[hl:end:end], Raw: b[: end+2 : end+2]}, rest[2:], nil
		}
		if len(rest) == 0 {
			return TLV{}, nil, fmt.Errorf("%w: tag %X has no end-of-contents", ErrTruncated, tag)
		}
		if _, rest, err = decode(rest, depth+1); err != nil {
			return TLV{}, nil, err
		}
	}
}

// DecodeAll decodes a sequence of objects that fills b exactly.
func DecodeAll(b []byte) ([]TLV, error) {
	var out []TLV
	for len(b) > 0 {
		t, rest, err := Decode(b)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		b = rest
	}
	return out, nil
}

// Find returns the first object with the given tag among the objects that
// fill b (not searching nested ones).
func Find(b []byte, tag uint32) (TLV, bool, error) {
	for len(b) > 0 {
		t, rest, err := Decode(b)
		if err != nil {
			return TLV{}, false, err
		}
		if t.Tag == tag {
			return t, true, nil
		}
		b = rest
	}
	return TLV{}, false, nil
}

// Unwrap decodes b as exactly one object with the given tag and returns its
// value.
func Unwrap(b []byte, tag uint32) ([]byte, error) {
	t, rest, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != tag {
		return nil, fmt.Errorf("%w: tag %X where %X was expected", ErrMalformed, t.Tag, tag)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after tag %X", ErrMalformed, len(rest), tag)
	}
	return t.Value, nil
}

func decodeTag(b []byte) (uint32, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("%w: no tag", ErrTruncated)
	}
	tag := uint32(b[0])
	if b[0] == 0x00 || b[0] == 0xFF {
		return 0, 0, fmt.Errorf("%w: invalid tag byte %02X", ErrMalformed, b[0])
	}
	if b[0]&0x1F != 0x1F {
		return tag, 1, nil
	}
	for i := 1; i < 3; i++ {
		if i >= len(b) {
			return 0, 0, fmt.Errorf("%w: multi-byte tag", ErrTruncated)
		}
		tag = tag<<8 | uint32(b[i])
		if b[i]&0x80 == 0 {
			return tag, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: tag longer than 3 bytes", ErrMalformed)
}

// decodeLength returns -1 for the indefinite form (0x80).
func decodeLength(b []byte) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("%w: no length", ErrTruncated)
	}
	first := b[0]
	if first < 0x80 {
		return int(first), 1, nil
	}
	if first == 0x80 {
		return -1, 1, nil
	}
	n := int(first & 0x7F)
	if n > 4 {
		return 0, 0, fmt.Errorf("%w: length of %d bytes", ErrMalformed, n)
	}
	if len(b) < 1+n {
		return 0, 0, fmt.Errorf("%w: length field", ErrTruncated)
	}
	length := 0
	for _, c := range b[1 : 1+n] {
		length = length<<8 | int(c)
	}
	if length < 0 || length > 1<<30 {
		return 0, 0, fmt.Errorf("%w: length %d out of range", ErrMalformed, length)
	}
	return length, 1 + n, nil
}

// EncodeLength encodes a definite length in the shortest form.
func EncodeLength(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n <= 0xFF:
		return []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		return []byte{0x82, byte(n >> 8), byte(n)}
	case n <= 0xFFFFFF:
		return []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// EncodeTag encodes a tag in its bytes.
func EncodeTag(tag uint32) []byte {
	switch {
	case tag > 0xFFFF:
		return []byte{byte(tag >> 16), byte(tag >> 8), byte(tag)}
	case tag > 0xFF:
		return []byte{byte(tag >> 8), byte(tag)}
	}
	return []byte{byte(tag)}
}

// Encode encodes one object with a definite length. Several values are
// concatenated into the object's value.
func Encode(tag uint32, values ...[]byte) []byte {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	out := EncodeTag(tag)
	out = append(out, EncodeLength(n)...)
	for _, v := range values {
		out = append(out, v...)
	}
	return out
}
