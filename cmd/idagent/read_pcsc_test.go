package main

import (
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/vpcd"
)

// insertPCSC issues a software chip and inserts it into the first vpcd
// reader of the real pcscd until the (sub)test ends.
func insertPCSC(t *testing.T, profile string, opts sim.Options) *sim.Chip {
	t.Helper()
	chip, err := sim.New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{})
	return chip
}

// pcscProfiles is the mechanism each profile must be opened with.
var pcscProfiles = map[string]string{
	"cccd": "PACE-GM", "cccd2024": "PACE-GM", "passport": "PACE-GM", "passport-im": "PACE-IM",
	"passport-dh": "PACE-GM", "passport-cam": "PACE-CAM", "passport-3des": "PACE-GM", "passport-bac-only": "BAC",
}

// TestReadThroughPCSCD reads every simulator profile through the real
// pcscd and the vpcd reader with idagent read --json: the mechanism named,
// every check passing, the printed MRZ back; a wrong key is access denied.
// It logs the time of a DG1-only read, end to end.
func TestReadThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	for _, profile := range sim.Profiles() {
		t.Run(profile, func(t *testing.T) {
			mechanism, ok := pcscProfiles[profile]
			if !ok {
				t.Fatalf("the test does not know profile %s", profile)
			}
			chip := insertPCSC(t, profile, sim.Options{Seed: 41})
			code, got, errOut := readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--stats")...)
			if code != exitOK || got.Verdict != check.Pass {
				t.Fatalf("exit %d, verdict %s: %s %+v", code, got.Verdict, errOut, got.Checks)
			}
			if got.Reader != pcsctest.Reader0 || strings.Join(got.MRZ.Lines, "\n") != chip.AccessData().MRZ || got.Access.Mechanism != mechanism {
				t.Errorf("reader %q, access %+v", got.Reader, got.Access)
			}
			t.Logf("%s: %s, %d exchanges, %d bytes in, %d out", profile, got.Access.Mechanism, got.Stats.Exchanges, got.Stats.BytesIn, got.Stats.BytesOut)
			if profile != "cccd" && profile != "passport-bac-only" {
				return
			}
			other, _ := sim.New(profile, sim.Options{Seed: 99})
			code, _, errOut = runCmd("--mrz", other.AccessData().MRZ)
			if code != exitAccess || !strings.Contains(errOut, "access denied: the key does not open this chip") {
				t.Errorf("wrong key: exit %d: %s", code, errOut)
			}
			start := time.Now()
			code, got, errOut = readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--dg", "1", "--stats")...)
			if code != exitOK {
				t.Fatalf("DG1 only: exit %d: %s", code, errOut)
			}
			t.Logf("%s: idagent read --dg 1 through pcscd: %v end to end, %d exchanges", profile, time.Since(start).Round(time.Millisecond), got.Stats.Exchanges)
		})
	}
}

// Every forgery of the simulator is caught through the whole pipeline
// (software chip in pcscd → idagent read --json), each with its own
// failing check and exit code.
func TestReadTampersThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	for _, tamper := range issue.Tampers {
		t.Run(string(tamper), func(t *testing.T) {
			name := tamper.Caught().Check
			chip := insertPCSC(t, "cccd", sim.Options{Seed: 42, Tamper: tamper})
			code, got, errOut := readJSONOf(t, append(deskArgs(chip), testTrustArgs(t)...)...)
			c, _ := got.Checks.Get(name)
			wantCode, wantStatus := exitFailed, check.Fail
			if tamper == issue.DSCUntrusted {
				wantCode, wantStatus = exitUnknown, check.Unknown
			}
			if code != wantCode || c.Status != wantStatus {
				t.Fatalf("exit %d (%s), %s %s", code, errOut, name, c.Status)
			}
			for _, other := range got.Checks {
				if other.Status == check.Fail && other.Name != name {
					t.Errorf("also failed: %s %s", other.Name, other.Reason)
				}
			}
		})
	}
}

// Hostile chips through the whole pipeline (software chip in pcscd →
// idagent read --json): never PASS (exit 0 only for a WARN), and the checks the
// attack names catch it. A subset of the catalogue, on the CCCD read with
// its ID number as a desk does (the MRZ where the attack forces BAC);
// emrtd/read's TestAttacks reads every attack on every profile in process.
func TestReadAttacksThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	for _, name := range []string{"ca-key-planted", "dg14-hidden", "hidden-unprotected", "cardaccess-stripped",
		"cardaccess-weaker", "aa-refused", "chip-swapped", "com-omits-anticlone"} {
		t.Run(name, func(t *testing.T) {
			a, err := sim.LookupAttack(name)
			if err != nil {
				t.Fatal(err)
			}
			chip := insertPCSC(t, "cccd", sim.Options{Seed: 45, Attack: name})
			key := deskArgs(chip)
			if name == "cardaccess-stripped" {
				key = []string{"--mrz", chip.AccessData().MRZ}
			}
			code, got, errOut := readJSONOf(t, append(key, testTrustArgs(t)...)...)
			// A WARN (the downgrades a relay forces, an EF.COM that
			// disagrees) exits 0 like any WARN; the verdict says it.
			if got.Verdict == check.Pass || got.Verdict == "" || (got.Verdict != check.Warn && code == exitOK) {
				t.Fatalf("exit %d, verdict %s: %s", code, got.Verdict, errOut)
			}
			for _, want := range a.Caught(chip.Profile()) {
				if c, _ := got.Checks.Get(want.Check); c.Status != want.Status {
					t.Errorf("%s is %s (%s), want %s", want.Check, c.Status, c.Reason, want.Status)
				}
			}
		})
	}
}

// Chip limits through pcscd: a chip that takes short APDUs only, and one
// that answers 6700 above 160 bytes, read completely with the fallbacks.
func TestReadChipLimitsThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	for _, tc := range []struct {
		name   string
		limits sim.Limits
		chunk  int
	}{
		{"no extended", sim.Limits{NoExtended: true}, 223},
		{"max response 160", sim.Limits{MaxResponse: 160, OverLimit: sim.WrongLength}, 112},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip := insertPCSC(t, "cccd", sim.Options{Seed: 43, Limits: tc.limits})
			code, got, errOut := readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--stats")...)
			if code != exitOK || got.Link.Chunk != tc.chunk {
				t.Fatalf("exit %d (%s), link %+v", code, errOut, got.Link)
			}
			t.Logf("%s: %d exchanges, chunk %d", tc.name, got.Stats.Exchanges, got.Link.Chunk)
		})
	}
}

// The card leaves the vpcd reader in the middle of the read: a typed
// "card removed", not a hang.
func TestReadCardPulledThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	chip, err := sim.New("cccd", sim.Options{Seed: 44})
	if err != nil {
		t.Fatal(err)
	}
	pull := make(chan struct{}, 1)
	cfg := vpcd.Config{Delay: func(cmd, _ []byte) time.Duration {
		if generalAuthenticate(cmd) {
			select {
			case pull <- struct{}{}:
				return 2 * time.Second // the card leaves while it "computes"
			default:
			}
		}
		return 0
	}}
	in := pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, cfg)
	go func() {
		<-pull
		in.Remove()
	}()
	done := make(chan struct{})
	var code int
	var errOut string
	go func() {
		code, _, errOut = runCmd(append([]string{"--reader", pcsctest.Reader0}, deskArgs(chip)...)...)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("idagent read hangs after the card was pulled")
	}
	if code != exitNoCard || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d: %q", code, errOut)
	}
	t.Logf("pulled card: %s", strings.TrimSpace(errOut))
}
