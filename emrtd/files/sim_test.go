package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/session"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/virtual"
)

// simCard lets the reader talk to a software chip in-process. tamper, when
// set, may alter each raw command before the chip sees it.
type simCard struct {
	chip   nfc.Responder
	tamper func(n int, cmd []byte) []byte
	n      int
}

func (c *simCard) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.n++
	if c.tamper != nil {
		cmd = c.tamper(c.n, append([]byte(nil), cmd...))
	}
	return c.chip.Respond(cmd), nil
}

// simSession is a chip opened with BAC, ready to read.
type simSession struct {
	chip    *sim.Chip
	card    *simCard
	meter   *Meter
	session *session.Session
	reader  *Reader
}

func openSim(t testing.TB, profile string, simOpts sim.Options, opts Options) *simSession {
	t.Helper()
	chip, err := sim.New(profile, simOpts)
	if err != nil {
		t.Fatal(err)
	}
	return openSimCard(t, chip, nil, opts)
}

// openSimCard opens chip through via (nil: directly).
func openSimCard(t testing.TB, chip *sim.Chip, via nfc.Card, opts Options) *simSession {
	t.Helper()
	card := &simCard{chip: chip}
	var meter *Meter
	if via != nil {
		meter = NewMeter(via)
	} else {
		meter = NewMeter(card)
	}
	plain := nfc.NewTransport(meter)
	key, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func(ctx context.Context) (*sm.Channel, error) {
		s, err := bac.Authenticate(ctx, plain, key, nil)
		if err != nil {
			return nil, err
		}
		return sm.NewChannel(plain, s), nil
	}
	sess := session.New(plain, session.Options{})
	r := NewReader(sess, opts)
	ctx := context.Background()
	_ = r.SelectMF(ctx) // 6D00 on the cccd profile: ignored
	if err := r.SelectApplication(ctx); err != nil {
		t.Fatal(err)
	}
	ch, err := authenticate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sess.Start(ch, authenticate)
	return &simSession{chip: chip, card: card, meter: meter, session: sess, reader: r}
}

// fileSet is what a full cccd read fetches.
var cccdFiles = []File{EFCOM, EFSOD, DataGroup(1), DataGroup(2), DataGroup(13), DataGroup(14), DataGroup(15)}

func (s *simSession) readAll(t testing.TB, files []File) int {
	t.Helper()
	total := 0
	for _, f := range files {
		data, err := s.reader.ReadFile(context.Background(), f)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if want := s.chip.Document().Files[f.FID]; !bytes.Equal(data, want) {
			t.Fatalf("%v: read %d bytes, chip holds %d (content differs)", f, len(data), len(want))
		}
		total += len(data)
	}
	return total
}

func TestReadCCCDExtended(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 1}, Options{})
	before := s.meter.Stats()
	s.readAll(t, cccdFiles)
	got := s.meter.Stats().Sub(before)
	// One READ BINARY by short file identifier per file: no SELECT, no
	// header read, no second chunk.
	if got.Exchanges != len(cccdFiles) {
		t.Errorf("%d exchanges for %d files", got.Exchanges, len(cccdFiles))
	}
	if l := s.reader.Link(); l.Extended != "yes" || l.SFI != "yes" {
		t.Errorf("link %+v", l)
	}
}

// minExchanges is the number of READ BINARY commands needed at chunk bytes
// per read (one per started chunk of each file).
func minExchanges(s *simSession, files []File, chunk int) int {
	n := 0
	for _, f := range files {
		size := len(s.chip.Document().Files[f.FID])
		n += (size + chunk - 1) / chunk
	}
	return n
}

func TestReadCCCDShortOnly(t *testing.T) {
	for name, limits := range map[string]sim.Limits{
		"no extended, chip short-reads": {NoExtended: true, MaxResponse: 256, OverLimit: sim.ShortRead},
		"no extended, chip says 6700":   {NoExtended: true, MaxResponse: 256, OverLimit: sim.WrongLength},
		"no extended":                   {NoExtended: true},
	} {
		t.Run(name, func(t *testing.T) {
			s := openSim(t, "cccd", sim.Options{Seed: 2, Limits: limits}, Options{})
			before := s.meter.Stats()
			s.readAll(t, cccdFiles)
			got := s.meter.Stats().Sub(before).Exchanges
			min := minExchanges(s, cccdFiles, 223)
			t.Logf("%d exchanges, minimum at 223 bytes %d, link %+v", got, min, s.reader.Link())
			if float64(got) > 1.10*float64(min) {
				t.Errorf("%d exchanges, more than 10%% above the minimum %d", got, min)
			}
		})
	}
}

func TestReadWithExtendedOff(t *testing.T) {
	s := openSim(t, "passport", sim.Options{Seed: 3}, Options{Extended: ExtendedOff})
	s.readAll(t, []File{EFCOM, DataGroup(1), DataGroup(2), DataGroup(11), DataGroup(12)})
	if l := s.reader.Link(); l.Extended != "no" || l.Chunk > 256 {
		t.Errorf("link %+v", l)
	}
}

func TestReadSmallChipBuffer(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 4, Limits: sim.Limits{MaxResponse: 1000, OverLimit: sim.WrongLength}}, Options{})
	s.readAll(t, cccdFiles)
	if l := s.reader.Link(); l.Chunk > 1000 {
		t.Errorf("link %+v", l)
	}
	s = openSim(t, "cccd", sim.Options{Seed: 4, Limits: sim.Limits{MaxResponse: 1000, OverLimit: sim.ShortRead}}, Options{})
	s.readAll(t, cccdFiles)
}

func TestReadWithoutSFI(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 5}, Options{NoSFI: true})
	before := s.meter.Stats()
	s.readAll(t, cccdFiles)
	if got := s.meter.Stats().Sub(before).Exchanges; got != 2*len(cccdFiles) {
		t.Errorf("%d exchanges: want SELECT + one READ per file", got)
	}
}

func TestAbsentAndProtected(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 6}, Options{})
	ctx := context.Background()
	if _, err := s.reader.ReadFile(ctx, DataGroup(11)); !errors.Is(err, ErrNotFound) {
		t.Errorf("DG11: %v", err)
	}
	if _, err := s.reader.ReadFile(ctx, DataGroup(3)); !errors.Is(err, ErrProtected) {
		t.Errorf("DG3: %v", err)
	}
	// The session survives both: the next file reads.
	s.readAll(t, []File{DataGroup(1)})
	if s.reader.Link().Reauth != 0 {
		t.Error("re-authenticated for an absent or protected file")
	}
}

// The chip drops the session in the middle of DG2 (a command arrives with
// a broken MAC): the reader authenticates again and resumes at the offset
// where it stopped, without reading from the start.
func TestResumeAfterSessionLoss(t *testing.T) {
	for _, limits := range []sim.Limits{{}, {NoExtended: true}} {
		s := openSim(t, "cccd", sim.Options{Seed: 7, Limits: limits}, Options{Extended: ExtendedOff})
		s.readAll(t, []File{DataGroup(1)})
		var offsets []int
		broke := false
		s.card.tamper = func(n int, cmd []byte) []byte {
			if cmd[0] == 0x0C && cmd[1] == 0xB0 {
				offset := int(cmd[2])<<8 | int(cmd[3])
				if cmd[2]&0x80 != 0 {
					offset = int(cmd[3]) // by short file identifier
				}
				offsets = append(offsets, offset)
				if len(offsets) == 5 && !broke {
					broke = true
					return breakMAC(cmd)
				}
			}
			return cmd
		}
		s.readAll(t, []File{DataGroup(2)})
		if s.reader.Link().Reauth != 1 {
			t.Errorf("re-authentications: %d", s.reader.Link().Reauth)
		}
		// Offsets never go back: the retry starts where the failure was.
		if !sort.IntsAreSorted(offsets) || offsets[4] != offsets[5] {
			t.Errorf("offsets %v", offsets)
		}
	}
}

func TestSessionLossWithoutHook(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 8}, Options{})
	s.reader.SetTransport(s.session.Channel()) // no Recoverer
	s.card.tamper = func(n int, cmd []byte) []byte { return breakMAC(cmd) }
	_, err := s.reader.ReadFile(context.Background(), DataGroup(1))
	var plain *sm.PlainStatusError
	if !errors.As(err, &plain) || plain.SW != apdu.SWSMDataObjectsIncorrect {
		t.Fatalf("%v", err)
	}
}

// A chip that drops every session: the reader gives up after its budget.
func TestNoRetryStorm(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 9}, Options{})
	s.card.tamper = func(n int, cmd []byte) []byte {
		if cmd[0] == 0x0C {
			return breakMAC(cmd)
		}
		return cmd
	}
	before := s.meter.Stats()
	_, err := s.reader.ReadFile(context.Background(), DataGroup(2))
	if err == nil {
		t.Fatal("read succeeded")
	}
	if n := s.meter.Stats().Sub(before).Exchanges; n > 20 {
		t.Errorf("%d exchanges before giving up", n)
	}
}

func TestCardRemovedMidRead(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 10}, Options{Extended: ExtendedOff})
	removed := &removingCard{card: s.card, after: 3}
	plain := nfc.NewTransport(removed)
	s.reader.SetTransport(sm.NewChannel(plain, s.session.Channel().Session()))
	_, err := s.reader.ReadFile(context.Background(), DataGroup(2))
	if !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("%v", err)
	}
}

// breakMAC flips a bit of a protected command's DO'8E'.
func breakMAC(raw []byte) []byte {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil || len(cmd.Data) < 10 {
		return raw
	}
	cmd.Data = append([]byte(nil), cmd.Data...)
	cmd.Data[len(cmd.Data)-1] ^= 0x01
	return cmd.MustBytes()
}

type removingCard struct {
	card  nfc.Card
	after int
}

func (c *removingCard) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if c.after == 0 {
		return nil, fmt.Errorf("transmit: %w", nfc.ErrCardRemoved)
	}
	c.after--
	return c.card.Transmit(ctx, cmd)
}

func BenchmarkReadCCCD(b *testing.B) {
	for name, limits := range map[string]sim.Limits{"extended": {}, "short": {NoExtended: true}} {
		b.Run(name, func(b *testing.B) {
			chip, err := sim.New("cccd", sim.Options{Seed: 1, Limits: limits})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				chip.Reset()
				s := openSimCard(b, chip, nil, Options{})
				s.readAll(b, cccdFiles)
				b.ReportMetric(float64(s.meter.Stats().Exchanges), "exchanges/read")
			}
		})
	}
}

// Through an in-process reader that passes short APDUs only, the chip
// allowing extended length: the reader refuses the first extended command,
// and the Reader continues with 223-byte reads.
func TestShortOnlyReader(t *testing.T) {
	m := virtual.New()
	if err := m.AddReader("short", virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}}); err != nil {
		t.Fatal(err)
	}
	chip, err := sim.New("cccd", sim.Options{Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Insert("short", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "short")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s := openSimCard(t, chip, conn, Options{})
	before := s.meter.Stats()
	s.readAll(t, cccdFiles)
	got := s.meter.Stats().Sub(before).Exchanges
	min := minExchanges(s, cccdFiles, 223)
	t.Logf("%d exchanges, minimum at 223 bytes %d, link %+v", got, min, s.reader.Link())
	if float64(got) > 1.10*float64(min) || s.reader.Link().Reauth != 0 {
		t.Errorf("%d exchanges (minimum %d), link %+v", got, min, s.reader.Link())
	}
}

// Under secure messaging only a protected 6A82 means the file is absent:
// an unprotected one (what a relay can inject) is ErrUnprotected, and the
// next file still reads, by short file identifier or by SELECT.
func TestUnprotectedNotFound(t *testing.T) {
	for _, noSFI := range []bool{false, true} {
		for attack, want := range map[string]error{"dg14-hidden": ErrNotFound, "hidden-unprotected": ErrUnprotected} {
			t.Run(fmt.Sprintf("%s/noSFI=%v", attack, noSFI), func(t *testing.T) {
				s := openSim(t, "passport", sim.Options{Seed: 1, Attack: attack}, Options{NoSFI: noSFI})
				s.readAll(t, []File{DataGroup(1)}) // short file identifiers learnt
				_, err := s.reader.ReadFile(context.Background(), DataGroup(14))
				if !errors.Is(err, want) {
					t.Fatalf("DG14: %v, want %v", err, want)
				}
				if want == ErrUnprotected && errors.Is(err, ErrNotFound) {
					t.Error("an unprotected 6A82 reads as not found")
				}
				s.readAll(t, []File{DataGroup(11)})
			})
		}
	}
}
