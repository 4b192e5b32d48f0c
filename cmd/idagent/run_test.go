package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/logging/logtest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/svc"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/kardianos/service"
)

// lockedBuffer is a bytes.Buffer safe to read while the command (and the
// agent's goroutines) write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runIdagent(ctx context.Context, args ...string) (int, *lockedBuffer, *lockedBuffer) {
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	code := dispatch(ctx, &env{stdout: out, stderr: errb, stdin: strings.NewReader("")}, args)
	return code, out, errb
}

// backgroundRun is `idagent run` running in the test's process.
type backgroundRun struct {
	out, log *lockedBuffer
	cancel   context.CancelFunc
	done     chan int
}

// startRun starts `idagent run args...` with no configuration file; it
// is stopped when the test ends if the test has not stopped it.
func startRun(t *testing.T, args ...string) *backgroundRun {
	t.Helper()
	t.Setenv("IDAGENT_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	ctx, cancel := context.WithCancel(context.Background())
	r := &backgroundRun{out: &lockedBuffer{}, log: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- dispatch(ctx, &env{stdout: r.out, stderr: r.log}, append([]string{"run"}, args...))
	}()
	t.Cleanup(cancel)
	return r
}

// waitLog waits up to 10 s for the log to match re and returns the match.
func (r *backgroundRun) waitLog(t *testing.T, re *regexp.Regexp, what string) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(r.log.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, r.log.String())
		}
	}
}

// stop cancels the run and returns its exit code.
func (r *backgroundRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("agent did not stop")
		return -1
	}
}

func TestRunSimulate(t *testing.T) {
	run := startRun(t, "--simulate", "--listen", "127.0.0.1:0", "--log-level", "debug")
	card, res := simulatedRead(t, run.servingAddr(t))
	if code := run.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, run.log.String())
	}
	log := run.log.String()
	if !strings.Contains(log, "TEST trust anchor") || !strings.Contains(log, "read finished") {
		t.Errorf("log lacks the mode or the read: %s", log)
	}
	// Start-up says which pages may use the agent (none configured here).
	if !strings.Contains(log, `no web origin is allowed: add your desk application's origin to "origins"`) ||
		!strings.Contains(log, "the agent's own pages (/demo/) are allowed too") {
		t.Errorf("start-up does not list the allowed origins: %s", log)
	}
	checkNoPersonalData(t, log, card, res)
}

// TestRunServiceLogsToFile: as a service with no log.file configured, the
// agent writes JSON lines to idagent.log in the platform's log directory
// and nothing of its log to the console; the file holds no personal data
// after a full read.
func TestRunServiceLogsToFile(t *testing.T) {
	dir := t.TempDir()
	old := serviceLogDir
	serviceLogDir = func() string { return filepath.Join(dir, "logs") }
	defer func() { serviceLogDir = old }()
	run := startRun(t, "--service", "--simulate", "--listen", "127.0.0.1:0", "--log-level", "debug")
	card, res := simulatedRead(t, run.servingAddr(t))
	if code := run.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, run.log.String())
	}
	if strings.Contains(run.log.String(), "read finished") {
		t.Errorf("a service logs to the console too: %s", run.log.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "logs", "idagent.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines {
		var entry map[string]any
		if err := json.Unmarshal([]byte(l), &entry); err != nil || entry["level"] == nil || entry["msg"] == nil || entry["ts"] == nil {
			t.Fatalf("not a JSON log line: %q (%v)", l, err)
		}
	}
	if !strings.Contains(string(b), `"msg":"read finished"`) {
		t.Errorf("the log file lacks the read (%d lines)", len(lines))
	}
	checkNoPersonalData(t, string(b), card, res)

	// An unwritable log directory does not stop the service: it logs to
	// the console instead and says why.
	serviceLogDir = func() string { return filepath.Join(dir, "logs", "idagent.log", "sub") }
	run = startRun(t, "--service", "--simulate", "--listen", "127.0.0.1:0")
	run.servingAddr(t)
	run.waitLog(t, regexp.MustCompile(`cannot write the log file; logging to the console`), "no warning about the log file")
	if code := run.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, run.log.String())
	}
}

// simulatedRead inserts a cccd software chip through the agent at addr and
// reads it in full with its MRZ.
func simulatedRead(t *testing.T, addr string) (protocol.SimCard, protocol.Result) {
	t.Helper()
	// The desk pages' own origin is allowed in simulate mode.
	_, port, _ := net.SplitHostPort(addr)
	c, _, err := agenttest.Dial(addr, "http://127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Request("sim.insert", map[string]any{"profile": "cccd", "seed": 1})
	if err != nil || r.Error != nil {
		t.Fatalf("sim.insert: %v %s", err, r.Raw)
	}
	var card protocol.SimCard
	r.Decode(&card)
	r, err = c.Request("read.start", map[string]any{"access": map[string]any{"mrz": card.MRZ}, "photo": true})
	var started protocol.ReadStarted
	if err != nil || r.Error != nil || r.Decode(&started) != nil {
		t.Fatalf("read.start: %v %s", err, r.Raw)
	}
	final, err := c.Final(started.ReadID, 20*time.Second)
	if err != nil || final.Name != "read.result" {
		t.Fatalf("read: %v", err)
	}
	var res protocol.Result
	final.Decode(&res)
	return card, res
}

// checkNoPersonalData fails when log holds the card's numbers, MRZ or the
// identity's text fields.
func checkNoPersonalData(t *testing.T, log string, card protocol.SimCard, res protocol.Result) {
	t.Helper()
	secrets := []string{card.ID12, card.CAN, card.DocumentNumber, strings.Split(card.MRZ, "\n")[2]}
	for _, k := range []string{"fullName", "placeOfResidence", "placeOfOrigin", "fatherName", "motherName", "dateOfBirth"} {
		if v, ok := res.Fields[k].(string); ok {
			secrets = append(secrets, v)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the agent's log holds personal data (%d characters)", len(s))
		}
	}
}

func TestRunBadConfig(t *testing.T) {
	f := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(f, []byte(`{"origins":[{"origin":"https://a.example","fields":["religon"]}]}`), 0o600)
	code, _, errb := runIdagent(context.Background(), "run", "--config", f)
	if code != exitConfig || !strings.Contains(errb.String(), "origins[0].fields[0]") || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Fatalf("exit %d: %q", code, errb.String())
	}
	code, _, errb = runIdagent(context.Background(), "run", "--config", filepath.Join(t.TempDir(), "missing.json"))
	if code != exitConfig || !strings.Contains(errb.String(), "missing.json") {
		t.Fatalf("missing file: exit %d: %q", code, errb.String())
	}
	code, _, errb = runIdagent(context.Background(), "run", "--listen", "0.0.0.0:20606", "--config", f)
	if code != exitConfig {
		t.Fatalf("bad config ignored: %d %s", code, errb.String())
	}
}

// trustStore may name one file (a master list, a certificate); a path
// that holds no trust data stops the agent at start with one error naming
// the key.
func TestRunTrustStore(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "csca.der"), sim.TrustAnchor(), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a certificate"), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"trustStore":"notes.txt"}`), 0o600)
	code, _, errb := runIdagent(context.Background(), "run", "--config", bad, "--listen", "127.0.0.1:0")
	msg := strings.TrimSpace(errb.String())
	if code != exitConfig || !strings.Contains(msg, "bad.json: trustStore: ") || !strings.Contains(msg, "notes.txt") || strings.Contains(msg, "\n") {
		t.Fatalf("exit %d: %q", code, msg)
	}

	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"trustStore":"csca.der","log":{"level":"warn"}}`), 0o600)
	run := startRun(t, "--config", good, "--listen", "127.0.0.1:0")
	addr := run.servingAddr(t)
	resp, err := http.Get("http://" + addr + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health protocol.Health
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || health.Trust.State != "loaded" || health.Trust.Anchors != 1 {
		t.Fatalf("health %+v: %v", health, err)
	}
	if code := run.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, run.log.String())
	}
}

// servingAddr waits for the agent's "serving" line and returns its address.
func (r *backgroundRun) servingAddr(t *testing.T) string {
	t.Helper()
	return r.waitLog(t, regexp.MustCompile(`serving ws://([0-9.:]+)/v1/ws`), "agent did not start")[1]
}

func TestRunListenRefusesNetwork(t *testing.T) {
	t.Setenv("IDAGENT_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	code, _, errb := runIdagent(context.Background(), "run", "--listen", "0.0.0.0:20606")
	if code != exitConfig || !strings.Contains(errb.String(), "--listen") || !strings.Contains(errb.String(), "exposeToNetwork") {
		t.Fatalf("exit %d: %q", code, errb.String())
	}
	code, _, _ = runIdagent(context.Background(), "run", "--link", "iso14443-424")
	if code != exitUsage {
		t.Fatalf("--link without --simulate: exit %d", code)
	}
}

func TestRunPortInUse(t *testing.T) {
	t.Setenv("IDAGENT_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, _, errb := runIdagent(context.Background(), "run", "--simulate", "--listen", l.Addr().String())
	msg := errb.String()
	if code != exitNoCard || !strings.Contains(msg, "in use by") {
		t.Fatalf("exit %d: %q", code, msg)
	}
	// This test process holds the port: on Linux (agent.PortOwner reads
	// /proc) the message names it; elsewhere the owner is not looked up.
	if named := strings.Contains(msg, "pid "+strconv.Itoa(os.Getpid())); named != (runtime.GOOS == "linux") {
		t.Errorf("on %s the owner named %v: %s", runtime.GOOS, named, msg)
	}
}

// fakeService records what idagent service asks the manager.
type fakeService struct{ calls []string }

func (f *fakeService) Install() error   { f.calls = append(f.calls, "install"); return nil }
func (f *fakeService) Uninstall() error { f.calls = append(f.calls, "uninstall"); return nil }
func (f *fakeService) Start() error     { f.calls = append(f.calls, "start"); return nil }
func (f *fakeService) Stop() error      { f.calls = append(f.calls, "stop"); return nil }
func (f *fakeService) Restart() error   { f.calls = append(f.calls, "restart"); return nil }
func (f *fakeService) Status() (service.Status, error) {
	f.calls = append(f.calls, "status")
	return service.StatusStopped, nil
}

func TestServiceCommand(t *testing.T) {
	dir := t.TempDir()
	fake := &fakeService{}
	var gotSpec svc.Spec
	oldMgr, oldLog, oldData := serviceManager, serviceLogDir, serviceDataDir
	serviceManager = func(s svc.Spec) (svc.Manager, error) { gotSpec = s; return fake, nil }
	serviceLogDir = func() string { return filepath.Join(dir, "logs") }
	serviceDataDir = func() string { return filepath.Join(dir, "data") }
	oldUnits := packagedUnits
	packagedUnits = []string{filepath.Join(dir, "lib", "idagent.service")}
	defer func() {
		serviceManager, serviceLogDir, serviceDataDir, packagedUnits = oldMgr, oldLog, oldData, oldUnits
	}()

	cfg := filepath.Join(dir, "etc", "config.json")
	code, out, errb := runIdagent(context.Background(), "service", "install", "--config", cfg)
	if code != 0 || !strings.Contains(out.String(), "installed and started") {
		t.Fatalf("install: %d %s %s", code, out, errb)
	}
	if strings.Join(fake.calls, " ") != "install start" || gotSpec.ConfigFile != cfg || !filepath.IsAbs(gotSpec.Executable) {
		t.Fatalf("install calls %v spec %+v", fake.calls, gotSpec)
	}
	if fi, err := os.Stat(filepath.Join(dir, "data")); err != nil || !fi.IsDir() {
		t.Fatalf("install did not create the data directory: %v", err)
	}
	// install wrote a configuration that loads, logging to the log dir.
	b, err := os.ReadFile(cfg)
	if err != nil || !strings.Contains(string(b), filepath.Join(dir, "logs", "idagent.log")) {
		t.Fatalf("initial configuration: %v %s", err, b)
	}
	for _, action := range []string{"status", "stop", "start", "restart", "uninstall"} {
		fake.calls = nil
		if code, _, errb := runIdagent(context.Background(), "service", action, "--config", cfg); code != 0 {
			t.Fatalf("%s: %d %s", action, code, errb)
		}
	}
	if strings.Join(fake.calls, " ") != "stop uninstall" {
		t.Fatalf("uninstall calls %v", fake.calls)
	}
	// With the Debian package's unit present, install refuses: its unit in
	// /etc would override the package's sandboxed one.
	os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
	os.WriteFile(packagedUnits[0], nil, 0o644)
	fake.calls = nil
	code, _, errb = runIdagent(context.Background(), "service", "install", "--config", cfg)
	if runtime.GOOS == "linux" && (code != exitUsage || len(fake.calls) != 0 || !strings.Contains(errb.String(), "systemctl enable --now idagent")) {
		t.Fatalf("install beside the package: exit %d, calls %v: %s", code, fake.calls, errb)
	}
	os.Remove(packagedUnits[0])
	// A bad configuration stops the install.
	os.WriteFile(cfg, []byte(`{"listen":["0.0.0.0:1"]}`), 0o600)
	fake.calls = nil
	if code, _, errb := runIdagent(context.Background(), "service", "install", "--config", cfg); code != exitConfig || len(fake.calls) != 0 {
		t.Fatalf("install with a bad config: %d %v %s", code, fake.calls, errb)
	}
	for _, args := range [][]string{{"service"}, {"service", "explode"}, {"service", "start", "extra"}} {
		if code, _, _ := runIdagent(context.Background(), args...); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code, _, _ := runIdagent(context.Background(), "service", "--help"); code != 0 {
		t.Errorf("--help: exit %d", code)
	}
}

// TestRunSimCard: --sim-card puts a chip in the first simulated reader at
// start and prints its access data on stdout, never in the log.
func TestRunSimCard(t *testing.T) {
	run := startRun(t, "--simulate", "--sim-card", "cccd", "--sim-seed", "7", "--listen", "127.0.0.1:0", "--log-level", "debug")
	out, errb := run.out, run.log
	run.waitLog(t, regexp.MustCompile(`card inserted`), "no card inserted")
	if code := run.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`ID12 (\d{12})  CAN (\d{6})`).FindStringSubmatch(out.String())
	if m == nil || !strings.HasSuffix(m[1], m[2]) {
		t.Fatalf("stdout lacks the access data: %q", out.String())
	}
	if strings.Contains(errb.String(), m[1]) {
		t.Error("the log holds the ID12")
	}
	if code, _, _ := runIdagent(context.Background(), "run", "--sim-card", "cccd"); code != exitUsage {
		t.Errorf("--sim-card without --simulate: exit %d", code)
	}
}

func TestReportOrigins(t *testing.T) {
	cfg := config.Default()
	cfg.File = "/etc/idagent/config.json"
	cfg.Origins["https://his.example"] = config.DefaultPolicy()
	cfg.Origins["http://localhost:3000"] = config.DefaultPolicy()
	var out bytes.Buffer
	log, logs := logtest.New()
	reportOrigins(&out, log, cfg)
	want := "idagent: allowed web origins (/etc/idagent/config.json): http://localhost:3000, https://his.example\n" +
		"idagent: note: localhost and 127.0.0.1 are different origins; list the one your page's address bar shows\n"
	if out.String() != want {
		t.Errorf("console:\n%s\nwant:\n%s", out.String(), want)
	}
	if !logs.Contains(`"origins":"http://localhost:3000 https://his.example"`) {
		t.Errorf("log: %s", logs.String())
	}
}
