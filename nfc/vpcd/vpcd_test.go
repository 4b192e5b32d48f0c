package vpcd_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/virtual/testcard"
	"github.com/idagent/idagent/nfc/vpcd"
)

const hang = 5 * time.Second

// driver is the pcscd side of the protocol, as the vpcd driver speaks it.
type driver struct {
	t    *testing.T
	ln   net.Listener
	conn net.Conn
}

func listen(t *testing.T, addr string) *driver {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &driver{t: t, ln: ln}
}

func (d *driver) accept() {
	d.t.Helper()
	d.ln.(*net.TCPListener).SetDeadline(time.Now().Add(hang))
	c, err := d.ln.Accept()
	if err != nil {
		d.t.Fatalf("accept: %v", err)
	}
	d.t.Cleanup(func() { c.Close() })
	d.conn = c
}

func (d *driver) send(msg ...byte) {
	d.t.Helper()
	out := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
	if _, err := d.conn.Write(append(out, msg...)); err != nil {
		d.t.Fatalf("send: %v", err)
	}
}

func (d *driver) recv() ([]byte, error) {
	d.conn.SetReadDeadline(time.Now().Add(hang))
	var hdr [2]byte
	if _, err := io.ReadFull(d.conn, hdr[:]); err != nil {
		return nil, err
	}
	msg := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	_, err := io.ReadFull(d.conn, msg)
	return msg, err
}

func (d *driver) exchange(msg ...byte) []byte {
	d.t.Helper()
	d.send(msg...)
	resp, err := d.recv()
	if err != nil {
		d.t.Fatalf("recv: %v", err)
	}
	return resp
}

var selectApp = apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: testcard.AID}.MustBytes()

func insert(t *testing.T, d *driver, card *testcard.Card, cfg vpcd.Config) *vpcd.Insertion {
	t.Helper()
	in, err := vpcd.Insert(context.Background(), d.ln.Addr().String(), card, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Remove)
	d.accept()
	return in
}

func TestProtocol(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	card := testcard.New()
	in := insert(t, d, card, vpcd.Config{})
	if got := d.exchange(0x04); !bytes.Equal(got, testcard.ATR) {
		t.Fatalf("ATR = % X", got)
	}
	d.send(0x01) // power on: no answer, resets the card
	if got := d.exchange(selectApp...); !bytes.Equal(got, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT = % X", got)
	}
	count := apdu.Command{CLA: 0x80, INS: testcard.InsCount, Ne: 4}.MustBytes()
	if got := d.exchange(count...); !bytes.Equal(got, []byte{0, 0, 0, 2, 0x90, 0x00}) {
		t.Fatalf("COUNT = % X", got)
	}
	d.send(0x02) // reset
	d.send(0x00) // power off
	d.send(0x01) // power on
	if got := d.exchange(count...); !bytes.Equal(got, []byte{0x69, 0x85}) {
		t.Fatalf("COUNT after reset = % X, want 6985 (not selected)", got)
	}
	if card.Resets() != 3 {
		t.Errorf("%d resets, want 3", card.Resets())
	}
	// A long extended response goes through in one message.
	long := apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: 0xFF, P2: 0xFD, Ne: 65533}.MustBytes()
	d.exchange(selectApp...)
	if got := d.exchange(long...); len(got) != 65535 {
		t.Fatalf("LONG response of %d bytes, want 65535", len(got))
	}
	// So does a long extended command.
	echo := apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: bytes.Repeat([]byte{0xAB}, 65000), Ne: 65000}.MustBytes()
	if got := d.exchange(echo...); len(got) != 65002 || got[64999] != 0xAB {
		t.Fatalf("ECHO response of %d bytes, want 65002", len(got))
	}
	if !in.Connected() || in.Connects() != 1 {
		t.Errorf("Connected %v, Connects %d", in.Connected(), in.Connects())
	}
	in.Remove()
	if _, err := d.recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after Remove the driver reads %v, want EOF", err)
	}
	if !errors.Is(in.Err(), vpcd.ErrRemoved) {
		t.Errorf("Err = %v", in.Err())
	}
}

// emptyCard answers nothing at all.
type emptyCard struct{ testcard.Card }

func (*emptyCard) Respond([]byte) []byte { return nil }

func TestEmptyResponse(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	in, err := vpcd.Insert(context.Background(), d.ln.Addr().String(), &emptyCard{}, vpcd.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Remove()
	d.accept()
	if got := d.exchange(selectApp...); !bytes.Equal(got, []byte{0x6F, 0x00}) {
		t.Fatalf("empty response sent as % X, want 6F00", got)
	}
}

func TestInsertNoDriver(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	addr := d.ln.Addr().String()
	d.ln.Close()
	if _, err := vpcd.Insert(context.Background(), addr, testcard.New(), vpcd.Config{}); err == nil {
		t.Fatal("Insert with nothing listening succeeded")
	}
}

func TestDriverGoesAway(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	in := insert(t, d, testcard.New(), vpcd.Config{})
	d.conn.Close()
	select {
	case <-in.Done():
	case <-time.After(hang):
		t.Fatal("insertion still running after the driver closed the connection")
	}
	if in.Err() == nil || errors.Is(in.Err(), vpcd.ErrRemoved) {
		t.Fatalf("Err = %v, want the connection error", in.Err())
	}
}

func TestReconnect(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	addr := d.ln.Addr().String()
	var mu sync.Mutex
	var states []bool
	in := insert(t, d, testcard.New(), vpcd.Config{
		Reconnect: true,
		Notify: func(connected bool, err error) {
			mu.Lock()
			states = append(states, connected)
			mu.Unlock()
		},
	})
	d.exchange(0x04)

	// pcscd dies: the listener and the connection go away, and come back
	// a little later on the same port.
	d.ln.Close()
	d.conn.Close()
	time.Sleep(200 * time.Millisecond)
	d2 := listen(t, addr)
	d2.accept()
	if got := d2.exchange(0x04); !bytes.Equal(got, testcard.ATR) {
		t.Fatalf("ATR after reconnection = % X", got)
	}
	if in.Connects() != 2 {
		t.Errorf("Connects = %d, want 2", in.Connects())
	}
	in.Remove()
	mu.Lock()
	defer mu.Unlock()
	if want := []bool{true, false, true, false}; !equalBools(states, want) {
		t.Errorf("notifications %v, want %v", states, want)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCancelWhileReconnecting(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	in, err := vpcd.Insert(ctx, d.ln.Addr().String(), testcard.New(), vpcd.Config{Reconnect: true})
	if err != nil {
		t.Fatal(err)
	}
	d.accept()
	d.ln.Close()
	d.conn.Close()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-in.Done():
	case <-time.After(hang):
		t.Fatal("insertion still running after its context was cancelled")
	}
	if !errors.Is(in.Err(), context.Canceled) {
		t.Fatalf("Err = %v, want context.Canceled", in.Err())
	}
}

func TestRemoveDuringSlowCommand(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	card := testcard.New()
	in := insert(t, d, card, vpcd.Config{})
	d.send(0x01)
	d.exchange(selectApp...)
	d.send(apdu.Command{CLA: 0x80, INS: testcard.InsSlow, P1: 0x01, P2: 0x00}.MustBytes()...) // 256 ms
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	removed := make(chan struct{})
	go func() { in.Remove(); close(removed) }()
	// The driver sees the card leave at once, before the command is answered.
	if _, err := d.recv(); err == nil {
		t.Fatal("the slow command was answered after Remove")
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("connection closed %v after Remove", d)
	}
	<-removed // after the responder finished
}

func TestDelay(t *testing.T) {
	d := listen(t, "127.0.0.1:0")
	var got [][]byte
	insert(t, d, testcard.New(), vpcd.Config{Delay: func(cmd, resp []byte) time.Duration {
		got = append(got, cmd, resp)
		return 50 * time.Millisecond
	}})
	start := time.Now()
	d.exchange(selectApp...)
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("answered after %v, before the delay", el)
	}
	if len(got) != 2 || !bytes.Equal(got[0], selectApp) || !bytes.Equal(got[1], []byte{0x69, 0x85}) && !bytes.Equal(got[1], []byte{0x90, 0x00}) {
		t.Errorf("delay saw % X", got)
	}
}
