package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// withReaders makes idagent read use m for the test.
func withReaders(t *testing.T, m nfc.Manager) {
	t.Helper()
	old := readManager
	readManager = func() nfc.Manager { return m }
	t.Cleanup(func() { readManager = old })
}

// simReader inserts a software chip into a virtual reader named "R".
func simReader(t *testing.T, profile string, seed uint64) (*virtual.Manager, sim.AccessData) {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	m := virtual.New("R")
	if err := m.Insert("R", chip); err != nil {
		t.Fatal(err)
	}
	withReaders(t, m)
	return m, chip.AccessData()
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), &env{stdout: &out, stderr: &errOut}, append([]string{"read"}, args...))
	return code, out.String(), errOut.String()
}

func TestReadWithID(t *testing.T) {
	_, ad := simReader(t, "cccd", 31)
	code, out, errOut := runCmd("--id", ad.ID12, "--dob", ad.DateOfBirth, "--exp", ad.DateOfExpiry)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"BAC", "id-card", ad.DocumentNumber, ad.ID12, ad.DateOfBirth, ad.DateOfExpiry, strings.Split(ad.MRZ, "\n")[2]} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks a field:\n%s", out)
		}
	}
}

// Without --exp the expiry comes from the card rules: every candidate is
// tried, one attempt each.
func TestReadWithIDWithoutExpiry(t *testing.T) {
	_, ad := simReader(t, "cccd", 32)
	code, out, errOut := runCmd("--id", ad.ID12, "--dob", ad.DateOfBirth, "--json")
	if code != exitOK {
		// The test identity's issue date may predate the chip cards'
		// rules the candidates assume; say so rather than fail silently.
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got readJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.MRZ.DateOfExpiry != ad.DateOfExpiry {
		t.Fatalf("%v %s", err, out)
	}
}

func TestReadJSONWithMRZ(t *testing.T) {
	_, ad := simReader(t, "passport", 33)
	for _, mrz := range []string{ad.MRZ, strings.ReplaceAll(ad.MRZ, "\n", ""), strings.ReplaceAll(ad.MRZ, "\n", `\n`)} {
		code, out, errOut := runCmd("--mrz", mrz, "--json", "--stats")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Errorf("JSON on more than one line")
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		m := got["mrz"].(map[string]any)
		if m["documentNumber"] != ad.DocumentNumber || m["documentType"] != "passport" || got["reader"] != "R" {
			t.Errorf("%v", m)
		}
		stats := got["stats"].(map[string]any)
		for _, k := range []string{"exchanges", "bytesIn", "bytesOut", "phases"} {
			if _, ok := stats[k]; !ok {
				t.Errorf("stats lacks %q", k)
			}
		}
	}
}

func TestReadWithDocAndQR(t *testing.T) {
	_, ad := simReader(t, "cccd", 34)
	if code, _, errOut := runCmd("--doc", ad.DocumentNumber, "--dob", ad.DateOfBirth, "--exp", ad.DateOfExpiry); code != exitOK {
		t.Fatalf("--doc: exit %d: %s", code, errOut)
	}
	birth, _ := time.Parse("060102", ad.DateOfBirth)
	if birth.After(time.Now()) {
		birth = birth.AddDate(-100, 0, 0)
	}
	qr := fmt.Sprintf("%s||Nguy?n V?n A|%s|Nam|H? N?i|", ad.ID12, birth.Format("02012006"))
	qr = strings.TrimSuffix(qr, "|") // 6 fields: no issue date
	if code, _, errOut := runCmd("--qr", qr); code != exitOK {
		t.Fatalf("--qr: exit %d: %s", code, errOut)
	}
}

func TestReadAccessDenied(t *testing.T) {
	_, ad := simReader(t, "cccd", 35)
	code, out, errOut := runCmd("--doc", ad.DocumentNumber, "--dob", ad.DateOfBirth, "--exp", "010101")
	if code != exitAccess {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.TrimSpace(errOut) != "idagent read: access denied: the key does not open this chip" || out != "" {
		t.Errorf("stderr %q stdout %q", errOut, out)
	}
}

func TestReadUsageAndInputErrors(t *testing.T) {
	withReaders(t, virtual.New())
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"--id", "001090012345", "--mrz", "x"}, exitUsage},
		{[]string{"--doc", "X1234567"}, exitUsage},
		{[]string{"--id", "001090012345"}, exitInput},
		{[]string{"--id", "00109001234", "--dob", "900101", "--exp", "300101"}, exitInput},
		{[]string{"--doc", "X1234567", "--dob", "901301", "--exp", "300101"}, exitInput},
		{[]string{"--mrz", "not an mrz"}, exitInput},
		{[]string{"--qr", "a|b"}, exitInput},
		{[]string{"--doc", "X1234567", "--dob", "900101", "--exp", "300101", "extra"}, exitUsage},
		{[]string{"--help"}, exitOK},
	} {
		code, _, errOut := runCmd(tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errOut)
		}
		if strings.Contains(errOut, "001090012345") || strings.Contains(errOut, "901301") {
			t.Errorf("%v: stderr shows a value: %s", tc.args, errOut)
		}
	}
}

// failingManager fails Readers with err.
type failingManager struct {
	nfc.Manager
	err error
}

func (f failingManager) Readers(context.Context) ([]nfc.ReaderState, error) { return nil, f.err }

func TestReadNoServiceReaderCard(t *testing.T) {
	key := []string{"--doc", "X1234567", "--dob", "900101", "--exp", "300101"}
	check := func(name string, m nfc.Manager, args []string, code int, msg string) {
		t.Helper()
		withReaders(t, m)
		got, _, errOut := runCmd(append(key, args...)...)
		if got != code || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, msg) {
			t.Errorf("%s: exit %d, stderr %q", name, got, errOut)
		}
	}
	check("pcscd dead", failingManager{err: fmt.Errorf("list readers: %w", nfc.ErrNoService)}, nil, exitNoCard, "service is not running")
	check("no reader", virtual.New(), nil, exitNoCard, "no smart card reader")
	check("no card", virtual.New("A", "B"), nil, exitNoCard, `no card on the reader(s) "A", "B"`)
	check("unknown reader", virtual.New("A"), []string{"--reader", "Z"}, exitNoCard, `no reader named "Z"; readers: "A"`)
	check("empty reader", virtual.New("A"), []string{"--reader", "A"}, exitNoCard, `no card on the reader "A"`)
	two := virtual.New("A", "B")
	for _, r := range []string{"A", "B"} {
		chip, _ := sim.New("cccd", sim.Options{Seed: 1})
		two.Insert(r, chip)
	}
	check("two cards", two, nil, exitUsage, `several readers hold a card ("A", "B")`)
}

func TestReadPicksNamedReader(t *testing.T) {
	chip, _ := sim.New("passport", sim.Options{Seed: 36})
	m := virtual.New("A", "B")
	m.Insert("B", chip)
	other, _ := sim.New("cccd", sim.Options{Seed: 37})
	m.Insert("A", other)
	withReaders(t, m)
	code, out, errOut := runCmd("--reader", "B", "--mrz", chip.AccessData().MRZ)
	if code != exitOK || !strings.Contains(out, "passport") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// The card leaves during the read: a one-line explanation, exitNoCard.
func TestReadCardRemoved(t *testing.T) {
	m, ad := simReader(t, "cccd", 38)
	if err := m.Configure("R", virtual.ReaderConfig{Delay: func(cmd, _ []byte) time.Duration {
		if len(cmd) > 1 && cmd[1] == 0x82 { // EXTERNAL AUTHENTICATE
			go m.Remove("R")
			return time.Second
		}
		return 0
	}}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd("--id", ad.ID12, "--dob", ad.DateOfBirth, "--exp", ad.DateOfExpiry)
	if code != exitNoCard || !strings.Contains(errOut, "card was removed") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d: %q", code, errOut)
	}
}

func TestReadFailureMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("x: %w", nfc.ErrCardRemoved), exitNoCard},
		{context.Canceled, exitFailed},
		{errors.New("odd"), exitFailed},
	} {
		if code, msg := readFailure(tc.err); code != tc.code || msg == "" {
			t.Errorf("%v: %d %q", tc.err, code, msg)
		}
	}
}
