package ber

import (
	"encoding/asn1"
	"fmt"
)

// maxOIDLen bounds the contents of an OBJECT IDENTIFIER (real ones have
// fewer than 32 octets).
const maxOIDLen = 256

// maxArc bounds one arc so that it fits an int on every platform.
const maxArc = 1<<31 - 1

// ParseOID decodes the contents octets of an OBJECT IDENTIFIER (X.690
// §8.19): base-128 subidentifiers, the first one holding the first two
// arcs. A subidentifier must be minimal (no leading 0x80 octet, which
// X.690 forbids in BER as well as DER: two encodings of one identifier
// would compare unequal) and complete.
func ParseOID(b []byte) (asn1.ObjectIdentifier, error) {
	if len(b) == 0 || len(b) > maxOIDLen {
		return nil, fmt.Errorf("%w: object identifier of %d bytes", ErrMalformed, len(b))
	}
	if b[len(b)-1]&0x80 != 0 {
		return nil, fmt.Errorf("%w: object identifier truncated", ErrMalformed)
	}
	var arcs asn1.ObjectIdentifier
	val, start := 0, true
	for _, c := range b {
		if start && c == 0x80 {
			return nil, fmt.Errorf("%w: object identifier arc not minimal", ErrMalformed)
		}
		if val > maxArc>>7 {
			return nil, fmt.Errorf("%w: object identifier arc too large", ErrMalformed)
		}
		val = val<<7 | int(c&0x7F)
		start = c&0x80 == 0
		if !start {
			continue
		}
		if len(arcs) == 0 {
			first := min(val/40, 2)
			arcs = append(arcs, first, val-40*first)
		} else {
			arcs = append(arcs, val)
		}
		val = 0
	}
	return arcs, nil
}

// OIDContents encodes the contents octets of an OBJECT IDENTIFIER (tag
// and length left out, as MSE data objects and tests need them).
func OIDContents(oid asn1.ObjectIdentifier) ([]byte, error) {
	if len(oid) < 2 || oid[0] < 0 || oid[0] > 2 || oid[1] < 0 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, fmt.Errorf("%w: object identifier %v", ErrMalformed, oid)
	}
	out := appendArc(nil, oid[0]*40+oid[1])
	for _, arc := range oid[2:] {
		if arc < 0 {
			return nil, fmt.Errorf("%w: object identifier %v", ErrMalformed, oid)
		}
		out = appendArc(out, arc)
	}
	return out, nil
}

// MustOIDContents is OIDContents for identifiers the program defines
// (protocol constants); an invalid one is a programming error and panics.
func MustOIDContents(oid asn1.ObjectIdentifier) []byte {
	b, err := OIDContents(oid)
	if err != nil {
		panic(err)
	}
	return b
}

// appendArc appends one base-128 subidentifier, most significant group
// first, every group but the last with its high bit set.
func appendArc(dst []byte, arc int) []byte {
	n := 1
	for v := arc >> 7; v > 0; v >>= 7 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		c := byte(arc>>(7*i)) & 0x7F
		if i > 0 {
			c |= 0x80
		}
		dst = append(dst, c)
	}
	return dst
}
