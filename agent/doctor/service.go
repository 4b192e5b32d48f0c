package doctor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/kardianos/service"

	"github.com/idagent/idagent/agent/config"
)

// ServiceManager is the service manager's view of the idagent service
// (kardianos/service.Service has it).
type ServiceManager interface {
	// Platform names the service manager: "linux-systemd",
	// "windows-service", "darwin-launchd", ...
	Platform() string
	// Status is running or stopped, or an error: service.ErrNotInstalled
	// when the service is not installed.
	Status() (service.Status, error)
}

// installablePlatforms are the service managers idagent service install
// writes a service for. Elsewhere (a container's System V fallback) the
// agent runs in the foreground and there is nothing to check.
var installablePlatforms = map[string]bool{
	"linux-systemd": true, "windows-service": true, "darwin-launchd": true,
}

var errNoServiceManager = errors.New("no service manager in this build")

// checkService asks the service manager (m, or why it could not be
// opened) whether the idagent service is installed and running; running
// reports that it says so.
func (d *Doctor) checkService(ctx context.Context, m ServiceManager, err error) (c Check, running bool) {
	c = Check{ID: IDService}
	if errors.Is(err, errNoServiceManager) {
		c.Status, c.Summary = Skip, "not checked: "+err.Error()
		return c, false
	}
	if err != nil {
		c.Status, c.Summary = Skip, "no service manager here (a container?): "+err.Error()
		return c, false
	}
	if !installablePlatforms[m.Platform()] {
		c.Status = Skip
		c.Summary = fmt.Sprintf("the service manager here is %s, not systemd (a container?): the agent runs only with idagent run", m.Platform())
		return c, false
	}
	type status struct {
		st  service.Status
		err error
	}
	s, answered := bounded(ctx, serviceTimeout, func(context.Context) status {
		st, err := m.Status()
		return status{st, err}
	})
	if !answered {
		c.Status, c.Summary = Skip, fmt.Sprintf("the service manager (%s) does not answer within %v", m.Platform(), serviceTimeout)
		return c, false
	}
	return serviceCheck(c, s.st, s.err, m.Platform(), d.GOOS), s.err == nil && s.st == service.StatusRunning
}

func serviceCheck(c Check, st service.Status, err error, platform, goos string) Check {
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		c.Status, c.Summary = Warn, "the idagent service is not installed: the agent runs only while someone starts it"
		c.Advice = []string{"install it (starts with the PC, restarts after a crash): " + serviceCommand(goos, "install")}
	case err != nil:
		// systemd's "failed": the agent exited too often in a row.
		c.Status, c.Summary = Fail, fmt.Sprintf("the idagent service is in trouble (%s): %v", platform, err)
		c.Advice = []string{logAdvice(goos), "then: " + serviceCommand(goos, "restart")}
	case st == service.StatusRunning:
		c.Status, c.Summary = OK, fmt.Sprintf("the idagent service is installed and running (%s)", platform)
	case st == service.StatusStopped:
		c.Status, c.Summary = Fail, "the idagent service is installed but stopped"
		c.Advice = []string{"start it: " + serviceCommand(goos, "start"), "if it stops again, " + logAdvice(goos)}
	default:
		c.Status, c.Summary = Warn, fmt.Sprintf("the service manager (%s) does not say whether the idagent service runs", platform)
		c.Advice = []string{"ask it: " + serviceCommand(goos, "status")}
	}
	return c
}

// logAdvice says where the service says why it stopped.
func logAdvice(goos string) string {
	log := filepath.Join(config.LogDir(), config.LogFileName)
	switch goos {
	case "windows":
		return "read why in " + log + " and the Windows event log (Application, source idagent)"
	case "darwin":
		return "read why in " + log
	}
	return "read why: journalctl -u idagent -n 50, and " + log
}
