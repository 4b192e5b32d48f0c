package nfc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testConn(t *testing.T) nfc.Conn {
	t.Helper()
	m := virtual.New("R")
	m.Insert("R", testcard.New())
	c, err := m.Connect(context.Background(), "R")
	if err != nil {
		t.Fatal(err)
	}
	sel := apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: testcard.AID}
	if r, err := nfc.Transceive(context.Background(), c, sel); err != nil || !r.OK() {
		t.Fatalf("SELECT: %v %v", r.SW, err)
	}
	return c
}

func TestTransceiveGetResponse(t *testing.T) {
	c := testConn(t)
	for _, n := range []int{1, 255, 256, 257, 1000, 4096} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cmd := apdu.Command{CLA: 0x80, INS: testcard.InsChained, P1: byte(n >> 8), P2: byte(n), Ne: 256}
			r, err := nfc.Transceive(context.Background(), c, cmd)
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || !bytes.Equal(r.Data, pattern(n)) {
				t.Fatalf("got %d bytes, SW %v; want %d pattern bytes and 9000", len(r.Data), r.SW, n)
			}
		})
	}
}

func TestTransceiveWrongLe(t *testing.T) {
	c := testConn(t)
	for _, n := range []int{1, 17, 255} {
		// Ask for 256 bytes when the card has n: it answers 6Cn and
		// Transceive resends with Le = n.
		cmd := apdu.Command{CLA: 0x80, INS: testcard.InsExact, P2: byte(n), Ne: 256}
		r, err := nfc.Transceive(context.Background(), c, cmd)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || !bytes.Equal(r.Data, pattern(n)) {
			t.Fatalf("n=%d: got %d bytes, SW %v", n, len(r.Data), r.SW)
		}
	}
}

func TestTransceiveExtended(t *testing.T) {
	c := testConn(t)
	cmd := apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: 0x10, P2: 0x00, Ne: apdu.MaxExtendedNe}
	r, err := nfc.Transceive(context.Background(), c, cmd)
	if err != nil || !r.OK() || !bytes.Equal(r.Data, pattern(4096)) {
		t.Fatalf("got %d bytes, SW %v, %v", len(r.Data), r.SW, err)
	}
}

// scriptCard answers every command with the same response.
type scriptCard struct{ resp []byte }

func (s scriptCard) Transmit(context.Context, []byte) ([]byte, error) { return s.resp, nil }

func TestTransceiveHostileCard(t *testing.T) {
	tests := []struct {
		name string
		resp []byte
		want error
	}{
		{"endless 61xx", []byte{0xAA, 0x61, 0x10}, nfc.ErrCardUnresponsive},
		{"no status word", []byte{0x90}, nfc.ErrCardUnresponsive},
	}
	for _, tt := range tests {
		_, err := nfc.Transceive(context.Background(), scriptCard{tt.resp}, apdu.Command{INS: 0xB0, Ne: 256})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// Endless 6Cxx stops after a bounded number of retries with the last answer.
	r, err := nfc.Transceive(context.Background(), scriptCard{[]byte{0x6C, 0x10}}, apdu.Command{INS: 0xB0, Ne: 256})
	if err != nil || r.SW != 0x6C10 {
		t.Errorf("endless 6Cxx: %v %v", r.SW, err)
	}
}

func TestTransceiveCancelled(t *testing.T) {
	c := testConn(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := nfc.Transceive(ctx, c, apdu.Command{CLA: 0x80, INS: testcard.InsEcho}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}
