// Package agent assembles idagent's background service: the card manager,
// the read hub, the HTTP/WebSocket server and its listeners. Sub-packages hold
// the parts: config, logging, protocol, session (readers and reads), api
// (HTTP and WebSocket), svc (the OS service) and agenttest (a test client).
package agent

import (
	"context"
	"net"
	"net/http"
	"sync"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/api"
	"github.com/idagent/idagent/agent/clock"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/nfc"
)

// Options assemble an agent.
type Options struct {
	Config    *config.Config
	Log       *zap.Logger
	Version   string
	Manager   nfc.Manager
	Reader    session.Reader
	Simulator api.Simulator // nil unless simulating
	Trust     func() protocol.TrustState
	Demo      http.Handler // the desk pages at /demo/, or nil
	Client    http.Handler // the JS client at /v1/client/, or nil
	Limits    api.Limits
	// Clock drives the agent's timers (keepalive, rate limit, wrong-key
	// throttle); nil is the system clock.
	Clock clock.Clock
}

// Agent is a running agent's parts.
type Agent struct {
	Hub    *session.Hub
	Server *api.Server
	log    *zap.Logger
}

// New builds an agent; Run starts it.
func New(o Options) *Agent {
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	hub := session.New(session.Options{
		Manager: o.Manager, Reader: o.Reader, Log: o.Log.Named("session"),
		Ignore: o.Config.Ignored, ReadTimeout: o.Config.ReadTimeout,
		MaxReadsPerOrigin: o.Config.MaxReadsPerOrigin, Clock: o.Clock,
	})
	srv := api.New(api.Options{
		Config: o.Config, Hub: hub, Log: o.Log.Named("api"), Version: o.Version,
		Simulator: o.Simulator, Trust: o.Trust, Demo: o.Demo, Client: o.Client, Limits: o.Limits, Clock: o.Clock,
	})
	return &Agent{Hub: hub, Server: srv, log: o.Log}
}

// Run serves on the listeners until ctx is done.
func (a *Agent) Run(ctx context.Context, listeners []net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Hub.Run(ctx)
	}()
	for _, l := range listeners {
		a.log.Info("listening", zap.String("addr", l.Addr().String()))
	}
	err := a.Server.Serve(ctx, listeners)
	cancel()
	wg.Wait()
	return err
}
