//go:build windows

package svc

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/windows/svc"
)

// runWindowsService serves the SCM's requests while prog runs. `run
// --service` is only ever started by the SCM (the MSI's ServiceInstall,
// `idagent service install`), so it talks to the SCM directly instead of
// guessing from the session whether it is a service, as kardianos does:
// that guess fails where services do not run in session 0 (Wine), and the
// SCM then kills a service that never reported.
func runWindowsService(ctx context.Context, prog Program) error {
	h := &scmHandler{parent: ctx, prog: prog}
	if err := svc.Run(Name, h); err != nil {
		return fmt.Errorf("run as the %s service (is it started by the service manager?): %w", Name, err)
	}
	return h.err
}

// scmHandler is the service's side of the SCM protocol.
type scmHandler struct {
	parent context.Context
	prog   Program
	err    error
}

// stopWait bounds how long a stop request waits for the agent: the SCM
// waits about 20 s before it gives up on a service.
const stopWait = 10 * time.Second

func (h *scmHandler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	// ctx ends with the parent too (the process's signals): prog then
	// returns and done ends the loop.
	ctx, cancel := context.WithCancel(h.parent)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.prog.Run(ctx) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				// The agent failed by itself: exit at once, as a crash,
				// so that the SCM's recovery actions restart it whatever
				// the failure-actions flag says.
				fmt.Fprintf(os.Stderr, "idagent: %v\n", err)
				os.Exit(1)
			}
			return false, 0
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				select {
				case <-done:
				case <-time.After(stopWait):
				}
				return false, 0
			}
		}
	}
}
