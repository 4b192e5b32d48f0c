package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kardianos/service"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// fakeService is a service manager in a given state.
type fakeService struct {
	platform string
	status   service.Status
	err      error
	hang     bool
}

func (f fakeService) Platform() string { return f.platform }
func (f fakeService) Status() (service.Status, error) {
	if f.hang {
		select {}
	}
	return f.status, f.err
}

// fakeCards is a smart-card service that fails or hangs.
type fakeCards struct {
	err  error
	hang chan struct{} // Readers blocks until closed
}

func (f fakeCards) Readers(context.Context) ([]nfc.ReaderState, error) {
	if f.hang != nil {
		<-f.hang
	}
	return nil, f.err
}
func (f fakeCards) Connect(context.Context, string) (nfc.Conn, error) { return nil, f.err }

// healthyDoctor is a doctor whose every component is fine: one reader
// with no card, a running service answering on its port, no browser
// policy, an origin allowed and a valid CSCA in the store. Tests break one
// thing.
func healthyDoctor(t *testing.T) *Doctor {
	t.Helper()
	store := storeWith(t, false, cscaCert(t, "CSCA VN", "VN", time.Now().Add(-time.Hour), time.Now().AddDate(5, 0, 0)))
	cfg := writeConfig(t, `{"listen": ["`+servedAddr(t)+`"], "trustStore": "`+store+`",
		"origins": [{"origin": "https://his.example.vn"}]}`)
	return &Doctor{
		Version:    "1.0.0-test",
		ConfigFile: cfg,
		Cards:      virtual.New("Reader A"),
		OpenService: func() (ServiceManager, error) {
			return fakeService{platform: "linux-systemd", status: service.StatusRunning}, nil
		},
		Policies:  func() ([]BrowserPolicy, error) { return nil, nil },
		PortOwner: func(string) string { return "" },
		GOOS:      "linux",
	}
}

// check returns the check with id.
func check(t *testing.T, r Report, id string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", id, r)
	return Check{}
}

// screen renders the report for failure messages.
func screen(r Report) string {
	var b bytes.Buffer
	_ = WriteText(&b, r)
	return b.String()
}

// expect fails t unless check id has status and its text contains each
// of want.
func expect(t *testing.T, r Report, id string, status Status, want ...string) {
	t.Helper()
	c := check(t, r, id)
	text := strings.Join(append(append([]string{c.Summary}, c.Detail...), c.Advice...), "\n")
	if c.Status != status {
		t.Errorf("%s: status %s, want %s\n%s", id, c.Status, status, screen(r))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: no %q in\n%s", id, w, text)
		}
	}
}

func TestHealthyDesk(t *testing.T) {
	r := healthyDoctor(t).Run(context.Background())
	if r.Verdict != OK || r.ExitCode() != ExitOK || r.Problems != 0 {
		t.Fatalf("verdict %s, exit %d\n%s", r.Verdict, r.ExitCode(), screen(r))
	}
	for i, id := range CheckIDs {
		if r.Checks[i].ID != id {
			t.Errorf("check %d is %s, want %s", i, r.Checks[i].ID, id)
		}
	}
	expect(t, r, IDReaders, OK, "1 reader, no card", "Reader A: no card")
	expect(t, r, IDService, OK, "installed and running (linux-systemd)")
	expect(t, r, IDTrust, OK, "1 CSCA for 1 country (VN)")
	expect(t, r, IDPort, OK, "idagent 1.0.0-test serves 127.0.0.1:")
	// No policy: ok, with the policy to set as a hint.
	expect(t, r, IDBrowser, OK, "no "+lnaPolicyNames+" policy found", LoopbackPolicy+" (146+) and "+LNAPolicy+" (140+) to https://his.example.vn", `allow="loopback-network"`,
		"/etc/chromium/policies/managed/ (Chromium)")
	if !strings.HasSuffix(screen(r), "\nall good\n") {
		t.Errorf("verdict line:\n%s", screen(r))
	}
}

func TestSmartCardService(t *testing.T) {
	d := healthyDoctor(t)
	d.Cards = fakeCards{err: errors.Join(errors.New("pcsc: readers: establish context"), nfc.ErrNoService)}
	r := d.Run(context.Background())
	expect(t, r, IDSmartCard, Fail, "pcscd is not running", "sudo systemctl enable --now pcscd.socket")
	expect(t, r, IDReaders, Skip, "does not answer")
	if r.ExitCode() != ExitFail {
		t.Errorf("exit %d", r.ExitCode())
	}

	d.GOOS = "windows"
	r = d.Run(context.Background())
	expect(t, r, IDSmartCard, Fail, "Smart Card service (SCardSvr) is not running", "sc config SCardSvr start= auto", "sc start SCardSvr")

	d.GOOS = "linux"
	d.Cards = fakeCards{err: errors.New("pcsc: list readers: internal error")}
	expect(t, d.Run(context.Background()), IDSmartCard, Fail, "answers with an error", "internal error", "systemctl restart pcscd")
}

// A hung pcscd is reported as such, within the PC/SC bound.
func TestSmartCardServiceHangs(t *testing.T) {
	d := healthyDoctor(t)
	hang := make(chan struct{})
	defer close(hang)
	d.Cards = fakeCards{hang: hang}
	r := d.Run(context.Background())
	expect(t, r, IDSmartCard, Fail, "does not answer within 2s", "systemctl restart pcscd")
}

func TestReaders(t *testing.T) {
	d := healthyDoctor(t)
	d.Cards = virtual.New()
	expect(t, d.Run(context.Background()), IDReaders, Fail, "no reader is connected", "lsusb", "libccid")

	m := virtual.New("Virtual PCD 00 00", "Acme SAM slot", "Virtual PCD 00 01")
	chip, err := sim.New("cccd", sim.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Insert("Virtual PCD 00 00", chip); err != nil {
		t.Fatal(err)
	}
	if err := m.Insert("Virtual PCD 00 01", testcard.New()); err != nil {
		t.Fatal(err)
	}
	d.Cards = m
	d.ConfigFile = writeConfig(t, `{"listen": ["`+servedAddr(t)+`"], "ignoreReaders": ["*SAM*"], "origins": [{"origin": "https://his.example.vn"}]}`)
	r := d.Run(context.Background())
	expect(t, r, IDReaders, OK, "2 readers, 2 cards (1 ignored)",
		"Virtual PCD 00 00: card present, answers as an ICAO eMRTD",
		"Virtual PCD 00 01: card present, not an ICAO eMRTD (SELECT answered 6A82",
		"Acme SAM slot: ignored (ignoreReaders)")
	access := chip.AccessData()
	for _, secret := range []string{access.CAN, access.DocumentNumber, access.ID12, access.MRZ} {
		if secret != "" && strings.Contains(screen(r), secret) {
			t.Errorf("the report shows the card's data %q", secret)
		}
	}

	d.Cards = virtual.New("Acme SAM slot")
	expect(t, d.Run(context.Background()), IDReaders, Fail, "every reader is ignored", `narrow "ignoreReaders"`)
}

func TestService(t *testing.T) {
	for _, tc := range []struct {
		name   string
		open   func() (ServiceManager, error)
		status Status
		want   []string
	}{
		{"not installed", serviceIn(service.StatusUnknown, service.ErrNotInstalled), Warn, []string{"not installed", "sudo idagent service install"}},
		{"stopped", serviceIn(service.StatusStopped, nil), Fail, []string{"installed but stopped", "sudo idagent service start", "journalctl -u idagent"}},
		{"failed", serviceIn(service.StatusUnknown, errors.New("service in failed state")), Fail, []string{"failed state", "journalctl", "sudo idagent service restart"}},
		{"running", serviceIn(service.StatusRunning, nil), OK, []string{"running"}},
		{"no manager", func() (ServiceManager, error) { return nil, service.ErrNoServiceSystemDetected }, Skip, []string{"no service manager here"}},
		{"container", func() (ServiceManager, error) { return fakeService{platform: "unix-systemv"}, nil }, Skip, []string{"unix-systemv, not systemd"}},
		{"hangs", func() (ServiceManager, error) { return fakeService{platform: "linux-systemd", hang: true}, nil }, Skip, []string{"does not answer within 2s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := healthyDoctor(t)
			d.OpenService = tc.open
			expect(t, d.Run(context.Background()), IDService, tc.status, tc.want...)
		})
	}
	d := healthyDoctor(t)
	d.GOOS = "windows"
	d.OpenService = func() (ServiceManager, error) {
		return fakeService{platform: "windows-service", status: service.StatusStopped}, nil
	}
	expect(t, d.Run(context.Background()), IDService, Fail, "idagent service start (in an administrator prompt)", "event log")
}

func serviceIn(st service.Status, err error) func() (ServiceManager, error) {
	return func() (ServiceManager, error) {
		return fakeService{platform: "linux-systemd", status: st, err: err}, nil
	}
}

func TestConfig(t *testing.T) {
	d := healthyDoctor(t)
	d.ConfigFile = writeConfig(t, `{"listn": ["127.0.0.1:1"]}`)
	r := d.Run(context.Background())
	expect(t, r, IDConfig, Fail, "listn: unknown key", `fix "listn" in `+d.ConfigFile, "docs/CONFIG.md")
	for _, id := range []string{IDTrust, IDPort, IDBrowser} {
		expect(t, r, id, Skip, "configuration does not load")
	}
	if r.ExitCode() != ExitFail {
		t.Errorf("exit %d", r.ExitCode())
	}

	d.ConfigFile = writeConfig(t, `{"maxConnections": "many"}`)
	expect(t, d.Run(context.Background()), IDConfig, Fail, "maxConnections: wrong type", `fix "maxConnections"`)

	d.ConfigFile = filepath.Join(t.TempDir(), "missing.json")
	expect(t, d.Run(context.Background()), IDConfig, Fail, "cannot read")

	// No --config and no default file: the defaults, which is fine.
	t.Setenv("IDAGENT_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	d.ConfigFile = ""
	expect(t, d.Run(context.Background()), IDConfig, OK, "the defaults apply")
}

// TestConfigRegistryError: a bad installer or group-policy value (Windows)
// is fixed in the registry, not in the file.
func TestConfigRegistryError(t *testing.T) {
	err := &config.Error{Key: `HKLM\SOFTWARE\Policies\idagent\Port`, Msg: `"0": want a port between 1 and 65535`}
	c := configFailed(`C:\ProgramData\idagent\config.json`, "windows", err)
	if c.Status != Fail || len(c.Advice) == 0 || !strings.Contains(c.Advice[0], `fix the registry value HKLM\SOFTWARE\Policies\idagent\Port`) {
		t.Fatalf("%+v", c)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		statuses []Status
		verdict  Status
		code     int
	}{
		{[]Status{OK, Skip, OK}, OK, ExitOK},
		{[]Status{OK, Warn, Skip}, Warn, ExitWarn},
		{[]Status{Warn, Fail, OK}, Fail, ExitFail},
	} {
		var checks []Check
		for _, s := range tc.statuses {
			checks = append(checks, Check{ID: "x", Status: s})
		}
		r := newReport("v", "p", checks)
		if r.Verdict != tc.verdict || r.ExitCode() != tc.code {
			t.Errorf("%v: verdict %s exit %d, want %s %d", tc.statuses, r.Verdict, r.ExitCode(), tc.verdict, tc.code)
		}
	}
}

func TestScreen(t *testing.T) {
	r := newReport("1.2.3", "linux/amd64", []Check{
		{ID: IDConfig, Status: OK, Summary: "/etc/idagent/config.json loads"},
		{ID: IDPort, Status: Fail, Summary: `127.0.0.1:20606 is held by "nginx" (pid 42)`, Advice: []string{`stop "nginx" (pid 42)`}},
		{ID: IDTrust, Status: Warn, Summary: "1 CSCA", Detail: []string{"store /x"}},
		{ID: IDService, Status: Skip, Summary: "no service manager"},
	})
	want := `idagent doctor 1.2.3 (linux/amd64)

ok    config              /etc/idagent/config.json loads
FAIL  port                127.0.0.1:20606 is held by "nginx" (pid 42)
                          do: stop "nginx" (pid 42)
WARN  trust store         1 CSCA
                          store /x
skip  service             no service manager

2 problems: port (fail), trust store (warn)
`
	if got := screen(r); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// The JSON report always has every field, with arrays (never null) for
// detail and advice, and decodes strictly into Report.
func TestJSONShape(t *testing.T) {
	r := healthyDoctor(t).Run(context.Background())
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var generic struct {
		Checks []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal(b.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	for _, c := range generic.Checks {
		for _, k := range []string{"id", "status", "summary", "detail", "advice"} {
			if _, ok := c[k]; !ok || c[k] == nil {
				t.Errorf("check %v: %s missing or null", c["id"], k)
			}
		}
	}
	var back Report
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != SchemaVersion || back.Version != "1.0.0-test" || back.Verdict != OK || len(back.Checks) != len(CheckIDs) {
		t.Errorf("decoded %+v", back)
	}
}
