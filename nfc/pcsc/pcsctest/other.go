//go:build !unix

package pcsctest

import (
	"errors"
	"testing"
)

var errUnsupported = errors.New("the pcscd test harness runs on Unix only")

func lock(t testing.TB) { unavailable(t, errUnsupported) }

// PID is not available on this system.
func PID() (int, error) { return 0, errUnsupported }

// Stop is not available on this system.
func Stop(t testing.TB) { t.Fatal(errUnsupported) }

// Kill is not available on this system.
func Kill(t testing.TB) { t.Fatal(errUnsupported) }

func removeStale() {}
