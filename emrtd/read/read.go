// Package read is idagent's read pipeline: given a card and access keys it
// opens the chip (PACE from EF.CardAccess with a CAN or MRZ password, BAC
// when the chip has no PACE or PACE fails), reads the files the caller
// asks for with emrtd/files, proves the chip genuine (chip authentication
// or PACE-CAM after DG14, active authentication with DG15) and the data
// authentic (emrtd/verify: passive authentication, MRZ cross-checks),
// reporting progress, an early identity, the photo, and the
// final Result with typed data groups, every check, a verdict and
// per-phase statistics.
//
// # Order
//
// The chip proves itself before the identity is reported, and the photo,
// the largest file, comes last:
//
//	EF.CardAccess → PACE (or BAC) → [EF.CardSecurity for PACE-CAM] → SELECT
//	→ EF.COM → EF.SOD → DG14 → chip authentication → DG1, DG11, DG12,
//	DG13 → DG15 → active authentication → other data groups → verify →
//	OnIdentity → DG2 → OnPhoto → [active authentication again] → verify →
//	Result
//
// Chip authentication re-keys secure messaging and the rest of the read
// continues under the new keys; its proof of the new keys is the first
// READ BINARY of DG1, so it costs its two commands only. A chip that
// dropped its session after active authentication and was opened again
// signs a challenge again at the end (chip authentication repeats at once
// on every re-open): what was read after the re-open comes from a chip
// that proved itself too.
//
// # What is read
//
// With Options.Verify, EF.SOD decides which data groups exist (EF.COM is
// unsigned, and only a hint): every group it lists that the caller asked
// for is read, and DG14 and DG15 whenever it lists them, since chip and
// active authentication are required where signed data offers them. A
// listed group the chip does not give (6A82, 6982, an unprotected error, a
// dropped session) is reported by its hash check, never left out. Without
// Verify, or when EF.SOD cannot be read, EF.COM says which requested
// groups to skip.
//
// # Access control
//
// PACE when EF.CardAccess lists a configuration this reader runs, each key
// once. When PACE fails for another reason than a wrong key, the card is
// reset and PACE tried once more; BAC comes only after that (or after PACE
// refused every key), after another reset (ICAO 9303-11 §4.1: not both in
// one session). Chip authentication keys come from DG14 (or, for PACE-CAM,
// EF.CardSecurity) only: EF.CardAccess is unsigned and never a source of
// keys.
//
// # Checks
//
// With Options.Verify the read hands its evidence (Result.Evidence: the
// files as read, active authentication's signature, and what the desk
// observed) to emrtd/verify, the one verification core, which makes every
// check (passive authentication, MRZ check digits and cross-checks, chip
// and active authentication counted only when passive authentication
// proved their key) and the verdict, once for the early identity and once
// at the end. A backend that verifies the same evidence again gets the
// same checks; test anchors pass only with Options.AllowTestAnchors.
//
// Errors wrap access.ErrDenied for keys the chip refuses (each key tried
// at most once per mechanism, no retry storm), access.ErrTokenInvalid for
// a chip whose PACE or BAC proof does not verify (an attack: no other key
// or mechanism is tried) and nfc.ErrCardRemoved when
// the card leaves; they never carry personal data.
package read

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/session"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc"
)

// Phase names a stage of the read.
type Phase string

const (
	PhaseSelect     Phase = "select"      // read EF.CardAccess (Progress.File names it)
	PhaseAccess     Phase = "access"      // access control (PACE, BAC) and SELECT of the application
	PhaseRead       Phase = "read"        // reading files (Progress.File names it)
	PhaseChipAuth   Phase = "chip-auth"   // chip authentication
	PhaseVerify     Phase = "verify"      // passive authentication and cross-checks
	PhaseActiveAuth Phase = "active-auth" // active authentication
	PhaseDone       Phase = "done"
)

// Progress is one progress report.
type Progress struct {
	Phase   Phase
	File    string // in PhaseRead and PhaseSelect: the file being read
	Percent int    // 0–100 of the whole read
}

// Options configure a read.
type Options struct {
	// Keys are the access keys to try, in order, at most once per
	// mechanism: PACE takes a CAN or an MRZ key (access.CAN,
	// access.MRZKey), BAC an MRZ key. A Vietnamese card's CAN is the last
	// 6 digits of its ID number (emrtd/cccd).
	Keys []access.Key
	// DataGroups are the data groups to read besides DG1, which is always
	// read (for example 11, 12, 13 for the personal details; 14 and 15 for
	// chip and active authentication, which run when they are read; with
	// Verify they are read whenever EF.SOD lists them). DG2 is read only
	// with Photo. Groups that EF.SOD (with Verify) or else EF.COM does not
	// list are skipped.
	DataGroups []int
	// Photo reads DG2, the portrait, after the text data groups.
	Photo bool
	// AAChallenge is the 8-byte challenge for Active Authentication, so a
	// server can verify the chip's signature itself; nil means a random
	// one.
	AAChallenge []byte
	// Verify reads EF.SOD, lets it decide which data groups exist, and
	// makes every check: the identity callback then carries every check
	// but the photo's hash (PENDING), the final result every check and a
	// verdict.
	Verify bool
	// Trust is the trust store of passive authentication (nil: no anchors,
	// trust is UNKNOWN). AllowTestAnchors lets a chain end at a test anchor
	// (simulate mode and tests only).
	Trust            *trust.Store
	AllowTestAnchors bool
	// Now is the time certificates are checked at (zero: the time of the
	// check).
	Now time.Time
	// Extended says whether extended-length APDUs may be tried.
	Extended files.ExtendedMode
	// MaxFileSize bounds the size of any file (0: files.DefaultMaxFileSize).
	MaxFileSize int
	// Rand is the source of the protocols' nonces (nil: crypto/rand).
	Rand io.Reader
	// Hints are what an earlier read of the same chip learned about it
	// (Result.Hints), so this read starts where that one ended.
	Hints Hints

	// OnProgress is called at the start of each phase and file.
	OnProgress func(Progress)
	// OnIdentity is called once the text data groups are read and the
	// chip proved itself (and, with Verify, checked), before the photo,
	// with a snapshot of the result so far.
	OnIdentity func(*Result)
	// OnPhoto is called once DG2 is read, and only when it is proven to be
	// what the issuer signed (with Verify: EF.SOD's signature, its signer
	// chain and DG2's hash pass), so that the caller may decode it; an
	// unproven portrait is not passed on (a warning says why).
	OnPhoto func(Photo)
	// The callbacks run on the reading goroutine: they must return quickly.
}

// textGroups are the data groups read before the identity callback;
// antiClone are read for chip and active authentication.
var (
	textGroups = []int{1, 11, 12, 13}
	antiClone  = []int{14, 15}
)

// Read reads the chip on card. It returns the result, or an error and the
// partial result (files read so far, statistics) for diagnostics.
func Read(ctx context.Context, card nfc.Card, opts Options) (*Result, error) {
	if n := len(opts.AAChallenge); n != 0 && n != activeauth.ChallengeLen {
		return nil, fmt.Errorf("active authentication challenge of %d bytes, want %d", n, activeauth.ChallengeLen)
	}
	r := newReading(card, opts)
	err := r.run(ctx)
	r.finish()
	if err != nil {
		return r.res, err
	}
	if opts.OnProgress != nil {
		opts.OnProgress(Progress{Phase: PhaseDone, Percent: 100})
	}
	return r.res, nil
}

// reading is the state of one read.
type reading struct {
	opts    Options
	meter   *files.Meter
	plain   nfc.Transport
	files   *files.Reader
	session *session.Session // the transport of every command; owns recovery
	opener  *opener          // how the chip was opened
	cam     *camState        // PACE-CAM, nil otherwise
	// caParams is the chip authentication that passed (nil before, and
	// without): a chip opened again repeats it.
	caParams *chipauth.Params
	// sodGroups are the data groups EF.SOD lists (nil until it is read
	// and parsed, and without Verify).
	sodGroups []int
	// aaReopens is the session's re-opens when active authentication
	// last ran.
	aaReopens int
	card      nfc.Card // for a reset between access control attempts
	res       *Result
	start     time.Time
	phase     *phaseStart
	percent   progress
}

type phaseStart struct {
	name  string
	at    time.Time
	stats files.Stats
}

func newReading(card nfc.Card, opts Options) *reading {
	r := &reading{opts: opts, meter: files.NewMeter(card), start: time.Now(), card: card}
	r.plain = nfc.NewTransport(r.meter)
	r.session = session.New(r.plain, session.Options{Hints: opts.Hints.Session})
	r.files = files.NewReader(r.session, files.Options{
		Extended:    opts.Extended,
		MaxFileSize: opts.MaxFileSize,
		Hints:       opts.Hints.Link,
	})
	r.res = &Result{Files: []FileResult{}}
	r.percent = newProgress(opts)
	return r
}

func (r *reading) run(ctx context.Context) error {
	for _, step := range []func(context.Context) error{
		r.readCardAccess, r.open, r.readCOM, r.readSOD, r.readChipAuth, r.readText,
		r.readActiveAuth, r.readOthers, r.identity, r.readPhoto, r.repeatActiveAuth,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	r.verify(true)
	return nil
}

// readCOM reads EF.COM when the caller wants a data group that may be
// absent: without Verify it lists the chip's data groups, so absent ones
// cost nothing; with Verify EF.SOD decides, and EF.COM is checked against
// it (com.consistency). It is not signed: a chip without a readable one is
// read anyway.
func (r *reading) readCOM(ctx context.Context) error {
	if !slices.ContainsFunc(r.opts.DataGroups, func(n int) bool { return n > 2 }) {
		return nil
	}
	data, err := r.readFile(ctx, files.EFCOM, 0)
	if err != nil || data == nil {
		return err
	}
	com, err := lds.ParseCOM(data)
	if err != nil {
		r.warn("EF.COM could not be parsed; reading the requested data groups anyway")
		return nil
	}
	r.res.COM = com
	return nil
}

// readChipAuth reads DG14 and runs chip authentication (or finishes
// PACE-CAM with DG14's key). The first READ BINARY of DG1, read next,
// proves the new keys.
func (r *reading) readChipAuth(ctx context.Context) error {
	if err := r.readDataGroup(ctx, 14); err != nil {
		return err
	}
	if r.res.DG14 == nil {
		return nil
	}
	return r.chipAuthentication(ctx, files.DataGroup(1))
}

// readText reads the text data groups.
func (r *reading) readText(ctx context.Context) error {
	for _, dg := range textGroups {
		if err := r.readDataGroup(ctx, dg); err != nil {
			return err
		}
	}
	return nil
}

// identity verifies what was read, once the chip proved itself, and calls
// OnIdentity: every check is final except DG2's hash, pending while the
// photo is read.
func (r *reading) identity(context.Context) error {
	r.verify(false)
	r.res.Stats.Identity = time.Since(r.start)
	if r.opts.OnIdentity != nil {
		r.opts.OnIdentity(r.res.snapshot())
	}
	return nil
}

// readOthers reads the requested data groups that are neither text, the
// photo nor anti-clone keys.
func (r *reading) readOthers(ctx context.Context) error {
	for _, dg := range r.opts.DataGroups {
		if slices.Contains(textGroups, dg) || slices.Contains(antiClone, dg) || dg == 2 {
			continue
		}
		if err := r.readDataGroup(ctx, dg); err != nil {
			return err
		}
	}
	return nil
}

func (r *reading) readPhoto(ctx context.Context) error {
	if !r.opts.Photo {
		return nil
	}
	if err := r.readDataGroup(ctx, 2); err != nil {
		return err
	}
	f, ok := r.res.File("DG2")
	if !ok || f.Status != FileRead || r.opts.OnPhoto == nil {
		return nil
	}
	if proven, why := r.photoProven(); !proven {
		r.warn("the portrait is not passed on: " + why)
		return nil
	}
	r.opts.OnPhoto(Photo{DG2: f.Data})
	return nil
}

// photoProven reports whether DG2 is what the issuer signed, by the early
// identity's verification (EF.SOD's signature and signer) and DG2's hash:
// the caller decodes the portrait (JPEG 2000 in some passports) when it
// gets it, long before the final verification.
func (r *reading) photoProven() (bool, string) {
	if !r.opts.Verify {
		return false, "it is not verified (Options.Verify)"
	}
	return verify.Proven(r.res.Checks, r.evidence(), 2)
}

// readActiveAuth reads DG15 and runs active authentication.
func (r *reading) readActiveAuth(ctx context.Context) error {
	if err := r.readDataGroup(ctx, 15); err != nil {
		return err
	}
	return r.activeAuthentication(ctx)
}

// repeatActiveAuth runs active authentication again when the chip was
// opened again after it passed: the files read since came over a new
// session, perhaps from another chip. (Chip authentication repeats at
// every re-open.)
func (r *reading) repeatActiveAuth(ctx context.Context) error {
	aa := r.res.ActiveAuth
	if aa == nil || aa.Status != check.Pass || r.session.Reopens() == r.aaReopens {
		return nil
	}
	repeated := aa.Repeated + 1
	if err := r.activeAuthentication(ctx); err != nil {
		return err
	}
	r.res.ActiveAuth.Repeated = repeated
	return nil
}

// readDataGroup reads data group n when it is wanted and listed (see
// wanted and listed), and parses it. DG1 is mandatory; other groups that
// fail are reported in Files and the read goes on (unless the card is gone
// or the caller cancelled).
func (r *reading) readDataGroup(ctx context.Context, n int) error {
	f := files.DataGroup(n)
	// Each file is read once (a caller's list may name a group twice): the
	// bytes shown, hashed and given as evidence are one and the same.
	if _, done := r.res.File(f.Name); done || !r.wanted(n) {
		return nil
	}
	if !r.listed(n) {
		r.record(FileResult{Name: f.Name, DG: n, Status: FileSkipped})
		return nil
	}
	data, err := r.readFile(ctx, f, n)
	if err != nil {
		return err
	}
	if n == 1 {
		return r.parseDG1(data)
	}
	if data != nil {
		r.parse(n, data)
	}
	return nil
}

func dataGroupName(n int) string { return fmt.Sprintf("DG%d", n) }

// wanted reports whether data group n is to be read: DG1 always, the
// groups asked for, DG2 with Photo, and with Verify DG14 and DG15 (chip
// and active authentication are required where EF.SOD lists them).
func (r *reading) wanted(n int) bool {
	return n == 1 || slices.Contains(r.opts.DataGroups, n) || (n == 2 && r.opts.Photo) ||
		(r.opts.Verify && slices.Contains(antiClone, n))
}

// listed reports whether the chip holds data group n as far as the read
// can tell: EF.SOD's list when it was read and parsed, else EF.COM's when
// it was, else yes. DG1 is always read.
func (r *reading) listed(n int) bool {
	switch {
	case n == 1:
		return true
	case r.sodGroups != nil:
		return slices.Contains(r.sodGroups, n)
	case r.res.COM != nil:
		return r.res.COM.Has(n)
	}
	return true
}

func (r *reading) parseDG1(data []byte) error {
	if data == nil {
		return errors.New("read DG1: the chip holds no readable DG1")
	}
	dg1, err := lds.ParseDG1(data)
	if err != nil {
		return fmt.Errorf("parse DG1: %w", err)
	}
	r.res.DG1 = dg1
	r.res.DocumentType = identity.DocumentTypeOf(dg1.DocumentCode)
	return nil
}

// parse parses an optional data group into the result's typed fields. A
// group that does not parse stays in Files with a warning.
func (r *reading) parse(n int, data []byte) {
	var err error
	switch n {
	case 2:
		var dg2 *lds.DG2
		if dg2, err = lds.ParseDG2(data); err == nil {
			r.res.Portrait = dg2.Portrait()
		}
	case 11:
		r.res.DG11, err = lds.ParseDG11(data)
	case 12:
		r.res.DG12, err = lds.ParseDG12(data)
	case 13:
		r.res.DG13, err = lds.ParseDG13(data)
	case 14:
		r.res.DG14, err = lds.ParseDG14(data)
	case 15:
		r.res.DG15, err = lds.ParseDG15(data)
	}
	if err != nil {
		r.warn(dataGroupName(n) + " could not be parsed")
	}
}

// readFile reads one file and records the outcome. It returns nil data
// (and no error) for files that are absent, protected or failed in a way
// that does not end the read.
func (r *reading) readFile(ctx context.Context, f files.File, dg int) ([]byte, error) {
	r.begin(PhaseRead, f.Name)
	data, err := r.files.ReadFile(ctx, f)
	fr := fileResult(f, dg, data, err)
	r.record(fr)
	switch {
	case fr.Status != FileFailed:
	case endsRead(err) || dg == 1:
		return nil, err
	default:
		r.warn(f.Name + " could not be read")
	}
	return fr.Data, nil
}

// fileResult is the outcome of reading f.
func fileResult(f files.File, dg int, data []byte, err error) FileResult {
	fr := FileResult{Name: f.Name, DG: dg}
	switch {
	case err == nil:
		fr.Status, fr.Size, fr.Data = FileRead, len(data), data
	case errors.Is(err, files.ErrNotFound):
		fr.Status = FileAbsent
	case errors.Is(err, files.ErrProtected):
		fr.Status = FileProtected
	default:
		fr.Status, fr.Error = FileFailed, err.Error()
		fr.Unprotected = errors.Is(err, files.ErrUnprotected)
	}
	return fr
}

// endsRead reports errors after which nothing more can be read: the card,
// reader or service is gone, the caller cancelled, access control failed
// again, or the chip's access token did not verify.
func endsRead(err error) bool {
	return errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, nfc.ErrReaderRemoved) ||
		errors.Is(err, nfc.ErrNoService) || errors.Is(err, nfc.ErrNoCard) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, access.ErrDenied) || errors.Is(err, access.ErrTokenInvalid) || errors.Is(err, sm.ErrClosed) ||
		errors.Is(err, session.ErrFailed)
}

func (r *reading) record(f FileResult) { r.res.Files = append(r.res.Files, f) }

func (r *reading) warn(msg string) { r.res.Warnings = append(r.res.Warnings, msg) }

// begin closes the current phase's statistics, opens the next and reports
// progress.
func (r *reading) begin(p Phase, file string) {
	r.endPhase()
	name := string(p)
	if file != "" {
		name = "read " + file
	}
	r.phase = &phaseStart{name: name, at: time.Now(), stats: r.meter.Stats()}
	step := string(p)
	if file != "" {
		step = file
	}
	percent := r.percent.next(step)
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(Progress{Phase: p, File: file, Percent: percent})
	}
}

func (r *reading) endPhase() {
	if r.phase == nil {
		return
	}
	d := r.meter.Stats().Sub(r.phase.stats)
	r.res.Stats.Phases = append(r.res.Stats.Phases, PhaseStats{
		Name: r.phase.name, Exchanges: d.Exchanges, BytesOut: d.BytesOut, BytesIn: d.BytesIn,
		Duration: time.Since(r.phase.at),
	})
	r.phase = nil
}

// finish closes the statistics.
func (r *reading) finish() {
	r.endPhase()
	total := r.meter.Stats()
	r.res.Stats.Exchanges, r.res.Stats.BytesOut, r.res.Stats.BytesIn = total.Exchanges, total.BytesOut, total.BytesIn
	r.res.Stats.Duration = time.Since(r.start)
	r.res.Stats.Link = r.files.Link()
	r.res.Stats.Session = r.session.Hints()
}
