package read

import (
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc/virtual"
)

// protocolExchanges is what a full cccd read spends outside READ BINARY
// of files under secure messaging: READ EF.CardAccess, PACE (MSE:Set AT
// and four GENERAL AUTHENTICATE), SELECT of the application, chip
// authentication (MSE:Set AT and GENERAL AUTHENTICATE; its proof is the
// first READ of EF.SOD) and active authentication (INTERNAL
// AUTHENTICATE).
const protocolExchanges = 1 + 5 + 1 + 2 + 1

// fullReadFiles are the files a full cccd read reads under secure
// messaging.
var fullReadFiles = []files.File{files.EFCOM, files.DataGroup(14), files.EFSOD, files.DataGroup(1),
	files.DataGroup(13), files.DataGroup(2), files.DataGroup(15)}

// minimumExchanges is the fewest exchanges a full read of chip can make
// when each READ BINARY returns at most chunk bytes.
func minimumExchanges(chip *sim.Chip, chunk int) int {
	n := protocolExchanges
	for _, f := range fullReadFiles {
		size := len(chip.Document().Files[f.FID])
		n += (size + chunk - 1) / chunk
	}
	return n
}

func fullRead(t *testing.T, chip *sim.Chip, reader virtual.ReaderConfig) *Result {
	t.Helper()
	m, conn := insertChip(t, chip)
	if err := m.Configure("reader", reader); err != nil {
		t.Fatal(err)
	}
	res, err := Read(context.Background(), conn, fullOptions(t, canKey(t, chip)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != check.Pass {
		t.Fatalf("verdict %s: %+v", res.Verdict, res.Checks)
	}
	return res
}

// A full cccd read with extended length: one READ BINARY per file, 17
// exchanges in all (the target is 25).
func TestExchangesExtended(t *testing.T) {
	chip, err := sim.New("cccd", sim.Options{Seed: 30})
	if err != nil {
		t.Fatal(err)
	}
	res := fullRead(t, chip, virtual.ReaderConfig{})
	minimum := minimumExchanges(chip, 65536)
	t.Logf("extended length: %d exchanges (minimum %d), %d bytes in, %d out", res.Stats.Exchanges, minimum, res.Stats.BytesIn, res.Stats.BytesOut)
	if res.Stats.Exchanges != minimum || minimum > 25 || res.Stats.Link.Extended != "yes" {
		t.Errorf("%d exchanges, minimum %d, link %+v", res.Stats.Exchanges, minimum, res.Stats.Link)
	}
}

// Without extended length (the chip refuses it, or the reader cannot
// carry it) a full read stays within 10% of the minimum for 223-byte
// reads.
func TestExchangesShort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits sim.Limits
		reader virtual.ReaderConfig
	}{
		{"chip short only", sim.Limits{NoExtended: true}, virtual.ReaderConfig{}},
		{"reader short only", sim.Limits{}, virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, err := sim.New("cccd", sim.Options{Seed: 31, Limits: tc.limits})
			if err != nil {
				t.Fatal(err)
			}
			res := fullRead(t, chip, tc.reader)
			minimum := minimumExchanges(chip, 223)
			t.Logf("%s: %d exchanges, minimum %d (+%.1f%%)", tc.name, res.Stats.Exchanges, minimum,
				100*float64(res.Stats.Exchanges-minimum)/float64(minimum))
			if res.Stats.Exchanges > minimum*110/100 || res.Stats.Link.Chunk != 223 || res.Stats.Link.Extended != "no" {
				t.Errorf("%d exchanges, minimum %d, link %+v", res.Stats.Exchanges, minimum, res.Stats.Link)
			}
		})
	}
}

// Chips that answer less than a short APDU holds: the read steps down the
// ladder (or follows the chip's short answers) and still reads everything.
func TestChipResponseLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit sim.Limits
		chunk int
	}{
		{"6700 above 231 bytes", sim.Limits{MaxResponse: 231, OverLimit: sim.WrongLength}, 192},
		{"6700 above 160 bytes", sim.Limits{MaxResponse: 160, OverLimit: sim.WrongLength}, 112},
		{"short answers of 200 bytes", sim.Limits{MaxResponse: 200, OverLimit: sim.ShortRead}, 175},
		{"no extended, 6700 above 200", sim.Limits{NoExtended: true, MaxResponse: 200, OverLimit: sim.WrongLength}, 160},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, err := sim.New("cccd", sim.Options{Seed: 32, Limits: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			res := fullRead(t, chip, virtual.ReaderConfig{})
			t.Logf("%s: %d exchanges, chunk %d (minimum at that chunk %d)", tc.name, res.Stats.Exchanges,
				res.Stats.Link.Chunk, minimumExchanges(chip, res.Stats.Link.Chunk))
			if res.Stats.Link.Chunk != tc.chunk {
				t.Errorf("link %+v", res.Stats.Link)
			}
		})
	}
}

// A 3DES chip without extended length answers 231 bytes per read.
func TestExchanges3DES(t *testing.T) {
	chip, err := sim.New("passport-3des", sim.Options{Seed: 33, Limits: sim.Limits{NoExtended: true}})
	if err != nil {
		t.Fatal(err)
	}
	m, conn := insertChip(t, chip)
	_ = m
	res, err := Read(context.Background(), conn, fullOptions(t, mrzKey(t, chip)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Link.Chunk != 231 || res.Verdict != check.Pass {
		t.Errorf("link %+v, verdict %s", res.Stats.Link, res.Verdict)
	}
}
