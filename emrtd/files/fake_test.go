package files

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// fakeChip is a plain (no secure messaging) file system with knobs for
// behaviours the software chip does not have.
type fakeChip struct {
	files    map[uint16][]byte
	current  []byte
	sfiSW    apdu.SW // answer to reads by SFI; 0: supported
	maxChunk int     // largest answer; 0: none
	exactLe  bool    // answer 6Cxx unless Le is exactly what is left (up to maxChunk)
	eofSW    bool    // answer 6282 with the rest when Le goes past the end
	log      []apdu.Command
}

func (c *fakeChip) Transmit(_ context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return apdu.Response{SW: apdu.SWWrongLength}.Bytes(), nil
	}
	c.log = append(c.log, cmd)
	return c.respond(cmd).Bytes(), nil
}

func (c *fakeChip) respond(cmd apdu.Command) apdu.Response {
	switch cmd.INS {
	case apdu.InsSelect:
		if cmd.P1 == 4 {
			return apdu.Response{SW: apdu.SWOK}
		}
		f, ok := c.files[uint16(cmd.Data[0])<<8|uint16(cmd.Data[1])]
		if !ok {
			return apdu.Response{SW: apdu.SWFileNotFound}
		}
		c.current = f
		return apdu.Response{SW: apdu.SWOK}
	case apdu.InsReadBinary:
		offset := int(cmd.P1)<<8 | int(cmd.P2)
		if cmd.P1&0x80 != 0 {
			if c.sfiSW != 0 {
				return apdu.Response{SW: c.sfiSW}
			}
			f, ok := c.files[0x0100|uint16(cmd.P1&0x1F)]
			if !ok {
				return apdu.Response{SW: apdu.SWFileNotFound}
			}
			c.current, offset = f, int(cmd.P2)
		}
		return c.read(offset, cmd.Ne, false)
	case apdu.InsReadBinaryOdd:
		off, err := tlv.Unwrap(cmd.Data, 0x54)
		if err != nil {
			return apdu.Response{SW: apdu.SWWrongData}
		}
		offset := 0
		for _, b := range off {
			offset = offset<<8 | int(b)
		}
		return c.read(offset, cmd.Ne-4, true)
	}
	return apdu.Response{SW: apdu.SWINSNotSupported}
}

func (c *fakeChip) read(offset, ne int, odd bool) apdu.Response {
	if c.current == nil {
		return apdu.Response{SW: apdu.SWNoCurrentEF}
	}
	if offset >= len(c.current) {
		return apdu.Response{SW: apdu.SWWrongP1P2}
	}
	n := ne
	if c.maxChunk > 0 {
		n = min(n, c.maxChunk)
	}
	rest := len(c.current) - offset
	if c.exactLe && ne != min(rest, c.maxChunk) {
		return apdu.Response{SW: apdu.SW(0x6C00 | min(rest, c.maxChunk, 255))}
	}
	sw := apdu.SWOK
	if n > rest {
		n = rest
		if c.eofSW {
			sw = apdu.SWEndOfFile
		}
	}
	data := c.current[offset : offset+n]
	if odd {
		data = tlv.Encode(0x53, data)
	}
	return apdu.Response{Data: data, SW: sw}
}

// dg returns a data group of n bytes in all, with a tag-75 header.
func dg(n int) []byte {
	body := make([]byte, n)
	for i := range body {
		body[i] = byte(i * 13)
	}
	h := tlv.Encode(0x75, body)
	cut := len(h) - n
	return tlv.Encode(0x75, body[:n-cut])
}

func TestLargeFileOddINS(t *testing.T) {
	file := dg(70000)
	chip := &fakeChip{files: map[uint16][]byte{0x0102: file}, maxChunk: 4096}
	r := NewReader(nfc.NewTransport(chip), Options{})
	got, err := r.ReadFile(context.Background(), DataGroup(2))
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	odd := 0
	for _, c := range chip.log {
		if c.INS == apdu.InsReadBinaryOdd {
			odd++
		}
	}
	if odd == 0 || r.Link().Chunk != 4096 {
		t.Errorf("B1 reads %d, link %+v", odd, r.Link())
	}
}

func TestEndOfFileStatus(t *testing.T) {
	file := dg(300)
	chip := &fakeChip{files: map[uint16][]byte{0x0101: file}, eofSW: true}
	r := NewReader(nfc.NewTransport(chip), Options{Extended: ExtendedOff})
	got, err := r.ReadFile(context.Background(), DataGroup(1))
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

func TestIndefiniteLength(t *testing.T) {
	inner := tlv.Encode(0x04, bytes.Repeat([]byte{1}, 600))
	file := append(append([]byte{0x77, 0x80}, inner...), 0, 0)
	for _, eof := range []bool{false, true} {
		chip := &fakeChip{files: map[uint16][]byte{0x011D: file}, maxChunk: 200, eofSW: eof}
		got, err := NewReader(nfc.NewTransport(chip), Options{Extended: ExtendedOff}).ReadFile(context.Background(), EFSOD)
		if err != nil || !bytes.Equal(got, file) {
			t.Fatalf("eof %v: %d bytes, %v", eof, len(got), err)
		}
	}
}

func TestHugeClaimRefused(t *testing.T) {
	header := []byte{0x75, 0x84, 0x01, 0x00, 0x00, 0x00} // 16 MB
	chip := &fakeChip{files: map[uint16][]byte{0x0102: append(header, make([]byte, 100)...)}}
	r := NewReader(nfc.NewTransport(chip), Options{})
	if _, err := r.ReadFile(context.Background(), DataGroup(2)); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if len(chip.log) != 1 {
		t.Errorf("%d exchanges before refusing", len(chip.log))
	}
	small := NewReader(nfc.NewTransport(&fakeChip{files: map[uint16][]byte{0x0102: dg(5000)}}), Options{MaxFileSize: 4000})
	if _, err := small.ReadFile(context.Background(), DataGroup(2)); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
}

func TestTruncatedFile(t *testing.T) {
	file := dg(1000)[:600] // the header says 1000
	chip := &fakeChip{files: map[uint16][]byte{0x0101: file}, maxChunk: 200}
	_, err := NewReader(nfc.NewTransport(chip), Options{Extended: ExtendedOff}).ReadFile(context.Background(), DataGroup(1))
	if !errors.Is(err, ErrTruncated) {
		t.Fatal(err)
	}
}

func TestSFIUnsupported(t *testing.T) {
	for _, sw := range []apdu.SW{apdu.SWIncorrectP1P2, apdu.SWWrongP1P2, apdu.SWFileNotFound, apdu.SWFunctionNotSupported} {
		files := map[uint16][]byte{0x0101: dg(100), 0x010D: dg(500)}
		chip := &fakeChip{files: files, sfiSW: sw}
		r := NewReader(nfc.NewTransport(chip), Options{})
		for _, f := range []File{DataGroup(1), DataGroup(13)} {
			got, err := r.ReadFile(context.Background(), f)
			if err != nil || !bytes.Equal(got, files[f.FID]) {
				t.Fatalf("SFI answered %v: %v", sw, err)
			}
		}
		if r.Link().SFI != "no" || len(chip.log) != 5 { // SFI try, then SELECT + READ twice
			t.Errorf("SFI answered %v: link %+v, %d exchanges", sw, r.Link(), len(chip.log))
		}
		if _, err := r.ReadFile(context.Background(), DataGroup(11)); !errors.Is(err, ErrNotFound) {
			t.Errorf("absent file: %v", err)
		}
	}
}

func TestWrongLeRetried(t *testing.T) {
	file := dg(500)
	chip := &fakeChip{files: map[uint16][]byte{0x0101: file}, maxChunk: 256, exactLe: true}
	got, err := NewReader(nfc.NewTransport(chip), Options{Extended: ExtendedOff}).ReadFile(context.Background(), DataGroup(1))
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

// A chip answering 50 bytes per read is followed offset by offset; an
// answer below the ladder's smallest step does not shrink the chunk for
// the session (one odd answer must not slow every later file).
func TestTinyChipChunk(t *testing.T) {
	file := dg(1000)
	chip := &fakeChip{files: map[uint16][]byte{0x0101: file}, maxChunk: 50}
	r := NewReader(nfc.NewTransport(chip), Options{})
	got, err := r.ReadFile(context.Background(), DataGroup(1))
	if err != nil || !bytes.Equal(got, file) || r.Link().Chunk == 50 {
		t.Fatalf("%d bytes, %v, %+v", len(got), err, r.Link())
	}
	if len(chip.log) != 20 {
		t.Errorf("%d exchanges for 1000 bytes at 50", len(chip.log))
	}
}

// A reader driver that cannot carry extended APDUs fails the transmit.
type noExtendedCard struct{ nfc.Card }

func (c noExtendedCard) Transmit(ctx context.Context, raw []byte) ([]byte, error) {
	if cmd, err := apdu.ParseCommand(raw); err == nil && cmd.ForceExtended {
		return nil, errors.New("transmit: SCARD_E_NOT_TRANSACTED")
	}
	return c.Card.Transmit(ctx, raw)
}

func TestReaderWithoutExtended(t *testing.T) {
	file := dg(3000)
	chip := &fakeChip{files: map[uint16][]byte{0x0102: file}}
	r := NewReader(nfc.NewTransport(noExtendedCard{chip}), Options{})
	got, err := r.ReadFile(context.Background(), DataGroup(2))
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("%v", err)
	}
	if l := r.Link(); l.Extended != "no" || l.Chunk != 256 {
		t.Errorf("%+v", l)
	}
}

func TestEmptyAndGarbageFiles(t *testing.T) {
	chip := &fakeChip{files: map[uint16][]byte{0x0101: {0x00, 0x01, 0x02}, 0x0102: {0x75}}}
	r := NewReader(nfc.NewTransport(chip), Options{})
	if _, err := r.ReadFile(context.Background(), DataGroup(1)); err == nil {
		t.Error("malformed header accepted")
	}
	got, err := r.ReadFile(context.Background(), DataGroup(2))
	if err != nil || len(got) != 1 {
		t.Errorf("one-byte file: %d %v", len(got), err)
	}
}
