// Package pcsctest is the harness for tests that go through the real pcscd
// and the vsmartcard vpcd driver. Require makes sure pcscd runs with the
// vpcd readers (starting pcscd when its socket is missing; it installs
// nothing) and gives the calling test exclusive use of the virtual readers
// until it ends: `go test ./...` runs packages in parallel processes, and
// every one of them would otherwise insert cards into the same reader.
//
// When pcscd cannot be started the test is skipped with the reason, unless
// IDAGENT_REQUIRE_PCSCD=1 is set (as in CI), in which case it fails.
//
// Helpers stop, kill and restart pcscd for reliability tests, wait for
// readers and insert software cards.
package pcsctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/vpcd"
)

// Paths and names of the Debian pcscd and vpcd packages.
const (
	Socket  = "/run/pcscd/pcscd.comm"
	PIDFile = "/run/pcscd/pcscd.pid"
	// LockFile serialises use of the virtual readers across test processes.
	LockFile = "/tmp/idagent-vpcd.lock"
	// RequireEnv, set to 1, turns a skip for a missing pcscd into a failure.
	RequireEnv = "IDAGENT_REQUIRE_PCSCD"

	Reader0 = vpcd.Reader0Name
	Reader1 = vpcd.Reader1Name
)

// Timeouts of the harness: generous, because they only matter when
// something is broken, and the machine may be busy.
const (
	startTimeout = 15 * time.Second
	lockTimeout  = 10 * time.Minute
)

// Require makes sure pcscd runs with the vpcd readers and holds the virtual
// readers for t until it ends; when it returns, both virtual readers are
// empty. Call it once, first, in every test that uses pcscd.
func Require(t testing.TB) {
	t.Helper()
	lock(t)
	if err := ensureRunning(); err != nil {
		unavailable(t, err)
	}
	for _, r := range []string{Reader0, Reader1} {
		if err := waitCard(r, false); err != nil {
			t.Fatalf("%v: is a software card (idagent sim?) still inserted outside the tests?", err)
		}
	}
}

// unavailable skips or fails t, depending on RequireEnv.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("pcscd with the vpcd driver is required (%s=1): %v", RequireEnv, err)
	}
	t.Skipf("skipping: pcscd with the vpcd driver is not available (%v); run scripts/deps.sh and scripts/pcscd.sh, or set %s=1 to fail instead", err, RequireEnv)
}

// ensureRunning starts pcscd when it does not answer on its socket and
// waits for the first vpcd reader.
func ensureRunning() error {
	if !socketAlive() {
		if err := start(); err != nil {
			return err
		}
	}
	return waitReaders(startTimeout, Reader0)
}

// socketAlive reports whether something accepts connections on pcscd's
// socket (a stale socket file from a killed pcscd does not).
func socketAlive() bool {
	c, err := net.DialTimeout("unix", Socket, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// start runs pcscd, which daemonizes, and waits for its socket.
func start() error {
	path, err := exec.LookPath("pcscd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pcscd"); serr != nil {
			return fmt.Errorf("pcscd is not installed: %w", err)
		}
		path = "/usr/sbin/pcscd"
	}
	if _, err := os.Stat("/usr/lib/pcsc/drivers/serial/libifdvpcd.so"); err != nil {
		return errors.New("the vpcd driver (Debian package vsmartcard-vpcd) is not installed")
	}
	removeStale()
	out, err := exec.Command(path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start %s: %v: %s", path, err, strings.TrimSpace(string(out)))
	}
	deadline := time.Now().Add(startTimeout)
	for !socketAlive() {
		if time.Now().After(deadline) {
			return fmt.Errorf("pcscd started but its socket %s did not appear within %v", Socket, startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// waitReaders waits until pcscd lists every reader named.
func waitReaders(timeout time.Duration, names ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last []nfc.ReaderState
	var err error
	for {
		last, err = pcsc.New().Readers(ctx)
		if err == nil && hasAll(last, names) {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("waiting for readers %q: %w", names, err)
			}
			return fmt.Errorf("readers %q not listed within %v (pcscd lists %v)", names, timeout, readerNames(last))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func hasAll(states []nfc.ReaderState, names []string) bool {
	have := readerNames(states)
	for _, n := range names {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

func readerNames(states []nfc.ReaderState) []string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = s.Name
	}
	return names
}

// WaitReaders waits until pcscd lists every reader named, failing t after
// 15 s.
func WaitReaders(t testing.TB, names ...string) {
	t.Helper()
	if err := waitReaders(startTimeout, names...); err != nil {
		t.Fatal(err)
	}
}

// WaitCard waits until pcscd reports a card present (present true) or
// absent in reader, failing t after 15 s. pcscd polls the vpcd driver, so
// it notices an insertion or a removal up to about half a second late.
func WaitCard(t testing.TB, reader string, present bool) {
	t.Helper()
	if err := waitCard(reader, present); err != nil {
		t.Fatal(err)
	}
}

func waitCard(reader string, present bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		states, err := pcsc.New().Readers(ctx)
		for _, s := range states {
			if s.Name == reader && s.CardPresent == present {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("reader %q: card present=%v not reached within %v (last error %v)", reader, present, startTimeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Insert puts card into the vpcd reader at addr (vpcd.Reader0Addr or
// Reader1Addr) and waits until pcscd sees it in reader. When the test ends
// it removes the card and waits until pcscd has noticed, so that the next
// test starts with an empty reader.
func Insert(t testing.TB, addr, reader string, card nfc.Responder, cfg vpcd.Config) *vpcd.Insertion {
	t.Helper()
	in, err := vpcd.Insert(context.Background(), addr, card, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Remove()
		if err := waitCard(reader, false); err != nil {
			t.Error(err)
		}
	})
	WaitCard(t, reader, true)
	return in
}

// Start starts pcscd again after Stop or Kill and waits for its socket and
// the vpcd reader.
func Start(t testing.TB) {
	t.Helper()
	if err := ensureRunning(); err != nil {
		t.Fatal(err)
	}
}

// Restart stops pcscd and starts it again.
func Restart(t testing.TB) {
	t.Helper()
	Stop(t)
	Start(t)
}
