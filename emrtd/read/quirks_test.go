package read

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/vpcd"
)

// Every quirk alone, on the Vietnamese card and on the passport: a
// genuine chip reads and passes with the mechanism it has without the
// quirk.
func TestEveryQuirk(t *testing.T) {
	for _, profile := range []string{"cccd", "passport"} {
		for _, q := range sim.Quirks() {
			if isAccessQuirk(q) || !quirkFits(profile, q.Name) {
				continue // access control and chip authentication quirks: TestAccessQuirks
			}
			// A quirk of what the profile lacks (an RSA trailer on an
			// ECDSA chip, DG13 on a passport) is not played.
			if err := sim.QuirksFit(profile, q.Name); errors.Is(err, sim.ErrQuirkNotApplicable) {
				continue
			}
			t.Run(profile+"/"+q.Name, func(t *testing.T) {
				t.Parallel()
				readQuirky(t, profile, []string{q.Name}, profileWant[profile])
			})
		}
	}
}

// Every document profile (a chip modelled on a real document: a chip
// profile with a preset of quirks) reads and passes with its mechanism,
// through the desk's key.
func TestEveryDocument(t *testing.T) {
	if len(sim.Documents()) < 5 {
		t.Fatalf("documents %v", sim.Documents())
	}
	for _, name := range sim.Documents() {
		want, ok := profileWant[name]
		if !ok {
			t.Errorf("document %s: the test does not know it", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			res := readQuirky(t, name, nil, want)
			if res.Stats.Link.Reauth > 1 {
				t.Errorf("%d re-opens", res.Stats.Link.Reauth)
			}
		})
	}
}

// The secure messaging error behaviours (SM-02 a, b, c and the uncounted
// variant, with SM-01), each without short file identifiers (every file's
// SFI read is refused) and with them (every file's first read goes past
// its end and is refused), read and pass on both documents.
func TestSecureMessagingErrors(t *testing.T) {
	modes := []string{"sm-error-protected", "sm-error-plain-abort", "sm-error-plain-counted", "sm-error-plain-uncounted"}
	for _, profile := range []string{"cccd", "passport", "passport-bac-only"} {
		for _, mode := range modes {
			for _, trigger := range [][]string{{"no-sfi-lds"}, {"eof-6b00"}, {"no-sfi-lds", "eof-6700", "sm-abort-selects-mf"}} {
				quirks := append([]string{mode}, trigger...)
				t.Run(fmt.Sprintf("%s/%s", profile, strings.Join(quirks, ",")), func(t *testing.T) {
					t.Parallel()
					res := readQuirky(t, profile, quirks, profileWant[profile])
					checkLearned(t, res, mode, trigger)
				})
			}
		}
	}
}

// checkLearned checks what the read learned: short file identifiers
// refused (the file reader reads the application's files after SELECT),
// reads past the end refused (headers first), what the chip does after an
// unprotected refusal (never a wrong guess kept), and a bounded number of
// re-opens.
func checkLearned(t *testing.T, res *Result, mode string, trigger []string) {
	t.Helper()
	l, h := res.Stats.Link, res.Stats.Session
	if slices.Contains(trigger, "no-sfi-lds") && l.SFI != "no" {
		t.Errorf("short file identifiers: %q", l.SFI)
	}
	if (slices.Contains(trigger, "eof-6b00") || slices.Contains(trigger, "eof-6700")) && l.HeaderFirst != "yes" {
		t.Errorf("header first: %q", l.HeaderFirst)
	}
	want := map[string]string{"sm-error-protected": "", "sm-error-plain-abort": "ended",
		"sm-error-plain-counted": "counted", "sm-error-plain-uncounted": "uncounted"}[mode]
	for _, got := range []string{h.AfterLengthError, h.AfterOtherError} {
		if got != "" && got != want {
			t.Errorf("learned %q after a refusal, the chip is %s", got, mode)
		}
	}
	if l.Reauth > 3 {
		t.Errorf("%d re-opens", l.Reauth)
	}
}

// readQuirky reads a genuine chip of profile with quirks and checks it
// passes with want's mechanism.
func readQuirky(t *testing.T, profile string, quirks []string, want profileExpectation) *Result {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: 3, Quirks: quirks, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	_, conn := insertChip(t, chip)
	opts := fullOptions(t, deskKey(t, chip))
	trustSignerIfAbsent(t, opts.Trust, chip)
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatalf("%v (link %+v, session %+v, %d exchanges)", err, res.Stats.Link, res.Stats.Session, res.Stats.Exchanges)
	}
	assertGenuine(t, chip, res, want, warnedBy(chip.Quirks())...)
	return res
}

// warnedBy lists the checks the quirks turn to WARN by policy.
func warnedBy(quirks []string) []string {
	var warns []string
	for _, name := range quirks {
		if q, err := sim.LookupQuirk(name); err == nil {
			warns = append(warns, q.Warns...)
		}
	}
	return warns
}

// assertGenuine checks that a read of a genuine chip opened with want's
// mechanism and passed every check.
// warns names the checks that may read WARN (by policy, for a quirk's
// defect); then the verdict may be WARN too.
func assertGenuine(t *testing.T, chip *sim.Chip, res *Result, want profileExpectation, warns ...string) {
	t.Helper()
	if res.AccessControl != want.mechanism || res.Access.Cipher != want.cipher || res.Access.Fallback {
		t.Errorf("access %+v", res.Access)
	}
	for _, c := range res.Checks {
		warned := c.Status == check.Warn && slices.Contains(warns, c.Name)
		if c.Status != check.Pass && c.Status != check.Skipped && c.Status != check.NotSupported && !warned {
			t.Errorf("%s %s %s: %s", c.Name, c.Status, c.Reason, c.Message)
		}
	}
	if res.Verdict != check.Pass && !(res.Verdict == check.Warn && len(warns) > 0) {
		t.Errorf("verdict %s", res.Verdict)
	}
	if want.activeAuth != (res.ActiveAuth != nil) {
		t.Errorf("active authentication %+v", res.ActiveAuth)
	}
	checkTypedFields(t, chip, res)
}

// Issue 14's passport: BAC only, no short file identifiers in the
// application (a plain 6A82), and a chip that counts a refused command in
// its SSC. The reader used to roll its SSC back, lose the session on the
// next command and give up after four re-opens ("secure messaging session
// lost 4 times"); now it guesses the chip counted, learns it, and reads
// without a single re-open.
func TestIssue14Passport(t *testing.T) {
	res := readQuirky(t, "passport-bac-only", []string{"no-sfi", "sm-error-plain-counted"}, profileWant["passport-bac-only"])
	if l := res.Stats.Link; l.Reauth != 0 || l.SFI != "no" || res.Stats.Session.AfterOtherError != "counted" {
		t.Errorf("link %+v, session %+v", l, res.Stats.Session)
	}
}

// countingCard passes commands to a chip and counts them by instruction.
type countingCard struct {
	chip *sim.Chip
	ins  map[byte]int
}

func (c *countingCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	c.ins[cmd[1]]++
	return c.chip.Respond(cmd), nil
}

// After a refused BAC a chip makes the next EXTERNAL AUTHENTICATE wait
// about 10 s, even a correct one and even after the card was lifted
// (real-chips T-08). The reader tries each key once, in order, with no
// timeout of its own below the read's: the wrong key is refused, the right
// one waits and opens the chip, no key is tried twice. The chip's wait
// goes through an injected sleeper, so the test does not wait.
func TestBACDelay(t *testing.T) {
	var waits []time.Duration
	chip, err := sim.New("passport-bac-only", sim.Options{Seed: 4, Quirks: []string{"bac-delay"},
		Sleep: func(d time.Duration) { waits = append(waits, d) }})
	if err != nil {
		t.Fatal(err)
	}
	right := mrzKey(t, chip)
	wrong, err := access.NewMRZKey(chip.AccessData().DocumentNumber, "010101", chip.AccessData().DateOfExpiry)
	if err != nil {
		t.Fatal(err)
	}
	card := &countingCard{chip: chip, ins: map[byte]int{}}
	opts := fullOptions(t, wrong, right)
	res, err := Read(context.Background(), card, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != check.Pass || res.Access.Attempts != 2 || card.ins[apdu.InsExternalAuthenticate] != 2 {
		t.Errorf("verdict %s, attempts %d, %d EXTERNAL AUTHENTICATE", res.Verdict, res.Access.Attempts, card.ins[apdu.InsExternalAuthenticate])
	}
	if len(waits) != 1 || waits[0] != 10*time.Second {
		t.Errorf("waits %v", waits)
	}

	// Lifted after a wrong key and laid down again: the next read, with
	// the right key, waits once more and opens the chip with one attempt.
	waits = nil
	if _, err := Read(context.Background(), card, fullOptions(t, wrong)); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("wrong key: %v", err)
	}
	chip.Reset()
	card.ins = map[byte]int{}
	res, err = Read(context.Background(), card, fullOptions(t, right))
	if err != nil || res.Access.Attempts != 1 || card.ins[apdu.InsExternalAuthenticate] != 1 || len(waits) != 1 {
		t.Errorf("after a reset: %v, %d EXTERNAL AUTHENTICATE, waits %v", err, card.ins[apdu.InsExternalAuthenticate], waits)
	}
}

// An RSA-2048 active authentication signature does not fit a short
// protected answer (real-chips T-04). Through a reader that passes short
// APDUs only, the Australian-like chip cuts it to 231 bytes: the reader
// asks once more on a fresh session with the other Le form and, cut
// again, reports active authentication inconclusive (UNKNOWN), never
// failed, and the verdict is not PASS but not FAIL. A chip that answers an
// extended Le with nothing gives the signature to a short Le: PASS.
func TestActiveAuthenticationCut(t *testing.T) {
	t.Run("short-only reader", func(t *testing.T) {
		chip, err := sim.New("passport-aa-rsa2048", sim.Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		m, conn := insertChip(t, chip)
		if err := m.Configure("reader", virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}}); err != nil {
			t.Fatal(err)
		}
		res, err := Read(context.Background(), conn, fullOptions(t, mrzKey(t, chip)))
		if err != nil {
			t.Fatal(err)
		}
		aa := res.ActiveAuth
		if aa == nil || aa.Status != check.Unknown || len(aa.Signature) != 231 || status(res.Checks, check.ActiveAuth) != check.Unknown {
			t.Fatalf("active authentication %+v, check %s", aa, status(res.Checks, check.ActiveAuth))
		}
		if res.Verdict == check.Fail || res.Verdict == check.Pass || res.Stats.Link.Reauth != 1 {
			t.Errorf("verdict %s, %d re-opens", res.Verdict, res.Stats.Link.Reauth)
		}
	})
	t.Run("extended answered empty", func(t *testing.T) {
		res := readQuirky(t, "passport-bac-only", []string{"aa-rsa2048", "extended-empty"}, profileWant["passport-bac-only"])
		if aa := res.ActiveAuth; aa == nil || len(aa.Signature) != 256 || res.Stats.Link.Reauth != 1 {
			t.Errorf("active authentication %+v, %d re-opens", aa, res.Stats.Link.Reauth)
		}
	})
}

// A portrait above 32 KB is read past offset 32767 with the odd READ
// BINARY (B1, DO'54' offset), with and without extended length
// (real-chips FA-07), and passes its hash check.
func TestLargeDG2(t *testing.T) {
	for _, quirks := range [][]string{{"large-dg2"}, {"large-dg2", "no-extended"}, {"large-dg2", "no-sfi", "eof-6700"}} {
		t.Run(strings.Join(quirks, ","), func(t *testing.T) {
			chip, err := sim.New("passport", sim.Options{Seed: 6, Quirks: quirks})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(chip.Document().Files[0x0102]); n <= 0x8000 {
				t.Fatalf("DG2 of %d bytes", n)
			}
			card := &countingCard{chip: chip, ins: map[byte]int{}}
			res, err := Read(context.Background(), card, fullOptions(t, mrzKey(t, chip)))
			if err != nil {
				t.Fatal(err)
			}
			assertGenuine(t, chip, res, profileWant["passport"])
			if status(res.Checks, "dg.hash.DG2") != check.Pass || card.ins[apdu.InsReadBinaryOdd] == 0 {
				t.Errorf("DG2 %s, %d odd READ BINARY", status(res.Checks, "dg.hash.DG2"), card.ins[apdu.InsReadBinaryOdd])
			}
		})
	}
}

// A representative subset of quirky chips through the real pcscd and the
// vpcd reader: every document profile, and quirks where the transport
// matters (GET RESPONSE below secure messaging, extended length refused,
// errors answered plain, reads past the end refused, DG2 past 32 KB).
func TestQuirksThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	m := pcsc.New()
	type run struct {
		profile string
		quirks  []string
	}
	var runs []run
	for _, d := range sim.Documents() {
		runs = append(runs, run{d, nil})
	}
	runs = append(runs,
		run{"cccd", []string{"get-response", "no-extended"}},
		run{"cccd", []string{"sm-error-plain-abort", "no-sfi-lds", "eof-6700"}},
		run{"passport", []string{"le00-6b00", "no-extended"}},
		run{"passport", []string{"large-dg2", "cardaccess-6283"}},
	)
	for _, r := range runs {
		t.Run(r.profile+"/"+strings.Join(r.quirks, ","), func(t *testing.T) {
			chip, err := sim.New(r.profile, sim.Options{Seed: 8, Quirks: r.quirks})
			if err != nil {
				t.Fatal(err)
			}
			pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{})
			conn, err := m.Connect(context.Background(), pcsctest.Reader0)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
			if err != nil {
				t.Fatalf("%v (link %+v)", err, res.Stats.Link)
			}
			assertGenuine(t, chip, res, profileWant[r.profile])
		})
	}
}

// A chip that garbles the MAC of the last, short block of EF.SOD (a US
// passport, real-chips SM-04): the reader opens the session again, asks
// for the block as a full one, and asks for every file's last block so
// from then on (Link.FullLastBlock): one re-open in the first read, none
// once learned.
func TestSODLastBlockMAC(t *testing.T) {
	for _, profile := range []string{"passport", "passport-bac-only"} {
		t.Run(profile, func(t *testing.T) {
			res := readQuirky(t, profile, []string{"sod-last-block-mac", "no-extended"}, profileWant[profile])
			if l := res.Stats.Link; l.Reauth != 1 || l.FullLastBlock != "yes" {
				t.Fatalf("link %+v", l)
			}
			chip, err := sim.New(profile, sim.Options{Seed: 3, Quirks: []string{"sod-last-block-mac", "no-extended"}})
			if err != nil {
				t.Fatal(err)
			}
			_, conn := insertChip(t, chip)
			opts := fullOptions(t, deskKey(t, chip))
			opts.Hints = res.Hints()
			again, err := Read(context.Background(), conn, opts)
			if err != nil || again.Stats.Link.Reauth != 0 || again.Verdict != check.Pass {
				t.Errorf("once learned: %v, link %+v", err, again.Stats.Link)
			}
		})
	}
}
