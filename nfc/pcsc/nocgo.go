//go:build !cgo && !windows

package pcsc

import (
	"context"
	"fmt"

	"github.com/idagent/idagent/nfc"
)

var _ nfc.Manager = (*Manager)(nil)

// errNoCgo: this build cannot talk to pcsc-lite (it links it through cgo).
var errNoCgo = fmt.Errorf("pcsc: %w: this idagent was built without cgo, so it has no PC/SC (the verification service's static build)", nfc.ErrNoService)

// New returns a Manager; without cgo every operation fails with
// nfc.ErrNoService.
func New() *Manager { return &Manager{} }

// Readers fails: there is no PC/SC in this build.
func (m *Manager) Readers(context.Context) ([]nfc.ReaderState, error) { return nil, errNoCgo }

// Connect fails: there is no PC/SC in this build.
func (m *Manager) Connect(context.Context, string) (nfc.Conn, error) { return nil, errNoCgo }

// Watch reports the service lost and closes when ctx is done.
func (m *Manager) Watch(ctx context.Context) <-chan nfc.Event {
	out := make(chan nfc.Event, 1)
	out <- nfc.Event{Kind: nfc.ServiceLost, Err: errNoCgo}
	go func() {
		<-ctx.Done()
		close(out)
	}()
	return out
}
