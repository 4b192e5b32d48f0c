// Package doctor diagnoses a desk PC for IT staff on the phone: it checks
// the configuration, the smart-card service, the readers and cards, the
// trust store, the agent's port, the OS service and the browsers'
// local-network-access policies, and says for each what is wrong and what
// to do (docs/DOCTOR.md).
//
// It reads nothing personal: a card is at most asked to SELECT the eMRTD
// application (no secure messaging, no file read), and only the presence of
// a card is reported, never its ATR or contents.
//
// Each check is a small function over a narrow interface (CardService,
// ServiceManager, the policy reader and the port-owner lookup) so that tests
// put a fake where a real component cannot be had. Every call that can
// hang (pcscd, the service manager, the agent's health endpoint) is bounded:
// a run takes a few seconds at most.
package doctor

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/listen"
)

// Status is the outcome of one check.
type Status string

const (
	OK   Status = "ok"   // nothing to do
	Warn Status = "warn" // works, but something should be fixed
	Fail Status = "fail" // the desk cannot read cards or serve the browser
	Skip Status = "skip" // not checked, and the summary says why
)

// rank orders statuses by severity; Skip counts as OK.
func (s Status) rank() int {
	switch s {
	case Fail:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Check IDs, in report order. They are stable: scripts match on them.
const (
	IDConfig    = "config"
	IDSmartCard = "smartcard"
	IDReaders   = "readers"
	IDTrust     = "trust"
	IDPort      = "port"
	IDService   = "service"
	IDBrowser   = "browser"
)

// CheckIDs lists every check in report order.
var CheckIDs = []string{IDConfig, IDSmartCard, IDReaders, IDTrust, IDPort, IDService, IDBrowser}

// Check is the result of one check.
type Check struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Summary string `json:"summary"` // one line: what was found
	// Detail are further findings, one per line (a reader, an address, a
	// certificate); never nil in JSON.
	Detail []string `json:"detail"`
	// Advice are what to do, one step per line; empty when the status is
	// ok or skip, except for hints that prevent a known problem.
	Advice []string `json:"advice"`
}

// SchemaVersion is the version of the JSON report's shape; it changes only
// when a field changes meaning or goes away.
const SchemaVersion = 1

// Report is the outcome of a run.
type Report struct {
	Schema   int    `json:"schema"`
	Version  string `json:"version"`  // the idagent that ran the checks
	Platform string `json:"platform"` // GOOS/GOARCH
	// Verdict is the worst status of the checks: ok, warn or fail (a
	// skipped check counts as ok).
	Verdict  Status  `json:"verdict"`
	Problems int     `json:"problems"` // checks that warn or fail
	Checks   []Check `json:"checks"`
}

// Exit codes of idagent doctor.
const (
	ExitOK   = 0 // every check ok or skipped
	ExitFail = 1 // at least one check failed
	ExitWarn = 2 // warnings only
)

// ExitCode is the process exit code for the report's verdict.
func (r Report) ExitCode() int {
	switch r.Verdict {
	case Fail:
		return ExitFail
	case Warn:
		return ExitWarn
	}
	return ExitOK
}

func newReport(version, platform string, checks []Check) Report {
	r := Report{Schema: SchemaVersion, Version: version, Platform: platform, Verdict: OK, Checks: checks}
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Detail == nil {
			c.Detail = []string{}
		}
		if c.Advice == nil {
			c.Advice = []string{}
		}
		if c.Status.rank() > 0 {
			r.Problems++
		}
		if c.Status.rank() > r.Verdict.rank() {
			r.Verdict = c.Status
		}
	}
	return r
}

// Bounds of the calls that can hang. Together they keep a run under about
// four seconds, since the checks run side by side.
const (
	pcscTimeout    = 2 * time.Second         // establish a context and list readers
	probeTimeout   = 1500 * time.Millisecond // connect to each card and SELECT
	healthTimeout  = time.Second             // GET /v1/health of a running agent
	serviceTimeout = 2 * time.Second         // ask the service manager
)

// Doctor runs the checks. Only Version is needed; a nil component is
// replaced by the real one where there is one (PortOwner, Policies, HTTP),
// and its checks are skipped where there is none (Cards, OpenService).
type Doctor struct {
	Version string
	// ConfigFile is --config: it must exist. "" loads config.DefaultFile()
	// when it exists, the defaults when it does not.
	ConfigFile string
	// Cards is the PC/SC service; nil skips the smart-card and reader
	// checks.
	Cards CardService
	// OpenService opens the OS service manager's view of the idagent
	// service; nil skips the service check.
	OpenService func() (ServiceManager, error)
	// Policies reads the browsers' managed policies; nil reads the
	// system's (SystemPolicies).
	Policies func() ([]BrowserPolicy, error)
	// PortOwner names the program holding a TCP port; nil uses
	// listen.Owner.
	PortOwner func(port string) string
	// HTTP asks a running agent for /v1/health; nil uses a client without
	// proxies (the agent is on loopback).
	HTTP *http.Client
	// GOOS chooses the advice (service names, commands); "" is this OS.
	GOOS string
	Now  func() time.Time

	// serviceManager: a service manager idagent installs into runs here
	// (set by Run), so advice may name `idagent service`.
	serviceManager bool
}

// Run runs every check and returns the report. It returns within a few
// seconds even when a component hangs; ctx can cut it shorter.
func (d *Doctor) Run(ctx context.Context) Report {
	d.setDefaults()
	// Which service manager runs here is known at once (no call to it):
	// the advice of every check depends on it.
	manager, openErr := d.openService()
	d.serviceManager = openErr == nil && installablePlatforms[manager.Platform()]
	cfgCheck, cfg := d.checkConfig(d.ConfigFile)
	checks := make([]Check, len(CheckIDs))
	checks[0] = cfgCheck
	var wg sync.WaitGroup
	async := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	async(func() { checks[1], checks[2] = d.checkSmartCard(ctx, cfg) })
	async(func() { checks[3] = d.checkTrust(cfg) })
	var agentDown, serviceUp bool
	async(func() { checks[4], agentDown = d.checkPorts(ctx, cfg) })
	async(func() { checks[5], serviceUp = d.checkService(ctx, manager, openErr) })
	checks[6] = d.checkBrowser(cfg)
	wg.Wait()
	switch {
	case agentDown && serviceUp:
		checks[4] = serviceNotListening(checks[4], d.GOOS)
	case agentDown:
		checks[4] = d.agentNotRunning(checks[4], cfg)
	}
	return newReport(d.Version, d.GOOS+"/"+runtime.GOARCH, checks)
}

// openService opens the service manager's view of the idagent service, or
// says there is none in this build.
func (d *Doctor) openService() (ServiceManager, error) {
	if d.OpenService == nil {
		return nil, errNoServiceManager
	}
	return d.OpenService()
}

func (d *Doctor) setDefaults() {
	if d.GOOS == "" {
		d.GOOS = runtime.GOOS
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PortOwner == nil {
		d.PortOwner = listen.Owner
	}
	if d.Policies == nil {
		d.Policies = SystemPolicies
	}
	if d.HTTP == nil {
		// No proxy: an HTTP_PROXY set for the desk's browsing must not
		// carry a request to 127.0.0.1 elsewhere.
		d.HTTP = &http.Client{Timeout: healthTimeout, Transport: &http.Transport{Proxy: nil}}
	}
}

// skipped is the check of a component that depends on a configuration
// that does not load.
func skipped(id string) Check {
	return Check{ID: id, Status: Skip, Summary: "not checked: the configuration does not load (see config)"}
}

// bounded runs f and returns its result, or ok false when ctx ends or
// limit passes first. f then goes on in its goroutine: a hung pcscd or
// systemctl cannot be interrupted, and the command exits soon anyway.
func bounded[T any](ctx context.Context, limit time.Duration, f func(context.Context) T) (v T, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	done := make(chan T, 1)
	go func() { done <- f(ctx) }()
	select {
	case v = <-done:
		return v, true
	case <-ctx.Done():
		return v, false
	}
}

// configName is how advice names the configuration file.
func configName(cfg *config.Config) string {
	if cfg != nil && cfg.File != "" {
		return cfg.File
	}
	return config.DefaultFile()
}
