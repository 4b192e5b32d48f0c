package svc

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kardianos/service"
)

var spec = Spec{Executable: "/opt/idagent/bin/idagent", ConfigFile: "/etc/idagent/config.json", LogDir: "/var/log/idagent"}

func TestArguments(t *testing.T) {
	got := strings.Join(spec.Arguments(), " ")
	if got != "run --service --config /etc/idagent/config.json" {
		t.Fatal(got)
	}
}

func TestSystemdUnit(t *testing.T) {
	u := SystemdUnit(spec)
	for _, want := range []string{
		"After=network.target pcscd.service pcscd.socket",
		"Wants=pcscd.socket",
		"ExecStart=/opt/idagent/bin/idagent run --service --config /etc/idagent/config.json",
		"Restart=always",
		"RestartSec=2",
		"WantedBy=multi-user.target",
	} {
		if !strings.Contains(u, want+"\n") {
			t.Errorf("unit lacks %q:\n%s", want, u)
		}
	}
	if strings.Contains(u, "WorkingDirectory") || strings.Contains(u, "{{") {
		t.Errorf("unit depends on the working directory or holds template actions:\n%s", u)
	}
	// Paths with spaces are quoted.
	sp := Spec{Executable: "/opt/id agent/idagent", ConfigFile: "/etc/id agent/c.json"}
	if u := SystemdUnit(sp); !strings.Contains(u, `ExecStart="/opt/id agent/idagent" run --service --config "/etc/id agent/c.json"`) {
		t.Errorf("spaces not quoted:\n%s", u)
	}
}

func TestLaunchdPlist(t *testing.T) {
	p := LaunchdPlist(spec)
	for _, want := range []string{"<string>idagent</string>", "<string>/opt/idagent/bin/idagent</string>", "<string>--service</string>",
		"<key>RunAtLoad</key>\n\t<true/>", "<key>KeepAlive</key>\n\t<true/>", "/var/log/idagent/idagent.err.log"} {
		if !strings.Contains(p, want) {
			t.Errorf("plist lacks %q:\n%s", want, p)
		}
	}
	if q := LaunchdPlist(Spec{Executable: "/a&b/<x>", ConfigFile: "c"}); !strings.Contains(q, "/a&amp;b/&lt;x&gt;") {
		t.Errorf("not escaped: %s", q)
	}
}

func TestConfigPerOS(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		c := Config(spec, goos)
		if c.Name != "idagent" || c.Executable != spec.Executable || strings.Join(c.Arguments, " ") != strings.Join(spec.Arguments(), " ") || c.WorkingDirectory != "" {
			t.Errorf("%s: %+v", goos, c)
		}
		if c.Option["OnFailure"] != "restart" || c.Option["StartType"] != "automatic" {
			t.Errorf("%s: Windows recovery options missing", goos)
		}
		_, systemd := c.Option["SystemdScript"]
		_, launchd := c.Option["LaunchdConfig"]
		if systemd != (goos == "linux") || launchd != (goos == "darwin") {
			t.Errorf("%s: systemd %v launchd %v", goos, systemd, launchd)
		}
	}
}

// fakeManager records the calls Control makes.
type fakeManager struct {
	calls   []string
	stopErr error
	status  service.Status
	statErr error
}

func (f *fakeManager) Install() error   { f.calls = append(f.calls, "install"); return nil }
func (f *fakeManager) Uninstall() error { f.calls = append(f.calls, "uninstall"); return nil }
func (f *fakeManager) Start() error     { f.calls = append(f.calls, "start"); return nil }
func (f *fakeManager) Stop() error      { f.calls = append(f.calls, "stop"); return f.stopErr }
func (f *fakeManager) Restart() error   { f.calls = append(f.calls, "restart"); return nil }
func (f *fakeManager) Status() (service.Status, error) {
	f.calls = append(f.calls, "status")
	return f.status, f.statErr
}

func TestControl(t *testing.T) {
	for action, want := range map[string]string{
		"install": "install start", "uninstall": "stop uninstall", "start": "start",
		"stop": "stop", "restart": "restart", "status": "status",
	} {
		f := &fakeManager{stopErr: errors.New("not running"), status: service.StatusRunning}
		msg, err := Control(f, action)
		if action == "stop" {
			if err == nil {
				t.Error("stop error swallowed")
			}
		} else if err != nil {
			t.Errorf("%s: %v", action, err)
		}
		if got := strings.Join(f.calls, " "); got != want {
			t.Errorf("%s called %q, want %q", action, got, want)
		}
		if action == "status" && msg != "idagent service: running" {
			t.Errorf("status: %q", msg)
		}
	}
	if msg, err := Control(&fakeManager{statErr: service.ErrNotInstalled}, "status"); err != nil || !strings.Contains(msg, "not installed") {
		t.Errorf("not installed: %q %v", msg, err)
	}
	if _, err := Control(&fakeManager{}, "explode"); err == nil {
		t.Error("unknown action accepted")
	}
}

// New finds this OS's service manager and builds the idagent service for
// it. On the systems idagent ships for there always is one: Linux falls back
// to System V init scripts (a container without systemd has that), so an
// error here is a failure, not a machine to skip.
func TestNewOnThisOS(t *testing.T) {
	s, err := New(spec)
	if err != nil {
		t.Fatalf("New on %s: %v", runtime.GOOS, err)
	}
	if got := s.String(); got != displayName {
		t.Errorf("service named %q, want %q", got, displayName)
	}
	platform := s.Platform()
	if platform != service.Platform() {
		t.Errorf("service on %q, but kardianos chose %q", platform, service.Platform())
	}
	managers := map[string][]string{
		"linux":   {"linux-systemd", "linux-upstart", "linux-openrc", "linux-rcs", "linux-procd", "unix-systemv"},
		"windows": {"windows-service"},
		"darwin":  {"darwin-launchd"},
	}
	if want, ok := managers[runtime.GOOS]; ok && !slices.Contains(want, platform) {
		t.Errorf("service manager %q on %s, want one of %v", platform, runtime.GOOS, want)
	}
	// Where systemd runs, the unit SystemdUnit renders is the one installed.
	if _, err := os.Stat("/run/systemd/system"); err == nil && runtime.GOOS == "linux" && platform != "linux-systemd" {
		t.Errorf("systemd runs here but the service manager is %q", platform)
	}
}
