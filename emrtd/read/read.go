// Package read is idagent's read pipeline: given a card and an access key
// it selects the eMRTD application, opens the chip (BAC for now; PACE,
// chip and active authentication join as their packages are wired in),
// reads the files the caller asks for with emrtd/files, parses them with
// emrtd/lds and verifies them with passive authentication (emrtd/pa),
// reporting progress, an early identity (the text data groups with their
// hash checks, before the photo), the photo, and the final Result with
// every check and per-phase statistics.
//
// Errors wrap access.ErrDenied for a key the chip refuses (one attempt per
// key, no retry storm) and nfc.ErrCardRemoved when the card leaves; they
// never carry personal data.
package read

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc"
)

// Phase names a stage of the read.
type Phase string

const (
	PhaseSelect Phase = "select" // select the eMRTD application
	PhaseAccess Phase = "access" // access control (BAC, PACE)
	PhaseRead   Phase = "read"   // reading files (Progress.File names it)
	PhaseDone   Phase = "done"
)

// Progress is one progress report.
type Progress struct {
	Phase   Phase
	File    string // in PhaseRead: the file being read
	Percent int    // 0–100 of the whole read
}

// Options configure a read.
type Options struct {
	// Keys are the access keys to try, in order, one attempt each (a
	// Vietnamese card's QR code without issue date gives several MRZ
	// candidates). BAC needs an access.BACKey (an MRZ key).
	Keys []access.Key
	// DataGroups are the data groups to read besides DG1, which is always
	// read (for example 11, 12, 13 for the personal details; 14 and 15 for
	// chip and active authentication). DG2 is read only with Photo. Groups
	// that EF.COM does not list are skipped.
	DataGroups []int
	// Photo reads DG2, the portrait, after the text data groups.
	Photo bool
	// AAChallenge is the 8-byte challenge for Active Authentication, so a
	// server can verify the chip's signature itself; nil means a random
	// one. (Active Authentication runs once emrtd/activeauth lands.)
	AAChallenge []byte
	// Verify reads EF.SOD and runs passive authentication (emrtd/pa): the
	// identity callback then carries the signature and chain checks and the
	// text data groups' hash checks, the final result every check.
	Verify bool
	// Trust is the trust store of passive authentication (nil: no anchors,
	// trust is UNKNOWN). AllowTestAnchors lets a chain end at a test anchor
	// (simulate mode only).
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

	// OnProgress is called at the start of each phase and file.
	OnProgress func(Progress)
	// OnIdentity is called once the text data groups are read (and, when
	// passive authentication runs, their hashes checked), before the
	// photo, with a snapshot of the result so far.
	OnIdentity func(*Result)
	// OnPhoto is called once DG2 is read.
	OnPhoto func(Photo)
	// The callbacks run on the reading goroutine: they must return quickly.
}

// textGroups are the data groups read before the identity callback.
var textGroups = []int{1, 11, 12, 13}

// Read reads the chip on card. It returns the result, or an error and the
// partial result (files read so far, statistics) for diagnostics.
func Read(ctx context.Context, card nfc.Card, opts Options) (*Result, error) {
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
	sod     *sodState // nil until EF.SOD is read (Verify only)
	meter   *files.Meter
	plain   nfc.Transport
	files   *files.Reader
	key     access.BACKey // the key that opened the chip
	res     *Result
	start   time.Time
	phase   *phaseStart
	percent progress
}

type phaseStart struct {
	name  string
	at    time.Time
	stats files.Stats
}

func newReading(card nfc.Card, opts Options) *reading {
	r := &reading{opts: opts, meter: files.NewMeter(card), start: time.Now()}
	r.plain = nfc.NewTransport(r.meter)
	r.files = files.NewReader(r.plain, files.Options{
		Extended:       opts.Extended,
		MaxFileSize:    opts.MaxFileSize,
		Reauthenticate: r.reauthenticate,
	})
	r.res = &Result{Files: []FileResult{}, Checks: nil}
	r.percent = newProgress(opts)
	return r
}

func (r *reading) run(ctx context.Context) error {
	r.begin(PhaseSelect, "")
	if err := r.files.SelectApplication(ctx); err != nil {
		if errors.Is(err, files.ErrNotFound) {
			return fmt.Errorf("not an eMRTD: %w", err)
		}
		return err
	}
	r.begin(PhaseAccess, "")
	if err := r.open(ctx); err != nil {
		return err
	}
	if err := r.readCOM(ctx); err != nil {
		return err
	}
	if err := r.readSOD(ctx); err != nil {
		return err
	}
	for _, dg := range textGroups {
		if err := r.readDataGroup(ctx, dg); err != nil {
			return err
		}
	}
	r.passiveAuth()
	if r.opts.OnIdentity != nil {
		r.opts.OnIdentity(r.res.snapshot())
	}
	for _, dg := range r.opts.DataGroups {
		if !slices.Contains(textGroups, dg) && dg != 2 {
			if err := r.readDataGroup(ctx, dg); err != nil {
				return err
			}
		}
	}
	if r.opts.Photo {
		if err := r.readDataGroup(ctx, 2); err != nil {
			return err
		}
		if f, ok := r.res.File("DG2"); ok && f.Status == FileRead && r.opts.OnPhoto != nil {
			r.opts.OnPhoto(Photo{DG2: f.Data})
		}
	}
	r.passiveAuth()
	return nil
}

// open runs access control with the keys in order, one attempt each.
func (r *reading) open(ctx context.Context) error {
	var denied error
	tried := 0
	for _, k := range r.opts.Keys {
		bk, ok := k.(access.BACKey)
		if !ok {
			continue
		}
		tried++
		t, err := r.bac(ctx, bk)
		if errors.Is(err, access.ErrDenied) {
			denied = err
			continue
		}
		if err != nil {
			return fmt.Errorf("open the chip: %w", err)
		}
		r.key = bk
		r.res.AccessControl = "BAC"
		r.files.SetTransport(t)
		return nil
	}
	if tried == 0 {
		return errors.New("open the chip: no key for Basic Access Control (an MRZ key is needed)")
	}
	if tried > 1 {
		return fmt.Errorf("open the chip: none of %d keys: %w", tried, denied)
	}
	return fmt.Errorf("open the chip: %w", denied)
}

// bac authenticates with key and returns the protected transport.
func (r *reading) bac(ctx context.Context, key access.BACKey) (nfc.Transport, error) {
	s, err := bac.Authenticate(ctx, r.plain, key, r.opts.Rand)
	if err != nil {
		return nil, err
	}
	return sm.NewChannel(r.plain, s), nil
}

// reauthenticate is the file reader's hook when the chip dropped the
// session: the same key again.
func (r *reading) reauthenticate(ctx context.Context) (nfc.Transport, error) {
	if r.key == nil {
		return nil, errors.New("no session to re-establish")
	}
	return r.bac(ctx, r.key)
}

// readCOM reads EF.COM. It is not signed and only says what to read: a
// chip without a readable one is read anyway.
func (r *reading) readCOM(ctx context.Context) error {
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

// readDataGroup reads data group n unless EF.COM says it is absent. DG1 is
// mandatory; other groups that fail are reported in Files and the read
// goes on (unless the card is gone or the caller cancelled).
func (r *reading) readDataGroup(ctx context.Context, n int) error {
	f := files.DataGroup(n)
	f.Name = dataGroupName(n)
	if n != 1 && !r.wanted(n) {
		return nil
	}
	if r.res.COM != nil && !r.res.COM.Has(n) && n != 1 {
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
	return nil
}

func dataGroupName(n int) string { return fmt.Sprintf("DG%d", n) }

func (r *reading) wanted(n int) bool {
	return slices.Contains(r.opts.DataGroups, n) || (n == 2 && r.opts.Photo)
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
	r.res.DocumentType = documentType(dg1.DocumentCode)
	return nil
}

// readFile reads one file and records the outcome. It returns nil data
// (and no error) for files that are absent, protected or failed in a way
// that does not end the read.
func (r *reading) readFile(ctx context.Context, f files.File, dg int) ([]byte, error) {
	r.begin(PhaseRead, f.Name)
	data, err := r.files.ReadFile(ctx, f)
	fr := FileResult{Name: f.Name, DG: dg}
	switch {
	case err == nil:
		fr.Status, fr.Size, fr.Data = FileRead, len(data), data
	case errors.Is(err, files.ErrNotFound):
		fr.Status = FileAbsent
	case errors.Is(err, files.ErrProtected):
		fr.Status = FileProtected
	case endsRead(err) || dg == 1:
		fr.Status, fr.Error = FileFailed, err.Error()
		r.record(fr)
		return nil, err
	default:
		fr.Status, fr.Error = FileFailed, err.Error()
		r.warn(f.Name + " could not be read")
	}
	r.record(fr)
	return fr.Data, nil
}

// endsRead reports errors after which nothing more can be read: the card,
// reader or service is gone, the caller cancelled, or access control
// failed again.
func endsRead(err error) bool {
	return errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, nfc.ErrReaderRemoved) ||
		errors.Is(err, nfc.ErrNoService) || errors.Is(err, nfc.ErrNoCard) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, access.ErrDenied) || errors.Is(err, sm.ErrClosed)
}

func (r *reading) record(f FileResult) { r.res.Files = append(r.res.Files, f) }

func (r *reading) warn(msg string) { r.res.Warnings = append(r.res.Warnings, msg) }

// begin closes the current phase's statistics, opens the next and reports
// progress.
func (r *reading) begin(p Phase, file string) {
	r.endPhase()
	name := string(p)
	if file != "" {
		name += " " + file
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
}
