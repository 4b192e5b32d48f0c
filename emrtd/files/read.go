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
	f          File
	buf        []byte
	total      int // header plus value length; -1 while unknown
	indefinite bool
	// probe: the next read asks for the header only (headerLen bytes), to
	// tell a chip that refuses reads past the end from one that refuses
	// long reads.
	probe bool
	// noSFI: the file's short file identifier was refused in this read;
	// the next attempt selects it. sfiDoubt is the Le of an SFI read
	// refused with 6B00, which may refuse the Le instead: the same read
	// succeeding after SELECT proves short file identifiers refused.
	noSFI    bool
	sfiDoubt int
	// exactLe: the chip asked for this exact Le (6Cxx) for the next read.
	exactLe int
	// pastEnd: the last block is asked for as a full chunk (SM-04).
	pastEnd bool
	// refused is the Le of the refused first read that a header read is
	// to explain; extendedDoubt: an extended first read was refused too,
	// and extended length was given up for it.
	refused       int
	extendedDoubt bool
	lostAt        int // offset of the last lost session; -1 for none
}

func (s *fileState) done() bool { return s.total >= 0 && len(s.buf) >= s.total }

// want is how much the next READ BINARY asks for.
func (s *fileState) want(chunk int) int {
	switch {
	case s.exactLe > 0:
		return s.exactLe
	case s.probe:
		return headerLen
	case s.total < 0, s.pastEnd:
		return chunk
	}
	return min(chunk, s.total-len(s.buf))
}

// headerLen is the header read of a chip that refuses reads past the end
// (real-chips FA-06): enough for any LDS file's tag and length (JMRTD
// reads 8 bytes too).
const headerLen = 8

func (r *Reader) readFile(ctx context.Context, f File) ([]byte, error) {
	s := &fileState{f: f, total: -1, lostAt: -1, pastEnd: r.fullLast == yes && r.exact != yes}
	if r.exact == yes {
		s.probe = true
	}
	for !s.done() {
		want := s.want(r.chunk)
		o, err := r.readAt(ctx, s, len(s.buf), want)
		s.exactLe = 0
		if sessionLost(o, err) {
			if err := r.recoverAt(ctx, s, o, err, want); err != nil {
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
		end, err := r.take(s, o, want)
		if err != nil || end {
			if err != nil {
				return nil, err
			}
			break
		}
	}
	if s.total >= 0 && len(s.buf) > s.total {
		s.buf = s.buf[:s.total]
	}
	return s.buf, nil
}

// recoverAt opens the session again after the chip dropped it at the
// current offset. Lost twice at one offset, it first asks for less, then
// gives up: the chip will not give this part. An unprotected 6982 again
// right after a new session means the chip protects the file.
func (r *Reader) recoverAt(ctx context.Context, s *fileState, o outcome, err error, want int) error {
	if errors.Is(err, sm.ErrMAC) && s.total >= 0 && len(s.buf)+want == s.total && want < r.chunk && !s.pastEnd {
		// A wrong MAC on the last, short block (a US passport's EF.SOD,
		// real-chips SM-04): ask for the block as a full one, past the
		// end, once the session is open again.
		s.pastEnd, r.fullLast = true, yes
		s.lostAt = len(s.buf)
		return r.reauthenticate(ctx, lostCause(o, err))
	}
	if s.lostAt == len(s.buf) {
		if err == nil && o.sw == apdu.SWSecurityStatus {
			return ErrProtected
		}
		if !r.stepDown() {
			return fmt.Errorf("secure messaging session lost twice at offset %d: %w", s.lostAt, lostCause(o, err))
		}
	}
	s.lostAt = len(s.buf)
	return r.reauthenticate(ctx, lostCause(o, err))
}

// take handles one READ BINARY answer: data, the end of the file, or a
// refusal to learn from. end reports that the file ended (6282, an empty
// answer, an offset past the end of an indefinite-length file).
func (r *Reader) take(s *fileState, o outcome, want int) (end bool, err error) {
	switch sw := o.sw; {
	case sw == apdu.SWOK, sw == apdu.SWEndOfFile && len(o.data) > 0:
		return r.takeData(s, o, want)
	case sw.SW1() == 0x6C:
		// The chip names the Le it wants (under secure messaging the
		// channel retries a protected 6Cxx itself; this one came plain).
		s.exactLe = int(sw.SW2())
		if s.exactLe == 0 {
			s.exactLe = apdu.MaxShortNe
		}
		return false, nil
	case sw == apdu.SWWrongP1P2 && len(s.buf) > 0 && s.total < 0:
		return true, nil // offset past the end of an indefinite-length file
	case sw == apdu.SWWrongLength, sw == apdu.SWWrongP1P2, sw == apdu.SWEndOfFile:
		return false, r.refusedLength(s, o, want)
	case sw == apdu.SWNoPreciseDiagnosis:
		// vpcd and some readers replace a response too long for them by
		// 6F00: ask for less.
		if want <= apdu.MaxShortNe || !r.stepDown() {
			return false, &apdu.Error{Command: "READ BINARY", SW: sw}
		}
		return false, nil
	case sw == apdu.SWFileNotFound:
		return false, notFound(o)
	case sw == apdu.SWSecurityStatus:
		return false, ErrProtected
	}
	return false, &apdu.Error{Command: "READ BINARY", SW: o.sw}
}

// refusedLength handles a read refused for its Le (6700, 6B00, 6282
// without data): the chip refuses long reads (ask for less: real-chips
// T-01, T-02), extended length (T-03), or reads past the end of the file
// (FA-06: read the header, then never ask past the end). A refused first
// read is tried short, then the header is read: a file that ends before
// what was refused tells a chip that refuses reads past the end.
func (r *Reader) refusedLength(s *fileState, o outcome, want int) error {
	switch {
	case s.probe:
		// Even the header is refused: not a question of the file's end.
		s.probe = false
		if !r.stepDown() {
			return &apdu.Error{Command: "READ BINARY", SW: o.sw}
		}
		return nil
	case s.total >= 0 || len(s.buf) > 0:
	case want > r.shortChunk() && r.extended == unknown:
		r.extended, r.chunk = no, r.shortChunk()
		s.extendedDoubt = true
		return nil
	case want > headerLen:
		s.probe, s.refused = true, want
		return nil
	}
	if r.stepDown() {
		return nil
	}
	if o.sw != apdu.SWWrongLength && len(s.buf) > 0 {
		// Even the smallest read is past the end.
		return fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(s.buf), s.total)
	}
	return &apdu.Error{Command: "READ BINARY", SW: o.sw}
}

// takeData takes the data of an answer: it learns the file's length from
// its header and the chip's limits from how much it sent.
func (r *Reader) takeData(s *fileState, o outcome, want int) (end bool, err error) {
	if len(o.data) == 0 && len(s.buf) == 0 && want > apdu.MaxShortNe && r.extended != yes {
		// Nothing for an extended Le: the chip does not do extended
		// length (it answered empty, real-chips T-03).
		r.extended, r.chunk = no, r.shortChunk()
		return false, nil
	}
	if want > apdu.MaxShortNe && r.extended == unknown {
		r.extended = yes
	}
	if sfi := r.sfiOf(s.f); s.sfiDoubt == want && *sfi == unknown {
		*sfi = no
	}
	probed := s.probe
	s.probe = false
	s.buf = append(s.buf, o.data...)
	if s.total < 0 && !s.indefinite {
		if err := r.learnLength(s); err != nil {
			return false, err
		}
		if probed && s.refused > 0 && s.total >= 0 && r.exact == unknown {
			r.learnEndOfFile(s)
		}
	}
	if len(s.buf) > r.maxFileSize() {
		return false, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.maxFileSize())
	}
	if s.done() {
		return true, nil
	}
	if probed {
		return false, nil
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

// learnEndOfFile concludes from a header read after a refused first read:
// a file shorter than the refused read means the chip refuses reads past
// the end, and from now on every file's header is read first; a longer one
// means the read was too long.
func (r *Reader) learnEndOfFile(s *fileState) {
	if s.total < s.refused {
		r.exact = yes
		if s.extendedDoubt {
			// The extended read was refused for the same reason: extended
			// length is still to be learnt.
			r.extended, r.chunk = unknown, ladder[0]
		}
		return
	}
	r.stepDown()
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
			r.extended, r.chunk = no, r.shortChunk()
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

// shortChunk is the largest read whose answer fits a short response: 256
// bytes plain, 223 under secure messaging.
func (r *Reader) shortChunk() int {
	if r.secure() {
		return shortSMChunk
	}
	return apdu.MaxShortNe
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

// readAt reads up to n bytes of s.f at offset: by short file identifier
// when the file is not selected yet (and the offset fits P2), else after a
// SELECT, with B0 up to offset 32767 and B1 with DO'54' beyond.
func (r *Reader) readAt(ctx context.Context, s *fileState, offset, n int) (outcome, error) {
	f := s.f
	if o, ok := r.takeFirstRead(f, offset, n); ok {
		return o, nil
	}
	if !r.selected(f) {
		if f.SFI != 0 && *r.sfiOf(f) != no && !s.noSFI && offset <= 0xFF {
			o, err, final := r.readBySFI(ctx, f, offset, n)
			if final || err != nil {
				return o, err
			}
			s.noSFI = true
			if o.sw == apdu.SWWrongP1P2 {
				// 6B00 may refuse the short file identifier or the Le:
				// the read after SELECT tells.
				s.sfiDoubt = n
			}
		}
		o, err := r.selectEF(ctx, f)
		if err != nil || !selectedOK(o.sw) {
			return o, err
		}
		if sfi := r.sfiOf(f); s.noSFI && s.sfiDoubt == 0 && *sfi == unknown {
			*sfi = no // the SFI read failed where the SELECT works
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

// sfiOf is what is known of short file identifiers where f lives: chips
// may take them at the master file and not in the application, or the
// other way round (real-chips FA-03).
func (r *Reader) sfiOf(f File) *tri {
	if f.MF {
		return &r.sfiMF
	}
	return &r.sfi
}

// sfiAnswer learns from the answer to a READ BINARY by short file
// identifier of f and reports whether it is final (false: fall back to
// SELECT).
func (r *Reader) sfiAnswer(f File, o outcome) bool {
	sfi := r.sfiOf(f)
	switch o.sw {
	case apdu.SWOK, apdu.SWEndOfFile:
		*sfi, r.current = yes, f.FID
		return true
	case apdu.SWFileNotFound, apdu.SWWrongP1P2:
		return *sfi == yes
	case apdu.SWIncorrectP1P2, apdu.SWFunctionNotSupported, apdu.SWFileStructure, apdu.SWINSNotSupported,
		apdu.SWLcInconsistentWithP1P2, apdu.SWReferenceDataNotFound, apdu.SWNoCurrentEF,
		apdu.SWCommandNotAllowed:
		if *sfi == unknown {
			*sfi = no
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
