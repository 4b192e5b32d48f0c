package files

import (
	"context"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// ExtendedMode says whether a Reader may use extended-length APDUs.
type ExtendedMode int

const (
	// ExtendedAuto tries extended length on the first read and falls back
	// (and remembers) when the chip or the reader refuses it.
	ExtendedAuto ExtendedMode = iota
	// ExtendedOff uses short APDUs only.
	ExtendedOff
)

// DefaultMaxFileSize bounds the size a file may claim (1 MiB: a DG2 with a
// high-resolution portrait or a DG3 with ten fingerprints fits; a chip
// claiming 16 MB does not).
const DefaultMaxFileSize = 1 << 20

// Options configure a Reader.
type Options struct {
	Extended ExtendedMode
	// NoSFI disables reads by short file identifier (always SELECT first).
	NoSFI bool
	// MaxFileSize is the largest file accepted; 0 means DefaultMaxFileSize.
	MaxFileSize int
	// Hints are what an earlier read of the same chip learned (Link).
	Hints Link
}

// Recoverer is a transport whose secure messaging session can be opened
// again: emrtd/session's Session, the one owner of session recovery. A
// Reader over one asks it to Recover when the chip dropped the session
// (wrong MAC, unprotected 6987/6988/6982) and resumes where it stopped; over
// any other transport a lost session ends the read with an error.
type Recoverer interface {
	nfc.Transport
	// Recover opens the session again; it fails when its budget is spent
	// or access control fails.
	Recover(ctx context.Context, cause error) error
	// Generation counts the sessions opened: in a new one no EF is
	// selected.
	Generation() int
	// Reopens counts the re-opens so far.
	Reopens() int
	// Secure reports whether commands go under secure messaging.
	Secure() bool
}

// ladder is the sequence of READ BINARY lengths a Reader steps down on
// 6700, 6B00 or an extended-length failure. 223 is the largest plaintext
// whose protected answer always fits a short response (AES); 192 is what
// a Ukrainian passport takes at most (gmrtd #410); 160 and 112 are what
// the most conservative readers use.
var ladder = []int{65536, 4096, 256, 223, 192, 160, 112}

// shortSMChunk is the largest plaintext whose protected response fits in a
// short APDU for both ciphers: above it, an extended Le is needed.
const shortSMChunk = 223

// tri is a learned yes/no with an unknown start.
type tri int8

const (
	unknown tri = iota
	yes
	no
)

func (t tri) String() string {
	return [...]string{"unknown", "yes", "no"}[t]
}

// Link describes what a Reader has learned about the link and the chip.
type Link struct {
	Chunk    int    `json:"chunk"`    // the largest READ BINARY length in use
	Extended string `json:"extended"` // "yes", "no" or "unknown"
	SFI      string `json:"sfi"`      // short file identifiers work in the application: "yes", "no", "unknown"
	// SFIMasterFile: short file identifiers work at the master file
	// (EF.CardAccess, EF.CardSecurity).
	SFIMasterFile string `json:"sfiMasterFile"`
	// HeaderFirst: the chip refuses reads past the end of a file, so each
	// file's header is read first ("yes", "no", "unknown").
	HeaderFirst string `json:"headerFirst"`
	// FullLastBlock: the chip garbles a short last block (a wrong MAC), so
	// the last block of a file is asked for as a full chunk ("yes" or
	// "unknown").
	FullLastBlock string `json:"fullLastBlock"`
	Reauth        int    `json:"reauth"` // re-opened sessions so far
}

// Reader reads files from one chip. It is not safe for concurrent use.
type Reader struct {
	t        nfc.Transport
	opts     Options
	chunk    int
	extended tri
	sfi      tri        // short file identifiers in the application
	sfiMF    tri        // at the master file
	exact    tri        // the chip refuses reads past the end
	fullLast tri        // the last block of a file is asked for as a full chunk (SM-04)
	current  uint16     // FID of the selected EF; 0 when unknown
	gen      int        // the Recoverer's generation current belongs to
	first    *firstRead // see UseFirstRead
}

// NewReader returns a Reader over t (plain, an sm.Channel, or a Recoverer
// such as emrtd/session's Session).
func NewReader(t nfc.Transport, opts Options) *Reader {
	r := &Reader{t: t, opts: opts, chunk: ladder[0]}
	r.useHints(opts.Hints)
	if opts.Extended == ExtendedOff {
		r.chunk, r.extended = min(r.chunk, apdu.MaxShortNe), no
	}
	if opts.NoSFI {
		r.sfi, r.sfiMF = no, no
	}
	return r
}

// useHints starts from what an earlier read of the chip learned.
func (r *Reader) useHints(h Link) {
	if h.Chunk > 0 {
		r.chunk = min(h.Chunk, ladder[0])
	}
	r.extended, r.exact, r.fullLast = parseTri(h.Extended), parseTri(h.HeaderFirst), parseTri(h.FullLastBlock)
	r.sfi, r.sfiMF = parseTri(h.SFI), parseTri(h.SFIMasterFile)
}

func parseTri(s string) tri {
	switch s {
	case "yes":
		return yes
	case "no":
		return no
	}
	return unknown
}

// SetTransport replaces the transport, after access control opened (or
// re-opened) a secure messaging session. What was learned about the link
// is kept; the EF selection is forgotten.
func (r *Reader) SetTransport(t nfc.Transport) {
	r.t = t
	r.current, r.first = 0, nil
}

// Transport returns the transport in use.
func (r *Reader) Transport() nfc.Transport { return r.t }

// Link returns what the Reader has learned about the link.
func (r *Reader) Link() Link {
	l := Link{Chunk: r.chunk, Extended: r.extended.String(), SFI: r.sfi.String(), SFIMasterFile: r.sfiMF.String(),
		HeaderFirst: r.exact.String(), FullLastBlock: r.fullLast.String()}
	if rc, ok := r.t.(Recoverer); ok {
		l.Reauth = rc.Reopens()
	}
	return l
}

// selected reports whether f is the EF the chip has selected (a re-opened
// session has none).
func (r *Reader) selected(f File) bool {
	if rc, ok := r.t.(Recoverer); ok && rc.Generation() != r.gen {
		r.current, r.gen = 0, rc.Generation()
	}
	return r.current == f.FID
}

// selectedOK reports an answer to SELECT that selected the file: 9000, or
// a warning (6283 from Malaysian passports for EF.CardAccess before BAC,
// real-chips FA-02).
func selectedOK(sw apdu.SW) bool { return sw == apdu.SWOK || sw.SW1() == 0x62 || sw.SW1() == 0x63 }

// secure reports whether commands go under secure messaging.
func (r *Reader) secure() bool {
	switch t := r.t.(type) {
	case *sm.Channel:
		return true
	case Recoverer:
		return t.Secure()
	}
	return false
}

func (r *Reader) maxFileSize() int {
	if r.opts.MaxFileSize > 0 {
		return r.opts.MaxFileSize
	}
	return DefaultMaxFileSize
}

// outcome is a status word and data, with plain set when the status word
// came unprotected during secure messaging.
type outcome struct {
	sw    apdu.SW
	data  []byte
	plain bool
}

func (r *Reader) do(ctx context.Context, cmd apdu.Command) (outcome, error) {
	resp, err := r.t.Exchange(ctx, cmd)
	var p *sm.PlainStatusError
	if errors.As(err, &p) {
		return outcome{sw: p.SW, plain: true}, nil
	}
	if err != nil {
		return outcome{}, err
	}
	return outcome{sw: resp.SW, data: resp.Data}, nil
}

// sessionLost reports whether the secure messaging session is gone: the
// response failed its checks, or the chip answered unprotected with a
// status word that means it dropped the session.
func sessionLost(o outcome, err error) bool {
	if err != nil {
		return errors.Is(err, sm.ErrMAC) || errors.Is(err, sm.ErrMalformed) ||
			errors.Is(err, sm.ErrMissingObjects) || errors.Is(err, sm.ErrClosed)
	}
	if !o.plain {
		return false
	}
	switch o.sw {
	case apdu.SWSMDataObjectsMissing, apdu.SWSMDataObjectsIncorrect, apdu.SWSecurityStatus, apdu.SWConditionsNotSatisfied:
		return true
	}
	return false
}

// fatal reports whether err ends the read whatever is retried: the card,
// reader or service is gone, or the caller gave up.
func fatal(err error) bool {
	return errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, nfc.ErrReaderRemoved) ||
		errors.Is(err, nfc.ErrNoService) || errors.Is(err, nfc.ErrNoCard) ||
		errors.Is(err, nfc.ErrSharingViolation) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// reauthenticate asks the session's owner to open it again.
func (r *Reader) reauthenticate(ctx context.Context, cause error) error {
	rc, ok := r.t.(Recoverer)
	if !ok {
		return fmt.Errorf("secure messaging session lost: %w", cause)
	}
	if err := rc.Recover(ctx, cause); err != nil {
		return err
	}
	r.current, r.first = 0, nil
	return nil
}

// lostCause turns a lost-session outcome into an error.
func lostCause(o outcome, err error) error {
	if err != nil {
		return err
	}
	return &sm.PlainStatusError{SW: o.sw}
}

// SelectApplication selects the eMRTD application by its AID (P2=0C, no
// answer data; P2=00 as a fallback for chips that insist on returning the
// FCI). The selected EF is forgotten.
func (r *Reader) SelectApplication(ctx context.Context) error {
	r.current, r.first = 0, nil
	cmd := apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: AID}
	o, err := r.do(ctx, cmd)
	if err == nil && o.sw != apdu.SWOK && o.sw != apdu.SWFileNotFound && !fatalSW(o.sw) {
		cmd.P2, cmd.Ne = 0x00, apdu.MaxShortNe
		o, err = r.do(ctx, cmd)
	}
	if err != nil {
		return fmt.Errorf("select eMRTD application: %w", err)
	}
	return statusErr("select eMRTD application", cmd, o)
}

// fatalSW reports status words that no other form of the command will fix.
func fatalSW(sw apdu.SW) bool { return sw == apdu.SWSecurityStatus }

// SelectMF selects the master file (00 A4 00 0C 02 3F00). Many chips refuse
// it (the Vietnamese card answers 6D00): callers must ignore its error and
// go on.
func (r *Reader) SelectMF(ctx context.Context) error {
	r.current, r.first = 0, nil
	cmd := apdu.Command{INS: apdu.InsSelect, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}
	o, err := r.do(ctx, cmd)
	if err != nil {
		return fmt.Errorf("select master file: %w", err)
	}
	return statusErr("select master file", cmd, o)
}

// Select selects an EF by file identifier (00 A4 02 0C 02 FID).
func (r *Reader) Select(ctx context.Context, f File) error {
	for {
		o, err := r.selectEF(ctx, f)
		if sessionLost(o, err) {
			if err := r.reauthenticate(ctx, lostCause(o, err)); err != nil {
				return fmt.Errorf("select %s: %w", f.Name, err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("select %s: %w", f.Name, err)
		}
		if selectedOK(o.sw) {
			return nil
		}
		return statusErr("select "+f.Name, apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C}, o)
	}
}

func (r *Reader) selectEF(ctx context.Context, f File) (outcome, error) {
	r.current, r.first = 0, nil
	cmd := apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{byte(f.FID >> 8), byte(f.FID)}}
	o, err := r.do(ctx, cmd)
	if err == nil && selectedOK(o.sw) {
		r.current = f.FID
	}
	return o, err
}

// statusErr maps a final status word to nil, ErrNotFound, ErrProtected or
// an *apdu.Error.
func statusErr(what string, cmd apdu.Command, o outcome) error {
	switch o.sw {
	case apdu.SWOK:
		return nil
	case apdu.SWFileNotFound:
		return fmt.Errorf("%s: %w", what, notFound(o))
	case apdu.SWSecurityStatus:
		return fmt.Errorf("%s: %w", what, ErrProtected)
	}
	return fmt.Errorf("%s: %w", what, &apdu.Error{Command: cmd.String(), SW: o.sw})
}

// notFound is the error of a 6A82: ErrNotFound when it came protected (or
// without secure messaging), ErrUnprotected when it came unprotected
// during secure messaging.
func notFound(o outcome) error {
	if o.plain {
		return fmt.Errorf("%w: %w", ErrUnprotected, &sm.PlainStatusError{SW: o.sw})
	}
	return ErrNotFound
}
