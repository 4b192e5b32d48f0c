package sm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

var allCiphers = []Cipher{TDES, AES128, AES192, AES256}

func pair(t testing.TB, c Cipher) (reader, chip *Session) {
	t.Helper()
	enc := KDF(c, []byte("shared secret"), CounterEnc)
	mac := KDF(c, []byte("shared secret"), CounterMAC)
	ssc := bytes.Repeat([]byte{0xFF}, c.BlockSize()-1) // exercises the carry
	ssc = append(ssc, 0xFE)
	var err error
	if reader, err = NewSession(c, enc, mac, ssc); err != nil {
		t.Fatal(err)
	}
	if chip, err = NewSession(c, enc, mac, ssc); err != nil {
		t.Fatal(err)
	}
	return reader, chip
}

// chipTransport answers protected commands through a chip session; handle
// gives the plain answer. It counts what it sees.
type chipTransport struct {
	session *Session
	handle  func(cmd apdu.Command) apdu.Response
	// plain, when set, answers the next command unprotected with this SW
	// without looking at it (as a chip rejecting a length does).
	plain apdu.SW
	seen  []apdu.Command
	err   error // returned by the next Exchange
}

func (c *chipTransport) Exchange(_ context.Context, cmd apdu.Command) (apdu.Response, error) {
	raw, err := cmd.Bytes()
	if err != nil {
		return apdu.Response{}, err
	}
	parsed, err := apdu.ParseCommand(raw) // as the chip receives it
	if err != nil {
		return apdu.Response{}, err
	}
	c.seen = append(c.seen, parsed)
	if c.err != nil {
		err, c.err = c.err, nil
		return apdu.Response{}, err
	}
	if c.plain != 0 {
		sw := c.plain
		c.plain = 0
		return apdu.Response{SW: sw}, nil
	}
	plain, err := c.session.UnwrapCommand(parsed)
	if err != nil {
		return apdu.Response{SW: ChipStatus(err)}, nil
	}
	resp, err := c.session.WrapResponse(c.handle(plain))
	if err != nil {
		return apdu.Response{SW: ChipStatus(err)}, nil
	}
	return resp, nil
}

// echo answers with the command's data followed by Ne bytes of a pattern
// (bounded by Ne), so both directions carry data.
func echo(cmd apdu.Command) apdu.Response {
	out := append([]byte(nil), cmd.Data...)
	for i := 0; len(out) < cmd.Ne; i++ {
		out = append(out, byte(i*7+int(cmd.P2)))
	}
	if len(out) > cmd.Ne {
		out = out[:cmd.Ne]
	}
	return apdu.Response{Data: out, SW: apdu.SWOK}
}

func TestRoundTripAllCiphers(t *testing.T) {
	sizes := []struct{ nc, ne int }{
		{0, 0}, {1, 0}, {0, 1}, {15, 16}, {16, 16}, {17, 223}, {200, 231}, {0, 256},
		{255, 256}, {256, 0}, {240, 100}, {0, 257}, {1000, 4096}, {0, 65536}, {60000, 60000},
	}
	for _, c := range allCiphers {
		for _, ins := range []byte{0xB0, 0xB1} {
			t.Run(fmt.Sprintf("%v/%02X", c, ins), func(t *testing.T) {
				reader, chip := pair(t, c)
				tr := &chipTransport{session: chip, handle: echo}
				ch := NewChannel(tr, reader)
				for i, sz := range sizes {
					data := bytes.Repeat([]byte{byte(i + 1)}, sz.nc)
					cmd := apdu.Command{CLA: 0, INS: ins, P1: 1, P2: byte(i), Data: data, Ne: sz.ne}
					resp, err := ch.Exchange(context.Background(), cmd)
					if err != nil {
						t.Fatalf("Nc=%d Ne=%d: %v", sz.nc, sz.ne, err)
					}
					want := echo(cmd)
					if resp.SW != apdu.SWOK || !bytes.Equal(resp.Data, want.Data) {
						t.Fatalf("Nc=%d Ne=%d: got %d bytes SW %v", sz.nc, sz.ne, len(resp.Data), resp.SW)
					}
					sent := tr.seen[len(tr.seen)-1]
					needExt := sz.ne > 256 || len(sent.Data) > 255
					if sent.ForceExtended != needExt {
						t.Errorf("Nc=%d Ne=%d: extended=%v", sz.nc, sz.ne, sent.ForceExtended)
					}
					if sent.Ne != 256 && sent.Ne != 65536 {
						t.Errorf("protected Ne %d", sent.Ne)
					}
					if len(data) > 0 {
						first := sent.Data[0]
						if (ins&1 == 1) != (first == 0x85) {
							t.Errorf("INS %02X sent DO'%02X'", ins, first)
						}
					}
				}
				if !bytes.Equal(reader.SSC(), chip.SSC()) {
					t.Error("SSCs diverged")
				}
			})
		}
	}
}

func TestForceExtended(t *testing.T) {
	reader, chip := pair(t, AES128)
	tr := &chipTransport{session: chip, handle: echo}
	resp, err := NewChannel(tr, reader).Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 200, ForceExtended: true})
	if err != nil || len(resp.Data) != 200 {
		t.Fatal(err)
	}
	if s := tr.seen[0]; !s.ForceExtended || s.Ne != 65536 {
		t.Errorf("sent %v", s)
	}
}

// A plain status word during SM must leave the SSC where it was, so the
// next (smaller) command is still in step with the chip.
func TestPlainStatusKeepsSSC(t *testing.T) {
	for _, c := range allCiphers {
		reader, chip := pair(t, c)
		tr := &chipTransport{session: chip, handle: echo}
		ch := NewChannel(tr, reader)
		before := reader.SSC()
		tr.plain = apdu.SWWrongLength
		_, err := ch.Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 65536})
		var plain *PlainStatusError
		if !errors.As(err, &plain) || plain.SW != apdu.SWWrongLength {
			t.Fatalf("%v: %v", c, err)
		}
		if !bytes.Equal(reader.SSC(), before) || reader.State() != Open {
			t.Fatalf("%v: SSC moved or session closed", c)
		}
		resp, err := ch.Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 223})
		if err != nil || len(resp.Data) != 223 {
			t.Fatalf("%v: retry: %v", c, err)
		}
	}
}

func TestTransportErrorKeepsSSC(t *testing.T) {
	reader, chip := pair(t, TDES)
	tr := &chipTransport{session: chip, handle: echo, err: fmt.Errorf("transmit: %w", nfc.ErrCardRemoved)}
	ch := NewChannel(tr, reader)
	before := reader.SSC()
	if _, err := ch.Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 4}); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatal(err)
	}
	if !bytes.Equal(reader.SSC(), before) {
		t.Fatal("SSC moved")
	}
	if _, err := ch.Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 4}); err != nil {
		t.Fatal(err)
	}
}

// The chip wraps an error status word; the reader returns it as a normal
// response (the file is absent, the session is fine).
func TestProtectedErrorStatus(t *testing.T) {
	reader, chip := pair(t, AES256)
	tr := &chipTransport{session: chip, handle: func(apdu.Command) apdu.Response { return apdu.Response{SW: apdu.SWFileNotFound} }}
	resp, err := NewChannel(tr, reader).Exchange(context.Background(), apdu.Command{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 0x0B}})
	if err != nil || resp.SW != apdu.SWFileNotFound {
		t.Fatalf("%v %v", resp.SW, err)
	}
}

// A protected 6Cxx makes the channel resend with Ne = SW2.
func TestWrongLeUnderSM(t *testing.T) {
	reader, chip := pair(t, AES128)
	tr := &chipTransport{session: chip, handle: func(cmd apdu.Command) apdu.Response {
		if cmd.Ne != 20 {
			return apdu.Response{SW: 0x6C14}
		}
		return echo(cmd)
	}}
	resp, err := NewChannel(tr, reader).Exchange(context.Background(), apdu.Command{INS: 0xB0, Ne: 256})
	if err != nil || len(resp.Data) != 20 || len(tr.seen) != 2 {
		t.Fatalf("%d bytes, %d exchanges, %v", len(resp.Data), len(tr.seen), err)
	}
}

func TestResponseMACFailureClosesSession(t *testing.T) {
	reader, chip := pair(t, TDES)
	cmd := apdu.Command{INS: 0xB0, Ne: 8}
	prot, _ := reader.WrapCommand(cmd)
	plain, err := chip.UnwrapCommand(prot)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := chip.WrapResponse(echo(plain))
	resp.Data[3] ^= 1
	if _, err := reader.UnwrapResponse(resp); !errors.Is(err, ErrMAC) {
		t.Fatalf("tampered response: %v", err)
	}
	if reader.State() != Closed {
		t.Fatal("session still open")
	}
	if _, err := reader.WrapCommand(cmd); !errors.Is(err, ErrClosed) {
		t.Fatalf("after failure: %v", err)
	}
}

func TestChipRejectsWrongMACAndStaleSSC(t *testing.T) {
	t.Run("wrong MAC", func(t *testing.T) {
		reader, chip := pair(t, AES128)
		prot, _ := reader.WrapCommand(apdu.Command{INS: 0xB0, Ne: 8})
		prot.Data[len(prot.Data)-1] ^= 0x40
		_, err := chip.UnwrapCommand(prot)
		if !errors.Is(err, ErrMAC) || ChipStatus(err) != apdu.SWSMDataObjectsIncorrect || chip.State() != Closed {
			t.Fatalf("%v %v", err, chip.State())
		}
		// A dropped session stays dropped, even for a correct command.
		if _, err := chip.UnwrapCommand(prot); !errors.Is(err, ErrClosed) {
			t.Fatal(err)
		}
	})
	t.Run("replay", func(t *testing.T) {
		reader, chip := pair(t, TDES)
		prot, _ := reader.WrapCommand(apdu.Command{INS: 0xB0, Ne: 8})
		plain, err := chip.UnwrapCommand(prot)
		if err != nil {
			t.Fatal(err)
		}
		chip.WrapResponse(echo(plain))
		if _, err := chip.UnwrapCommand(prot); !errors.Is(err, ErrMAC) {
			t.Fatalf("replayed command: %v", err)
		}
	})
	t.Run("unprotected", func(t *testing.T) {
		_, chip := pair(t, TDES)
		_, err := chip.UnwrapCommand(apdu.Command{INS: 0xB0, Ne: 8})
		if !errors.Is(err, ErrMissingObjects) || ChipStatus(err) != apdu.SWSMDataObjectsMissing {
			t.Fatal(err)
		}
	})
	t.Run("no checksum", func(t *testing.T) {
		_, chip := pair(t, TDES)
		_, err := chip.UnwrapCommand(apdu.Command{CLA: 0x0C, INS: 0xB0, Data: tlv.Encode(0x97, []byte{4})})
		if !errors.Is(err, ErrMissingObjects) {
			t.Fatal(err)
		}
	})
	t.Run("out of order", func(t *testing.T) {
		_, chip := pair(t, TDES)
		data := append(tlv.Encode(0x97, []byte{4}), tlv.Encode(0x87, []byte{1, 1, 2, 3, 4, 5, 6, 7, 8})...)
		data = append(data, tlv.Encode(0x8E, make([]byte, 8))...)
		if _, err := chip.UnwrapCommand(apdu.Command{CLA: 0x0C, INS: 0xB0, Data: data}); !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	})
}

func TestChipWrapsWrongLeInside(t *testing.T) {
	reader, chip := pair(t, AES128)
	prot, _ := reader.WrapCommand(apdu.Command{INS: 0xB0, Ne: 8})
	if _, err := chip.UnwrapCommand(prot); err != nil {
		t.Fatal(err)
	}
	resp, _ := chip.WrapResponse(apdu.Response{SW: 0x6C04})
	if resp.SW != apdu.SWOK {
		t.Errorf("outer %v", resp.SW)
	}
	plain, err := reader.UnwrapResponse(resp)
	if err != nil || plain.SW != 0x6C04 {
		t.Fatalf("%v %v", plain.SW, err)
	}
}

func TestNewSessionErrors(t *testing.T) {
	k16 := make([]byte, 16)
	for _, tc := range []struct {
		c             Cipher
		enc, mac, ssc []byte
	}{
		{Cipher(9), k16, k16, nil},
		{TDES, k16[:8], k16, nil},
		{AES128, k16, k16[:8], nil},
		{AES256, k16, k16, nil},
		{AES128, k16, k16, make([]byte, 8)},
		{TDES, k16, k16, make([]byte, 16)},
	} {
		if _, err := NewSession(tc.c, tc.enc, tc.mac, tc.ssc); err == nil {
			t.Errorf("%v accepted", tc.c)
		}
	}
}

func TestCipherEncryptDecrypt(t *testing.T) {
	for _, c := range allCiphers {
		key := KDF(c, []byte("x"), 3)
		data := bytes.Repeat([]byte{0xA5}, 32)
		enc, err := c.Encrypt(key, data)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decrypt(key, enc)
		if err != nil || !bytes.Equal(dec, data) {
			t.Errorf("%v: %v", c, err)
		}
		if _, err := c.Encrypt(key, data[:5]); err == nil {
			t.Errorf("%v: unaligned data accepted", c)
		}
	}
}

func BenchmarkChannelRead223(b *testing.B) {
	for _, c := range []Cipher{TDES, AES128} {
		b.Run(c.String(), func(b *testing.B) {
			reader, chip := pair(b, c)
			ch := NewChannel(&chipTransport{session: chip, handle: echo}, reader)
			cmd := apdu.Command{INS: 0xB0, Ne: 223}
			b.SetBytes(223)
			for b.Loop() {
				if _, err := ch.Exchange(context.Background(), cmd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
