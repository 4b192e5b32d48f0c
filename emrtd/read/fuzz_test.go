package read

import (
	"context"
	"encoding/binary"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/internal/fuzzcorpus"
)

// forgeries replace the chip's answers to chosen exchanges with fuzz
// bytes: each entry is a 1-byte exchange index, a 2-byte length and the
// answer.
type forgery struct {
	at     int
	answer []byte
}

func forgeries(b []byte) []forgery {
	var out []forgery
	for len(b) >= 3 && len(out) < 8 {
		at, n := int(b[0]), int(binary.BigEndian.Uint16(b[1:]))
		b = b[3:]
		n = min(n, len(b))
		out = append(out, forgery{at: at, answer: b[:n]})
		b = b[n:]
	}
	return out
}

func forge(parts ...forgery) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, byte(p.at))
		out = binary.BigEndian.AppendUint16(out, uint16(len(p.answer)))
		out = append(out, p.answer...)
	}
	return out
}

// forgingCard is a software chip whose answers to some exchanges are
// replaced. It keeps the exchanges, so that a test can compare two runs.
type forgingCard struct {
	chip       *sim.Chip
	plan       []forgery
	n          int
	transcript [][]byte // command, answer, command, answer...
}

func (c *forgingCard) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	defer func() { c.n++ }()
	resp := c.chip.Respond(cmd)
	for _, f := range c.plan {
		if f.at == c.n {
			resp = f.answer
			break
		}
	}
	c.transcript = append(c.transcript, cmd, resp)
	return resp, nil
}

var fuzzChip struct {
	sync.Mutex
	chip *sim.Chip
}

// fuzzNow is when the fuzzed reads verify certificates: a fixed time, so
// that an input is read the same way in every run.
var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// FuzzRead runs the whole pipeline against a chip whose answers to
// chosen exchanges are hostile bytes: EF.CardAccess content, PACE and BAC
// answers, unprotected status words in the middle of secure messaging,
// garbage instead of protected answers. The read must end without a
// panic, never claim success without DG1, and never put the key in an
// error.
func FuzzRead(f *testing.F) {
	cardAccess := []byte{0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02,
		0x02, 0x01, 0x02, 0x02, 0x01, 0x0D, 0x90, 0x00}
	f.Add(forge())
	f.Add(forge(forgery{0, cardAccess}))
	f.Add(forge(forgery{0, []byte{0x31, 0x80, 0x90, 0x00}}))
	f.Add(forge(forgery{1, []byte{0x6A, 0x80}}))
	f.Add(forge(forgery{5, []byte{0x69, 0x82}}))
	f.Add(forge(forgery{8, []byte{0x67, 0x00}}, forgery{9, []byte{0x69, 0x88}}))
	f.Add(forge(forgery{11, []byte{0x87, 0x11, 0x01, 0x90, 0x00}}))
	f.Add(forge(forgery{15, []byte{0x6A, 0x82}}, forgery{16, []byte{0x62, 0x82}}))
	f.Fuzz(func(t *testing.T, plan []byte) { fuzzRead(t, plan) })
}

// fuzzRead is one run of FuzzRead; it returns the exchanges. Every source
// of chance is fixed for the run: the protocols' nonces on both sides
// (crypto/rand, seeded afresh for each input), the software chip's
// document (its seed) and the time certificates are checked at, so an
// input that fails fails again.
//
// The chip is issued once (that takes tens of milliseconds) and before the
// first seeding: SetGlobalRandom replaces crypto/rand.Reader with a new
// stream each time, and the chip keeps the Reader it was made with. The
// original Reader draws from whatever stream is set, the fresh one.
func fuzzRead(t *testing.T, plan []byte) [][]byte {
	fuzzChip.Lock()
	defer fuzzChip.Unlock()
	if fuzzChip.chip == nil {
		chip, err := sim.New("cccd", sim.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		fuzzChip.chip = chip
	}
	cryptotest.SetGlobalRandom(t, 1)
	chip := fuzzChip.chip
	chip.Reset()
	card := &forgingCard{chip: chip, plan: forgeries(plan)}
	mrz, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	can, _ := access.NewCAN(chip.AccessData().CAN)
	opts := Options{Keys: []access.Key{can, mrz}, DataGroups: []int{11, 13, 14, 15}, Photo: true, Verify: true,
		MaxFileSize: 64 << 10, Now: fuzzNow}
	res, err := Read(context.Background(), card, opts)
	if err == nil && (res.DG1 == nil || res.Verdict == "") {
		t.Fatal("success without DG1 or a verdict")
	}
	if err != nil && strings.Contains(err.Error(), chip.AccessData().DocumentNumber) {
		t.Fatalf("error shows the document number: %v", err)
	}
	if card.n > 600 {
		t.Fatalf("%d exchanges", card.n)
	}
	return card.transcript
}

// Each input of FuzzRead's corpus is read with the same exchanges every
// time, whatever ran before it: what the fuzzer finds reproduces.
func TestFuzzReadReproduces(t *testing.T) {
	names, inputs, err := fuzzcorpus.Bytes("testdata/fuzz/FuzzRead")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no corpus files (%v)", err)
	}
	inputs = append(inputs, forge())
	names = append(names, "no forgery")
	first := make([][][]byte, len(inputs))
	for i, plan := range inputs {
		first[i] = fuzzRead(t, plan)
	}
	for i := len(inputs) - 1; i >= 0; i-- {
		again := fuzzRead(t, inputs[i])
		if len(again) < 8 || !reflect.DeepEqual(again, first[i]) {
			t.Errorf("%s: %d exchanges, then %d different ones", names[i], len(first[i])/2, len(again)/2)
			for j := range min(len(again), len(first[i])) {
				if !reflect.DeepEqual(again[j], first[i][j]) {
					t.Logf("%d: % X\n   vs % X", j, first[i][j], again[j])
					break
				}
			}
		}
	}
}
