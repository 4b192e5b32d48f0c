package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// card lets a reader-side transport talk to a chip in-process.
type card struct{ r nfc.Responder }

func (c card) Transmit(_ context.Context, cmd []byte) ([]byte, error) { return c.r.Respond(cmd), nil }

func newChip(t testing.TB, profile string, opts Options) *Chip {
	t.Helper()
	c, err := New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// raw sends a hex command and returns the response's SW and data.
func raw(t testing.TB, c *Chip, cmd apdu.Command) apdu.Response {
	t.Helper()
	resp, err := apdu.ParseResponse(c.Respond(cmd.MustBytes()))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func selectAID() apdu.Command {
	return apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: AID}
}

func selectEF(fid uint16) apdu.Command {
	return apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{byte(fid >> 8), byte(fid)}}
}

func readSFI(sfi byte, offset byte, ne int) apdu.Command {
	return apdu.Command{INS: apdu.InsReadBinary, P1: 0x80 | sfi, P2: offset, Ne: ne}
}

// openBAC selects the application and runs BAC with the chip's printed
// MRZ, returning a protected channel.
func openBAC(t testing.TB, c *Chip) *sm.Channel {
	t.Helper()
	return openBACWith(t, c, nfc.NewTransport(card{c}))
}

func openBACWith(t testing.TB, c *Chip, plain nfc.Transport) *sm.Channel {
	t.Helper()
	ctx := context.Background()
	if resp, err := plain.Exchange(ctx, selectAID()); err != nil || !resp.OK() {
		t.Fatalf("select AID: %v %v", resp.SW, err)
	}
	key, err := access.ParseMRZ(c.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	session, err := bac.Authenticate(ctx, plain, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sm.NewChannel(plain, session)
}

// readFile reads a whole file under the channel by short file identifier
// then offsets, in chunks of chunk bytes.
func readFile(t testing.TB, ch nfc.Transport, sfi byte, chunk int) ([]byte, apdu.SW) {
	t.Helper()
	ctx := context.Background()
	resp, err := ch.Exchange(ctx, readSFI(sfi, 0, chunk))
	if err != nil {
		t.Fatal(err)
	}
	if resp.SW != apdu.SWOK && resp.SW != apdu.SWEndOfFile {
		return nil, resp.SW
	}
	data := resp.Data
	total := fileLength(t, data)
	for len(data) < total {
		ne := min(chunk, total-len(data))
		cmd := apdu.Command{INS: apdu.InsReadBinary, P1: byte(len(data) >> 8), P2: byte(len(data)), Ne: ne}
		resp, err := ch.Exchange(ctx, cmd)
		if err != nil || (resp.SW != apdu.SWOK && resp.SW != apdu.SWEndOfFile) || len(resp.Data) == 0 {
			t.Fatalf("read at %d: %v %v", len(data), resp.SW, err)
		}
		data = append(data, resp.Data...)
	}
	return data, apdu.SWOK
}

func fileLength(t testing.TB, head []byte) int {
	t.Helper()
	if len(head) < 2 {
		t.Fatalf("file head of %d bytes", len(head))
	}
	l := int(head[1])
	hl := 2
	if head[1]&0x80 != 0 {
		n := int(head[1] & 0x7F)
		l = 0
		for _, b := range head[2 : 2+n] {
			l = l<<8 | int(b)
		}
		hl = 2 + n
	}
	return hl + l
}

func TestCardAccessWithoutAccessControl(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 1})
	if sw := raw(t, c, apdu.Command{INS: apdu.InsSelect, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}).SW; sw != apdu.SWINSNotSupported {
		t.Errorf("SELECT MF answered %v, want 6D00", sw)
	}
	if sw := raw(t, c, selectEF(issue.FIDCardAccess)).SW; sw != apdu.SWOK {
		t.Fatalf("SELECT EF.CardAccess: %v", sw)
	}
	resp := raw(t, c, apdu.Command{INS: apdu.InsReadBinary, Ne: 256})
	if resp.SW != apdu.SWOK || !bytes.Equal(resp.Data, issue.CCCDCardAccess) {
		t.Errorf("READ EF.CardAccess: %v % X", resp.SW, resp.Data)
	}
	c.Reset()
	if resp := raw(t, c, readSFI(0x1C, 0, 256)); !bytes.Equal(resp.Data, issue.CCCDCardAccess) {
		t.Errorf("READ EF.CardAccess by SFI: %v", resp.SW)
	}
}

func TestNothingElseBeforeAccessControl(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 1})
	if sw := raw(t, c, selectEF(issue.FIDCOM)).SW; sw != apdu.SWFileNotFound {
		t.Errorf("SELECT EF.COM outside the application: %v", sw)
	}
	raw(t, c, selectAID())
	for _, cmd := range []apdu.Command{selectEF(issue.FIDCOM), readSFI(0x1E, 0, 4), readSFI(0x01, 0, 4), readSFI(0x1D, 0, 4)} {
		if sw := raw(t, c, cmd).SW; sw != apdu.SWSecurityStatus {
			t.Errorf("%v before BAC answered %v, want 6982", cmd, sw)
		}
	}
}

func TestReadEveryFileAfterBAC(t *testing.T) {
	for _, chunk := range []int{223, 256, 65536} {
		c := newChip(t, "cccd", Options{Seed: 2})
		ch := openBAC(t, c)
		doc := c.Document()
		for _, f := range []struct {
			sfi byte
			fid uint16
		}{{0x1E, issue.FIDCOM}, {0x1D, issue.FIDSOD}, {1, 0x0101}, {2, 0x0102}, {13, 0x010D}, {14, 0x010E}, {15, 0x010F}, {0x1C, issue.FIDCardAccess}} {
			got, sw := readFile(t, ch, f.sfi, chunk)
			if sw != apdu.SWOK || !bytes.Equal(got, doc.Files[f.fid]) {
				t.Errorf("chunk %d: file %04X: %v, %d bytes of %d", chunk, f.fid, sw, len(got), len(doc.Files[f.fid]))
			}
		}
	}
}

func TestQuirksAfterBAC(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 3})
	ch := openBAC(t, c)
	ctx := context.Background()
	cases := []struct {
		cmd  apdu.Command
		want apdu.SW
	}{
		{readSFI(3, 0, 16), apdu.SWSecurityStatus}, // DG3: Terminal Authentication
		{readSFI(11, 0, 16), apdu.SWFileNotFound},  // no DG11
		{readSFI(12, 0, 16), apdu.SWFileNotFound},  // no DG12
		{selectEF(0x010B), apdu.SWFileNotFound},    // no DG11
		{selectEF(0x0103), apdu.SWOK},              // DG3 exists
		{apdu.Command{INS: apdu.InsReadBinary, Ne: 16}, apdu.SWSecurityStatus},
		{apdu.Command{INS: 0x2E, Ne: 16}, apdu.SWINSNotSupported},
		{apdu.Command{INS: apdu.InsSelect, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}, apdu.SWINSNotSupported},
		{readSFI(1, 0xF0, 16), apdu.SWWrongP1P2}, // offset beyond DG1
	}
	for _, tc := range cases {
		resp, err := ch.Exchange(ctx, tc.cmd)
		if err != nil {
			t.Fatalf("%v: %v", tc.cmd, err)
		}
		if resp.SW != tc.want {
			t.Errorf("%v answered %v, want %v", tc.cmd, resp.SW, tc.want)
		}
	}
	// Fewer bytes than an explicit Le remain: data with 6282.
	dg1 := c.Document().Files[0x0101]
	resp, err := ch.Exchange(ctx, readSFI(1, byte(len(dg1)-10), 40))
	if err != nil || resp.SW != apdu.SWEndOfFile || !bytes.Equal(resp.Data, dg1[len(dg1)-10:]) {
		t.Errorf("read past the end: %v %v %d bytes", resp.SW, err, len(resp.Data))
	}
}

func TestPlainCommandEndsSession(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 4})
	ch := openBAC(t, c)
	if sw := raw(t, c, readSFI(1, 0, 16)).SW; sw != apdu.SWSecurityStatus {
		t.Errorf("plain READ after BAC answered %v, want 6982", sw)
	}
	_, err := ch.Exchange(context.Background(), readSFI(1, 0, 16))
	var plain *sm.PlainStatusError
	if !errors.As(err, &plain) || plain.SW != apdu.SWSMDataObjectsIncorrect {
		t.Errorf("protected READ after the session ended: %v", err)
	}
}

func TestSMErrorEndsSession(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 4})
	ch := openBAC(t, c)
	protected, err := ch.Session().WrapCommand(readSFI(1, 0, 16))
	if err != nil {
		t.Fatal(err)
	}
	protected.Data[len(protected.Data)-1] ^= 1 // break the MAC
	if sw := raw(t, c, protected).SW; sw != apdu.SWSMDataObjectsIncorrect {
		t.Errorf("bad MAC answered %v, want 6988", sw)
	}
	if sw := raw(t, c, readSFI(1, 0, 16)).SW; sw != apdu.SWSecurityStatus {
		t.Errorf("after the SM error, plain READ answered %v", sw)
	}
}

func TestWrongKeyDenied(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 5})
	plain := nfc.NewTransport(card{c})
	raw(t, c, selectAID())
	other := newChip(t, "cccd", Options{Seed: 6})
	key, _ := access.ParseMRZ(other.AccessData().MRZ)
	if _, err := bac.Authenticate(context.Background(), plain, key, nil); !errors.Is(err, access.ErrDenied) {
		t.Errorf("wrong key: %v", err)
	}
}

func TestResetDropsSession(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 7})
	ch := openBAC(t, c)
	c.Reset()
	if _, err := ch.Exchange(context.Background(), readSFI(1, 0, 16)); err == nil {
		t.Error("session survived Reset")
	}
	if sw := raw(t, c, readSFI(0x1E, 0, 4)).SW; sw != apdu.SWFileNotFound {
		t.Errorf("application still selected after Reset: %v", sw)
	}
}

func TestClassAndLength(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 8})
	if sw := raw(t, c, apdu.Command{CLA: 0x80, INS: apdu.InsSelect, P1: 4, P2: 0x0C, Data: AID}).SW; sw != apdu.SWCLANotSupported {
		t.Errorf("CLA 80: %v", sw)
	}
	resp, _ := apdu.ParseResponse(c.Respond([]byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0}))
	if resp.SW != apdu.SWWrongLength {
		t.Errorf("truncated command: %v", resp.SW)
	}
	if sw := raw(t, c, apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C, Data: []byte{1}}).SW; sw != apdu.SWWrongLength {
		t.Errorf("1-byte FID: %v", sw)
	}
}

func TestSelectWithFCP(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 8})
	resp := raw(t, c, apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x04, Data: []byte{0x01, 0x1C}, Ne: 256})
	if resp.SW != apdu.SWOK || !bytes.HasPrefix(resp.Data, []byte{0x62, 0x0B, 0x80, 0x02, 0x00, byte(len(issue.CCCDCardAccess))}) {
		t.Errorf("FCP: %v % X", resp.SW, resp.Data)
	}
}

func TestOddReadBinary(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 9})
	ch := openBAC(t, c)
	dg2 := c.Document().Files[0x0102]
	cmd := apdu.Command{INS: apdu.InsReadBinaryOdd, P1: 0x00, P2: 0x02, Data: []byte{0x54, 0x02, 0x10, 0x00}, Ne: 200}
	resp, err := ch.Exchange(context.Background(), cmd)
	if err != nil || resp.SW != apdu.SWOK {
		t.Fatalf("odd READ: %v %v", resp.SW, err)
	}
	data, err := unwrap53(resp.Data)
	if err != nil || !bytes.Equal(data, dg2[0x1000:0x1000+len(data)]) || len(data) < 190 {
		t.Errorf("odd READ returned %d bytes: %v", len(data), err)
	}
}

func unwrap53(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x53 {
		return nil, errors.New("no DO'53'")
	}
	l, hl := int(b[1]), 2
	if b[1] == 0x81 {
		l, hl = int(b[2]), 3
	}
	if hl+l != len(b) {
		return nil, errors.New("DO'53' length")
	}
	return b[hl:], nil
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("no extended", func(t *testing.T) {
		c := newChip(t, "cccd", Options{Seed: 10, Limits: Limits{NoExtended: true}})
		ch := openBAC(t, c)
		_, err := ch.Exchange(ctx, readSFI(2, 0, 4096))
		var plain *sm.PlainStatusError
		if !errors.As(err, &plain) || plain.SW != apdu.SWWrongLength {
			t.Fatalf("extended READ: %v", err)
		}
		// The session survives: the chip did not count the command.
		if got, sw := readFile(t, ch, 2, 223); sw != apdu.SWOK || !bytes.Equal(got, c.Document().Files[0x0102]) {
			t.Errorf("short reads after the refusal: %v", sw)
		}
	})
	t.Run("max response, wrong length", func(t *testing.T) {
		c := newChip(t, "cccd", Options{Seed: 10, Limits: Limits{MaxResponse: 200}})
		ch := openBAC(t, c)
		_, err := ch.Exchange(ctx, readSFI(2, 0, 223))
		var plain *sm.PlainStatusError
		if !errors.As(err, &plain) || plain.SW != apdu.SWWrongLength {
			t.Fatalf("READ over the limit: %v", err)
		}
		resp, err := ch.Exchange(ctx, readSFI(2, 0, 160))
		if err != nil || resp.SW != apdu.SWOK || len(resp.Data) != 160 {
			t.Errorf("READ 160 after the refusal: %v %v", resp.SW, err)
		}
	})
	t.Run("max response, short read", func(t *testing.T) {
		c := newChip(t, "cccd", Options{Seed: 10, Limits: Limits{MaxResponse: 200, OverLimit: ShortRead}})
		ch := openBAC(t, c)
		resp, err := ch.Exchange(ctx, readSFI(2, 0, 4096))
		// 200 bytes of protected response carry 175 plain bytes under 3DES
		// (BAC): DO'87' 81 B1 01 + 176 (padding adds at least one byte),
		// DO'99' (4) and DO'8E' (10): 194 bytes; 176 plain bytes would pad
		// to 184 and need 202.
		if err != nil || resp.SW != apdu.SWOK || len(resp.Data) != 175 {
			t.Errorf("short read: %v %v %d bytes", resp.SW, err, len(resp.Data))
		}
	})
	t.Run("short APDU answers at most 256 bytes", func(t *testing.T) {
		c := newChip(t, "cccd", Options{Seed: 10})
		ch := openBAC(t, c)
		resp, err := ch.Exchange(ctx, readSFI(2, 0, 256))
		if err != nil || len(resp.Data) != 231 {
			t.Errorf("Le=00 under 3DES SM: %v %d bytes, want 231", err, len(resp.Data))
		}
	})
}

func TestAccessData(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 12})
	a := c.AccessData()
	id := c.Document().Identity
	if a.ID12 != id.ID12 || a.CAN != id.ID12[6:] || a.DocumentNumber != id.ID12[3:] || len(a.DateOfBirth) != 6 || len(a.DateOfExpiry) != 6 {
		t.Errorf("access data fields: %+v", a)
	}
	if lines := strings.Split(a.MRZ, "\n"); len(lines) != 3 || len(lines[0]) != 30 {
		t.Errorf("MRZ lines")
	}
	b, _ := json.Marshal(a)
	var keys map[string]any
	json.Unmarshal(b, &keys)
	for _, k := range []string{"reader", "id12", "can", "documentNumber", "dateOfBirth", "dateOfExpiry", "mrz"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(keys) != 7 {
		t.Errorf("JSON has %d keys", len(keys))
	}
	if other := newChip(t, "cccd", Options{Seed: 12}).AccessData(); other != a {
		t.Error("same seed, different access data")
	}
}

func TestPassportProfile(t *testing.T) {
	c := newChip(t, "passport", Options{Seed: 13})
	ch := openBAC(t, c)
	for _, sfi := range []byte{1, 11, 12} {
		if got, sw := readFile(t, ch, sfi, 223); sw != apdu.SWOK || !bytes.Equal(got, c.Document().Files[0x0100+uint16(sfi)]) {
			t.Errorf("DG%d: %v", sfi, sw)
		}
	}
	if sw := raw(t, c, apdu.Command{INS: apdu.InsSelect, P1: 0x00, P2: 0x0C}).SW; sw != apdu.SWOK {
		t.Errorf("passport SELECT MF: %v", sw)
	}
}

func TestUnknownProfileAndTamper(t *testing.T) {
	if _, err := New("nope", Options{}); err == nil {
		t.Error("unknown profile accepted")
	}
	if _, err := New("passport", Options{Tamper: issue.DG13Edited}); err == nil {
		t.Error("dg13-edited on a passport accepted")
	}
}

// BenchmarkNew issues a chip of every profile with a fresh seed each time
// (what the agent's sim.insert does). cpu-ms/op is the process CPU time
// per chip, which a busy shared machine does not inflate as it does wall
// time (the garbage collector's share included).
func BenchmarkNew(b *testing.B) {
	for _, name := range Profiles() {
		b.Run(name, func(b *testing.B) {
			cpu := processCPU()
			i := 0
			for ; b.Loop(); i++ {
				if _, err := New(name, Options{Seed: uint64(i)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(i), "cpu-ms/op")
		})
	}
}
