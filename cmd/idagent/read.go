package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trace"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/pcsc"
)

func init() {
	register(&command{name: "read", summary: "read, verify and print a chip ID card or passport on a reader", run: runRead})
}

// Exit codes of idagent read besides the shared ones: the verdict gives 0,
// 1 or 2 as for verify.
const (
	exitCantCreate = 73 // the portrait could not be written to --photo FILE
	exitChip       = 76 // the chip's answers could not be used (protocol error)
)

// readManager opens the smart-card resource manager; tests replace it
// with in-process readers.
var readManager = func() nfc.Manager { return pcsc.New() }

// readFlags are the flags of idagent read.
type readFlags struct {
	reader    string
	id        string
	doc       string
	dob, exp  string
	mrz       string
	qr        string
	can       string
	trust     []string
	allowTest bool
	challenge []byte
	photo     string
	noPhoto   bool
	groups    []int
	groupsSet bool // --dg given
	json      bool
	stats     bool
	trace     string
	evidence  string // --evidence FILE
}

const readSynopsis = "[--reader NAME] (--can CAN | --id ID12 [--dob YYMMDD [--exp YYMMDD]] | --doc DOCNO --dob YYMMDD --exp YYMMDD | --mrz 'MRZ' | --qr 'QR PAYLOAD') " +
	"[--trust DIR|FILE]... [--allow-test-anchors] [--challenge HEX|BASE64] [--evidence FILE] [--photo FILE | --no-photo] [--dg LIST] [--json] [--stats] [--trace FILE]"

// defaultGroups are the data groups read besides DG1 and DG2: personal
// details (DG11, DG12; DG13 on a Vietnamese card) and the anti-clone keys.
var defaultGroups = []int{11, 12, 13, 14, 15}

func runRead(ctx context.Context, e *env, args []string) int {
	f := readFlags{groups: defaultGroups}
	fs := newFlags(e, "read", readSynopsis)
	fs.StringVar(&f.reader, "reader", "", "reader name (default: the only reader holding a card)")
	fs.StringVar(&f.can, "can", "", "card access number for PACE (may be given with an MRZ key, which BAC then uses)")
	fs.StringVar(&f.id, "id", "", "12-digit ID number of a Vietnamese card: alone, PACE with its CAN (last 6 digits); with --dob, also the MRZ key")
	fs.StringVar(&f.doc, "doc", "", "document number as printed in the MRZ")
	fs.StringVar(&f.dob, "dob", "", "date of birth, YYMMDD")
	fs.StringVar(&f.exp, "exp", "", "date of expiry, YYMMDD (with --id: computed from the card rules when omitted)")
	fs.StringVar(&f.mrz, "mrz", "", "the MRZ text, with or without line breaks")
	fs.StringVar(&f.qr, "qr", "", "the payload of a Vietnamese card's QR code")
	fs.Func("trust", "trust store directory, master list, CSCA certificate or CRL; repeatable (default: the configured store)", func(v string) error {
		f.trust = append(f.trust, v)
		return nil
	})
	fs.BoolVar(&f.allowTest, "allow-test-anchors", false, "accept chains that end at TEST anchors, and trust the simulator's TEST CSCA (idagent sim cards)")
	fs.Func("challenge", "8-byte active authentication challenge, hex or base64 as a verification service issues it (default: random)", f.setChallenge)
	fs.StringVar(&f.evidence, "evidence", "", "write the read's evidence (read.result's evidence object: personal data) to FILE, for idagent verify evidence or a verification service (docs/VERIFIER.md)")
	fs.StringVar(&f.photo, "photo", "", "write the portrait (JPEG or PNG) to FILE: the only way the photo reaches a file")
	fs.BoolVar(&f.noPhoto, "no-photo", false, "text only: do not read the portrait (DG2)")
	fs.Func("dg", "data groups to read besides DG1, comma-separated (default 2,11,12,13,14,15: 2 is the portrait; 14 and 15 run chip and active authentication)", f.setGroups)
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.BoolVar(&f.stats, "stats", false, "report exchanges, bytes each way and time per phase")
	fs.StringVar(&f.trace, "trace", "", "write a field trace of the exchange with the chip to FILE (headers, lengths, status words, timing; never card data): see docs/READ.md")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent read: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if f.photo != "" && f.noPhoto {
		fmt.Fprintln(e.stderr, "idagent read: --photo and --no-photo exclude each other")
		return exitUsage
	}
	keys, code, err := f.keys(time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
		return code
	}
	store, notes, err := f.trustStore()
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
		return exitInput
	}
	return readCard(ctx, e, f, f.options(keys, store), notes)
}

func (f *readFlags) setChallenge(v string) error {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(v, " ", ""), "0x"))
	if err != nil {
		b, err = base64.StdEncoding.DecodeString(v)
	}
	if err != nil || len(b) != activeauth.ChallengeLen {
		return fmt.Errorf("want %d bytes in hex or base64", activeauth.ChallengeLen)
	}
	f.challenge = b
	return nil
}

func (f *readFlags) setGroups(v string) error {
	f.groups, f.groupsSet = nil, true
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(part), "DG"))
		if err != nil || n < 1 || n > 16 {
			return fmt.Errorf("want data group numbers from 1 to 16")
		}
		f.groups = append(f.groups, n)
	}
	return nil
}

// options are the read pipeline's options for the flags.
func (f readFlags) options(keys []access.Key, store *trust.Store) read.Options {
	o := read.Options{Keys: keys, Verify: true, Trust: store, AllowTestAnchors: f.allowTest, AAChallenge: f.challenge,
		Photo: f.wantPhoto()}
	for _, n := range f.groups {
		if n > 2 {
			o.DataGroups = append(o.DataGroups, n)
		}
	}
	return o
}

// wantPhoto: the portrait is read unless --no-photo, or --dg without 2
// (and without --photo).
func (f readFlags) wantPhoto() bool {
	switch {
	case f.noPhoto:
		return false
	case f.photo != "":
		return true
	}
	return !f.groupsSet || slices.Contains(f.groups, 2)
}

// trustStore loads --trust (or the configured store) and, with
// --allow-test-anchors, the simulator's TEST CSCA and its CRL.
func (f readFlags) trustStore() (*trust.Store, []string, error) {
	return loadTrustWithTest(f.trust, f.allowTest)
}

// loadTrustWithTest loads the trust store of paths (loadTrust) and, when
// allowTest, the simulator's TEST CSCA and its CRL, flagged as a test
// anchor.
func loadTrustWithTest(paths []string, allowTest bool) (*trust.Store, []string, error) {
	store, notes, err := loadTrust(paths)
	if err != nil || !allowTest {
		return store, notes, err
	}
	if err := sim.AddTestAnchors(store); err != nil {
		return nil, nil, err
	}
	return store, append(notes, "simulator TEST CSCA and CRL (test anchor)"), nil
}

// keys builds the access keys from --can and at most one of --id,
// --doc, --mrz, --qr. Errors name flags and fields, never values.
func (f readFlags) keys(now time.Time) ([]access.Key, int, error) {
	given := 0
	for _, v := range []string{f.id, f.doc, f.mrz, f.qr} {
		if v != "" {
			given++
		}
	}
	if given > 1 || given == 0 && f.can == "" {
		return nil, exitUsage, errors.New("give --can, or exactly one of --id, --doc, --mrz or --qr (see --help)")
	}
	var keys []access.Key
	if f.can != "" {
		can, err := access.NewCAN(f.can)
		if err != nil {
			return nil, exitInput, fmt.Errorf("--can: %w", err)
		}
		keys = append(keys, can)
	}
	more, err := f.documentKeys(now)
	if err != nil {
		if errors.Is(err, errUsage) {
			return nil, exitUsage, err
		}
		return nil, exitInput, err
	}
	return append(keys, more...), exitOK, nil
}

var errUsage = errors.New("usage")

// documentKeys are the keys of --id, --doc, --mrz or --qr.
func (f readFlags) documentKeys(now time.Time) ([]access.Key, error) {
	switch {
	case f.id != "":
		return idKeys(f.id, f.dob, f.exp, now)
	case f.doc != "":
		if f.dob == "" || f.exp == "" {
			return nil, fmt.Errorf("%w: --doc needs --dob and --exp", errUsage)
		}
		k, err := access.NewMRZKey(f.doc, f.dob, f.exp)
		if err != nil {
			return nil, err
		}
		return []access.Key{k}, nil
	case f.mrz != "":
		k, err := access.ParseMRZ(strings.ReplaceAll(f.mrz, `\n`, "\n"))
		if err != nil {
			return nil, err
		}
		return []access.Key{k}, nil
	case f.qr != "":
		return qrKeys(f.qr, now)
	}
	return nil, nil
}

// idKeys: the MRZ key of a Vietnamese card from its ID number and dates;
// without --exp, one key per possible expiry. The CAN comes first for when
// PACE is available.
func idKeys(id, dob, exp string, now time.Time) ([]access.Key, error) {
	can, err := cccd.CAN(id)
	if err != nil {
		return nil, err
	}
	switch {
	case dob == "" && exp != "":
		return nil, fmt.Errorf("%w: --id with --exp needs --dob", errUsage)
	case dob == "":
		return []access.Key{can}, nil // PACE with the CAN
	case exp != "":
		k, err := cccd.MRZKey(id, dob, exp)
		if err != nil {
			return nil, err
		}
		return []access.Key{can, k}, nil
	}
	birth, err := cccd.ParseYYMMDD(dob, now)
	if err != nil {
		return nil, fmt.Errorf("--dob: %w", err)
	}
	expiries, err := cccd.ExpiryCandidates(birth, now)
	if err != nil {
		return nil, err
	}
	keys := []access.Key{can}
	for _, e := range expiries {
		k, err := cccd.MRZKey(id, dob, e.YYMMDD())
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func qrKeys(payload string, now time.Time) ([]access.Key, error) {
	q, err := cccd.ParseQR(payload)
	if err != nil {
		return nil, err
	}
	return q.Keys(now)
}

// readCard picks the reader, connects, reads, exports the portrait when
// asked and prints. The exit code is the verdict's (0, 1, 2) unless the
// read itself failed.
func readCard(ctx context.Context, e *env, f readFlags, opts read.Options, notes []string) int {
	m := readManager()
	name, code, err := pickReader(ctx, m, f.reader)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
		return code
	}
	conn, err := m.Connect(ctx, name)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %s\n", cardProblem(err))
		return exitNoCard
	}
	defer conn.Close()
	var card nfc.Card = conn
	if f.trace != "" {
		tc, closeTrace, err := startTrace(f.trace, name, conn)
		if err != nil {
			fmt.Fprintf(e.stderr, "idagent read: --trace: %v\n", err)
			return exitCantCreate
		}
		defer closeTrace()
		card = tc
	}
	res, err := read.Read(ctx, card, opts)
	if tc, ok := card.(*trace.Card); ok {
		if terr := tc.Finish(traceOutcome(res, err)); terr != nil {
			fmt.Fprintf(e.stderr, "idagent read: --trace: %v\n", terr)
		}
	}
	if err != nil {
		code, msg := readFailure(err)
		fmt.Fprintf(e.stderr, "idagent read: %s\n", msg)
		if f.stats && res != nil {
			printStats(e.stderr, res.Stats)
		}
		return code
	}
	out := describeRead(name, res, notes, f.stats)
	if f.photo != "" {
		if err := exportPhoto(f.photo, res); err != nil {
			fmt.Fprintf(e.stderr, "idagent read: --photo: %v\n", err)
			return exitCantCreate
		}
		out.Photo.File = f.photo
	}
	if f.evidence != "" {
		if err := exportEvidence(f.evidence, res); err != nil {
			fmt.Fprintf(e.stderr, "idagent read: --evidence: %v\n", err)
			return exitCantCreate
		}
	}
	if f.json {
		b, err := json.Marshal(out)
		if err != nil {
			fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
			return exitSoft
		}
		fmt.Fprintln(e.stdout, string(b))
	} else {
		printRead(e.stdout, out, res)
	}
	return exitForVerdict(res.Verdict)
}

// exportEvidence writes the read's evidence, readable by the user only
// (it holds every data group).
func exportEvidence(path string, res *read.Result) error {
	b, err := json.Marshal(res.Evidence())
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// startTrace creates the trace file (readable by the user only: it holds
// no card data, but it is the user's) and wraps conn in a tracing card.
func startTrace(path, reader string, conn nfc.Conn) (*trace.Card, func(), error) {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, err
	}
	tc, err := trace.New(conn, file, trace.Header{Agent: currentBuild().Version, Reader: reader, ATR: hex.EncodeToString(conn.ATR())}, nil)
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return tc, func() { file.Close() }, nil
}

// traceOutcome is the trace's last line: how the read ended and what it
// learnt of the chip, no card data.
func traceOutcome(res *read.Result, err error) map[string]any {
	out := map[string]any{}
	if err != nil {
		_, out["error"] = readFailure(err)
	}
	if res != nil {
		out["verdict"], out["exchanges"], out["durationMs"] = res.Verdict, res.Stats.Exchanges, res.Stats.Duration.Milliseconds()
		out["link"], out["session"] = res.Stats.Link, res.Stats.Session
		if res.Access != nil {
			out["access"] = res.Access.Mechanism
		}
	}
	return out
}

// exportPhoto writes the portrait as a browser shows it (JPEG, or PNG
// for a lossless JPEG 2000 original) to path, readable by the user only.
// Only a portrait the issuer is proven to have signed is decoded and
// written, as at the desk (read.Options.OnPhoto).
func exportPhoto(path string, res *read.Result) error {
	f, ok := res.File("DG2")
	if !ok || f.Status != read.FileRead {
		return errors.New("the chip's portrait (DG2) was not read")
	}
	if proven, why := verify.Proven(res.Checks, res.Evidence(), 2); !proven {
		return fmt.Errorf("the chip's portrait (DG2) is not proven to be the issuer's, so it is not written: %s", why)
	}
	p, err := lds.PortraitFromDG2(f.Data, false)
	if err != nil {
		return err
	}
	return os.WriteFile(path, p.Data, 0o600)
}

// pickReader returns the named reader, or the only reader with a card.
func pickReader(ctx context.Context, m nfc.Manager, want string) (string, int, error) {
	readers, err := m.Readers(ctx)
	if err != nil {
		return "", exitNoCard, errors.New(cardProblem(err))
	}
	if len(readers) == 0 {
		return "", exitNoCard, errors.New("no smart card reader is connected")
	}
	var names, withCard []string
	for _, r := range readers {
		names = append(names, fmt.Sprintf("%q", r.Name))
		if r.CardPresent {
			withCard = append(withCard, r.Name)
		}
		if want != "" && r.Name == want {
			if !r.CardPresent {
				return "", exitNoCard, fmt.Errorf("no card on the reader %q", want)
			}
			return want, exitOK, nil
		}
	}
	switch {
	case want != "":
		return "", exitNoCard, fmt.Errorf("no reader named %q; readers: %s", want, strings.Join(names, ", "))
	case len(withCard) == 1:
		return withCard[0], exitOK, nil
	case len(withCard) == 0:
		return "", exitNoCard, fmt.Errorf("no card on the reader(s) %s", strings.Join(names, ", "))
	}
	quoted := make([]string, len(withCard))
	for i, n := range withCard {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "", exitUsage, fmt.Errorf("several readers hold a card (%s): choose one with --reader", strings.Join(quoted, ", "))
}

// cardProblem explains an error of the card stack in one line.
func cardProblem(err error) string {
	switch {
	case errors.Is(err, nfc.ErrNoService):
		return "the smart card service is not running (start pcscd)"
	case errors.Is(err, nfc.ErrNoReaders):
		return "no smart card reader is connected"
	case errors.Is(err, nfc.ErrReaderRemoved):
		return "the reader was removed"
	case errors.Is(err, nfc.ErrNoCard):
		return "no card on the reader"
	case errors.Is(err, nfc.ErrCardRemoved):
		return "the card was removed during the read: hold it still on the reader and try again"
	case errors.Is(err, nfc.ErrSharingViolation):
		return "the card is in use by another program"
	case errors.Is(err, nfc.ErrCardUnresponsive):
		return "the card does not respond: place it flat on the reader and try again"
	}
	return err.Error()
}

// readFailure maps a read error to an exit code and a one-line message.
func readFailure(err error) (int, string) {
	switch {
	case errors.Is(err, access.ErrTokenInvalid):
		return exitFailed, "the chip accepted the key but failed to prove it (invalid authentication token): not a genuine chip, do not accept the document"
	case errors.Is(err, access.ErrDenied):
		return exitAccess, "access denied: the key does not open this chip"
	case errors.Is(err, context.Canceled):
		return exitFailed, "read cancelled"
	case errors.Is(err, nfc.ErrNoService), errors.Is(err, nfc.ErrReaderRemoved), errors.Is(err, nfc.ErrNoCard),
		errors.Is(err, nfc.ErrCardRemoved), errors.Is(err, nfc.ErrSharingViolation), errors.Is(err, nfc.ErrCardUnresponsive):
		return exitNoCard, cardProblem(err)
	case errors.Is(err, files.ErrNotFound):
		return exitChip, "not an eMRTD: the card has no ICAO travel document application"
	}
	return exitChip, "read failed: " + err.Error()
}
