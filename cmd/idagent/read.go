package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/pcsc"
)

func init() {
	register(&command{name: "read", summary: "read a chip ID card or passport on a reader and print its MRZ data", run: runRead})
}

// readManager opens the smart-card resource manager; tests replace it
// with in-process readers.
var readManager = func() nfc.Manager { return pcsc.New() }

// readFlags are the flags of idagent read.
type readFlags struct {
	reader   string
	id       string
	doc      string
	dob, exp string
	mrz      string
	qr       string
	json     bool
	stats    bool
}

const readSynopsis = "[--reader NAME] (--id ID12 --dob YYMMDD [--exp YYMMDD] | --doc DOCNO --dob YYMMDD --exp YYMMDD | --mrz 'MRZ' | --qr 'QR PAYLOAD') [--json] [--stats]"

func runRead(ctx context.Context, e *env, args []string) int {
	var f readFlags
	fs := newFlags(e, "read", readSynopsis)
	fs.StringVar(&f.reader, "reader", "", "reader name (default: the only reader holding a card)")
	fs.StringVar(&f.id, "id", "", "12-digit ID number of a Vietnamese card (document number = its last 9 digits)")
	fs.StringVar(&f.doc, "doc", "", "document number as printed in the MRZ")
	fs.StringVar(&f.dob, "dob", "", "date of birth, YYMMDD")
	fs.StringVar(&f.exp, "exp", "", "date of expiry, YYMMDD (with --id: computed from the card rules when omitted)")
	fs.StringVar(&f.mrz, "mrz", "", "the MRZ text, with or without line breaks")
	fs.StringVar(&f.qr, "qr", "", "the payload of a Vietnamese card's QR code")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.BoolVar(&f.stats, "stats", false, "report exchanges, bytes each way and time per phase")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent read: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	keys, code, err := f.keys(time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
		return code
	}
	return readCard(ctx, e, f, keys)
}

// keys builds the access keys from exactly one of --id, --doc, --mrz, --qr.
// Errors name flags and fields, never values.
func (f readFlags) keys(now time.Time) ([]access.Key, int, error) {
	given := 0
	for _, v := range []string{f.id, f.doc, f.mrz, f.qr} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return nil, exitUsage, errors.New("give exactly one of --id, --doc, --mrz or --qr (see --help)")
	}
	var keys []access.Key
	var err error
	switch {
	case f.id != "":
		keys, err = idKeys(f.id, f.dob, f.exp, now)
	case f.doc != "":
		if f.dob == "" || f.exp == "" {
			return nil, exitUsage, errors.New("--doc needs --dob and --exp")
		}
		var k *access.MRZKey
		if k, err = access.NewMRZKey(f.doc, f.dob, f.exp); err == nil {
			keys = []access.Key{k}
		}
	case f.mrz != "":
		var k *access.MRZKey
		if k, err = access.ParseMRZ(strings.ReplaceAll(f.mrz, `\n`, "\n")); err == nil {
			keys = []access.Key{k}
		}
	default:
		keys, err = qrKeys(f.qr, now)
	}
	if err != nil {
		return nil, exitInput, err
	}
	return keys, exitOK, nil
}

// idKeys: the MRZ key of a Vietnamese card from its ID number and dates;
// without --exp, one key per possible expiry. The CAN comes first for when
// PACE is available.
func idKeys(id, dob, exp string, now time.Time) ([]access.Key, error) {
	can, err := cccd.CAN(id)
	if err != nil {
		return nil, err
	}
	if dob == "" {
		return nil, errors.New("--id needs --dob (and --exp, or the expiry is computed from the card rules)")
	}
	if exp != "" {
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
	can, err := q.CAN()
	if err != nil {
		return nil, err
	}
	keys := []access.Key{can}
	// A partial birth date gives no MRZ key; the CAN still does PACE.
	mrzKeys, _ := q.MRZKeys(now)
	for _, k := range mrzKeys {
		keys = append(keys, k)
	}
	return keys, nil
}

// readCard picks the reader, connects, reads and prints.
func readCard(ctx context.Context, e *env, f readFlags, keys []access.Key) int {
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
	res, err := read.Read(ctx, conn, read.Options{Keys: keys})
	if err != nil {
		code, msg := readFailure(err)
		fmt.Fprintf(e.stderr, "idagent read: %s\n", msg)
		if f.stats && res != nil {
			printStats(e.stderr, res.Stats)
		}
		return code
	}
	if f.json {
		return printReadJSON(e, name, res, f.stats)
	}
	printRead(e.stdout, name, res)
	if f.stats {
		printStats(e.stdout, res.Stats)
	}
	return exitOK
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
	case errors.Is(err, access.ErrDenied):
		return exitAccess, "access denied: the key does not open this chip"
	case errors.Is(err, context.Canceled):
		return exitFailed, "read cancelled"
	case errors.Is(err, nfc.ErrNoService), errors.Is(err, nfc.ErrReaderRemoved), errors.Is(err, nfc.ErrNoCard),
		errors.Is(err, nfc.ErrCardRemoved), errors.Is(err, nfc.ErrSharingViolation), errors.Is(err, nfc.ErrCardUnresponsive):
		return exitNoCard, cardProblem(err)
	}
	return exitFailed, "read failed: " + err.Error()
}

// mrzFields is the printed and JSON view of DG1.
type mrzFields struct {
	DocumentType   read.DocumentType `json:"documentType"`
	DocumentCode   string            `json:"documentCode"`
	IssuingState   string            `json:"issuingState"`
	DocumentNumber string            `json:"documentNumber"`
	ID12           string            `json:"id12,omitempty"`
	Surname        string            `json:"surname"`
	GivenNames     string            `json:"givenNames"`
	Nationality    string            `json:"nationality"`
	DateOfBirth    string            `json:"dateOfBirth"`
	Sex            string            `json:"sex"`
	DateOfExpiry   string            `json:"dateOfExpiry"`
	OptionalData1  string            `json:"optionalData1,omitempty"`
	OptionalData2  string            `json:"optionalData2,omitempty"`
	Format         string            `json:"format"`
	Lines          []string          `json:"lines"`
	CheckDigits    bool              `json:"checkDigitsValid"`
}

func fieldsOf(res *read.Result) mrzFields {
	d := res.DG1
	out := mrzFields{
		DocumentType: res.DocumentType, DocumentCode: d.DocumentCode, IssuingState: d.IssuingState,
		DocumentNumber: d.DocumentNumber, Surname: d.Surname, GivenNames: d.GivenNames,
		Nationality: d.Nationality, DateOfBirth: d.DateOfBirth, Sex: d.Sex, DateOfExpiry: d.DateOfExpiry,
		OptionalData1: d.OptionalData1, OptionalData2: d.OptionalData2, Format: d.MRZFormat,
		Lines: d.Lines, CheckDigits: d.CheckDigitsValid,
	}
	if d.VN != nil {
		out.ID12 = d.VN.ID12
	}
	return out
}

func printRead(w io.Writer, reader string, res *read.Result) {
	m := fieldsOf(res)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-16s %s\n", k, v)
		}
	}
	row("Reader", reader)
	row("Access control", res.AccessControl)
	row("Document", fmt.Sprintf("%s (%s, %s)", m.DocumentType, m.DocumentCode, m.Format))
	row("Issuing state", m.IssuingState)
	row("Document number", m.DocumentNumber)
	row("ID number", m.ID12)
	row("Surname", m.Surname)
	row("Given names", m.GivenNames)
	row("Nationality", m.Nationality)
	row("Date of birth", m.DateOfBirth)
	row("Sex", m.Sex)
	row("Date of expiry", m.DateOfExpiry)
	if m.ID12 == "" { // a Vietnamese card's optional data is its ID number
		row("Optional data", strings.TrimSpace(m.OptionalData1+" "+m.OptionalData2))
	}
	if !m.CheckDigits {
		row("Check digits", "MISMATCH in "+strings.Join(res.DG1.CheckErrors, ", "))
	}
	for i, l := range m.Lines {
		k := ""
		if i == 0 {
			k = "MRZ"
		}
		fmt.Fprintf(w, "%-16s %s\n", k, l)
	}
	for _, warn := range res.Warnings {
		row("Warning", warn)
	}
}

// readJSON is the --json output.
type readJSON struct {
	Reader        string            `json:"reader"`
	AccessControl string            `json:"accessControl"`
	MRZ           mrzFields         `json:"mrz"`
	COM           *lds.COM          `json:"com,omitempty"`
	Files         []read.FileResult `json:"files"`
	Warnings      []string          `json:"warnings,omitempty"`
	Stats         *statsJSON        `json:"stats,omitempty"`
}

// statsJSON is the --stats object: exchanges, bytes each way, and the
// phases with their time in milliseconds.
type statsJSON struct {
	Exchanges  int         `json:"exchanges"`
	BytesIn    int64       `json:"bytesIn"`
	BytesOut   int64       `json:"bytesOut"`
	DurationMS float64     `json:"durationMs"`
	Phases     []phaseJSON `json:"phases"`
	Chunk      int         `json:"chunk"`
	Extended   string      `json:"extended"`
}

type phaseJSON struct {
	Name       string  `json:"name"`
	Exchanges  int     `json:"exchanges"`
	BytesIn    int64   `json:"bytesIn"`
	BytesOut   int64   `json:"bytesOut"`
	DurationMS float64 `json:"durationMs"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func statsOf(s read.Stats) *statsJSON {
	out := &statsJSON{Exchanges: s.Exchanges, BytesIn: s.BytesIn, BytesOut: s.BytesOut, DurationMS: ms(s.Duration),
		Phases: []phaseJSON{}, Chunk: s.Link.Chunk, Extended: s.Link.Extended}
	for _, p := range s.Phases {
		out.Phases = append(out.Phases, phaseJSON{Name: p.Name, Exchanges: p.Exchanges, BytesIn: p.BytesIn, BytesOut: p.BytesOut, DurationMS: ms(p.Duration)})
	}
	return out
}

func printReadJSON(e *env, reader string, res *read.Result, stats bool) int {
	out := readJSON{Reader: reader, AccessControl: res.AccessControl, MRZ: fieldsOf(res), COM: res.COM,
		Files: res.Files, Warnings: res.Warnings}
	if stats {
		out.Stats = statsOf(res.Stats)
	}
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent read: %v\n", err)
		return exitSoft
	}
	fmt.Fprintln(e.stdout, string(b))
	return exitOK
}

func printStats(w io.Writer, s read.Stats) {
	fmt.Fprintf(w, "%-16s %d exchanges, %d bytes out, %d bytes in, %.1f ms (chunk %d, extended length %s)\n",
		"Stats", s.Exchanges, s.BytesOut, s.BytesIn, ms(s.Duration), s.Link.Chunk, s.Link.Extended)
	for _, p := range s.Phases {
		fmt.Fprintf(w, "%-16s %-16s %3d exchanges %6d out %6d in %8.1f ms\n", "", p.Name, p.Exchanges, p.BytesOut, p.BytesIn, ms(p.Duration))
	}
}
