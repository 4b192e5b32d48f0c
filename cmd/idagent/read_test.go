package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
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
func simReader(t *testing.T, profile string, opts sim.Options) (*virtual.Manager, *sim.Chip) {
	t.Helper()
	chip, err := sim.New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := virtual.New("R")
	if err := m.Insert("R", chip); err != nil {
		t.Fatal(err)
	}
	withReaders(t, m)
	return m, chip
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), &env{stdout: &out, stderr: &errOut}, append([]string{"read"}, args...))
	return code, out.String(), errOut.String()
}

// testTrustArgs trusts the simulator's TEST CSCA only (an empty store
// otherwise, whatever the machine's configured store holds).
func testTrustArgs(t *testing.T) []string {
	return []string{"--trust", t.TempDir(), "--allow-test-anchors"}
}

// deskArgs is the key a desk types: the ID number of a Vietnamese card,
// the MRZ of a passport.
func deskArgs(chip *sim.Chip) []string {
	if chip.Profile().Kind == issue.Passport {
		return []string{"--mrz", chip.AccessData().MRZ}
	}
	return []string{"--id", chip.AccessData().ID12}
}

// readJSONOf runs idagent read --json and decodes its output.
func readJSONOf(t *testing.T, args ...string) (int, readJSON, string) {
	t.Helper()
	code, out, errOut := runCmd(append(args, "--json")...)
	var got readJSON
	if out != "" {
		if strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Error("JSON on more than one line")
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return code, got, errOut
}

// --id alone opens a CCCD with PACE and its CAN; the whole card is read
// and verified, printed with typed fields.
func TestReadWithIDAlone(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 31})
	code, got, errOut := readJSONOf(t, append(deskArgs(chip), testTrustArgs(t)...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	id := chip.Document().Identity
	if got.Verdict != check.Pass || got.Access.Mechanism != "PACE-GM" || got.Access.Password != "CAN" || got.Access.Cipher != "AES-128" {
		t.Errorf("verdict %s, access %+v", got.Verdict, got.Access)
	}
	if got.MRZ.ID12 != id.ID12 || got.DG13 == nil || got.DG13.IDNumber != id.ID12 || got.DG13.FullName != id.FullName() ||
		got.DG13.PlaceOfResidence != id.PlaceOfResidence {
		t.Error("DG13 fields differ")
	}
	if got.Photo == nil || got.Photo.Format != lds.FormatJPEG || got.Photo.Size < 1000 || got.Photo.Width == 0 || got.Photo.File != "" {
		t.Errorf("photo %+v", got.Photo)
	}
	if got.ChipAuthentication == nil || got.ChipAuthentication.Status != check.Pass ||
		got.ActiveAuthentication == nil || got.ActiveAuthentication.Status != check.Pass || len(got.ActiveAuthentication.Challenge) != 16 {
		t.Errorf("anti-clone %+v %+v", got.ChipAuthentication, got.ActiveAuthentication)
	}
	names := map[string]bool{}
	for _, c := range got.Checks {
		names[c.Name] = true
		if c.Status != check.Pass {
			t.Errorf("%+v", c)
		}
	}
	for _, n := range []string{check.SODSignature, check.DSChain, check.DSValidity, check.DSRevocation, check.DSCountry,
		check.DGHash(1), check.DGHash(2), check.DGHash(13), check.DGHash(14), check.DGHash(15), lds.CheckMRZDigits,
		check.MRZConsistency, check.AccessKey, check.ChipAuth, check.ActiveAuth} {
		if !names[n] {
			t.Errorf("no %s check", n)
		}
	}
	// The JSON names DG13's fields, never numbers, and carries no image.
	_, raw, _ := runCmd(append(append(deskArgs(chip), testTrustArgs(t)...), "--json")...)
	for _, want := range []string{`"placeOfResidence":`, `"fatherName":`, `"mechanism":"PACE-GM"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if strings.Contains(raw, "/9j/") || strings.Contains(raw, `"data"`) {
		t.Error("JSON carries the image")
	}
}

func TestReadText(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 32})
	ad := chip.AccessData()
	args := append([]string{"--id", ad.ID12, "--dob", ad.DateOfBirth, "--exp", ad.DateOfExpiry, "--stats"}, testTrustArgs(t)...)
	code, out, errOut := runCmd(args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PACE-GM (CAN", "id-card", ad.DocumentNumber, ad.ID12, ad.DateOfBirth,
		strings.Split(ad.MRZ, "\n")[2], "DG13 place of residence", "Chip auth", "PASS", "verdict PASS",
		"read EF.CardAccess", "chip-auth", "active-auth"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Without --exp the expiry comes from the card rules; the CAN comes first
// and opens the card.
func TestReadWithIDWithoutExpiry(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 33})
	ad := chip.AccessData()
	code, got, errOut := readJSONOf(t, append([]string{"--id", ad.ID12, "--dob", ad.DateOfBirth}, testTrustArgs(t)...)...)
	if code != exitOK || got.MRZ.DateOfExpiry != ad.DateOfExpiry {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestReadPassportJSONStats(t *testing.T) {
	_, chip := simReader(t, "passport", sim.Options{Seed: 34})
	ad := chip.AccessData()
	for _, mrz := range []string{ad.MRZ, strings.ReplaceAll(ad.MRZ, "\n", ""), strings.ReplaceAll(ad.MRZ, "\n", `\n`)} {
		code, out, errOut := runCmd(append([]string{"--mrz", mrz, "--json", "--stats"}, testTrustArgs(t)...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		m := got["mrz"].(map[string]any)
		if m["documentNumber"] != ad.DocumentNumber || m["documentType"] != "passport" || got["reader"] != "R" {
			t.Errorf("%v", m)
		}
		if got["dg11"] == nil || got["dg12"] == nil || got["access"].(map[string]any)["password"] != "MRZ" {
			t.Error("passport without DG11/DG12 or not opened with the MRZ")
		}
		stats := got["stats"].(map[string]any)
		var keys []string
		for k := range stats {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "bytesIn,bytesOut,exchanges,phases" {
			t.Errorf("stats keys %v", keys)
		}
		var phases []string
		for _, p := range stats["phases"].([]any) {
			phases = append(phases, p.(map[string]any)["name"].(string))
		}
		for _, want := range []string{"read EF.CardAccess", "access", "read DG1", "chip-auth", "read DG2", "active-auth", "verify"} {
			if !slices.Contains(phases, want) {
				t.Errorf("no phase %q in %v", want, phases)
			}
		}
	}
}

func TestReadWithDocCANAndQR(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 35})
	ad := chip.AccessData()
	trustArgs := testTrustArgs(t)
	if code, _, errOut := runCmd(append([]string{"--doc", ad.DocumentNumber, "--dob", ad.DateOfBirth, "--exp", ad.DateOfExpiry}, trustArgs...)...); code != exitOK {
		t.Fatalf("--doc: exit %d: %s", code, errOut)
	}
	code, got, errOut := readJSONOf(t, append([]string{"--can", ad.CAN}, trustArgs...)...)
	if code != exitOK || got.Access.Password != "CAN" {
		t.Fatalf("--can: exit %d: %s", code, errOut)
	}
	birth, _ := time.Parse("060102", ad.DateOfBirth)
	if birth.After(time.Now()) {
		birth = birth.AddDate(-100, 0, 0)
	}
	qr := fmt.Sprintf("%s||Nguy?n V?n A|%s|Nam|H? N?i", ad.ID12, birth.Format("02012006")) // 6 fields: no issue date
	if code, _, errOut := runCmd(append([]string{"--qr", qr}, trustArgs...)...); code != exitOK {
		t.Fatalf("--qr: exit %d: %s", code, errOut)
	}
}

func TestReadAccessDenied(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 36})
	ad := chip.AccessData()
	wrongCAN := "000000"
	if ad.CAN == wrongCAN {
		wrongCAN = "000001"
	}
	for _, args := range [][]string{
		{"--doc", ad.DocumentNumber, "--dob", ad.DateOfBirth, "--exp", "010101"},
		{"--can", wrongCAN},
	} {
		code, out, errOut := runCmd(args...)
		if code != exitAccess {
			t.Fatalf("%v: exit %d: %s", args[0], code, errOut)
		}
		if strings.TrimSpace(errOut) != "idagent read: access denied: the key does not open this chip" || out != "" {
			t.Errorf("stderr %q stdout %q", errOut, out)
		}
	}
}

// The exit code is the verdict's: 0 genuine, 1 a check failed (a forgery,
// or a test document without --allow-test-anchors), 2 trust unknown.
func TestReadExitCodes(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 37})
	store := t.TempDir()
	if code, got, _ := readJSONOf(t, append(deskArgs(chip), "--trust", store)...); code != exitUnknown || got.Verdict != check.Unknown {
		t.Errorf("no anchor: exit %d, verdict %s", code, got.Verdict)
	}
	anchor := filepath.Join(t.TempDir(), "csca.cer")
	if err := os.WriteFile(anchor, sim.TrustAnchor(), 0o600); err != nil {
		t.Fatal(err)
	}
	// The TEST CSCA given as a file is a test anchor all the same: its
	// private key is published (emrtd/trust.Published), so without
	// --allow-test-anchors what it signs fails.
	if code, out, errOut := runCmd(append(deskArgs(chip), "--trust", anchor)...); code != exitFailed || !strings.Contains(out, "TEST_ANCHOR") {
		t.Errorf("anchor file: exit %d (%s)", code, errOut)
	}
	_, forged := simReader(t, "cccd", sim.Options{Seed: 37, Tamper: issue.DG13Edited})
	code, got, _ := readJSONOf(t, append(deskArgs(forged), testTrustArgs(t)...)...)
	if c, _ := got.Checks.Get(check.DGHash(13)); code != exitFailed || got.Verdict != check.Fail || c.Status != check.Fail {
		t.Errorf("forged: exit %d, verdict %s", code, got.Verdict)
	}
}

// --photo writes the portrait, and only then does it reach a file;
// --no-photo does not read DG2.
func TestReadPhoto(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 38})
	file := filepath.Join(t.TempDir(), "face.jpg")
	code, got, errOut := readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--photo", file)...)
	if code != exitOK || got.Photo == nil || got.Photo.File != file {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(file)
	portrait, _ := lds.PortraitFromDG2(chip.Document().Files[issue.FIDOfDG(2)], false)
	if err != nil || !bytes.Equal(data, portrait.Data) {
		t.Error("exported photo differs")
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}
	code, got, _ = readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--no-photo")...)
	if code != exitOK || got.Photo != nil {
		t.Errorf("--no-photo: exit %d, photo %+v", code, got.Photo)
	}
	for _, f := range got.Files {
		if f.Name == "DG2" {
			t.Error("DG2 read with --no-photo")
		}
	}
	if code, _, _ := runCmd(append(deskArgs(chip), "--photo", file, "--no-photo")...); code != exitUsage {
		t.Errorf("--photo with --no-photo: exit %d", code)
	}
	if code, _, _ := runCmd(append(append(deskArgs(chip), testTrustArgs(t)...), "--photo", filepath.Join(file, "x"))...); code != exitCantCreate {
		t.Errorf("unwritable --photo: exit %d", code)
	}
}

// The caller's challenge goes to the chip and comes back with the
// signature and DG15's key.
func TestReadChallenge(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 39})
	code, got, errOut := readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--challenge", "0102030405060708", "--no-photo")...)
	aa := got.ActiveAuthentication
	if code != exitOK || aa == nil || aa.Challenge != "0102030405060708" || aa.Signature == "" {
		t.Fatalf("exit %d: %s %+v", code, errOut, aa)
	}
	spki, _ := hex.DecodeString(aa.PublicKey)
	if dg15, err := lds.ParseDG15(chip.Document().Files[issue.FIDOfDG(15)]); err != nil || !bytes.Equal(spki, dg15.PublicKey.SPKI) {
		t.Error("public key is not DG15's")
	}
	for _, bad := range []string{"0102", "zz02030405060708"} {
		if code, _, _ := runCmd(append(deskArgs(chip), "--challenge", bad)...); code != exitUsage {
			t.Errorf("--challenge %s: exit %d", bad, code)
		}
	}
}

// --dg 1: DG1, EF.SOD and what the verdict needs besides (DG14 and DG15,
// which EF.SOD lists: chip and active authentication are required), no
// photo, no other data group.
func TestReadDG1Only(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 40})
	code, got, errOut := readJSONOf(t, append(append(deskArgs(chip), testTrustArgs(t)...), "--dg", "1", "--stats")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var read []string
	for _, f := range got.Files {
		read = append(read, f.Name)
	}
	if strings.Join(read, ",") != "EF.CardAccess,EF.SOD,DG14,DG1,DG15" || got.Photo != nil {
		t.Errorf("files %v", read)
	}
	for _, name := range []string{check.ChipAuth, check.ActiveAuth} {
		if c, _ := got.Checks.Get(name); c.Status != check.Pass {
			t.Errorf("%+v", c)
		}
	}
	// EF.CardAccess, PACE (5), SELECT, EF.SOD, DG14, chip authentication
	// (2, DG1's READ BINARY proving it), DG1, DG15, active authentication.
	if got.Stats.Exchanges != 14 {
		t.Errorf("%d exchanges", got.Stats.Exchanges)
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
		{[]string{"--id", "001090012345", "--exp", "300101"}, exitUsage},
		{[]string{"--id", "00109001234", "--dob", "900101", "--exp", "300101"}, exitInput},
		{[]string{"--doc", "X1234567", "--dob", "901301", "--exp", "300101"}, exitInput},
		{[]string{"--mrz", "not an mrz"}, exitInput},
		{[]string{"--qr", "a|b"}, exitInput},
		{[]string{"--can", "12"}, exitInput},
		{[]string{"--can", "123456", "--dg", "17"}, exitUsage},
		{[]string{"--can", "123456", "--trust", "/nonexistent/a", "--trust", "/nonexistent/b"}, exitInput},
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
	chip, _ := sim.New("passport", sim.Options{Seed: 41})
	m := virtual.New("A", "B")
	m.Insert("B", chip)
	other, _ := sim.New("cccd", sim.Options{Seed: 42})
	m.Insert("A", other)
	withReaders(t, m)
	code, out, errOut := runCmd(append([]string{"--reader", "B", "--mrz", chip.AccessData().MRZ, "--no-photo"}, testTrustArgs(t)...)...)
	if code != exitOK || !strings.Contains(out, "passport") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// generalAuthenticate reports a PACE GENERAL AUTHENTICATE command.
func generalAuthenticate(cmd []byte) bool { return len(cmd) > 1 && cmd[1] == 0x86 }

// The card leaves during the read: a one-line explanation, exitNoCard.
func TestReadCardRemoved(t *testing.T) {
	m, chip := simReader(t, "cccd", sim.Options{Seed: 43})
	if err := m.Configure("R", virtual.ReaderConfig{Delay: func(cmd, _ []byte) time.Duration {
		if generalAuthenticate(cmd) {
			go m.Remove("R")
			return time.Second
		}
		return 0
	}}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(deskArgs(chip)...)
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
		{fmt.Errorf("open the chip: %w", access.ErrTokenInvalid), exitFailed},
		{fmt.Errorf("open the chip: %w", access.ErrDenied), exitAccess},
		{errors.New("odd"), exitChip},
	} {
		if code, msg := readFailure(tc.err); code != tc.code || msg == "" {
			t.Errorf("%v: %d %q", tc.err, code, msg)
		}
	}
}

// idagent read --trace writes a field trace a user can send: its header,
// one line per exchange, the outcome; no card data, file mode 0600. A read
// that fails writes one too (the case IT needs it for).
func TestReadTrace(t *testing.T) {
	_, chip := simReader(t, "cccd", sim.Options{Seed: 21, Quirks: []string{"no-sfi-lds", "sm-error-plain-counted"}})
	path := filepath.Join(t.TempDir(), "card.trace")
	code, _, errOut := runCmd(append(append(deskArgs(chip), testTrustArgs(t)...), "--trace", path)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("trace mode %v", fi.Mode().Perm())
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 20 || !strings.Contains(lines[0], `"idagent-field-trace"`) || !strings.Contains(lines[len(lines)-1], `"verdict":"PASS"`) ||
		!strings.Contains(lines[len(lines)-1], `"afterOtherError":"counted"`) {
		t.Fatalf("trace of %d lines: %s ... %s", len(lines), lines[0], lines[len(lines)-1])
	}
	ad := chip.AccessData()
	for _, secret := range []string{ad.ID12, ad.CAN, ad.DocumentNumber, ad.DateOfBirth, chip.Document().Identity.Surname} {
		if strings.Contains(string(data), secret) {
			t.Error("the trace holds personal data")
		}
	}

	wrong := []string{"--can", "000000", "--trace", path}
	if code, _, _ := runCmd(wrong...); code != exitAccess {
		t.Fatalf("wrong CAN: exit %d", code)
	}
	data, _ = os.ReadFile(path)
	if !strings.Contains(string(data), `"error":"access denied`) {
		t.Errorf("failed read's trace: %s", data)
	}
	if code, _, _ := runCmd(append(deskArgs(chip), "--trace", filepath.Join(t.TempDir(), "no", "such", "dir"))...); code != exitCantCreate {
		t.Errorf("unwritable trace: exit %d", code)
	}
}
