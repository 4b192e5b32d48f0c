package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/svc"
)

func init() {
	register(&command{name: "service", summary: "install, uninstall, start, stop, restart the agent as a system service, or show its status", run: runService})
}

// serviceManager opens the OS service, and serviceLogDir is where the
// service logs; tests replace both.
var (
	serviceManager = func(spec svc.Spec) (svc.Manager, error) { return svc.New(spec) }
	serviceLogDir  = config.LogDir
	serviceDataDir = config.DataDir
)

func runService(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "service", "install|uninstall|start|stop|restart|status [--config FILE]")
	cfgFile := fs.String("config", config.DefaultFile(), "configuration file the service runs with (install creates it when missing)")
	// The action comes first: idagent service install --config FILE.
	if len(args) == 0 || (len(args) > 0 && args[0] != "" && args[0][0] == '-') {
		if code, ok := parseFlags(fs, args); !ok {
			return code
		}
		fs.Usage()
		return exitUsage
	}
	action := args[0]
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent service: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	known := false
	for _, a := range svc.Actions {
		known = known || a == action
	}
	if !known {
		fmt.Fprintf(e.stderr, "idagent service: unknown action %q\n", action)
		fs.Usage()
		return exitUsage
	}
	spec, err := svc.DefaultSpec(*cfgFile, serviceLogDir())
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent service: %v\n", err)
		return exitSoft
	}
	if action == "install" {
		if unit := packagedUnit(); unit != "" {
			// A unit written to /etc/systemd/system would override the
			// package's sandboxed one and run the agent as root.
			fmt.Fprintf(e.stderr, "idagent service: the idagent package is installed (%s): manage it with 'systemctl enable --now idagent', not 'idagent service install'\n", unit)
			return exitUsage
		}
		if err := ensureConfig(spec.ConfigFile); err != nil {
			fmt.Fprintf(e.stderr, "idagent service: %v\n", err)
			return exitSoft
		}
		// A bad configuration must stop the install, not a service that
		// then restarts forever.
		if _, err := config.Load(spec.ConfigFile); err != nil {
			fmt.Fprintf(e.stderr, "idagent service: %v\n", err)
			return exitConfig
		}
	}
	m, err := serviceManager(spec)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent service: %v\n", err)
		return exitSoft
	}
	msg, err := svc.Control(m, action)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent service: %v\n", err)
		if runtime.GOOS != "windows" && os.Geteuid() != 0 {
			fmt.Fprintln(e.stderr, "idagent service: managing system services needs root (sudo)")
		}
		return exitFailed
	}
	fmt.Fprintln(e.stdout, msg)
	return exitOK
}

// packagedUnits are where the .deb (installer/linux) puts its systemd unit;
// tests replace them.
var packagedUnits = []string{"/usr/lib/systemd/system/idagent.service", "/lib/systemd/system/idagent.service"}

// packagedUnit returns the unit installed by the idagent package, or "".
func packagedUnit() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	for _, u := range packagedUnits {
		if _, err := os.Stat(u); err == nil {
			return u
		}
	}
	return ""
}

// ensureConfig writes the initial configuration when the file is missing,
// and creates the data directory (on Windows restricted to administrators,
// as the MSI does) and the log directory.
func ensureConfig(file string) error {
	if err := svc.ProtectDataDir(serviceDataDir()); err != nil {
		return err
	}
	if err := os.MkdirAll(serviceLogDir(), 0o755); err != nil {
		return fmt.Errorf("create the log directory: %w", err)
	}
	if _, err := os.Stat(file); err == nil || !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("create the configuration directory: %w", err)
	}
	if err := os.WriteFile(file, config.InitialFile(filepath.Join(serviceLogDir(), config.LogFileName)), 0o644); err != nil {
		return fmt.Errorf("write the initial configuration: %w", err)
	}
	return nil
}
