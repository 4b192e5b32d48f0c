package read

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// insert puts a software chip into a virtual reader and connects to it.
func insert(t testing.TB, profile string, opts sim.Options) (*sim.Chip, *virtual.Manager, nfc.Conn) {
	t.Helper()
	chip, err := sim.New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := virtual.New("reader")
	if err := m.Insert("reader", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "reader")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return chip, m, conn
}

func mrzKey(t testing.TB, chip *sim.Chip) *access.MRZKey {
	t.Helper()
	k, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestReadCCCD(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 1})
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{mrzKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	ad := chip.AccessData()
	if res.DocumentType != IDCard || res.AccessControl != "BAC" || res.DG1 == nil {
		t.Fatalf("type %q access %q", res.DocumentType, res.AccessControl)
	}
	if res.DG1.DocumentNumber != ad.DocumentNumber || res.DG1.DateOfBirth != ad.DateOfBirth ||
		res.DG1.DateOfExpiry != ad.DateOfExpiry || res.DG1.VN == nil || res.DG1.VN.ID12 != ad.ID12 {
		t.Error("DG1 does not match the chip's access data")
	}
	if res.COM == nil || !res.COM.Has(13) {
		t.Error("EF.COM")
	}
	for _, name := range []string{"EF.COM", "DG1"} {
		if f, ok := res.File(name); !ok || f.Status != FileRead || !bytes.Equal(f.Data, chip.Document().Files[fidOf(name)]) {
			t.Errorf("%s: %v", name, f)
		}
	}
	// SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE, one READ BINARY per file.
	if res.Stats.Exchanges != 5 {
		t.Errorf("%d exchanges", res.Stats.Exchanges)
	}
	var phases []string
	sum := 0
	for _, p := range res.Stats.Phases {
		phases = append(phases, p.Name)
		sum += p.Exchanges
	}
	if strings.Join(phases, ",") != "select,access,read EF.COM,read DG1" || sum != res.Stats.Exchanges {
		t.Errorf("phases %v (%d exchanges)", phases, sum)
	}
}

func fidOf(name string) uint16 {
	if name == "EF.COM" {
		return files.EFCOM.FID
	}
	var n int
	fmt.Sscanf(name, "DG%d", &n)
	return files.DataGroup(n).FID
}

func TestReadPassport(t *testing.T) {
	chip, _, conn := insert(t, "passport", sim.Options{Seed: 2})
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{mrzKey(t, chip)}, DataGroups: []int{11, 12}})
	if err != nil {
		t.Fatal(err)
	}
	if res.DocumentType != Passport || res.DG1.MRZFormat != "TD3" {
		t.Errorf("%q %q", res.DocumentType, res.DG1.MRZFormat)
	}
	for _, n := range []string{"DG11", "DG12"} {
		if f, _ := res.File(n); f.Status != FileRead {
			t.Errorf("%s %s", n, f.Status)
		}
	}
}

func TestWrongKeyDenied(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 3})
	ad := chip.AccessData()
	wrong, err := access.NewMRZKey(ad.DocumentNumber, ad.DateOfBirth, "991231")
	if err != nil {
		t.Fatal(err)
	}
	if ad.DateOfExpiry == "991231" {
		t.Skip("seed gives a card without expiry")
	}
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{wrong}})
	if !errors.Is(err, access.ErrDenied) {
		t.Fatalf("%v", err)
	}
	if strings.Contains(err.Error(), ad.DocumentNumber) || strings.Contains(err.Error(), ad.DateOfBirth) {
		t.Errorf("error shows the key: %v", err)
	}
	if res.Stats.Exchanges != 3 {
		t.Errorf("%d exchanges for a wrong key", res.Stats.Exchanges)
	}
}

// Several candidate keys (a QR code without issue date): one attempt each,
// the right one opens.
func TestKeyCandidates(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 4})
	ad := chip.AccessData()
	wrong1, _ := access.NewMRZKey(ad.DocumentNumber, ad.DateOfBirth, "010101")
	wrong2, _ := access.NewMRZKey(ad.DocumentNumber, "010101", ad.DateOfExpiry)
	can, _ := access.NewCAN(ad.CAN)
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{can, wrong1, wrong2, mrzKey(t, chip)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Exchanges != 1+3*2+2 {
		t.Errorf("%d exchanges", res.Stats.Exchanges)
	}
	_, err = Read(context.Background(), conn, Options{Keys: []access.Key{wrong1, wrong2}})
	if !errors.Is(err, access.ErrDenied) || !strings.Contains(err.Error(), "none of 2 keys") {
		t.Errorf("%v", err)
	}
	if _, err := Read(context.Background(), conn, Options{Keys: []access.Key{can}}); err == nil || errors.Is(err, access.ErrDenied) {
		t.Errorf("CAN only: %v", err)
	}
}

func TestFullReadWithCallbacks(t *testing.T) {
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 5})
	var events []string
	last := -1
	opts := Options{
		Keys:       []access.Key{mrzKey(t, chip)},
		DataGroups: []int{3, 11, 13, 14, 15},
		Photo:      true,
		OnProgress: func(p Progress) {
			if p.Percent < last {
				t.Errorf("progress went back from %d to %d", last, p.Percent)
			}
			last = p.Percent
			events = append(events, fmt.Sprintf("%s%s", p.Phase, p.File))
		},
		OnIdentity: func(r *Result) {
			events = append(events, "identity")
			if r.DG1 == nil {
				t.Error("identity without DG1")
			}
			if f, ok := r.File("DG13"); !ok || f.Status != FileRead {
				t.Error("identity before DG13")
			}
		},
		OnPhoto: func(p Photo) {
			events = append(events, "photo")
			if !bytes.Equal(p.DG2, chip.Document().Files[issue.FIDOfDG(2)]) {
				t.Error("photo differs")
			}
		},
	}
	res, err := Read(context.Background(), conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "select,access,readEF.COM,readDG1,readDG13,identity,readDG3,readDG14,readDG15,readDG2,photo,done"
	if got := strings.Join(events, ","); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if last != 100 {
		t.Errorf("last progress %d", last)
	}
	status := map[string]FileStatus{}
	for _, f := range res.Files {
		status[f.Name] = f.Status
	}
	if status["DG3"] != FileProtected || status["DG11"] != FileSkipped || status["DG2"] != FileRead || status["DG15"] != FileRead {
		t.Errorf("statuses %v", status)
	}
	// With extended length: one READ BINARY per file read.
	if res.Stats.Exchanges != 3+7 { // one READ BINARY per file, DG3 included
		t.Errorf("%d exchanges, link %+v", res.Stats.Exchanges, res.Stats.Link)
	}
	if s := fmt.Sprintf("%v %+v", res.Files, res.Files); strings.Contains(s, "JFIF") {
		t.Error("file data printed")
	}
}

func TestCardRemovedDuringPhoto(t *testing.T) {
	chip, m, conn := insert(t, "cccd", sim.Options{Seed: 6, Limits: sim.Limits{NoExtended: true}})
	opts := Options{
		Keys:  []access.Key{mrzKey(t, chip)},
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
	chip, _, conn := insert(t, "cccd", sim.Options{Seed: 7})
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Keys: []access.Key{mrzKey(t, chip)}, OnProgress: func(p Progress) {
		if p.Phase == PhaseAccess {
			cancel()
		}
	}}
	if _, err := Read(ctx, conn, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}

func TestNoKey(t *testing.T) {
	_, _, conn := insert(t, "cccd", sim.Options{Seed: 8})
	if _, err := Read(context.Background(), conn, Options{}); err == nil || errors.Is(err, access.ErrDenied) {
		t.Fatalf("%v", err)
	}
}

// The reader passes short APDUs only: the read still works, in 223-byte
// chunks, and says so in its statistics.
func TestShortOnlyReader(t *testing.T) {
	chip, m, conn := insert(t, "cccd", sim.Options{Seed: 9})
	if err := m.Configure("reader", virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}}); err != nil {
		t.Fatal(err)
	}
	res, err := Read(context.Background(), conn, Options{Keys: []access.Key{mrzKey(t, chip)}, Photo: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Link.Extended != "no" || res.Stats.Link.Chunk > 231 {
		t.Errorf("link %+v", res.Stats.Link)
	}
}

// BenchmarkReadCCCD: a full BAC read (EF.COM, DG1, DG13, DG14, DG15, DG2)
// of the software chip in-process: the reader side's own cost.
func BenchmarkReadCCCD(b *testing.B) {
	chip, _, conn := insert(b, "cccd", sim.Options{Seed: 1})
	opts := Options{Keys: []access.Key{mrzKey(b, chip)}, DataGroups: []int{13, 14, 15}, Photo: true}
	for b.Loop() {
		chip.Reset()
		res, err := Read(context.Background(), conn, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Stats.Exchanges), "exchanges/read")
	}
}
