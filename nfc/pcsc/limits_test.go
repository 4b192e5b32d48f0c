//go:build cgo || windows

package pcsc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual/testcard"
	"github.com/idagent/idagent/nfc/vpcd"
)

// TestExtendedLengthLimits pins down what pcscd 1.9 with the vpcd driver
// passes: pcscd itself takes extended APDUs up to 65548 bytes, but the
// vpcd protocol's 2-byte length field caps both a command and a response
// APDU at 65535 bytes. A longer response is replaced by 6F00 by our
// connector; a longer command makes the driver eject the card.
func TestExtendedLengthLimits(t *testing.T) {
	pcsctest.Require(t)
	long := func(n int) []byte { // LONG answers min(P1P2, Ne) bytes
		return apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: byte(n >> 8), P2: byte(n), Ne: apdu.MaxExtendedNe}.MustBytes()
	}
	echo := func(total int) []byte { // an extended case 3 command of total bytes
		return apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: make([]byte, total-7)}.MustBytes()
	}
	tests := []struct {
		name     string
		cmd      []byte
		wantLen  int   // response length, data and SW
		wantSW   int   // last two bytes
		wantErr  error // instead of a response
		consumed bool  // the card is gone afterwards
	}{
		{"response of 65535 bytes", long(65533), 65535, 0x9000, nil, false},
		{"response of 65536 bytes", long(65534), 2, 0x6F00, nil, false},
		{"command of 65535 bytes", echo(65535), 65528 + 2, 0x9000, nil, false}, // ECHO answers its 65528 bytes
		{"command of 65536 bytes", echo(65536), 0, 0, nfc.ErrCardRemoved, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			insertCard(t, vpcd.Config{})
			c := connect(t, pcsc.New(), pcsctest.Reader0)
			transceive(t, c, selectApp)
			resp, err := c.Transmit(context.Background(), tt.cmd)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || len(resp) != tt.wantLen || int(resp[len(resp)-2])<<8|int(resp[len(resp)-1]) != tt.wantSW {
				t.Fatalf("got %d bytes, %v; want %d bytes ending %04X", len(resp), err, tt.wantLen, tt.wantSW)
			}
			_, err = c.Transmit(context.Background(), selectApp.MustBytes())
			if gone := errors.Is(err, nfc.ErrCardRemoved); gone != tt.consumed || !gone && err != nil {
				t.Fatalf("next command: %v", err)
			}
		})
	}
}
