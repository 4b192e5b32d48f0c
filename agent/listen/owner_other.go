//go:build !linux

package listen

import (
	"errors"
	"syscall"
)

// IsAddrInUse reports a listen error meaning another socket holds the
// address.
func IsAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.Errno(10048)) // WSAEADDRINUSE
}

// IsAddrNotAvailable reports a listen error meaning the address does not
// exist on this machine.
func IsAddrNotAvailable(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.Errno(10049)) // WSAEADDRNOTAVAIL
}

// Owner is not implemented here: the error then says "another program".
func Owner(string) string { return "" }
