package doctor

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/idagent/idagent/agent/config"
)

// checkConfig loads the configuration as the agent does. It returns the
// configuration the other checks use, or nil when it does not load: the
// agent then does not start at all.
func (d *Doctor) checkConfig(file string) (Check, *config.Config) {
	cfg, err := config.Load(file)
	if err != nil {
		return configFailed(file, d.agentCommand("restart", configName(nil)), err), nil
	}
	c := Check{ID: IDConfig, Status: OK}
	if cfg.File == "" {
		c.Summary = fmt.Sprintf("no configuration file (%s): the defaults apply", config.DefaultFile())
	} else {
		c.Summary = cfg.File + " loads"
	}
	// On Windows the installer's and group policy's registry values
	// change the configuration too; say which did.
	for _, src := range cfg.MachineSources {
		c.Detail = append(c.Detail, "machine setting: "+src)
	}
	return c, cfg
}

// configFailed names the key when the error does (*config.Error);
// restart is how the agent restarts here.
func configFailed(file, restart string, err error) Check {
	if file == "" {
		file = config.DefaultFile()
	}
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	// The error names the file and the key already.
	c := Check{ID: IDConfig, Status: Fail, Summary: err.Error()}
	var ce *config.Error
	fix := "fix " + file
	switch {
	case errors.As(err, &ce) && strings.HasPrefix(ce.Key, `HKLM\`):
		// A registry value of the installer (msiexec ORIGINS=, PORT=) or
		// of group policy, not the file.
		fix = fmt.Sprintf("fix the registry value %s (group policy, or reg add/delete; docs/CONFIG.md, \"Windows\")", ce.Key)
	case errors.As(err, &ce) && ce.Key != "":
		fix = fmt.Sprintf("fix %q in %s", ce.Key, file)
	}
	c.Advice = []string{
		fix + " (keys and values: docs/CONFIG.md); the agent does not start until it loads",
		"then restart the agent: " + restart,
	}
	return c
}

// agentCommand is the command that starts or restarts the agent on this
// machine: the idagent service's, where a service manager idagent
// installs into runs (systemd, Windows, launchd), else idagent run in the
// foreground (a container, a Linux without systemd), since `idagent
// service` cannot work there.
func (d *Doctor) agentCommand(action, cfgFile string) string {
	if d.serviceManager {
		return serviceCommand(d.GOOS, action)
	}
	run := "idagent run --config " + cfgFile
	if action == "restart" {
		return "stop the running idagent, then start it again: " + run + " (no service manager here)"
	}
	return run + " (no service manager here: keep it running yourself, e.g. under the container's supervisor)"
}

// serviceCommand is the command line that performs an idagent service
// action with the rights it needs.
func serviceCommand(goos, action string) string {
	if goos == "windows" {
		return "idagent service " + action + " (in an administrator prompt)"
	}
	return "sudo idagent service " + action
}
