package ber

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Character-string tags besides those above.
const (
	TagNumericString  = 0x12
	TagVideotexString = 0x15
	TagGraphicString  = 0x19
	TagGeneralString  = 0x1B
)

// IsStringTag reports whether tag is a primitive universal character-string
// type.
func IsStringTag(tag uint32) bool {
	switch tag {
	case TagUTF8String, TagNumericString, TagPrintableString, TagT61String, TagVideotexString, TagIA5String,
		TagGraphicString, TagVisibleString, TagGeneralString, TagUniversalString, TagBMPString:
		return true
	}
	return false
}

// DecodeString turns the contents of a character string of the given
// (primitive) type into UTF-8. It is the one string decoder of idagent,
// for certificate names as for LDS text:
//
//   - UTF8String is UTF-8; bytes that are not valid UTF-8 become U+FFFD.
//   - BMPString is UTF-16BE and UniversalString UCS-4BE; a dangling odd
//     byte (or an incomplete group of four) becomes U+FFFD.
//   - The 8-bit types (PrintableString, IA5String, T61String, ...) are
//     UTF-8 when they are valid UTF-8 (many issuers write it there),
//     else Latin-1 (ICAO 9303 before Unicode).
//
// A damaged string is text with its damage marked, never an error and
// never silently shortened: certificates and chips with such strings
// exist, their text is still shown and compared, and whoever reads it
// sees that something was wrong. The error is only for a tag that is not
// a string type.
func DecodeString(tag uint32, b []byte) (string, error) {
	switch tag {
	case TagUTF8String:
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	case TagBMPString:
		return decodeBMP(b), nil
	case TagUniversalString:
		return decodeUniversal(b), nil
	}
	if !IsStringTag(tag) {
		return "", fmt.Errorf("%w: tag %X is not a string", ErrMalformed, tag)
	}
	return DecodeEightBit(b), nil
}

// DecodeEightBit reads an 8-bit string as UTF-8 when it is valid UTF-8,
// else as Latin-1: the rule of the 8-bit string types above, and of LDS
// text data objects, which carry no type.
func DecodeEightBit(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return latin1(b)
}

func decodeBMP(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	s := string(utf16.Decode(u))
	if len(b)%2 != 0 {
		s += "\uFFFD"
	}
	return s
}

func decodeUniversal(b []byte) string {
	var sb strings.Builder
	for i := 0; i+4 <= len(b); i += 4 {
		// WriteRune writes U+FFFD for surrogates and values past U+10FFFF.
		sb.WriteRune(rune(uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])))
	}
	if len(b)%4 != 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
