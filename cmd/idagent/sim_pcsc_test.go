package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/vpcd"
)

// TestSimThroughPCSCD inserts the software chip with idagent sim into the
// real pcscd's first vpcd reader, opens it through PC/SC with BAC and the
// printed access data, reads DG1 and checks it carries the printed MRZ.
func TestSimThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, &env{stdout: &stdout, stderr: &stderr}, []string{"sim", "--profile", "cccd", "--seed", "21", "--json"})
	}()
	pcsctest.WaitCard(t, vpcd.Reader0Name, true)
	var data sim.AccessData
	for deadline := time.Now().Add(5 * time.Second); ; {
		if line := strings.TrimSpace(stdout.String()); line != "" {
			if err := json.Unmarshal([]byte(line), &data); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no access data printed: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if data.Reader != vpcd.Reader0Name {
		t.Errorf("reader %q", data.Reader)
	}
	conn, err := pcsc.New().Connect(ctx, data.Reader)
	if err != nil {
		t.Fatal(err)
	}
	readDG1(t, ctx, conn, data)
	conn.Close()
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	pcsctest.WaitCard(t, vpcd.Reader0Name, false)
}

func readDG1(t *testing.T, ctx context.Context, card nfc.Card, data sim.AccessData) {
	t.Helper()
	plain := nfc.NewTransport(card)
	if resp, err := plain.Exchange(ctx, apdu.Command{INS: apdu.InsSelect, P1: 4, P2: 0x0C, Data: sim.AID}); err != nil || !resp.OK() {
		t.Fatalf("select AID: %v %v", resp.SW, err)
	}
	key, err := access.NewMRZKey(data.DocumentNumber, data.DateOfBirth, data.DateOfExpiry)
	if err != nil {
		t.Fatal(err)
	}
	session, err := bac.Authenticate(ctx, plain, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := sm.NewChannel(plain, session).Exchange(ctx, apdu.Command{INS: apdu.InsReadBinary, P1: 0x81, Ne: 256})
	if err != nil || !resp.OK() {
		t.Fatalf("read DG1: %v %v", resp.SW, err)
	}
	if !bytes.Contains(resp.Data, []byte(strings.ReplaceAll(data.MRZ, "\n", ""))) {
		t.Error("DG1 does not carry the printed MRZ")
	}
}
