package read

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// A CCCD opened with its CAN alone (the last six digits of the ID number):
// EF.CardAccess, PACE, SELECT and DG1, nothing else.
func TestReadCCCDWithCAN(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 1})
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{canKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	ad := chip.AccessData()
	if res.DocumentType != IDCard || res.AccessControl != MechanismPACEGM || res.DG1 == nil {
		t.Fatalf("type %q access %q", res.DocumentType, res.AccessControl)
	}
	a := res.Access
	if a.Password != "CAN" || a.Cipher != "AES-128" || a.Domain != "brainpoolP256r1" || a.ParameterID == nil || *a.ParameterID != 13 ||
		a.Protocol != "id-PACE-ECDH-GM-AES-CBC-CMAC-128" || a.Fallback || a.Attempts != 1 {
		t.Errorf("access %+v", a)
	}
	if res.DG1.DocumentNumber != ad.DocumentNumber || res.DG1.DateOfBirth != ad.DateOfBirth ||
		res.DG1.DateOfExpiry != ad.DateOfExpiry || res.DG1.VN == nil || res.DG1.VN.ID12 != ad.ID12 {
		t.Error("DG1 does not match the chip's access data")
	}
	if res.CardAccess == nil || len(res.CardAccess.PACE) != 1 {
		t.Error("EF.CardAccess not parsed")
	}
	if f, ok := res.File("DG1"); !ok || !bytes.Equal(f.Data, chip.Document().Files[files.DataGroup(1).FID]) {
		t.Error("DG1 bytes differ")
	}
	// READ EF.CardAccess, MSE:Set AT and four GENERAL AUTHENTICATE,
	// SELECT, READ DG1.
	if res.Stats.Exchanges != 8 {
		t.Errorf("%d exchanges", res.Stats.Exchanges)
	}
	var phases []string
	sum := 0
	for _, p := range res.Stats.Phases {
		phases = append(phases, p.Name)
		sum += p.Exchanges
	}
	if strings.Join(phases, ",") != "read EF.CardAccess,access,read DG1" || sum != res.Stats.Exchanges {
		t.Errorf("phases %v (%d exchanges)", phases, sum)
	}
	if len(res.Checks) != 0 || res.ChipAuth != nil || res.ActiveAuth != nil {
		t.Error("checks or anti-clone protocols without being asked")
	}
}

// profileExpectation is what a desk's read of a profile must establish.
type profileExpectation struct {
	mechanism, cipher string
	chipAuth          string // ChipAuthCA, ChipAuthCAM or "" for none
	activeAuth        bool
}

// profileWant is what a desk's read of each simulator profile must
// establish.
var profileWant = map[string]profileExpectation{
	"cccd":              {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"cccd2024":          {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"passport":          {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"passport-im":       {MechanismPACEIM, "AES-256", ChipAuthCA, true},
	"passport-dh":       {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"passport-cam":      {MechanismPACECAM, "AES-128", ChipAuthCAM, false},
	"passport-3des":     {MechanismPACEGM, "3DES", ChipAuthCA, true},
	"passport-bac-only": {MechanismBAC, "3DES", "", true},
	// Document profiles (sim.Documents).
	"passport-old-bac":    {MechanismBAC, "3DES", "", true},
	"passport-short-apdu": {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"passport-aa-rsa2048": {MechanismBAC, "3DES", "", true},
	"cccd-p256":           {MechanismPACEGM, "AES-128", ChipAuthCA, true},
	"id-pace-only":        {MechanismPACEGM, "AES-128", ChipAuthCA, true},
}

// Every profile opens with its mechanism, passes chip and active
// authentication where it has them, and passes every check.
func TestEveryProfile(t *testing.T) {
	for _, name := range sim.Profiles() {
		want, ok := profileWant[name]
		if !ok {
			t.Errorf("profile %s: the test does not know it", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			chip, _, conn := insert(t, name, sim.Options{Seed: 2})
			res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
			if err != nil {
				t.Fatal(err)
			}
			if res.AccessControl != want.mechanism || res.Access.Cipher != want.cipher || res.Access.Fallback {
				t.Errorf("access %+v", res.Access)
			}
			if want.chipAuth == "" {
				if res.ChipAuth != nil || status(res.Checks, check.ChipAuth) != check.NotSupported {
					t.Errorf("chip authentication on a chip without: %+v", res.ChipAuth)
				}
			} else if res.ChipAuth == nil || res.ChipAuth.Mechanism != want.chipAuth || status(res.Checks, check.ChipAuth) != check.Pass {
				t.Errorf("chip authentication %+v", res.ChipAuth)
			}
			if want.activeAuth != (res.ActiveAuth != nil) {
				t.Errorf("active authentication %+v", res.ActiveAuth)
			}
			for _, c := range res.Checks {
				if c.Status != check.Pass && c.Status != check.Skipped && c.Status != check.NotSupported {
					t.Errorf("%s %s %s: %s", c.Name, c.Status, c.Reason, c.Message)
				}
			}
			if res.Verdict != check.Pass {
				t.Errorf("verdict %s", res.Verdict)
			}
			if res.Portrait == nil || res.Portrait.Type != "jpeg" || res.Portrait.Size == 0 {
				t.Errorf("portrait %+v", res.Portrait)
			}
			checkTypedFields(t, chip, res)
		})
	}
}

// checkTypedFields compares the parsed data groups with the issued
// identity.
func checkTypedFields(t *testing.T, chip *sim.Chip, res *Result) {
	t.Helper()
	ad := chip.AccessData()
	if res.DG1.DateOfBirth != ad.DateOfBirth {
		t.Error("DG1 date of birth")
	}
	if chip.Profile().Kind == issue.Passport {
		if res.DG11 == nil || res.DG12 == nil {
			t.Error("passport without DG11/DG12")
		}
		return
	}
	if res.DG13 == nil || res.DG13.IDNumber != ad.ID12 || res.DG13.FullName == "" {
		t.Error("DG13 not parsed or differs")
	}
	if res.DG14 == nil || res.DG15 == nil || res.DG15.PublicKey == nil {
		t.Error("DG14/DG15 not parsed")
	}
}

// A 2021 CCCD answers a failed PACE with 6982 and accepts BAC afterwards:
// the read falls back to BAC, with the same MRZ key, and says so. PACE
// that failed for another reason than the key is tried once more after a
// card reset; BAC comes after a reset too, so a chip that refuses BAC
// once PACE began (AC-03) opens all the same.
func TestPACEFailsThenBAC(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer []byte // what the card answers instead of the chip
		match  func(cmd []byte) bool
		// PACE runs (each intercepted once), card resets, access control
		// runs in all.
		pace, resets, attempts int
	}{
		// The chip refuses the MRZ password at the last step, as a CCCD
		// that takes only its CAN for PACE would.
		{"step 4 answers 6982", []byte{0x69, 0x82}, func(cmd []byte) bool { return cmd[0] == 0x00 && cmd[1] == 0x86 }, 1, 1, 2},
		// The chip refuses the configuration it lists.
		{"MSE:Set AT answers 6A80", []byte{0x6A, 0x80}, func(cmd []byte) bool { return cmd[1] == 0x22 && cmd[2] == 0xC1 }, 2, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, err := sim.New("cccd", sim.Options{Seed: 3, Quirks: []string{"no-bac-after-pace"}})
			if err != nil {
				t.Fatal(err)
			}
			card := &interceptCard{chip: chip, match: tc.match, answer: tc.answer}
			res, err := Read(context.Background(), card, Options{Keys: []access.Key{mrzKey(t, chip)}, DataGroups: []int{13}})
			if err != nil {
				t.Fatal(err)
			}
			if res.AccessControl != MechanismBAC || !res.Access.Fallback || res.Access.FallbackReason == "" || res.Access.Attempts != tc.attempts {
				t.Errorf("access %+v", res.Access)
			}
			if res.DG13 == nil || len(res.Warnings) == 0 {
				t.Errorf("DG13 %v, warnings %q", res.DG13 != nil, res.Warnings)
			}
			if card.intercepted != tc.pace || card.resets != tc.resets {
				t.Errorf("PACE tried %d times, %d resets; want %d, %d", card.intercepted, card.resets, tc.pace, tc.resets)
			}
		})
	}
}

// interceptCard answers commands that match with a fixed status word
// instead of the chip.
type interceptCard struct {
	chip        *sim.Chip
	match       func(cmd []byte) bool
	answer      []byte
	intercepted int
	exchanges   int
	resets      int
}

// Reset resets the chip (nfc.Resetter).
func (c *interceptCard) Reset(context.Context) error {
	c.resets++
	c.chip.Reset()
	return nil
}

func (c *interceptCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	c.exchanges++
	if c.match(cmd) {
		c.intercepted++
		return c.answer, nil
	}
	return c.chip.Respond(cmd), nil
}

// Wrong keys: access denied, each key tried once per mechanism, the key
// nowhere in the error.
func TestWrongKeyDenied(t *testing.T) {
	other, err := sim.New("cccd", sim.Options{Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		profile   string
		key       access.Key
		exchanges int
	}{
		// EF.CardAccess, PACE (5).
		{"cccd", canKey(t, other), 6},
		{"cccd2024", canKey(t, other), 6},
		// EF.CardAccess, PACE (5), SELECT, BAC (2).
		{"cccd", mrzKey(t, other), 9},
		// EF.CardAccess, PACE (5), SELECT, GET CHALLENGE refused.
		{"cccd2024", mrzKey(t, other), 8},
		{"passport", mrzKey(t, other), 9},
		// EF.CardAccess absent (by SFI and SELECT), SELECT, BAC (2).
		{"passport-bac-only", mrzKey(t, other), 5},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.profile, tc.key), func(t *testing.T) {
			chip, _, conn := insert(t, tc.profile, sim.Options{Seed: 4})
			res, err := Read(context.Background(), conn, Options{Keys: []access.Key{tc.key}})
			if !errors.Is(err, access.ErrDenied) {
				t.Fatalf("%v", err)
			}
			ad := chip.AccessData()
			for _, secret := range []string{ad.DocumentNumber, ad.DateOfBirth, ad.CAN, other.AccessData().CAN} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a key: %v", err)
				}
			}
			if res.Stats.Exchanges != tc.exchanges {
				t.Errorf("%d exchanges, want %d", res.Stats.Exchanges, tc.exchanges)
			}
		})
	}
}

// Several candidate keys (a QR code without issue date): one attempt per
// key and mechanism, the right one opens.
func TestKeyCandidates(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 5})
	ad := chip.AccessData()
	wrong1, _ := access.NewMRZKey(ad.DocumentNumber, ad.DateOfBirth, "010101")
	wrong2, _ := access.NewMRZKey(ad.DocumentNumber, "010101", ad.DateOfExpiry)
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{wrong1, wrong2, mrzKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Access.Mechanism != MechanismPACEGM || res.Access.Attempts != 3 || res.Access.Password != "MRZ" {
		t.Errorf("access %+v", res.Access)
	}
	// EF.CardAccess, three PACE runs, SELECT, DG1.
	if res.Stats.Exchanges != 1+3*5+1+1 {
		t.Errorf("%d exchanges", res.Stats.Exchanges)
	}
	chip.Reset()
	_, err = Read(context.Background(), conn, Options{Keys: []access.Key{wrong1, wrong2}})
	if !errors.Is(err, access.ErrDenied) || !strings.Contains(err.Error(), "4 attempts refused") {
		t.Errorf("%v", err)
	}
}

// A chip without EF.CardAccess cannot be opened with a CAN alone.
func TestCANWithoutPACE(t *testing.T) {
	chip, _, conn := insert(t, "passport-bac-only", sim.Options{Seed: 6})
	_, err := Read(context.Background(), conn, Options{Keys: []access.Key{canKey(t, chip)}})
	if err == nil || errors.Is(err, access.ErrDenied) || !errors.Is(err, ErrNeedMRZKey) {
		t.Fatalf("%v", err)
	}
}

func TestFullReadWithCallbacks(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 7})
	var events []string
	last := -1
	opts := fullOptions(t, canKey(t, chip))
	opts.DataGroups = append(opts.DataGroups, 3)
	opts.OnProgress = func(p Progress) {
		if p.Percent < last {
			t.Errorf("progress went back from %d to %d", last, p.Percent)
		}
		last = p.Percent
		events = append(events, string(p.Phase)+p.File)
	}
	opts.OnIdentity = func(r *Result) {
		events = append(events, "identity")
		if r.DG1 == nil || r.DG13 == nil {
			t.Error("identity without DG1 or DG13")
		}
		// The chip proved itself before: every check is final but DG2's
		// hash, pending.
		for _, name := range []string{check.DGHash(13), check.ChipAuth, check.ActiveAuth, check.CardAccessConsistency, check.AccessProtocol} {
			if status(r.Checks, name) != check.Pass {
				t.Errorf("identity: %s is %q", name, status(r.Checks, name))
			}
		}
		if c, _ := r.Checks.Get(check.DGHash(2)); c.Status != check.Skipped || c.Reason != verify.ReasonPending {
			t.Errorf("identity: DG2's hash %+v, want pending", c)
		}
	}
	opts.OnPhoto = func(p Photo) {
		events = append(events, "photo")
		if !bytes.Equal(p.DG2, chip.Document().Files[issue.FIDOfDG(2)]) {
			t.Error("photo differs")
		}
	}
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "selectEF.CardAccess,access,readEF.COM,readEF.SOD,readDG14,chip-auth,readDG1,readDG13,readDG15,active-auth," +
		"readDG3,verify,identity,readDG2,photo,verify,done"
	if got := strings.Join(events, ","); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if last != 100 {
		t.Errorf("last progress %d", last)
	}
	st := map[string]FileStatus{}
	for _, f := range res.Files {
		st[f.Name] = f.Status
	}
	if st["DG3"] != FileProtected || st["DG11"] != FileSkipped || st["DG2"] != FileRead || st["DG15"] != FileRead {
		t.Errorf("statuses %v", st)
	}
	if res.Stats.Identity <= 0 || res.Stats.Identity > res.Stats.Duration {
		t.Errorf("identity at %v of %v", res.Stats.Identity, res.Stats.Duration)
	}
	if s := fmt.Sprintf("%v %+v %v", res.Files, res.Files, res.DG13); strings.Contains(s, "JFIF") || strings.Contains(s, chip.AccessData().ID12) {
		t.Error("personal data printed")
	}
}

// The caller's challenge goes to the chip, and the result carries what a
// server needs to check the signature itself.
func TestActiveAuthenticationChallenge(t *testing.T) {
	chip, _, conn := insert(t, "passport-bac-only", sim.Options{Seed: 8})
	challenge := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	opts := fullOptions(t, mrzKey(t, chip))
	opts.AAChallenge = challenge
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	aa := res.ActiveAuth
	if aa == nil || !bytes.Equal(aa.Challenge, challenge) || len(aa.Signature) != 128 || aa.Algorithm == "" ||
		!bytes.Equal(aa.PublicKey, res.DG15.PublicKey.SPKI) || aa.Status != check.Pass {
		t.Fatalf("active authentication %+v", aa)
	}
	opts.AAChallenge = []byte{1, 2, 3}
	if _, err := Read(context.Background(), conn, opts); err == nil {
		t.Error("a 3-byte challenge accepted")
	}
}

func TestCardRemovedDuringPhoto(t *testing.T) {
	chip, m, conn := insert(t, "cccd", sim.Options{Seed: 9, Limits: sim.Limits{NoExtended: true}})
	opts := Options{
		Keys:  []access.Key{canKey(t, chip)},
		Photo: true,
		OnProgress: func(p Progress) {
			if p.File == "DG2" {
				m.Remove("reader")
			}
		},
	}
	res, err := Read(context.Background(), conn, opts)
	if !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("%v", err)
	}
	if res == nil || res.DG1 == nil {
		t.Error("partial result lost")
	}
}

func TestCancelled(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 10})
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Keys: []access.Key{canKey(t, chip)}, OnProgress: func(p Progress) {
		if p.Phase == PhaseAccess {
			cancel()
		}
	}}
	if _, err := Read(ctx, conn, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}

func TestNoKey(t *testing.T) {
	_, _, conn := insert(t, "cccd", sim.Options{Seed: 11})
	if _, err := Read(context.Background(), conn, Options{}); err == nil || errors.Is(err, access.ErrDenied) {
		t.Fatalf("%v", err)
	}
}

// The chip drops its session in the middle of DG2: the read opens it
// again with PACE and the same key and goes on where it stopped.
func TestSessionLostMidFile(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 12, Limits: sim.Limits{NoExtended: true}})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	card := &interceptCard{chip: chip, answer: []byte{0x69, 0x88}, match: func(cmd []byte) bool {
		if cmd[0] == 0x0C && cmd[1] == 0xB0 {
			reads++
			return reads == 20
		}
		return false
	}}
	res, err := Read(context.Background(), card, Options{Keys: []access.Key{canKey(t, chip)}, Photo: true})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.File("DG2"); !bytes.Equal(f.Data, chip.Document().Files[issue.FIDOfDG(2)]) {
		t.Error("DG2 differs after the session was re-established")
	}
	if res.Stats.Link.Reauth != 1 {
		t.Errorf("link %+v", res.Stats.Link)
	}
}

// The reader passes short APDUs only: the read still works, in 223-byte
// chunks, and says so in its statistics.
func TestShortOnlyReader(t *testing.T) {
	chip, m, conn := insert(t, "cccd", sim.Options{Seed: 13})
	if err := m.Configure("reader", virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}}); err != nil {
		t.Fatal(err)
	}
	res, err := Read(context.Background(), conn, fullOptions(t, canKey(t, chip)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Link.Extended != "no" || res.Stats.Link.Chunk != 223 || res.Verdict != check.Pass {
		t.Errorf("link %+v, verdict %s", res.Stats.Link, res.Verdict)
	}
}

// A chip whose first read of EF.CardAccess fails: the master file is
// selected (the CCCD answers 6D00, which never ends the read) and the
// file read again; PACE follows.
func TestCardAccessRetriedAfterSelectMF(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 14})
	if err != nil {
		t.Fatal(err)
	}
	first := true
	var selectMF []byte
	card := &interceptCard{chip: chip, answer: []byte{0x69, 0x85}, match: func(cmd []byte) bool {
		if cmd[1] == 0xA4 && cmd[2] == 0x00 {
			selectMF = chip.Respond(cmd)
		}
		hit := first && cmd[1] == 0xB0
		first = false
		return hit
	}}
	res, err := Read(context.Background(), card, Options{Keys: []access.Key{canKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(selectMF, []byte{0x6D, 0x00}) || res.AccessControl != MechanismPACEGM {
		t.Errorf("SELECT MF answered % X, access %q", selectMF, res.AccessControl)
	}
}

// A chip whose PACE or BAC proof does not verify after a well-formed
// exchange ends the read with access.ErrTokenInvalid: not access denied,
// and no other key or mechanism is tried.
func TestTokenInvalidEndsRead(t *testing.T) {
	isGA := func(cmd []byte) bool { return cmd[0] == 0x00 && cmd[1] == 0x86 } // step 4 (no chaining)
	isEA := func(cmd []byte) bool { return cmd[0] == 0x00 && cmd[1] == 0x82 }
	for _, tc := range []struct {
		name      string
		profile   string
		keys      func(chip, other *sim.Chip) []access.Key
		match     func(cmd []byte) bool
		exchanges int
	}{
		// EF.CardAccess, PACE (5): the MRZ key and BAC are not tried.
		{"PACE", "cccd", func(chip, _ *sim.Chip) []access.Key { return []access.Key{canKey(t, chip), mrzKey(t, chip)} }, isGA, 6},
		// EF.CardAccess (SFI, SELECT), SELECT, BAC refused (2), BAC (2):
		// the forged answer wins over the wrong key before it.
		{"BAC", "passport-bac-only", func(chip, other *sim.Chip) []access.Key {
			return []access.Key{mrzKey(t, other), mrzKey(t, chip)}
		}, isEA, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, err := sim.New(tc.profile, sim.Options{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			other, _ := sim.New(tc.profile, sim.Options{Seed: 4})
			card := &forgeCard{chip: chip, match: tc.match}
			res, err := Read(context.Background(), card, Options{Keys: tc.keys(chip, other)})
			if !errors.Is(err, access.ErrTokenInvalid) || errors.Is(err, access.ErrDenied) {
				t.Fatalf("%v", err)
			}
			if res.Stats.Exchanges != tc.exchanges || card.bac > 0 && tc.name == "PACE" {
				t.Errorf("%d exchanges (want %d), %d BAC commands", res.Stats.Exchanges, tc.exchanges, card.bac)
			}
		})
	}
}

// forgeCard flips the last data byte of the chip's successful answers to
// matching commands, as a chip that cannot compute its token would send
// something else.
type forgeCard struct {
	chip  *sim.Chip
	match func(cmd []byte) bool
	bac   int
}

func (c *forgeCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	if cmd[1] == 0x84 || cmd[1] == 0x82 {
		c.bac++
	}
	out := c.chip.Respond(cmd)
	if c.match(cmd) && len(out) > 2 && out[len(out)-2] == 0x90 {
		out[len(out)-3] ^= 1
	}
	return out, nil
}

// A data group named twice by the caller is read once: the bytes shown,
// hashed and given as evidence are one copy.
func TestEachFileReadOnce(t *testing.T) {
	// DG3 is not a text or anti-clone group: the generic loop reads it,
	// once however often it is named (the chip refuses it: 6982).
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 7})
	opts := fullOptions(t, deskKey(t, chip))
	opts.DataGroups = []int{3, 13, 3, 13, 14, 15, 15, 3}
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range res.Files {
		seen[f.Name]++
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", name, n)
		}
	}
	if ev := res.Evidence(); len(ev.Refused) != 1 || ev.Refused[0].DG != 3 {
		t.Errorf("refused %+v", ev.Refused)
	}
}
