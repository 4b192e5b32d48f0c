package sim

// Limits are the APDU limits of the chip.
type Limits struct {
	// NoExtended: the chip takes short APDUs only; an extended command is
	// answered 6700 (unprotected, not counted by secure messaging).
	NoExtended bool
	// MaxResponse is the largest response data field (protected objects
	// included under secure messaging) the chip sends for READ BINARY; 0
	// means no limit beyond the APDU's own (256 bytes for a short command,
	// 65536 for an extended one). See OverLimit for what happens above it.
	MaxResponse int
	// OverLimit says how the chip answers a READ BINARY whose answer would
	// exceed MaxResponse.
	OverLimit OverLimit
}

// OverLimit is a chip's behaviour when a read asks for more than it sends.
type OverLimit int

const (
	// WrongLength: the chip answers a plain 6700 before secure messaging
	// processes the command, so the send sequence counter is not advanced
	// and the session stays open (as the passport of gmrtd #457 does). A
	// reader retries with a smaller Le.
	WrongLength OverLimit = iota
	// ShortRead: the chip sends as many bytes as fit and 9000; the reader
	// sees fewer bytes than it asked for and continues at the next offset.
	ShortRead
)
