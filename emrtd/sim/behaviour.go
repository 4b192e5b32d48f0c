package sim

import (
	"time"

	"github.com/idagent/idagent/nfc/apdu"
)

// Behaviour are the chip's behaviour knobs that quirks set (the zero value
// is the well-behaved chip of the profiles). Quirks of the transport,
// secure messaging and file access set them (quirks_transport.go); the
// chip consults them in respond, readBinary, selectFile and the protocol
// dispatch.
type Behaviour struct {
	// SMErrors is how the chip answers a protected command it refuses
	// (SM-02): protected with the session kept (the default), or plain.
	SMErrors SMErrorMode
	// AbortSelectsMF: when the chip ends secure messaging (an error, a
	// plain command) it also selects the master file (SM-01), so a reader
	// that re-opens the session must select the application again.
	AbortSelectsMF bool

	// NoSFI: READ BINARY by short file identifier answers 6A82 (FA-03);
	// NoSFIInApplication: only for the files of the LDS application
	// (EF.CardAccess at the master file still reads by SFI).
	NoSFI              bool
	NoSFIInApplication bool
	// CardAccess is how EF.CardAccess can be reached (FA-02).
	CardAccess CardAccessRoute
	// CardAccessSelectSW answers a SELECT of EF.CardAccess (which still
	// selects it), 0 for 9000: Malaysian passports answer 6283 (FA-02).
	CardAccessSelectSW apdu.SW
	// SelectBeforeAccess: SELECT of an LDS file before access control
	// answers 9000 (reads still answer 6982), instead of 6982 (FA-05).
	SelectBeforeAccess bool
	// EndOfFile is how a READ BINARY asking past the end of a file is
	// answered (FA-06).
	EndOfFile EndOfFile

	// Le00 answers a protected READ BINARY with a short Le of 00 (256
	// bytes), 0 to serve it (T-01); Le00Aborts ends the session with it.
	Le00       apdu.SW
	Le00Aborts bool
	// MaxRead is the most plain data one READ BINARY returns, 0 for no
	// limit beyond the APDU's; MaxReadOver says what a larger Le gets
	// (T-02).
	MaxRead     int
	MaxReadOver OverLimit
	// ExtendedEmpty: a command with an extended Le (more than 256 bytes
	// expected) is answered 9000 without data (T-03, T-04).
	ExtendedEmpty bool
	// AACut: INTERNAL AUTHENTICATE with a short Le answers the signature
	// cut to what fits a short response (231 bytes under 3DES), 9000
	// (T-04).
	AACut bool
	// GetResponse: the answers with data to these instructions come as
	// 61xx, the data through GET RESPONSE (T-05). Nil: none.
	GetResponse func(ins byte) bool
	// StrictCase3: SELECT with P2=0C and MSE sent with an Le answer 6700
	// (T-07).
	StrictCase3 bool
	// BACDelay delays the EXTERNAL AUTHENTICATE that follows a refused one,
	// even a correct one and even after a reset (T-08).
	BACDelay time.Duration

	// SODLastBlockMAC: the protected answer to a READ BINARY of EF.SOD
	// asking with a short explicit Le for exactly the bytes left carries a
	// wrong MAC (SM-04).
	SODLastBlockMAC bool

	// NoBACAfterPACE: once a PACE command was taken, BAC's commands
	// answer 6985 until a reset (AC-03).
	NoBACAfterPACE bool
	// CAFailureEndsSession: a refused chip authentication command (MSE,
	// GENERAL AUTHENTICATE) ends secure messaging, whatever SMErrors says;
	// by default the chip goes on under the old keys and SSC (SM-05).
	CAFailureEndsSession bool
}

// SMErrorMode is how a chip answers a protected command it refuses.
type SMErrorMode int

const (
	// SMErrorProtected: the status word comes protected (DO'99' and
	// DO'8E'), the session stays and the SSC moves as for any response
	// (SM-02a: Norway's `99 02 6C 80`).
	SMErrorProtected SMErrorMode = iota
	// SMErrorPlainAbort: the status word comes plain and the chip ends
	// secure messaging (SM-02b: the Russian passport's 6B00, then 6988).
	SMErrorPlainAbort
	// SMErrorPlainCounted: plain status word, session kept; the chip
	// counted the command in its SSC but not the response, so a reader
	// that rolls its SSC back loses the session (SM-02c: a Chinese
	// passport; the BAC passport of issue 14 after an SFI read).
	SMErrorPlainCounted
	// SMErrorPlainUncounted: plain status word, session kept, SSC as
	// before the command (the error was raised before secure messaging
	// looked at it; gmrtd #457, JMRTD's roll-back).
	SMErrorPlainUncounted
)

// CardAccessRoute is how EF.CardAccess can be reached.
type CardAccessRoute int

const (
	CardAccessAny        CardAccessRoute = iota
	CardAccessSFIOnly                    // SELECT 011C answers 6A82
	CardAccessSelectOnly                 // READ BINARY by SFI 1C answers 6A82
)

// EndOfFile is how a chip answers a READ BINARY whose Le reaches past the
// end of the file (the file has fewer bytes left than asked for).
type EndOfFile int

const (
	// EOFLenient: the bytes left, with 6282 when the Le was explicit and
	// 9000 when it was 00 (all available); 6B00 at or past the end.
	EOFLenient      EndOfFile = iota
	EOFWarning                // the bytes left with 6282, whatever the Le
	EOFWarningEmpty           // 6282 without data
	EOFWrongLength            // 6700
	EOFWrongP1P2              // 6B00
	EOFExactLength            // 6Cxx, xx = the bytes left (00 for 256 or more)
)

// isError reports a status word that refuses the command (not success, a
// warning, or more data available).
func isError(sw apdu.SW) bool {
	switch sw.SW1() {
	case 0x90, 0x61, 0x62, 0x63:
		return false
	}
	return true
}
