//go:build !linux

package agent

import (
	"errors"
	"syscall"
)

func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.Errno(10048)) // WSAEADDRINUSE
}

func isAddrNotAvail(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.Errno(10049)) // WSAEADDRNOTAVAIL
}

// portOwner is not implemented here: the error then says "another program".
func portOwner(string) string { return "" }
