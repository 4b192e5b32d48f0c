// Package pcsc is the PC/SC smart-card resource manager as an nfc.Manager:
// pcsc-lite's pcscd on Linux and macOS, the Smart Card service (winscard.dll)
// on Windows, through github.com/ebfe/scard. The Windows build needs no cgo;
// elsewhere a build without cgo (the verification service's static
// container) has no PC/SC: its Manager reports nfc.ErrNoService.
//
// It lists readers, watches readers and cards (GetStatusChange on every
// reader and on the \\?PnP?\Notification pseudo-reader where the service
// supports it, polling the reader list where it does not), connects to
// cards and exchanges APDUs. PC/SC errors are wrapped with the operation and
// the reader and mapped to the typed errors of package nfc.
//
// A dead or restarted service is not fatal: operations fail with an error
// wrapping nfc.ErrNoService, and a watcher re-establishes its context by
// itself, reporting ServiceLost and ServiceRestored.
//
// pcsc-lite lets one thread at a time use a context, SCardCancel excepted;
// this package gives every Readers call, every watcher and every connection
// a context of its own, used by one goroutine at a time.
package pcsc

import "time"

// Protocol is the set of transmission protocols a connection accepts.
type Protocol int

const (
	// AnyProtocol accepts T=0 and T=1, whichever the card negotiates.
	AnyProtocol Protocol = iota
	T0
	T1
)

// Manager is the PC/SC resource manager. The zero value is ready to use:
// shared connections, T=0 or T=1.
type Manager struct {
	// Exclusive connects without sharing the card with other programs.
	Exclusive bool
	// Protocol restricts the protocols Connect accepts.
	Protocol Protocol
	// PollInterval is how often a watcher lists the readers when the service
	// cannot report reader changes itself (macOS); 0 means 1 s.
	PollInterval time.Duration

	noPnP bool // tests: poll as if the service had no PnP notifications
}
