package virtual_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

// hang is the longest any test waits for something that must be prompt; a
// hang shows up as a failure, not a stuck test binary.
const hang = 5 * time.Second

var selectApp = apdu.Command{CLA: 0x00, INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: testcard.AID}

func connect(t *testing.T, m *virtual.Manager, reader string) nfc.Conn {
	t.Helper()
	c, err := m.Connect(context.Background(), reader)
	if err != nil {
		t.Fatalf("Connect(%q): %v", reader, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func exchange(t *testing.T, card nfc.Card, cmd apdu.Command) apdu.Response {
	t.Helper()
	resp, err := nfc.Transceive(context.Background(), card, cmd)
	if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	return resp
}

func TestReadersAndConnect(t *testing.T) {
	m := virtual.New("A", "B")
	if err := m.Insert("B", testcard.New()); err != nil {
		t.Fatal(err)
	}
	got, err := m.Readers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []nfc.ReaderState{{Name: "A"}, {Name: "B", CardPresent: true, ATR: testcard.ATR}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Readers = %v, want %v", got, want)
	}
	if _, err := m.Connect(context.Background(), "A"); !errors.Is(err, nfc.ErrNoCard) {
		t.Errorf("Connect to empty reader: %v, want ErrNoCard", err)
	}
	if _, err := m.Connect(context.Background(), "C"); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Errorf("Connect to unknown reader: %v, want ErrReaderRemoved", err)
	}
	c := connect(t, m, "B")
	if c.Reader() != "B" || !bytes.Equal(c.ATR(), testcard.ATR) {
		t.Errorf("conn reader %q ATR % X", c.Reader(), c.ATR())
	}
	if r := exchange(t, c, selectApp); !r.OK() {
		t.Fatalf("SELECT: %v", r.SW)
	}
	echo := exchange(t, c, apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: []byte("hi"), Ne: 256})
	if string(echo.Data) != "hi" || !echo.OK() {
		t.Errorf("ECHO = %q %v", echo.Data, echo.SW)
	}
}

func TestEmptyManager(t *testing.T) {
	m := virtual.New()
	got, err := m.Readers(context.Background())
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Readers = %#v, %v; want empty non-nil list", got, err)
	}
	if err := m.AddReader("A", virtual.ReaderConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := m.AddReader("A", virtual.ReaderConfig{}); !errors.Is(err, virtual.ErrReaderExists) {
		t.Errorf("second AddReader: %v", err)
	}
	if err := m.Insert("nope", testcard.New()); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Errorf("Insert into unknown reader: %v", err)
	}
	if err := m.Remove("A"); err != nil {
		t.Errorf("Remove from empty reader: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Readers(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Readers with cancelled ctx: %v", err)
	}
}

func TestInsertResetsCard(t *testing.T) {
	m := virtual.New("A")
	card := testcard.New()
	for i := 1; i <= 2; i++ {
		if err := m.Insert("A", card); err != nil {
			t.Fatal(err)
		}
		c := connect(t, m, "A")
		exchange(t, c, selectApp)
		n := exchange(t, c, apdu.Command{CLA: 0x80, INS: testcard.InsCount, Ne: 4})
		if !bytes.Equal(n.Data, []byte{0, 0, 0, 2}) {
			t.Errorf("insertion %d: COUNT = % X, want 2 since reset", i, n.Data)
		}
		if card.Resets() != i {
			t.Errorf("insertion %d: %d resets", i, card.Resets())
		}
	}
}

// Reset (nfc.Resetter) power-cycles the card: the count starts again;
// a removed card cannot be reset.
func TestReset(t *testing.T) {
	m := virtual.New("A")
	card := testcard.New()
	if err := m.Insert("A", card); err != nil {
		t.Fatal(err)
	}
	c := connect(t, m, "A")
	exchange(t, c, selectApp)
	before := card.Resets()
	if err := c.(nfc.Resetter).Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if card.Resets() != before+1 {
		t.Errorf("%d resets, want %d", card.Resets(), before+1)
	}
	if r := exchange(t, c, apdu.Command{CLA: 0x80, INS: testcard.InsCount, Ne: 4}); r.OK() {
		t.Error("the application is still selected after the reset")
	}
	if err := m.Remove("A"); err != nil {
		t.Fatal(err)
	}
	if err := c.(nfc.Resetter).Reset(context.Background()); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Errorf("reset of a removed card: %v", err)
	}
}

func TestRemoveDuringExchange(t *testing.T) {
	m := virtual.New("A")
	m.Insert("A", testcard.New())
	c := connect(t, m, "A")
	exchange(t, c, selectApp)

	errc := make(chan error, 1)
	go func() {
		_, err := c.Transmit(context.Background(), apdu.Command{CLA: 0x80, INS: testcard.InsSlow, P1: 0x27, P2: 0x10}.MustBytes()) // 10 s
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	m.Remove("A")
	select {
	case err := <-errc:
		if !errors.Is(err, nfc.ErrCardRemoved) {
			t.Fatalf("Transmit during removal: %v, want ErrCardRemoved", err)
		}
	case <-time.After(hang):
		t.Fatal("Transmit hangs after the card was removed")
	}
	for range 3 {
		if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrCardRemoved) {
			t.Fatalf("Transmit after removal: %v, want ErrCardRemoved", err)
		}
	}
	// A new card in the same reader is a new connection; the old one stays dead.
	m.Insert("A", testcard.New())
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("old conn after re-insertion: %v, want ErrCardRemoved", err)
	}
	exchange(t, connect(t, m, "A"), selectApp)
}

// muteCard never answers until released.
type muteCard struct{ release chan struct{} }

func (c *muteCard) ATR() []byte { return testcard.ATR }
func (c *muteCard) Reset()      {}
func (c *muteCard) Respond([]byte) []byte {
	<-c.release
	return []byte{0x90, 0x00}
}

func TestMuteCard(t *testing.T) {
	m := virtual.New("A")
	card := &muteCard{release: make(chan struct{})}
	defer close(card.release)
	m.Insert("A", card)
	c := connect(t, m, "A")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Transmit(ctx, selectApp.MustBytes()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Transmit to a mute card: %v, want deadline exceeded", err)
	}
	// The card is still busy with the first command: the next one waits for
	// it (one exchange at a time), and ends on removal.
	errc := make(chan error, 1)
	go func() {
		_, err := c.Transmit(context.Background(), selectApp.MustBytes())
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	m.RemoveReader("A")
	select {
	case err := <-errc:
		if !errors.Is(err, nfc.ErrReaderRemoved) {
			t.Fatalf("Transmit after reader removal: %v, want ErrReaderRemoved", err)
		}
	case <-time.After(hang):
		t.Fatal("Transmit hangs after the reader was removed")
	}
}

func TestCancel(t *testing.T) {
	m := virtual.New("A")
	m.Insert("A", testcard.New())
	c := connect(t, m, "A")
	exchange(t, c, selectApp)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Transmit(ctx, apdu.Command{CLA: 0x80, INS: testcard.InsSlow, P1: 0x27, P2: 0x10}.MustBytes())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Transmit: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > hang {
		t.Fatalf("cancelled Transmit took %v", d)
	}
	if _, err := c.Transmit(ctx, selectApp.MustBytes()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Transmit with cancelled ctx: %v", err)
	}
}

func TestClose(t *testing.T) {
	m := virtual.New("A")
	m.Insert("A", testcard.New())
	c := connect(t, m, "A")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, virtual.ErrClosed) {
		t.Fatalf("Transmit after Close: %v", err)
	}
	// The card is still there for others.
	exchange(t, connect(t, m, "A"), selectApp)
}

func TestRemoveReader(t *testing.T) {
	m := virtual.New("A")
	m.Insert("A", testcard.New())
	c := connect(t, m, "A")
	if err := m.RemoveReader("A"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Fatalf("Transmit on removed reader: %v", err)
	}
	if err := m.RemoveReader("A"); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Fatalf("second RemoveReader: %v", err)
	}
	// A reader with the same name is a different reader.
	m.AddReader("A", virtual.ReaderConfig{})
	m.Insert("A", testcard.New())
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrReaderRemoved) {
		t.Fatalf("old conn after re-plug: %v", err)
	}
}

func TestLimits(t *testing.T) {
	m := virtual.New()
	m.AddReader("short", virtual.ReaderConfig{Limits: virtual.Limits{ShortOnly: true}})
	m.AddReader("small", virtual.ReaderConfig{Limits: virtual.Limits{MaxCommand: 20, MaxResponse: 100}})
	m.AddReader("any", virtual.ReaderConfig{})
	long := apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: 0x04, P2: 0x00, Ne: 1024} // 1024 bytes, extended Le
	tests := []struct {
		reader  string
		cmd     apdu.Command
		wantErr bool
	}{
		{"short", long, true},
		{"short", apdu.Command{CLA: 0x80, INS: testcard.InsLong, P1: 0x01, P2: 0x00, Ne: 256}, false},
		{"short", apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: make([]byte, 255), Ne: 256}, false},
		{"short", apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: make([]byte, 10), ForceExtended: true}, true},
		{"small", apdu.Command{CLA: 0x80, INS: testcard.InsEcho, Data: make([]byte, 16)}, true},
		{"small", apdu.Command{CLA: 0x80, INS: testcard.InsLong, P2: 99, Ne: 256}, true},
		{"small", apdu.Command{CLA: 0x80, INS: testcard.InsLong, P2: 98, Ne: 256}, false},
		{"any", long, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.reader, tt.cmd), func(t *testing.T) {
			m.Insert(tt.reader, testcard.New())
			c := connect(t, m, tt.reader)
			exchange(t, c, selectApp)
			resp, err := nfc.Transceive(context.Background(), c, tt.cmd)
			if tt.wantErr {
				if !errors.Is(err, nfc.ErrAPDUTooLong) {
					t.Fatalf("got %v, want ErrAPDUTooLong", err)
				}
				// The card is still usable with a short exchange.
				exchange(t, c, apdu.Command{CLA: 0x80, INS: testcard.InsEcho})
				return
			}
			if err != nil || !resp.OK() {
				t.Fatalf("got %v %v", err, resp.SW)
			}
		})
	}
}

func TestDelay(t *testing.T) {
	var calls atomic.Int32
	delay := func(cmd, resp []byte) time.Duration {
		calls.Add(1)
		if len(resp) < 2 {
			t.Errorf("delay saw response % X", resp)
		}
		return time.Duration(len(cmd)+len(resp)) * time.Millisecond
	}
	m := virtual.New()
	m.AddReader("A", virtual.ReaderConfig{Delay: delay})
	m.Insert("A", testcard.New())
	c := connect(t, m, "A")
	start := time.Now()
	exchange(t, c, selectApp) // 13 + 2 bytes
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("exchange took %v, shorter than its delay", d)
	}
	if calls.Load() != 1 {
		t.Errorf("delay called %d times", calls.Load())
	}

	// A long delay ends early when the card is removed.
	m.Configure("A", virtual.ReaderConfig{Delay: func(_, _ []byte) time.Duration { return time.Hour }})
	time.AfterFunc(20*time.Millisecond, func() { m.Remove("A") })
	if _, err := c.Transmit(context.Background(), selectApp.MustBytes()); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("Transmit removed during delay: %v", err)
	}
}

func next(t *testing.T, events <-chan nfc.Event) nfc.Event {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("event channel closed")
		}
		return ev
	case <-time.After(hang):
		t.Fatal("no event")
	}
	panic("unreachable")
}

func TestWatch(t *testing.T) {
	m := virtual.New("A", "B")
	m.Insert("A", testcard.New())
	ctx, cancel := context.WithCancel(context.Background())
	events := m.Watch(ctx)
	want := []string{
		"reader.added A", "card.inserted A 3B80800101", "reader.added B",
		"card.inserted B 3B80800101", "card.removed A", "card.removed B", "reader.removed B",
		"reader.added C",
	}
	m.Insert("B", testcard.New())
	m.Remove("A")
	m.RemoveReader("B")
	m.AddReader("C", virtual.ReaderConfig{})
	for i, w := range want {
		ev := next(t, events)
		got := ev.Kind.String() + " " + ev.Reader
		if ev.ATR != nil {
			got += fmt.Sprintf(" %X", ev.ATR)
		}
		if got != w {
			t.Fatalf("event %d = %q, want %q", i, got, w)
		}
	}
	cancel()
	for range events {
	}
	// Events after the watcher ended do not block the manager.
	m.Insert("C", testcard.New())
	m.Remove("C")
}

// TestConcurrent is for the race detector: readers, cards, watchers and
// exchanges all at once.
func TestConcurrent(t *testing.T) {
	m := virtual.New("A", "B")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	card := testcard.New() // the same responder moves between readers
	for _, r := range []string{"A", "B"} {
		wg.Go(func() {
			for ctx.Err() == nil {
				m.Insert(r, card)
				time.Sleep(time.Millisecond)
				m.Remove(r)
			}
		})
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					c, err := m.Connect(ctx, r)
					if err != nil {
						continue
					}
					for ctx.Err() == nil {
						if _, err := nfc.Transceive(ctx, c, selectApp); err != nil {
							if !errors.Is(err, nfc.ErrCardRemoved) && ctx.Err() == nil {
								t.Errorf("Transceive: %v", err)
							}
							break
						}
					}
					c.Close()
				}
			})
		}
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			m.Readers(ctx)
		}
	})
	wg.Go(func() {
		for range m.Watch(ctx) {
		}
	})
	wg.Go(func() {
		for ctx.Err() == nil {
			m.AddReader("C", virtual.ReaderConfig{})
			m.Insert("C", testcard.New())
			m.RemoveReader("C")
		}
	})
	wg.Wait()
}
