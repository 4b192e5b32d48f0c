// Package vpcd is the card side of the vsmartcard virtual reader protocol:
// it plugs any nfc.Responder (a software chip) into a real pcscd through the
// vpcd reader driver (Debian package vsmartcard-vpcd), so that the chip shows
// up as a card in the reader "Virtual PCD 00 00" and every PC/SC program can
// talk to it.
//
// The driver listens on 127.0.0.1:35963 for the first reader (35964 for the
// second) and takes one card per reader: connecting inserts the card, closing
// the connection removes it. Each message in either direction is a 2-byte
// big-endian length followed by that many bytes. One-byte messages from the
// driver are control: 00 power off, 01 power on, 02 reset (no answer), 04
// get ATR (answered with the ATR). Anything longer is a command APDU,
// answered with one response APDU.
//
// Length limits: the 2-byte length field caps every message at 65535 bytes,
// so a command APDU (header and body) and a response APDU (data and status
// word) are each at most 65535 bytes long; pcscd itself accepts extended
// APDUs up to MAX_BUFFER_SIZE_EXTENDED (65548 bytes) and the vpcd driver
// declares no smaller limit. A response that does not fit is replaced by
// 6F00. An empty message would make the driver eject the card, so an empty
// response is replaced by 6F00 too.
package vpcd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/idagent/idagent/nfc"
)

// Addresses of the readers the Debian vpcd driver configures, and their
// names in pcscd.
const (
	Reader0Addr = "127.0.0.1:35963"
	Reader1Addr = "127.0.0.1:35964"
	Reader0Name = "Virtual PCD 00 00"
	Reader1Name = "Virtual PCD 00 01"
)

// Control messages from the driver.
const (
	ctrlPowerOff = 0x00
	ctrlPowerOn  = 0x01
	ctrlReset    = 0x02
	ctrlGetATR   = 0x04
)

// maxMessage is the longest payload the 2-byte length field can carry.
const maxMessage = 0xFFFF

// swNoPreciseDiagnosis replaces responses that cannot be sent.
var swNoPreciseDiagnosis = []byte{0x6F, 0x00}

// ErrRemoved is reported by Err after Remove.
var ErrRemoved = errors.New("vpcd: card removed")

// Config tunes an insertion. The zero value connects once and gives up when
// pcscd closes the connection.
type Config struct {
	// Reconnect keeps the card inserted across pcscd restarts: when the
	// connection is lost, the card dials again with backoff until it
	// succeeds, it is removed or its context is done.
	Reconnect bool
	// Delay, when set, returns how long to wait before answering a command
	// (a link model plugs in here). The wait ends early on removal.
	Delay func(command, response []byte) time.Duration
	// Notify, when set, is called from the serving goroutine each time the
	// card connects (err nil, connected true) or loses its connection
	// (connected false, err says why). It must not block.
	Notify func(connected bool, err error)
	// Dialer dials the driver; nil means a net.Dialer with a 2 s timeout.
	Dialer interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	}
}

// Backoff bounds for reconnection: short enough that the card is back
// within a second of pcscd listening again.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 500 * time.Millisecond
)

// Insertion is a Responder inserted into a vpcd reader.
type Insertion struct {
	addr      string
	responder nfc.Responder
	cfg       Config
	ctx       context.Context
	cancel    context.CancelCauseFunc
	done      chan struct{}
	err       error // set before done is closed

	mu       sync.Mutex
	conn     net.Conn // nil while disconnected
	connects int
}

// Insert connects card to the vpcd reader listening at addr and serves it
// in the background until Remove is called or ctx is done. The first
// connection is made before Insert returns; its failure is returned (pcscd
// not running, or vpcd not installed).
func Insert(ctx context.Context, addr string, card nfc.Responder, cfg Config) (*Insertion, error) {
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{Timeout: 2 * time.Second}
	}
	in := &Insertion{addr: addr, responder: card, cfg: cfg, done: make(chan struct{})}
	in.ctx, in.cancel = context.WithCancelCause(ctx)
	conn, err := in.dial()
	if err != nil {
		in.cancel(err)
		return nil, err
	}
	go in.run(conn)
	return in, nil
}

// Remove takes the card out: the connection is closed at once, so pcscd
// sees the card leave at its next presence poll. Remove then waits until the
// command in progress, if any, has been answered by the responder, so the
// responder is free for other use when Remove returns.
func (in *Insertion) Remove() {
	in.cancel(ErrRemoved)
	in.closeConn()
	<-in.done
}

// Done is closed when the card is out of the reader for good.
func (in *Insertion) Done() <-chan struct{} { return in.done }

// Err reports why the insertion ended: ErrRemoved after Remove, the
// context's cause when it was cancelled, or the connection error when pcscd
// went away without Reconnect. It is nil while the card is inserted.
func (in *Insertion) Err() error {
	select {
	case <-in.done:
		return in.err
	default:
		return nil
	}
}

// Connects reports how many times the card has connected to the driver
// (1 after Insert, one more after each reconnection).
func (in *Insertion) Connects() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.connects
}

// Connected reports whether the card currently has a connection.
func (in *Insertion) Connected() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.conn != nil
}

// Addr returns the driver address the card connects to.
func (in *Insertion) Addr() string { return in.addr }

func (in *Insertion) dial() (net.Conn, error) {
	conn, err := in.cfg.Dialer.DialContext(in.ctx, "tcp", in.addr)
	if err != nil {
		return nil, fmt.Errorf("vpcd: connect to %s: %w", in.addr, err)
	}
	in.mu.Lock()
	in.conn = conn
	in.connects++
	in.mu.Unlock()
	if in.ctx.Err() != nil { // removed while dialling
		in.closeConn()
		return nil, context.Cause(in.ctx)
	}
	in.notify(true, nil)
	return conn, nil
}

func (in *Insertion) closeConn() {
	in.mu.Lock()
	conn := in.conn
	in.conn = nil
	in.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
}

func (in *Insertion) notify(connected bool, err error) {
	if in.cfg.Notify != nil {
		in.cfg.Notify(connected, err)
	}
}

// run serves connections until the insertion ends.
func (in *Insertion) run(conn net.Conn) {
	defer close(in.done)
	stop := context.AfterFunc(in.ctx, in.closeConn)
	defer stop()
	for {
		err := in.serve(conn)
		in.closeConn()
		if in.ctx.Err() != nil {
			in.err = context.Cause(in.ctx)
			in.notify(false, in.err)
			return
		}
		in.notify(false, err)
		if !in.cfg.Reconnect {
			in.err = err
			return
		}
		if conn = in.redial(); conn == nil {
			in.err = context.Cause(in.ctx)
			return
		}
	}
}

// redial dials with capped exponential backoff until it connects or the
// insertion ends (nil).
func (in *Insertion) redial() net.Conn {
	backoff := minBackoff
	for {
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-in.ctx.Done():
			t.Stop()
			return nil
		}
		if conn, err := in.dial(); err == nil {
			return conn
		}
		if in.ctx.Err() != nil {
			return nil
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// serve answers the driver's messages on conn until it fails.
func (in *Insertion) serve(conn net.Conn) error {
	var hdr [2]byte
	buf := make([]byte, 0, 512)
	for {
		quickAck(conn)
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return connErr("read", err)
		}
		quickAck(conn)
		n := int(binary.BigEndian.Uint16(hdr[:]))
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(conn, buf); err != nil {
			return connErr("read", err)
		}
		reply, err := in.handle(buf)
		if err != nil {
			return err
		}
		if reply == nil {
			continue
		}
		if err := writeMessage(conn, reply); err != nil {
			return connErr("write", err)
		}
	}
}

// handle answers one message; a nil reply means none is due.
func (in *Insertion) handle(msg []byte) ([]byte, error) {
	switch {
	case len(msg) == 0:
		return nil, nil
	case len(msg) == 1:
		return in.control(msg[0])
	}
	resp := in.responder.Respond(append([]byte(nil), msg...))
	if len(resp) == 0 || len(resp) > maxMessage {
		resp = swNoPreciseDiagnosis
	}
	if in.cfg.Delay != nil {
		if err := in.sleep(in.cfg.Delay(msg, resp)); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (in *Insertion) control(code byte) ([]byte, error) {
	switch code {
	case ctrlPowerOn, ctrlReset:
		in.responder.Reset()
	case ctrlGetATR:
		atr := in.responder.ATR()
		if len(atr) == 0 || len(atr) > maxMessage {
			// The driver would wait for an answer it cannot use.
			return nil, fmt.Errorf("vpcd: the card has an ATR of %d bytes", len(atr))
		}
		return atr, nil
	case ctrlPowerOff:
		// The chip loses power; the Reset at the next power on clears it.
	}
	return nil, nil
}

func (in *Insertion) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-in.ctx.Done():
		return context.Cause(in.ctx)
	}
}

func writeMessage(w io.Writer, payload []byte) error {
	msg := make([]byte, 2+len(payload))
	binary.BigEndian.PutUint16(msg, uint16(len(payload)))
	copy(msg[2:], payload)
	_, err := w.Write(msg)
	return err
}

func connErr(op string, err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("vpcd: %s: pcscd closed the connection: %w", op, err)
	}
	return fmt.Errorf("vpcd: %s: %w", op, err)
}
