package ber

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/idagent/idagent/emrtd/tlv"
)

// maxDERDepth bounds the nesting ToDER follows.
const maxDERDepth = 64

// ToDER re-encodes one BER value in DER: definite minimal lengths,
// constructed strings joined into primitive ones, SET OF elements sorted.
// Values that already are DER come back byte for byte.
func ToDER(b []byte) ([]byte, error) {
	v, err := Decode(b)
	if err != nil {
		return nil, err
	}
	return v.toDER(0)
}

func (v Value) toDER(depth int) ([]byte, error) {
	if depth > maxDERDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, maxDERDepth)
	}
	if !v.Constructed() {
		return tlv.Encode(v.Tag, v.Content), nil
	}
	switch v.Tag {
	case TagOctetString | 0x20, TagBitString | 0x20, TagUTF8String | 0x20, TagPrintableString | 0x20,
		TagIA5String | 0x20, TagT61String | 0x20, TagBMPString | 0x20, TagUTCTime | 0x20, TagGeneralizedTime | 0x20:
		if v.Tag == TagBitString|0x20 {
			return nil, fmt.Errorf("%w: constructed BIT STRING", ErrMalformed)
		}
		b, err := v.Bytes()
		if err != nil {
			return nil, err
		}
		return tlv.Encode(v.Tag&^0x20, b), nil
	}
	var parts [][]byte
	r := v.Children()
	for !r.Empty() {
		c, err := r.Next()
		if err != nil {
			return nil, err
		}
		d, err := c.toDER(depth + 1)
		if err != nil {
			return nil, err
		}
		parts = append(parts, d)
	}
	if v.Tag == TagSet {
		slices.SortFunc(parts, bytes.Compare)
	}
	return tlv.Encode(v.Tag, parts...), nil
}
