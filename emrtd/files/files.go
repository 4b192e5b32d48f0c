// Package files reads the elementary files of an eMRTD over an
// nfc.Transport, plain or under secure messaging: SELECT of the eMRTD
// application and of EFs, READ BINARY at any offset (odd INS B1 with DO'54'
// above 32767), reads by short file identifier, and whole-file reads that
// approach the link limit.
//
// A Reader learns what the chip and the reader allow and remembers it for
// the read, across re-opened sessions (Link; Options.Hints starts from an
// earlier read's): whether extended length works, the largest chunk the
// chip answers (stepping down 64K → 4K → 256 → 223 → 192 → 160 → 112 on 6700,
// 6B00, 6282 without data or short answers), whether short file
// identifiers work at the master file and in the application, whether the
// chip refuses reads past the end of a file (then each file's header is
// read first). A whole-file read asks for everything in its first READ
// BINARY, learns the length from the TLV header and reads the rest; it
// refuses files above a size limit. When the chip drops the secure
// messaging session mid-file, a Reader over a Recoverer (emrtd/session,
// the owner of session recovery) asks it to Recover and resumes at the
// byte where it stopped.
//
// Absent (6A82) and protected (6982) files are reported with ErrNotFound
// and ErrProtected, which are not failures of the read. Under secure
// messaging only a protected 6A82 means absent: an unprotected one is
// ErrUnprotected.
package files

import (
	"errors"
	"fmt"
)

// AID is the application identifier of the eMRTD (LDS1) application.
var AID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// File names an elementary file: its file identifier and, when it has one,
// its short file identifier (1–30; 0 for none). MF marks the files of the
// master file (EF.CardAccess, EF.CardSecurity); the others are the LDS1
// application's.
type File struct {
	Name string
	FID  uint16
	SFI  byte
	MF   bool
}

func (f File) String() string { return f.Name }

// Files of ICAO 9303-10 §4.6 that the reader opens before knowing more.
var (
	EFCOM        = File{Name: "EF.COM", FID: 0x011E, SFI: 0x1E}
	EFSOD        = File{Name: "EF.SOD", FID: 0x011D, SFI: 0x1D}
	EFCardAccess = File{Name: "EF.CardAccess", FID: 0x011C, SFI: 0x1C, MF: true}
	// EFCardSecurity is in the master file (read it before selecting the
	// eMRTD application, whose EF.SOD has the same identifiers).
	EFCardSecurity = File{Name: "EF.CardSecurity", FID: 0x011D, SFI: 0x1D, MF: true}
)

// DataGroup returns the file of data group n (1–16).
func DataGroup(n int) File {
	return File{Name: fmt.Sprintf("DG%d", n), FID: 0x0100 + uint16(n), SFI: byte(n)}
}

// Errors of file access.
var (
	// ErrNotFound: the file or application is absent (6A82).
	ErrNotFound = errors.New("file not found")
	// ErrProtected: the file exists but its access conditions are not met
	// (6982), such as DG3 behind Terminal Authentication.
	ErrProtected = errors.New("file is protected")
	// ErrUnprotected: during secure messaging the answer was an
	// unprotected "not found" (6A82) instead of a protected one. Anyone on
	// the link can send that, so it says nothing about the file: it is
	// not ErrNotFound.
	ErrUnprotected = errors.New("unprotected answer during secure messaging")
	// ErrTooLarge: the file claims more bytes than the reader accepts.
	ErrTooLarge = errors.New("file too large")
	// ErrTruncated: the chip ended the file before the length its header
	// claims.
	ErrTruncated = errors.New("file ends before its declared length")
)

// Stats counts what went over the link.
type Stats struct {
	Exchanges int   `json:"exchanges"` // command-response pairs, GET RESPONSE included
	BytesOut  int64 `json:"bytesOut"`  // command bytes sent to the card
	BytesIn   int64 `json:"bytesIn"`   // response bytes received, status words included
}

// Sub returns s − t, the traffic between two snapshots.
func (s Stats) Sub(t Stats) Stats {
	return Stats{Exchanges: s.Exchanges - t.Exchanges, BytesOut: s.BytesOut - t.BytesOut, BytesIn: s.BytesIn - t.BytesIn}
}

// Add returns s + t.
func (s Stats) Add(t Stats) Stats {
	return Stats{Exchanges: s.Exchanges + t.Exchanges, BytesOut: s.BytesOut + t.BytesOut, BytesIn: s.BytesIn + t.BytesIn}
}
