// Package svc installs and controls idagent as an operating-system service
// through github.com/kardianos/service: a Windows service (restarted on
// failure), a systemd unit (After=pcscd, Restart=always) or a launchd
// daemon (KeepAlive, RunAtLoad). The installed service runs
// `idagent run --service --config FILE`; every path comes from the
// executable or the OS data directories, never from the working directory.
package svc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kardianos/service"
)

// Name is the service's name in the service manager.
const Name = "idagent"

const (
	displayName = "idagent ID card agent"
	description = "Reads chip ID cards and passports on smart card readers and serves the verified identity to browser applications on this PC."
)

// Spec is what the installed service runs.
type Spec struct {
	Executable string // absolute path of the idagent binary
	ConfigFile string // absolute path of the configuration file
	LogDir     string // for launchd's stdout/stderr files
}

// Arguments are the command-line arguments of the service process.
func (s Spec) Arguments() []string {
	return []string{"run", "--service", "--config", s.ConfigFile}
}

// DefaultSpec resolves the running executable and the OS paths.
func DefaultSpec(configFile, logDir string) (Spec, error) {
	exe, err := os.Executable()
	if err != nil {
		return Spec{}, fmt.Errorf("find the idagent executable: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	cfg, err := filepath.Abs(configFile)
	if err != nil {
		return Spec{}, fmt.Errorf("configuration file: %w", err)
	}
	return Spec{Executable: exe, ConfigFile: cfg, LogDir: logDir}, nil
}

// Config is the kardianos configuration for spec on goos.
func Config(spec Spec, goos string) *service.Config {
	opts := service.KeyValue{
		// Windows: automatic start, restart 5 s after a crash.
		"StartType":              "automatic",
		"OnFailure":              "restart",
		"OnFailureDelayDuration": "5s",
		"OnFailureResetPeriod":   86400,
		// launchd
		"RunAtLoad": true,
		"KeepAlive": true,
		// systemd
		"Restart": "always",
	}
	switch goos {
	case "linux":
		opts["SystemdScript"] = SystemdUnit(spec)
	case "darwin":
		opts["LaunchdConfig"] = LaunchdPlist(spec)
	}
	return &service.Config{
		Name:        Name,
		DisplayName: displayName,
		Description: description,
		Executable:  spec.Executable,
		Arguments:   spec.Arguments(),
		Option:      opts,
	}
}

// SystemdUnit renders the systemd unit. It is rendered here rather than by
// kardianos' template so that it can be tested, and restarts in seconds
// rather than the template's two minutes. It contains no template actions.
func SystemdUnit(spec Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, `[Unit]
Description=%s
Documentation=file://%s
After=network.target pcscd.service pcscd.socket
Wants=pcscd.socket
ConditionFileIsExecutable=%s

[Service]
Type=simple
ExecStart=%s
Restart=always
RestartSec=2
StartLimitIntervalSec=60
StartLimitBurst=20
TimeoutStopSec=15
NoNewPrivileges=true
ProtectSystem=full
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`, description, "/usr/share/doc/idagent/SERVICE.md", systemdEscape(spec.Executable), systemdCommand(spec))
	return b.String()
}

// systemdCommand quotes the executable and arguments for ExecStart.
func systemdCommand(spec Spec) string {
	parts := []string{systemdQuote(spec.Executable)}
	for _, a := range spec.Arguments() {
		parts = append(parts, systemdQuote(a))
	}
	return strings.Join(parts, " ")
}

func systemdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

func systemdEscape(s string) string { return strings.ReplaceAll(s, " ", `\x20`) }

// LaunchdPlist renders the launchd daemon's property list.
func LaunchdPlist(spec Spec) string {
	var args strings.Builder
	for _, a := range append([]string{spec.Executable}, spec.Arguments()...) {
		fmt.Fprintf(&args, "\t\t<string>%s</string>\n", xmlEscape(a))
	}
	logDir := spec.LogDir
	if logDir == "" {
		logDir = "/Library/Logs/idagent"
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>%s</string>
	<key>ProgramArguments</key>
	<array>
%s	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<true/>
	<key>ThrottleInterval</key>
	<integer>5</integer>
	<key>StandardOutPath</key>
	<string>%s</string>
	<key>StandardErrorPath</key>
	<string>%s</string>
</dict>
</plist>
`, Name, args.String(), xmlEscape(filepath.Join(logDir, "idagent.out.log")), xmlEscape(filepath.Join(logDir, "idagent.err.log")))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "{{", "{ {").Replace(s)
}

// Actions of Control.
var Actions = []string{"install", "uninstall", "start", "stop", "restart", "status"}

// Manager is the part of service.Service that Control uses (a fake in
// tests).
type Manager interface {
	Install() error
	Uninstall() error
	Start() error
	Stop() error
	Restart() error
	Status() (service.Status, error)
}

// New returns the OS service for spec.
func New(spec Spec) (service.Service, error) {
	return service.New(noProgram{}, Config(spec, runtime.GOOS))
}

// noProgram satisfies service.Interface for control-only use.
type noProgram struct{}

func (noProgram) Start(service.Service) error { return nil }
func (noProgram) Stop(service.Service) error  { return nil }

// Control performs action: install is install then start; uninstall is
// stop (ignoring "not running") then uninstall. It returns a line for the
// user.
func Control(m Manager, action string) (string, error) {
	switch action {
	case "install":
		if err := m.Install(); err != nil {
			return "", fmt.Errorf("install the service: %w", err)
		}
		if err := m.Start(); err != nil {
			return "", fmt.Errorf("installed, but start failed: %w", err)
		}
		return "idagent service installed and started", nil
	case "uninstall":
		_ = m.Stop()
		if err := m.Uninstall(); err != nil {
			return "", fmt.Errorf("uninstall the service: %w", err)
		}
		return "idagent service stopped and uninstalled", nil
	case "start":
		return "idagent service started", wrap("start", m.Start())
	case "stop":
		return "idagent service stopped", wrap("stop", m.Stop())
	case "restart":
		return "idagent service restarted", wrap("restart", m.Restart())
	case "status":
		st, err := m.Status()
		if errors.Is(err, service.ErrNotInstalled) {
			return "idagent service: not installed", nil
		}
		if err != nil {
			return "", fmt.Errorf("service status: %w", err)
		}
		return "idagent service: " + statusName(st), nil
	}
	return "", fmt.Errorf("unknown action %q (want %s)", action, strings.Join(Actions, ", "))
}

func wrap(op string, err error) error {
	if err != nil {
		return fmt.Errorf("%s the service: %w", op, err)
	}
	return nil
}

func statusName(s service.Status) string {
	switch s {
	case service.StatusRunning:
		return "running"
	case service.StatusStopped:
		return "stopped"
	}
	return "unknown"
}

// Program is the agent as the service manager runs it.
type Program struct {
	Run func(ctx context.Context) error
}

// RunUnderManager runs prog as the service manager's service and returns
// the exit code. Only Windows needs the manager's protocol (the SCM's start
// and stop requests, runWindowsService); systemd and launchd just start the
// process and send SIGTERM, which ctx already carries, so elsewhere prog
// runs directly until ctx ends.
func RunUnderManager(ctx context.Context, prog Program, stderr io.Writer) int {
	if runtime.GOOS != "windows" {
		if err := prog.Run(ctx); err != nil {
			fmt.Fprintf(stderr, "idagent: %v\n", err)
			return 1
		}
		return 0
	}
	if err := setRecovery(); err != nil {
		fmt.Fprintf(stderr, "idagent: service: %v (restart on failure may be off)\n", err)
	}
	if err := runWindowsService(ctx, prog); err != nil {
		fmt.Fprintf(stderr, "idagent: service: %v\n", err)
		return 1
	}
	return 0
}
