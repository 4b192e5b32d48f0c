// Package lds parses the files of the ICAO 9303-10 Logical Data Structure
// into typed fields: EF.COM, the data groups DG1–DG16 (DG1, DG2, DG7, DG11,
// DG12, DG14 and DG15 in detail), the Vietnamese DG13 of the CCCD card, and
// the SecurityInfos of EF.CardAccess, DG14 and EF.CardSecurity. It also
// compares what the files say with each other and with the access key that
// opened the chip (CheckMRZAgainstDG13, CheckAccessKey).
//
// Every parser takes bytes from a chip that may be hostile: lengths are
// checked against the bytes present, nesting and counts are bounded, and no
// parser panics. Errors name the file, tag or field that failed, never the
// value. The types that carry personal data print a redaction through fmt
// (String, GoString, Format) and mark themselves with PersonalData, so a
// value that reaches a log by mistake shows nothing; JSON marshalling stays
// real, since that is how the data reaches the browser.
package lds

import (
	"errors"
	"fmt"
)

// Errors every parser wraps.
var (
	// ErrMalformed: the bytes do not have the structure the file requires.
	ErrMalformed = errors.New("lds: malformed")
	// ErrTooLarge: a count or size exceeds the bounds this package accepts.
	ErrTooLarge = errors.New("lds: too large")
	// ErrUnsupported: well-formed but of a kind this package does not decode.
	ErrUnsupported = errors.New("lds: unsupported")
)

// File describes one elementary file of the LDS: its data group number (0
// for files that are not data groups), the tag its content starts with (0
// for EF.CardAccess and EF.CardSecurity, which are bare DER), its file
// identifier and its short file identifier.
type File struct {
	Name string
	DG   int
	Tag  uint32
	FID  uint16
	SFI  byte
	// InMF is true for the files that live in the master file rather than
	// the eMRTD application (EF.CardAccess, EF.CardSecurity, EF.ATR/INFO,
	// EF.DIR).
	InMF bool
}

func (f File) String() string { return f.Name }

// The files of ICAO 9303-10 §4.6 and 9303-11 §9.2.
var (
	EFCOM          = File{Name: "EF.COM", Tag: 0x60, FID: 0x011E, SFI: 0x1E}
	EFSOD          = File{Name: "EF.SOD", Tag: 0x77, FID: 0x011D, SFI: 0x1D}
	EFCardAccess   = File{Name: "EF.CardAccess", FID: 0x011C, SFI: 0x1C, InMF: true}
	EFCardSecurity = File{Name: "EF.CardSecurity", FID: 0x011D, SFI: 0x1D, InMF: true}
	EFATRInfo      = File{Name: "EF.ATR/INFO", FID: 0x2F01, SFI: 0x01, InMF: true}
	EFDIR          = File{Name: "EF.DIR", FID: 0x2F00, SFI: 0x1E, InMF: true}
)

// dgTags holds the tag of DG1..DG16 (index 1..16).
var dgTags = [17]uint32{0, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70}

// DataGroup returns the file of data group n (1..16).
func DataGroup(n int) (File, bool) {
	if n < 1 || n > 16 {
		return File{}, false
	}
	return File{Name: fmt.Sprintf("DG%d", n), DG: n, Tag: dgTags[n], FID: 0x0100 + uint16(n), SFI: byte(n)}, true
}

// FileByTag returns the application file whose content starts with tag
// (DG1..DG16, EF.COM, EF.SOD).
func FileByTag(tag uint32) (File, bool) {
	switch tag {
	case EFCOM.Tag:
		return EFCOM, true
	case EFSOD.Tag:
		return EFSOD, true
	}
	for n := 1; n <= 16; n++ {
		if dgTags[n] == tag {
			return DataGroup(n)
		}
	}
	return File{}, false
}

// FileByFID returns the file of the eMRTD application (DG1..DG16, EF.COM,
// EF.SOD) with the given file identifier. Files of the master file share
// identifiers with it (EF.CardSecurity and EF.SOD are both 011D) and are
// not returned.
func FileByFID(fid uint16) (File, bool) {
	switch fid {
	case EFCOM.FID:
		return EFCOM, true
	case EFSOD.FID:
		return EFSOD, true
	}
	if fid > 0x0100 && fid <= 0x0110 {
		return DataGroup(int(fid - 0x0100))
	}
	return File{}, false
}

// DGByTag returns the data group number of a data group tag, 0 if the tag
// is none.
func DGByTag(tag uint32) int {
	for n := 1; n <= 16; n++ {
		if dgTags[n] == tag {
			return n
		}
	}
	return 0
}

// Bounds applied to hostile input. A real LDS file is at most some tens of
// kilobytes; the parsers refuse counts that could only come from an attack.
const (
	// MaxFileSize is the largest LDS file the parsers accept (a DG2 with a
	// high-resolution portrait, or a DG3 with ten fingerprints, fits).
	MaxFileSize = 1 << 20
	// maxItems bounds the number of entries of any list a file declares
	// (images, other names, SecurityInfos, DG13 fields).
	maxItems = 64
)

func checkSize(name string, b []byte) error {
	if len(b) > MaxFileSize {
		return fmt.Errorf("%w: %s of %d bytes exceeds %d", ErrTooLarge, name, len(b), MaxFileSize)
	}
	if len(b) == 0 {
		return fmt.Errorf("%w: %s is empty", ErrMalformed, name)
	}
	return nil
}
