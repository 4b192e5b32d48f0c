//go:build cgo || windows

package pcsc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual/testcard"
	"github.com/idagent/idagent/nfc/vpcd"
)

// hang bounds waits for things that must happen promptly.
const hang = 10 * time.Second

var selectApp = apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: testcard.AID}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// insertCard puts a fresh test card into the first virtual reader.
func insertCard(t *testing.T, cfg vpcd.Config) (*testcard.Card, *vpcd.Insertion) {
	t.Helper()
	card := testcard.New()
	in := pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, card, cfg)
	return card, in
}

func connect(t *testing.T, m *pcsc.Manager, reader string) nfc.Conn {
	t.Helper()
	c, err := m.Connect(context.Background(), reader)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func transceive(t *testing.T, c nfc.Card, cmd apdu.Command) apdu.Response {
	t.Helper()
	r, err := nfc.Transceive(context.Background(), c, cmd)
	if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	return r
}

func TestReaders(t *testing.T) {
	pcsctest.Require(t)
	m := pcsc.New()
	states, err := m.Readers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(states, func(s nfc.ReaderState) bool { return s.Name == pcsctest.Reader0 })
	if i < 0 {
		t.Fatalf("readers %v lack %q", states, pcsctest.Reader0)
	}
	if states[i].CardPresent {
		t.Fatalf("%q holds a card before the test inserted one", pcsctest.Reader0)
	}
	insertCard(t, vpcd.Config{})
	states, err = m.Readers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Name == pcsctest.Reader0 && (!s.CardPresent || !bytes.Equal(s.ATR, testcard.ATR)) {
			t.Fatalf("after insertion: %+v, want a card with ATR % X", s, testcard.ATR)
		}
	}
}

func TestTransmit(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	if c.Reader() != pcsctest.Reader0 || !bytes.Equal(c.ATR(), testcard.ATR) {
		t.Errorf("conn: reader %q ATR % X", c.Reader(), c.ATR())
	}
	if r := transceive(t, c, selectApp); !r.OK() {
		t.Fatalf("SELECT: %v", r.SW)
	}
	tests := []struct {
		name string
		cmd  apdu.Command
		want []byte
	}{
		{"echo", apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: []byte("hello"), Ne: 256}, []byte("hello")},
		{"61xx", apdu.Command{CLA: 0x80, INS: testcard.InsChained, P1: 0x03, P2: 0x00, Ne: 256}, pattern(768)},
		{"6Cxx", apdu.Command{CLA: 0x80, INS: testcard.InsExact, P2: 0x21, Ne: 256}, pattern(0x21)},
		{"extended response", apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: 0x10, P2: 0x00, Ne: 4096}, pattern(4096)},
		{"extended command", apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: pattern(4000), Ne: 4000}, pattern(4000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := transceive(t, c, tt.cmd)
			if !r.OK() || !bytes.Equal(r.Data, tt.want) {
				t.Fatalf("got %d bytes SW %v, want %d bytes 9000", len(r.Data), r.SW, len(tt.want))
			}
		})
	}
}

func TestConnectErrors(t *testing.T) {
	pcsctest.Require(t)
	m := pcsc.New()
	if _, err := m.Connect(context.Background(), pcsctest.Reader0); !errors.Is(err, nfc.ErrNoCard) {
		t.Errorf("Connect to an empty reader: %v, want ErrNoCard", err)
	}
	if _, err := m.Connect(context.Background(), "No Such Reader 00 00"); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Errorf("Connect to an unknown reader: %v, want ErrReaderRemoved", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Connect(ctx, pcsctest.Reader0); !errors.Is(err, context.Canceled) {
		t.Errorf("Connect with a cancelled context: %v", err)
	}
}

func TestExclusive(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	excl := connect(t, &pcsc.Manager{Exclusive: true}, pcsctest.Reader0)
	if _, err := pcsc.New().Connect(context.Background(), pcsctest.Reader0); !errors.Is(err, nfc.ErrSharingViolation) {
		t.Errorf("shared Connect beside an exclusive one: %v, want ErrSharingViolation", err)
	}
	excl.Close()
	connect(t, pcsc.New(), pcsctest.Reader0)
}

func TestProtocols(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	for _, p := range []pcsc.Protocol{pcsc.AnyProtocol, pcsc.T1} {
		c := connect(t, &pcsc.Manager{Protocol: p}, pcsctest.Reader0)
		transceive(t, c, selectApp)
		c.Close()
	}
}

func TestRemoveDuringTransmits(t *testing.T) {
	pcsctest.Require(t)
	_, in := insertCard(t, vpcd.Config{})
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	transceive(t, c, selectApp)
	errc := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		echo := apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: []byte{1, 2, 3}, Ne: 256}
		for i := 0; ; i++ {
			if i == 10 {
				close(started)
			}
			if _, err := nfc.Transceive(context.Background(), c, echo); err != nil {
				errc <- err
				return
			}
		}
	}()
	<-started
	in.Remove()
	select {
	case err := <-errc:
		if !errors.Is(err, nfc.ErrCardRemoved) {
			t.Fatalf("transmit loop ended with %v, want ErrCardRemoved", err)
		}
	case <-time.After(hang):
		t.Fatal("transmit loop still running after the card was removed")
	}
	for range 3 {
		if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrCardRemoved) {
			t.Fatalf("transmit after removal: %v, want ErrCardRemoved", err)
		}
	}
}

func TestCancelTransmit(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	transceive(t, c, selectApp)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	slow := apdu.Command{CLA: 0x80, INS: testcard.InsSlow, P1: 0x03, P2: 0xE8} // 1 s
	if _, err := c.Transmit(ctx, slow.MustBytes()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow transmit: %v, want deadline exceeded", err)
	}
	if el := time.Since(start); el > 900*time.Millisecond {
		t.Errorf("cancelled transmit returned after %v", el)
	}
	// The connection is usable again once the card has answered.
	if r := transceive(t, c, apdu.Command{CLA: 0x80, INS: testcard.InsEcho}); !r.OK() {
		t.Fatalf("after a cancelled transmit: %v", r.SW)
	}
}

func TestClose(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, pcsc.ErrClosed) {
		t.Fatalf("Transmit after Close: %v", err)
	}
	if _, err := c.Transmit(context.Background(), []byte{0}); err == nil {
		t.Fatal("one-byte command accepted")
	}
}

// events collects a watcher's events.
type events struct {
	t  *testing.T
	ch <-chan nfc.Event
}

func (e events) next() nfc.Event {
	e.t.Helper()
	select {
	case ev, ok := <-e.ch:
		if !ok {
			e.t.Fatal("watch channel closed")
		}
		return ev
	case <-time.After(hang):
		e.t.Fatal("no event")
	}
	panic("unreachable")
}

// until skips events until one of kind in reader (any reader if "").
func (e events) until(kind nfc.EventKind, reader string) nfc.Event {
	e.t.Helper()
	for {
		ev := e.next()
		if ev.Kind == kind && (reader == "" || ev.Reader == reader) {
			return ev
		}
	}
}

func describe(ev nfc.Event) string {
	s := ev.Kind.String() + " " + ev.Reader
	if ev.ATR != nil {
		s += fmt.Sprintf(" %X", ev.ATR)
	}
	return s
}

func TestWatch(t *testing.T) {
	pcsctest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	ev := events{t, pcsc.New().Watch(ctx)}
	var got []string
	for range 2 {
		got = append(got, describe(ev.next()))
	}
	want := []string{"reader.added " + pcsctest.Reader0, "reader.added " + pcsctest.Reader1}
	if !slices.Equal(got, want) {
		t.Fatalf("initial events %q, want %q", got, want)
	}
	_, in := insertCard(t, vpcd.Config{})
	if got := describe(ev.next()); got != "card.inserted "+pcsctest.Reader0+" 3B80800101" {
		t.Fatalf("after insertion: %q", got)
	}
	// Connecting changes the reader's state flags (in use) but no card event.
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	transceive(t, c, selectApp)
	in.Remove()
	if got := describe(ev.next()); got != "card.removed "+pcsctest.Reader0 {
		t.Fatalf("after removal: %q", got)
	}
	// Cancelling ends the watch promptly even while it waits in pcscd.
	start := time.Now()
	cancel()
	for range ev.ch {
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("watch channel closed %v after cancel", el)
	}
}

func TestWatchInitialCard(t *testing.T) {
	pcsctest.Require(t)
	insertCard(t, vpcd.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := events{t, pcsc.New().Watch(ctx)}
	got := ev.until(nfc.CardInserted, pcsctest.Reader0)
	if !bytes.Equal(got.ATR, testcard.ATR) {
		t.Fatalf("initial CardInserted ATR % X", got.ATR)
	}
}

func BenchmarkTransmit(b *testing.B) {
	pcsctest.Require(b)
	pcsctest.Insert(b, vpcd.Reader0Addr, pcsctest.Reader0, testcard.New(), vpcd.Config{})
	c, err := pcsc.New().Connect(context.Background(), pcsctest.Reader0)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := nfc.Transceive(context.Background(), c, selectApp); err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{0, 223, 1024} {
		cmd := apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: byte(n >> 8), P2: byte(n), Ne: max(n, 1)}.MustBytes()
		b.Run(fmt.Sprintf("resp=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Transmit(context.Background(), cmd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestServiceRestart kills pcscd under a watcher, a connection and a vpcd
// card, and starts it again.
func TestServiceRestart(t *testing.T) {
	pcsctest.Require(t)
	_, in := insertCard(t, vpcd.Config{Reconnect: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := events{t, pcsc.New().Watch(ctx)}
	ev.until(nfc.CardInserted, pcsctest.Reader0)
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	transceive(t, c, selectApp)

	pcsctest.Kill(t)
	lost := ev.next()
	if lost.Kind != nfc.ServiceLost || !errors.Is(lost.Err, nfc.ErrNoService) {
		t.Fatalf("after killing pcscd: %s (%v), want service.lost with ErrNoService", describe(lost), lost.Err)
	}
	// Everything announced is withdrawn.
	var withdrawn []string
	for range 3 {
		withdrawn = append(withdrawn, describe(ev.next()))
	}
	want := []string{"card.removed " + pcsctest.Reader0, "reader.removed " + pcsctest.Reader0, "reader.removed " + pcsctest.Reader1}
	if !slices.Equal(withdrawn, want) {
		t.Errorf("after service.lost: %q, want %q", withdrawn, want)
	}
	if _, err := pcsc.New().Readers(ctx); !errors.Is(err, nfc.ErrNoService) {
		t.Errorf("Readers without pcscd: %v, want ErrNoService", err)
	}
	if _, err := pcsc.New().Connect(ctx, pcsctest.Reader0); !errors.Is(err, nfc.ErrNoService) {
		t.Errorf("Connect without pcscd: %v, want ErrNoService", err)
	}
	if _, err := c.Transmit(ctx, selectApp.MustBytes()); !errors.Is(err, nfc.ErrNoService) {
		t.Errorf("Transmit without pcscd: %v, want ErrNoService", err)
	}

	start := time.Now()
	pcsctest.Start(t)
	restored := ev.next()
	recovery := time.Since(start)
	if restored.Kind != nfc.ServiceRestored {
		t.Fatalf("after restarting pcscd: %s, want service.restored", describe(restored))
	}
	card := ev.until(nfc.CardInserted, pcsctest.Reader0)
	reannounced := time.Since(start)
	t.Logf("service restored %v after starting pcscd; card re-announced after %v", recovery.Round(time.Millisecond), reannounced.Round(time.Millisecond))
	if recovery > 5*time.Second {
		t.Errorf("watcher recovered %v after pcscd came back, want within 5 s", recovery)
	}
	if !bytes.Equal(card.ATR, testcard.ATR) {
		t.Errorf("re-announced ATR % X", card.ATR)
	}
	if in.Connects() != 2 {
		t.Errorf("vpcd card connected %d times, want 2", in.Connects())
	}
	// The old connection is dead for good; a new one works.
	if _, err := c.Transmit(ctx, selectApp.MustBytes()); err == nil {
		t.Error("Transmit on a connection from before the restart succeeded")
	}
	transceive(t, connect(t, pcsc.New(), pcsctest.Reader0), selectApp)
}

// TestWatchPolling runs the watcher as on a service without PnP
// notifications, where it polls the reader list.
func TestWatchPolling(t *testing.T) {
	pcsctest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := events{t, pcsc.PollingManager().Watch(ctx)}
	ev.until(nfc.ReaderAdded, pcsctest.Reader1)
	_, in := insertCard(t, vpcd.Config{})
	if got := describe(ev.next()); got != "card.inserted "+pcsctest.Reader0+" 3B80800101" {
		t.Fatalf("after insertion: %q", got)
	}
	in.Remove()
	if got := describe(ev.next()); got != "card.removed "+pcsctest.Reader0 {
		t.Fatalf("after removal: %q", got)
	}
}

// Reset resets the card through pcscd (SCardReconnect): the card forgets
// its selection and the connection goes on.
func TestReset(t *testing.T) {
	pcsctest.Require(t)
	card, _ := insertCard(t, vpcd.Config{})
	c := connect(t, pcsc.New(), pcsctest.Reader0)
	if r := transceive(t, c, selectApp); !r.OK() {
		t.Fatalf("SELECT: %v", r.SW)
	}
	before := card.Resets()
	if err := c.(nfc.Resetter).Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if card.Resets() <= before {
		t.Errorf("the card was not reset (%d resets before, %d after)", before, card.Resets())
	}
	echo := apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: []byte("x"), Ne: 256}
	if r := transceive(t, c, echo); r.OK() {
		t.Error("the application is still selected after the reset")
	}
	if r := transceive(t, c, selectApp); !r.OK() {
		t.Fatalf("SELECT after the reset: %v", r.SW)
	}
}
