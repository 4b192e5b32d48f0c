package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/vpcd"
)

// TestReadThroughPCSCD reads the software chip through the real pcscd and
// the vpcd reader with idagent read: BAC, EF.COM and DG1, the printed MRZ
// back. It also reads with a wrong key (access denied) and with the card
// pulled during the read.
func TestReadThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	for _, profile := range []string{"cccd", "passport"} {
		t.Run(profile, func(t *testing.T) {
			chip, err := sim.New(profile, sim.Options{Seed: 41})
			if err != nil {
				t.Fatal(err)
			}
			pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, chip, vpcd.Config{})
			ad := chip.AccessData()
			start := time.Now()
			code, out, errOut := runCmd("--mrz", ad.MRZ, "--json", "--stats")
			elapsed := time.Since(start)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got readJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if got.Reader != pcsctest.Reader0 || strings.Join(got.MRZ.Lines, "\n") != ad.MRZ {
				t.Errorf("reader %q, MRZ differs", got.Reader)
			}
			t.Logf("%s: idagent read of EF.COM and DG1 through pcscd: %v, %d exchanges, %d bytes in, %d out",
				profile, elapsed.Round(time.Millisecond), got.Stats.Exchanges, got.Stats.BytesIn, got.Stats.BytesOut)

			code, _, errOut = runCmd("--doc", ad.DocumentNumber, "--dob", ad.DateOfBirth, "--exp", "010101")
			if code != exitAccess || !strings.Contains(errOut, "access denied: the key does not open this chip") {
				t.Errorf("wrong key: exit %d: %s", code, errOut)
			}
		})
	}
}

// The card leaves the vpcd reader in the middle of the read: a typed
// "card removed", not a hang.
func TestReadCardPulledThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	chip, err := sim.New("cccd", sim.Options{Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	pull := make(chan struct{}, 1)
	cfg := vpcd.Config{Delay: func(cmd, _ []byte) time.Duration {
		if len(cmd) > 1 && cmd[1] == 0x82 { // EXTERNAL AUTHENTICATE
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
	ad := chip.AccessData()
	done := make(chan struct{})
	var code int
	var errOut string
	go func() {
		code, _, errOut = runCmd("--reader", pcsctest.Reader0, "--mrz", ad.MRZ)
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
