package sm

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// Errors of secure messaging. Both ends use them; the chip maps them to
// status words with ChipStatus.
var (
	// ErrMAC: the checksum (DO'8E') does not match. The session is closed.
	ErrMAC = errors.New("secure messaging: MAC mismatch")
	// ErrMissingObjects: a protected message lacks a mandatory data object
	// (DO'8E'). The session is closed.
	ErrMissingObjects = errors.New("secure messaging: data objects missing")
	// ErrMalformed: the data objects cannot be decoded, are out of order,
	// or decrypt to badly padded data. The session is closed.
	ErrMalformed = errors.New("secure messaging: malformed data objects")
	// ErrClosed: the session was closed by an earlier failure; the reader
	// must authenticate again.
	ErrClosed = errors.New("secure messaging: session closed")
)

// PlainStatusError is a response that carries a status word but no secure
// messaging data objects: the chip rejected the command before (or instead
// of) processing it under secure messaging. The reader's send sequence
// counter is left as it was before the command, so a smaller retry stays in
// step with a chip that never counted the command; if the chip did drop its
// session, the next command fails too and the caller authenticates again.
type PlainStatusError struct {
	SW apdu.SW
}

func (e *PlainStatusError) Error() string {
	return fmt.Sprintf("secure messaging: chip answered %v without secure messaging", e.SW)
}

// ChipStatus is the status word a chip answers (unprotected) when
// UnwrapCommand fails with err: 6987 when data objects are missing, 6988
// otherwise.
func ChipStatus(err error) apdu.SW {
	if errors.Is(err, ErrMissingObjects) {
		return apdu.SWSMDataObjectsMissing
	}
	return apdu.SWSMDataObjectsIncorrect
}

// State is the state of a session.
type State int

const (
	// Open: messages are protected and checked.
	Open State = iota
	// Closed: a message failed its checks (or Close was called). A chip
	// drops its access rights with it; the reader must authenticate again.
	Closed
)

func (s State) String() string {
	if s == Open {
		return "open"
	}
	return "closed"
}

// Session is one end of a secure messaging session: the session keys and
// the send sequence counter (SSC). The reader uses WrapCommand and
// UnwrapResponse (or a Channel around them), the chip UnwrapCommand and
// WrapResponse. A Session is not safe for concurrent use.
type Session struct {
	cipher Cipher
	enc    cipher.Block
	retail retail       // 3DES only: the retail MAC key schedules
	mac    cipher.Block // AES only: the CMAC block cipher
	ssc    []byte
	saved  []byte // reader: the SSC before the last WrapCommand
	state  State
	oddINS bool // chip: the last command had an odd INS (answer in DO'85')
}

// NewSession starts a session with the given session keys and initial send
// sequence counter (8 bytes for 3DES, 16 for AES; nil means zero, as after
// PACE and Chip Authentication). The keys are copied.
func NewSession(c Cipher, ksEnc, ksMAC, ssc []byte) (*Session, error) {
	enc, err := c.NewBlock(ksEnc)
	if err != nil {
		return nil, fmt.Errorf("session encryption key: %w", err)
	}
	if len(ksMAC) != c.KeySize() {
		return nil, fmt.Errorf("session MAC key: %w: %v with a %d-byte key", ErrKey, c, len(ksMAC))
	}
	s := &Session{cipher: c, enc: enc}
	if c == TDES {
		s.retail, err = newRetail(ksMAC)
	} else {
		s.mac, err = c.NewBlock(ksMAC)
	}
	if err != nil {
		return nil, fmt.Errorf("session MAC key: %w", err)
	}
	switch {
	case ssc == nil:
		s.ssc = make([]byte, c.BlockSize())
	case len(ssc) == c.BlockSize():
		s.ssc = append([]byte(nil), ssc...)
	default:
		return nil, fmt.Errorf("secure messaging: %v needs a %d-byte send sequence counter, got %d", c, c.BlockSize(), len(ssc))
	}
	return s, nil
}

// Cipher returns the session's cipher suite.
func (s *Session) Cipher() Cipher { return s.cipher }

// SSC returns a copy of the current send sequence counter.
func (s *Session) SSC() []byte { return append([]byte(nil), s.ssc...) }

// State reports whether the session is open.
func (s *Session) State() State { return s.state }

// Close ends the session; every later call fails with ErrClosed.
func (s *Session) Close() { s.state = Closed }

// fail closes the session and returns err.
func (s *Session) fail(err error) error {
	s.state = Closed
	return err
}

func (s *Session) incrementSSC() {
	for i := len(s.ssc) - 1; i >= 0; i-- {
		s.ssc[i]++
		if s.ssc[i] != 0 {
			return
		}
	}
}

// iv returns the CBC IV for the current SSC: zero for 3DES, E(KSenc, SSC)
// for AES.
func (s *Session) iv() []byte {
	iv := make([]byte, s.enc.BlockSize())
	if s.cipher != TDES {
		s.enc.Encrypt(iv, s.ssc)
	}
	return iv
}

func (s *Session) encrypt(plain []byte) []byte {
	data := Pad(plain, s.enc.BlockSize())
	cipher.NewCBCEncrypter(s.enc, s.iv()).CryptBlocks(data, data)
	return data
}

func (s *Session) decrypt(cryptogram []byte) ([]byte, error) {
	if len(cryptogram) == 0 || len(cryptogram)%s.enc.BlockSize() != 0 {
		return nil, fmt.Errorf("%w: cryptogram of %d bytes", ErrMalformed, len(cryptogram))
	}
	data := make([]byte, len(cryptogram))
	cipher.NewCBCDecrypter(s.enc, s.iv()).CryptBlocks(data, cryptogram)
	plain, err := Unpad(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return plain, nil
}

// checksum computes the 8-byte MAC over pad(SSC ‖ parts...).
func (s *Session) checksum(parts ...[]byte) []byte {
	n := len(s.ssc)
	for _, p := range parts {
		n += len(p)
	}
	in := make([]byte, 0, n)
	in = append(in, s.ssc...)
	for _, p := range parts {
		in = append(in, p...)
	}
	in = Pad(in, s.enc.BlockSize())
	if s.cipher == TDES {
		return s.retail.sum(in)
	}
	return CMAC(s.mac, in)[:8]
}

// header returns the padded protected command header CLA' INS P1 P2.
func (s *Session) header(cla, ins, p1, p2 byte) []byte {
	return Pad([]byte{cla | 0x0C, ins, p1, p2}, s.enc.BlockSize())
}

// encodeLe encodes Ne for DO'97': one byte up to 256 (00 = 256), two bytes
// above (0000 = 65536).
func encodeLe(ne int) []byte {
	switch {
	case ne <= apdu.MaxShortNe:
		return []byte{byte(ne)}
	case ne >= apdu.MaxExtendedNe:
		return []byte{0, 0}
	}
	return []byte{byte(ne >> 8), byte(ne)}
}

func decodeLe(b []byte) (int, error) {
	switch len(b) {
	case 1:
		if b[0] == 0 {
			return apdu.MaxShortNe, nil
		}
		return int(b[0]), nil
	case 2:
		ne := int(b[0])<<8 | int(b[1])
		if ne == 0 {
			return apdu.MaxExtendedNe, nil
		}
		return ne, nil
	}
	return 0, fmt.Errorf("%w: DO'97' of %d bytes", ErrMalformed, len(b))
}

// dataObject encodes the cryptogram of plain: DO'85' (no padding-content
// indicator) for odd instructions, whose data are BER-TLV, and DO'87' with
// indicator 01 otherwise.
func (s *Session) dataObject(plain []byte, odd bool) []byte {
	if odd {
		return tlv.Encode(0x85, s.encrypt(plain))
	}
	return tlv.Encode(0x87, []byte{0x01}, s.encrypt(plain))
}

// messageObjects are the data objects of one protected message.
type messageObjects struct {
	crypto   tlv.TLV // DO'87' or DO'85'; Tag 0 when absent
	le       tlv.TLV // DO'97' (commands)
	status   tlv.TLV // DO'99' (responses)
	checksum []byte  // value of DO'8E'
	macked   []byte  // the raw objects before DO'8E', the MAC input
}

// parseObjects decodes the data objects of a protected message in the
// order 87|85, 97 (commands) or 99 (responses), 8E. It never panics on
// hostile input.
func parseObjects(data []byte, command bool) (messageObjects, error) {
	var m messageObjects
	rest := data
	order := 0 // rank of the last object seen, to enforce the order
	for len(rest) > 0 {
		obj, next, err := tlv.Decode(rest)
		if err != nil {
			return m, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		rank := 0
		switch {
		case obj.Tag == 0x87 || obj.Tag == 0x85:
			rank = 1
			m.crypto = obj
		case obj.Tag == 0x97 && command:
			rank = 2
			m.le = obj
		case obj.Tag == 0x99 && !command:
			rank = 2
			m.status = obj
		case obj.Tag == 0x8E:
			if len(next) != 0 {
				return m, fmt.Errorf("%w: %d bytes after DO'8E'", ErrMalformed, len(next))
			}
			if len(obj.Value) != 8 {
				return m, fmt.Errorf("%w: DO'8E' of %d bytes", ErrMalformed, len(obj.Value))
			}
			m.checksum = obj.Value
			m.macked = data[:len(data)-len(obj.Raw)]
			return m, nil
		default:
			return m, fmt.Errorf("%w: unexpected tag %X", ErrMalformed, obj.Tag)
		}
		if rank <= order {
			return m, fmt.Errorf("%w: tag %X out of order", ErrMalformed, obj.Tag)
		}
		order = rank
		rest = next
	}
	return m, fmt.Errorf("%w: no DO'8E'", ErrMissingObjects)
}

// cryptogram returns the encrypted bytes of DO'87' (after its padding
// indicator) or DO'85'.
func cryptogram(obj tlv.TLV) ([]byte, error) {
	if obj.Tag == 0x85 {
		return obj.Value, nil
	}
	if len(obj.Value) < 1 || obj.Value[0] != 0x01 {
		return nil, fmt.Errorf("%w: DO'87' without padding indicator 01", ErrMalformed)
	}
	return obj.Value[1:], nil
}

func (s *Session) verify(m messageObjects, parts ...[]byte) error {
	want := s.checksum(parts...)
	if subtle.ConstantTimeCompare(want, m.checksum) != 1 {
		return ErrMAC
	}
	return nil
}
