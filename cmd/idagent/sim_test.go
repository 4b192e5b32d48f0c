package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
)

// fakeDriver plays the vpcd reader driver's end of the protocol.
type fakeDriver struct {
	t    *testing.T
	conn net.Conn
}

func (d fakeDriver) send(payload []byte) []byte {
	d.t.Helper()
	d.conn.SetDeadline(time.Now().Add(5 * time.Second))
	msg := binary.BigEndian.AppendUint16(nil, uint16(len(payload)))
	if _, err := d.conn.Write(append(msg, payload...)); err != nil {
		d.t.Fatal(err)
	}
	var n [2]byte
	if _, err := io.ReadFull(d.conn, n[:]); err != nil {
		d.t.Fatal(err)
	}
	out := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(d.conn, out); err != nil {
		d.t.Fatal(err)
	}
	return out
}

// simServing runs idagent sim with args against a fake vpcd driver
// listening for it; cancel stops the command, done gives its exit code.
type simServing struct {
	driver         fakeDriver
	stdout, stderr bytes.Buffer
	cancel         context.CancelFunc
	done           chan int
}

func serveSimCmd(t *testing.T, args ...string) *simServing {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := &simServing{cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- dispatch(ctx, &env{stdout: &s.stdout, stderr: &s.stderr}, append([]string{"sim", "--vpcd", ln.Addr().String()}, args...))
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s.driver = fakeDriver{t: t, conn: conn}
	return s
}

func TestSimServesThroughVPCDProtocol(t *testing.T) {
	s := serveSimCmd(t, "--profile", "cccd", "--seed", "5", "--json", "--link", "iso14443-848")
	d, cancel, done, stdout, stderr := s.driver, s.cancel, s.done, &s.stdout, &s.stderr
	if atr := d.send([]byte{0x04}); len(atr) < 5 || atr[0] != 0x3B {
		t.Errorf("ATR % X", atr)
	}
	resp := d.send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C})
	if !bytes.Equal(resp, []byte{0x90, 0x00}) {
		t.Errorf("SELECT EF.CardAccess: % X", resp)
	}
	resp = d.send([]byte{0x00, 0xB0, 0x00, 0x00, 0x00})
	if !bytes.Equal(resp[:len(resp)-2], issue.CCCDCardAccess) {
		t.Errorf("READ EF.CardAccess: % X", resp)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("idagent sim did not stop on cancellation")
	}
	if strings.Contains(stdout.String(), `\u003c`) {
		t.Error("JSON escapes the MRZ fillers")
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("--json printed %d lines", len(lines))
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reader", "id12", "can", "documentNumber", "dateOfBirth", "dateOfExpiry", "mrz"} {
		if got[k] == "" {
			t.Errorf("JSON key %q empty or missing", k)
		}
	}
	if got["can"] != got["id12"][6:] || got["documentNumber"] != got["id12"][3:] {
		t.Error("CAN or document number not derived from ID12")
	}
}

func TestSimUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--profile", "nope"},
		{"sim", "--tamper", "nope"},
		{"sim", "--link", "iso14443-9"},
		{"sim", "--over-limit", "x"},
		{"sim", "--profile", "passport", "--tamper", "dg13-edited"},
		{"sim", "--quirk", "nope"},
		{"sim", "--quirk", "no-extended,extended-empty"},
		{"sim", "--profile", "passport-bac-only", "--quirk", "no-bac-after-pace"},
		{"sim", "--attack", "nope"},
		{"sim", "--profile", "passport-bac-only", "--attack", "dg14-hidden"},
	} {
		var stderr bytes.Buffer
		if code := dispatch(context.Background(), &env{stdout: io.Discard, stderr: &stderr}, args); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: no explanation", args)
		}
	}
}

// --quirk plays a real chip's behaviour through the vpcd protocol (here
// FA-02: EF.CardAccess by short file identifier only), and
// --list-quirks names every quirk with its catalogue id.
func TestSimQuirk(t *testing.T) {
	s := serveSimCmd(t, "--quirk", "cardaccess-sfi-only, select-mf-6a87")
	d, cancel, done, stdout, stderr := s.driver, s.cancel, s.done, &s.stdout, &s.stderr
	d.send([]byte{0x04})
	for _, c := range []struct{ cmd, want []byte }{
		{[]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C}, []byte{0x6A, 0x82}},
		{[]byte{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00}, []byte{0x6A, 0x87}},
	} {
		if resp := d.send(c.cmd); !bytes.Equal(resp, c.want) {
			t.Errorf("% X: % X, want % X", c.cmd, resp, c.want)
		}
	}
	if resp := d.send([]byte{0x00, 0xB0, 0x9C, 0x00, 0x00}); !bytes.Equal(resp[:len(resp)-2], issue.CCCDCardAccess) {
		t.Errorf("READ EF.CardAccess by SFI: % X", resp)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "quirks cardaccess-sfi-only,select-mf-6a87") {
		t.Errorf("output does not name the quirks: %s", stdout.String())
	}

	stdout.Reset()
	if code := dispatch(context.Background(), &env{stdout: stdout, stderr: stderr}, []string{"sim", "--list-quirks"}); code != exitOK {
		t.Fatalf("--list-quirks: exit %d", code)
	}
	for _, q := range sim.Quirks() {
		if !strings.Contains(stdout.String(), q.Name+" ") || !strings.Contains(stdout.String(), q.ID+" ") {
			t.Errorf("--list-quirks lacks %s (%s)", q.Name, q.ID)
		}
	}
}

// --attack makes the chip a hostile one (here EF.CardAccess stripped: a
// plain 6A82 where the honest chip answers it) and says so;
// --list-attacks names every attack.
func TestSimAttack(t *testing.T) {
	s := serveSimCmd(t, "--attack", "cardaccess-stripped")
	d, cancel, done, stdout, stderr := s.driver, s.cancel, s.done, &s.stdout, &s.stderr
	d.send([]byte{0x04})
	if resp := d.send([]byte{0x00, 0xB0, 0x9C, 0x00, 0x00}); !bytes.Equal(resp, []byte{0x6A, 0x82}) {
		t.Errorf("READ EF.CardAccess by SFI: % X, want 6A82", resp)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "HOSTILE: cardaccess-stripped") {
		t.Errorf("output does not name the attack: %s", stdout.String())
	}
	stdout.Reset()
	if code := dispatch(context.Background(), &env{stdout: stdout, stderr: stderr}, []string{"sim", "--list-attacks"}); code != exitOK {
		t.Fatalf("--list-attacks: exit %d", code)
	}
	for _, name := range sim.Attacks() {
		if !strings.Contains(stdout.String(), name+" ") {
			t.Errorf("--list-attacks lacks %s", name)
		}
	}
}

func TestSimNoDriver(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	var stderr bytes.Buffer
	code := dispatch(context.Background(), &env{stdout: io.Discard, stderr: &stderr}, []string{"sim", "--vpcd", addr})
	if code != exitNoCard || !strings.Contains(stderr.String(), "pcscd") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}

func TestVPCDReaderName(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:35963": "Virtual PCD 00 00",
		"127.0.0.1:35964": "Virtual PCD 00 01",
		"127.0.0.1:80":    "vpcd reader at 127.0.0.1:80",
	} {
		if got := vpcdReaderName(addr); got != want {
			t.Errorf("%s: %q", addr, got)
		}
	}
}

// TestSimEveryProfile inserts a chip of every profile through the vpcd
// protocol and checks the human-readable output names its protocols.
func TestSimEveryProfile(t *testing.T) {
	protocols := map[string]string{
		"cccd": "PACE, BAC, CA, AA", "cccd2024": "PACE, BAC refused, CA, AA",
		"passport": "PACE, BAC, CA, AA", "passport-im": "PACE, BAC, CA, AA", "passport-dh": "PACE, BAC, CA, AA",
		"passport-cam": "PACE, BAC, CA", "passport-3des": "PACE, BAC, CA, AA", "passport-bac-only": "BAC, AA",
	}
	for _, name := range sim.Profiles() {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr lockedBuffer
			done := make(chan int, 1)
			go func() {
				done <- dispatch(ctx, &env{stdout: &stdout, stderr: &stderr}, []string{"sim", "--profile", name, "--vpcd", ln.Addr().String()})
			}()
			conn, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			d := fakeDriver{t: t, conn: conn}
			if atr := d.send([]byte{0x04}); len(atr) < 5 || atr[0] != 0x3B {
				t.Errorf("ATR % X", atr)
			}
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stdout.String(), "Ctrl-C"); {
				if time.Now().After(deadline) {
					t.Fatalf("no access data printed: %s", stderr.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			if code := <-done; code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if want := "Protocols        " + protocols[name] + "\n"; !strings.Contains(stdout.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, stdout.String())
			}
		})
	}
}
