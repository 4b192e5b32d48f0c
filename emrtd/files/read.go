package files

import (
	"context"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// minChunk is the smallest chunk a chip may answer mid-file: a chip that
// drips fewer bytes per read would keep the reader busy for nothing.
const minChunk = 16

// maxOffsetB0 is the largest offset READ BINARY (B0) can address in P1-P2.
const maxOffsetB0 = 0x7FFF

// ReadFile reads the whole of f. The first READ BINARY (by short file
// identifier when it has one, saving the SELECT) asks for as much as the
// link allows; the length comes from the TLV header of the first bytes;
// the rest is read in the largest chunks the chip answers. Files with an
// indefinite-length header are read to their end. Errors wrap ErrNotFound,
// ErrProtected, ErrTooLarge, ErrTruncated, access errors of the
// re-authentication, or the transport's errors (nfc.ErrCardRemoved, ...).
func (r *Reader) ReadFile(ctx context.Context, f File) ([]byte, error) {
	data, err := r.readFile(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	return data, nil
}

// fileState is the progress of one whole-file read.
type fileState struct {
	buf        []byte
	total      int // header plus value length; -1 while unknown
	indefinite bool
}

func (s *fileState) done() bool { return s.total >= 0 && len(s.buf) >= s.total }

// want is how much the next READ BINARY asks for.
func (s *fileState) want(chunk int) int {
	if s.total < 0 {
		return chunk
	}
	return min(chunk, s.total-len(s.buf))
}

func (r *Reader) readFile(ctx context.Context, f File) ([]byte, error) {
	s := &fileState{total: -1}
	lostAt := -1 // offset of the last lost session
	for !s.done() {
		want := s.want(r.chunk)
		o, err := r.readAt(ctx, f, len(s.buf), want)
		if sessionLost(o, err) {
			if lostAt == len(s.buf) && err == nil && o.sw == apdu.SWSecurityStatus {
				// Unprotected 6982 again right after a new session: the
				// chip protects the file, it did not lose the session.
				return nil, ErrProtected
			}
			if lostAt == len(s.buf) && !r.stepDown() {
				// Lost again where it was lost before, even with the
				// smallest reads: the chip will not give this part.
				return nil, fmt.Errorf("secure messaging session lost twice at offset %d: %w", lostAt, lostCause(o, err))
			}
			lostAt = len(s.buf)
			if err := r.reauthenticate(ctx, lostCause(o, err)); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			if r.linkRefused(err, want) {
				continue
			}
			return nil, err
		}
		end, err := r.absorb(s, o, want)
		if err != nil {
			return nil, err
		}
		if end {
			break
		}
	}
	if s.total >= 0 && len(s.buf) > s.total {
		s.buf = s.buf[:s.total]
	}
	return s.buf, nil
}

// absorb handles one READ BINARY outcome: it appends the data, learns the
// file's length and the chip's limits, or steps down. end reports that the
// file ended (by 6282, an empty answer or an offset past the end).
func (r *Reader) absorb(s *fileState, o outcome, want int) (end bool, err error) {
	switch o.sw {
	case apdu.SWOK, apdu.SWEndOfFile:
	case apdu.SWWrongLength, apdu.SWWrongP1P2:
		if o.sw == apdu.SWWrongP1P2 && len(s.buf) > 0 && s.total < 0 {
			return true, nil // offset past the end of an indefinite-length file
		}
		if !r.stepDown() {
			if o.sw == apdu.SWWrongP1P2 && len(s.buf) > 0 {
				// Even the smallest read is past the end.
				return false, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(s.buf), s.total)
			}
			return false, &apdu.Error{Command: "READ BINARY", SW: o.sw}
		}
		return false, nil
	case apdu.SWNoPreciseDiagnosis:
		// vpcd and some readers replace a response too long for them by
		// 6F00: ask for less.
		if want <= apdu.MaxShortNe || !r.stepDown() {
			return false, &apdu.Error{Command: "READ BINARY", SW: o.sw}
		}
		return false, nil
	case apdu.SWFileNotFound:
		return false, notFound(o)
	case apdu.SWSecurityStatus:
		return false, ErrProtected
	default:
		return false, &apdu.Error{Command: "READ BINARY", SW: o.sw}
	}
	if want > apdu.MaxShortNe && r.extended == unknown {
		r.extended = yes
	}
	s.buf = append(s.buf, o.data...)
	if s.total < 0 && !s.indefinite {
		if err := r.learnLength(s); err != nil {
			return false, err
		}
	}
	if len(s.buf) > r.maxFileSize() {
		return false, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.maxFileSize())
	}
	if s.done() {
		return true, nil
	}
	if o.sw == apdu.SWEndOfFile || len(o.data) == 0 {
		if s.total >= 0 {
			return false, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(s.buf), s.total)
		}
		return true, nil
	}
	if len(o.data) < want && s.total >= 0 {
		// The chip sends less than asked and the file goes on: that is its
		// limit (or the reader's); ask for no more from now on. An answer
		// below the ladder's smallest step is taken as it is without
		// shrinking the chunk, so one odd answer cannot slow the whole
		// session down.
		if len(o.data) < minChunk {
			return false, fmt.Errorf("chip answers %d bytes per read, fewer than %d", len(o.data), minChunk)
		}
		if len(o.data) >= ladder[len(ladder)-1] {
			r.chunk = len(o.data)
		}
	}
	return false, nil
}

// linkRefused handles a transport error of a READ BINARY that the reader
// or its driver could not carry: it steps down and reports whether to try
// again. Under secure messaging a response the reader dropped was still
// counted by the chip: the next command then fails its MAC, the chip drops
// the session and the read re-authenticates as for any lost session.
func (r *Reader) linkRefused(err error, want int) bool {
	if fatal(err) {
		return false
	}
	if errors.Is(err, nfc.ErrAPDUTooLong) {
		if want > apdu.MaxShortNe && r.extended != yes {
			// The reader passes short APDUs only. Under secure messaging
			// the protected answer to more than 223 bytes does not fit a
			// short response either.
			r.extended, r.chunk = no, apdu.MaxShortNe
			if r.secure() {
				r.chunk = shortSMChunk
			}
			return true
		}
		return r.stepDown()
	}
	if want > apdu.MaxShortNe && r.extended != yes {
		// An untyped failure of the first extended command: the reader (or
		// driver) does not carry extended length.
		r.extended, r.chunk = no, apdu.MaxShortNe
		return true
	}
	return false
}

// secure reports whether the transport is a secure messaging channel.
func (r *Reader) secure() bool {
	_, ok := r.t.(*sm.Channel)
	return ok
}

// learnLength reads the TLV header at the start of the file.
func (r *Reader) learnLength(s *fileState) error {
	_, length, hl, err := tlv.Header(s.buf)
	switch {
	case errors.Is(err, tlv.ErrTruncated):
		return nil // need more bytes
	case err != nil:
		return fmt.Errorf("file header: %w", err)
	case length < 0:
		s.indefinite = true
		return nil
	}
	s.total = hl + length
	if s.total > r.maxFileSize() {
		return fmt.Errorf("%w: it claims %d bytes, the limit is %d", ErrTooLarge, s.total, r.maxFileSize())
	}
	return nil
}

// stepDown moves to the next smaller READ BINARY length of the ladder.
func (r *Reader) stepDown() bool {
	for _, n := range ladder {
		if n < r.chunk {
			if n <= apdu.MaxShortNe && r.extended == unknown {
				r.extended = no
			}
			r.chunk = n
			return true
		}
	}
	return false
}

// readAt reads up to n bytes of f at offset: by short file identifier when
// f is not selected yet (and the offset fits P2), else after a SELECT, with
// B0 up to offset 32767 and B1 with DO'54' beyond.
func (r *Reader) readAt(ctx context.Context, f File, offset, n int) (outcome, error) {
	if o, ok := r.takeFirstRead(f, offset, n); ok {
		return o, nil
	}
	if r.current != f.FID {
		if f.SFI != 0 && r.sfi != no && offset <= 0xFF {
			o, err, final := r.readBySFI(ctx, f, offset, n)
			if final || err != nil {
				return o, err
			}
		}
		o, err := r.selectEF(ctx, f)
		if err != nil || o.sw != apdu.SWOK {
			return o, err
		}
		if r.sfi == unknown && f.SFI != 0 && !r.opts.NoSFI && offset <= 0xFF {
			r.sfi = no // the SFI read failed where the SELECT works
		}
	}
	if offset > maxOffsetB0 {
		return r.readOdd(ctx, offset, n)
	}
	return r.do(ctx, r.readCommand(byte(offset>>8), byte(offset), n))
}

func (r *Reader) readCommand(p1, p2 byte, n int) apdu.Command {
	cmd := apdu.Command{INS: apdu.InsReadBinary, P1: p1, P2: p2, Ne: n}
	// Above 223 bytes a protected answer no longer fits a short response:
	// ask with an extended Le when the link is known to carry it.
	cmd.ForceExtended = r.extended == yes && n > shortSMChunk
	return cmd
}

// readBySFI tries READ BINARY with P1 = 80|SFI. final is false when the
// caller should fall back to SELECT: the chip refused short file
// identifiers, or answered 6A82 before they were known to work.
func (r *Reader) readBySFI(ctx context.Context, f File, offset, n int) (o outcome, err error, final bool) {
	o, err = r.do(ctx, r.readCommand(0x80|f.SFI, byte(offset), n))
	if err != nil {
		return o, err, true
	}
	return o, nil, r.sfiAnswer(f, o)
}

// sfiAnswer learns from the answer to a READ BINARY by short file
// identifier of f and reports whether it is final (false: fall back to
// SELECT).
func (r *Reader) sfiAnswer(f File, o outcome) bool {
	switch o.sw {
	case apdu.SWOK, apdu.SWEndOfFile:
		r.sfi, r.current = yes, f.FID
		return true
	case apdu.SWFileNotFound:
		return r.sfi == yes
	case apdu.SWIncorrectP1P2, apdu.SWFunctionNotSupported, apdu.SWFileStructure, apdu.SWINSNotSupported,
		apdu.SWWrongP1P2, apdu.SWLcInconsistentWithP1P2, apdu.SWReferenceDataNotFound, apdu.SWNoCurrentEF,
		apdu.SWCommandNotAllowed:
		if r.sfi == unknown {
			r.sfi = no
			return false
		}
	}
	return true
}

// readOdd reads with READ BINARY B1 (offset in DO'54', data in DO'53') from
// the current EF. Ne covers the DO'53' header.
func (r *Reader) readOdd(ctx context.Context, offset, n int) (outcome, error) {
	off := []byte{byte(offset >> 16), byte(offset >> 8), byte(offset)}
	for len(off) > 1 && off[0] == 0 {
		off = off[1:]
	}
	cmd := apdu.Command{INS: apdu.InsReadBinaryOdd, Data: tlv.Encode(0x54, off), Ne: min(n+4, apdu.MaxExtendedNe)}
	cmd.ForceExtended = r.extended == yes && cmd.Ne > shortSMChunk
	o, err := r.do(ctx, cmd)
	if err != nil || (o.sw != apdu.SWOK && o.sw != apdu.SWEndOfFile) {
		return o, err
	}
	if len(o.data) == 0 {
		return o, nil
	}
	// A chip may cut DO'53' short at the end of its buffer: take the bytes
	// present, up to the declared length.
	_, length, hl, err := tlv.Header(o.data)
	if err != nil || length < 0 {
		return outcome{}, fmt.Errorf("READ BINARY (odd): malformed DO'53'")
	}
	o.data = o.data[hl:min(len(o.data), hl+length)]
	return o, nil
}
