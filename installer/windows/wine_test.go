package main

// TestMSIUnderWine installs the MSI for real, with Wine's msiexec in a
// fresh prefix: install with ORIGINS and PORT, the installed agent serving
// with them, an upgrade to a newer build, the uninstall.
//
// What Wine 8 (Debian bookworm's wine64 8.0) cannot do, and how the test
// deals with it:
//
//   - Go 1.22+ programs need bcryptprimitives.dll (ProcessPrng), which
//     Wine has only from 9.0 on: idagent.exe stops at once with "fatal
//     error: bcryptprimitives.dll not found". The test puts a forwarder
//     DLL in the prefix's system32 (forwarderDLL, wineshim_test.go) when
//     the prefix has none.
//   - Wine runs services.exe, and so every service, in session 1, not 0.
//     A service that guesses from its session whether the SCM started it
//     (kardianos/service, through x/sys/windows/svc.IsWindowsService)
//     gets it wrong there, never reports, and Wine kills it after its pipe
//     timeout (error 1053), which fails the install (1627). The agent does
//     not guess: `run --service` talks to the SCM at once (agent/svc,
//     run_windows.go), so the MSI's StartServices starts it under Wine as
//     under Windows, and this test checks the service serving, stopping
//     and starting.
//   - A service with automatic start is started by Wine whenever a new
//     wineserver session begins, with the same 10 s wait (and an agent
//     left running on the port). The test keeps one persistent wineserver
//     session (wineserver -p) from before the install to its cleanup.
//   - Services created in the session of `wineboot --init` that made the
//     prefix are not found by OpenService until the service manager
//     restarts; the test ends that session (wineserver -k) first.
//   - sc.exe failure: Wine's service manager accepts the failure actions
//     (SERVICE_CONFIG_FAILURE_ACTIONS) without storing them ("not
//     implemented"), and has no failureflag level: no FailureActions
//     value. The test logs what it finds and does not fail on it.
//   - Wine's msi writes the service's ImagePath without quotes around the
//     program path (Windows Installer quotes it); both are accepted.
//   - winscard.dll is a stub: /v1/health says "pcsc":"unavailable".
//
// The test takes about 20 s (wineboot --init most of it). It skips when
// wine is not installed, and fails instead with IDAGENT_REQUIRE_WINE=1.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
)

// The origins given to the installer; a request from another is refused.
const (
	wineOrigins     = "https://his.example.vn https://desk.example.vn"
	wineOtherOrigin = "https://other.example.vn"
)

// requireWine skips (or, with IDAGENT_REQUIRE_WINE=1, fails) the test.
func requireWine(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("IDAGENT_REQUIRE_WINE") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// winePrefix is a fresh Wine prefix with one persistent wineserver
// session, killed when the test ends.
type winePrefix struct {
	t    *testing.T
	dir  string
	env  []string
	port int // the agent's port, given to the installer
}

func newWinePrefix(t *testing.T) *winePrefix {
	t.Helper()
	for _, tool := range []string{"wine", "wineserver", "wineboot"} {
		if _, err := exec.LookPath(tool); err != nil {
			requireWine(t, "%s not found (Debian: apt-get install wine wine64)", tool)
		}
	}
	w := &winePrefix{t: t, dir: filepath.Join(t.TempDir(), "prefix")}
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "DISPLAY", "WAYLAND_DISPLAY", "WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES", "WINEARCH", "WINESERVER", "WINELOADER":
			continue
		}
		w.env = append(w.env, kv)
	}
	// No display; no Mono or Gecko install prompts; 64-bit only.
	w.env = append(w.env, "WINEPREFIX="+w.dir, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "WINEARCH=win64")
	t.Cleanup(func() {
		// Every process of the prefix: the service manager, an agent.
		_ = w.command(context.Background(), "wineserver", "-k").Run()
	})
	out, code := w.run(3*time.Minute, "wineboot", "--init")
	if code != 0 {
		requireWine(t, "wineboot --init: exit %d:\n%s", code, out)
	}
	// End the session that created the prefix (services created in it are
	// not found), then keep one session for the whole test.
	w.mustRun(time.Minute, "wineserver", "-k")
	w.mustRun(time.Minute, "wineserver", "-w")
	w.mustRun(time.Minute, "wineserver", "-p")
	if out, code := w.run(time.Minute, "wine", "cmd", "/c", "echo", "ok"); code != 0 || !strings.Contains(out, "ok") {
		requireWine(t, "wine does not run a program: exit %d:\n%s", code, out)
	}
	dll := filepath.Join(w.driveC(), "windows", "system32", "bcryptprimitives.dll")
	if !fileExists(dll) {
		t.Logf("wine: no bcryptprimitives.dll (Wine < 9): adding a forwarder of ProcessPrng to advapi32.SystemFunction036")
		if err := os.WriteFile(dll, forwarderDLL("bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *winePrefix) driveC() string { return filepath.Join(w.dir, "drive_c") }

func (w *winePrefix) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = w.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs a command in the prefix and returns its output and exit code
// (-1 when it could not run or timed out).
func (w *winePrefix) run(timeout time.Duration, name string, args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Output to a file, not a pipe: wineboot and the first program of a
	// session leave the wineserver and services.exe running with it.
	f, err := os.CreateTemp(w.t.TempDir(), "out")
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	cmd := w.command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, _ := os.ReadFile(f.Name())
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case ctx.Err() != nil:
		return fmt.Sprintf("%s\n(timed out after %v)", out, timeout), -1
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	return fmt.Sprintf("%s\n%v", out, err), -1
}

func (w *winePrefix) mustRun(timeout time.Duration, name string, args ...string) string {
	w.t.Helper()
	out, code := w.run(timeout, name, args...)
	if code != 0 {
		w.t.Fatalf("%s %s: exit %d:\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

// msiexec runs wine msiexec with a verbose log and fails the test, with
// the log's end, unless it exits 0.
func (w *winePrefix) msiexec(what string, args ...string) {
	w.t.Helper()
	log := filepath.Join(w.t.TempDir(), "msiexec.log")
	start := time.Now()
	out, code := w.run(2*time.Minute, "wine", append(append([]string{"msiexec"}, args...), "/l*v", winPath(log))...)
	if code != 0 {
		b, _ := os.ReadFile(log)
		lines := strings.Split(string(b), "\n")
		w.t.Fatalf("%s: wine msiexec %s: exit %d (the low 8 bits of msiexec's; 91 is 1627, function failed)\n%s\nlog, end:\n%s",
			what, strings.Join(args, " "), code, out, strings.Join(lines[max(0, len(lines)-60):], "\n"))
	}
	w.t.Logf("%s: msiexec %s: %v", what, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
}

// winPath is a Linux path as Wine sees it (drive Z: is /).
func winPath(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

// regValue is one registry value as `reg query` prints it.
type regValue struct{ typ, data string }

var regLine = regexp.MustCompile(`^    (.*?)    (REG_[A-Z_]+)    ?(.*)$`)

// reg reads a key's values with `wine reg query`; ok is false when the
// key does not exist.
func (w *winePrefix) reg(key string) (values map[string]regValue, subkeys []string, ok bool) {
	w.t.Helper()
	out, code := w.run(time.Minute, "wine", "reg", "query", key)
	if code != 0 {
		if strings.Contains(out, "Unable to find") {
			return nil, nil, false
		}
		w.t.Fatalf("reg query %s: exit %d:\n%s", key, code, out)
	}
	values = map[string]regValue{}
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r", ""), "\n") {
		if m := regLine.FindStringSubmatch(l); m != nil {
			values[m[1]] = regValue{m[2], m[3]}
		} else if p := strings.ToUpper(strings.Replace(key, `HKLM\`, `HKEY_LOCAL_MACHINE\`, 1)) + `\`; strings.HasPrefix(strings.ToUpper(l), p) {
			subkeys = append(subkeys, l[len(p):])
		}
	}
	return values, subkeys, true
}

const (
	wineInstallerKey = `HKLM\SOFTWARE\idagent`
	wineServiceKey   = `HKLM\SYSTEM\CurrentControlSet\Services\idagent`
	wineUninstallKey = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`
)

// idagentProducts returns the Uninstall entries (product codes) named
// idagent.
func (w *winePrefix) idagentProducts() map[string]map[string]regValue {
	w.t.Helper()
	_, subkeys, _ := w.reg(wineUninstallKey)
	found := map[string]map[string]regValue{}
	for _, k := range subkeys {
		if v, _, ok := w.reg(wineUninstallKey + `\` + k); ok && v["DisplayName"].data == "idagent" {
			found[k] = v
		}
	}
	return found
}

// productCode is the MSI's ProductCode.
func productCode(t *testing.T, msi string) string {
	t.Helper()
	for _, r := range table(t, msi, "Property") {
		if r["Property"] == "ProductCode" {
			return r["Value"]
		}
	}
	t.Fatal("no ProductCode")
	return ""
}

// nextVersion is a.b.c with the build number one higher.
func nextVersion(t *testing.T, v string) string {
	t.Helper()
	p := strings.Split(v, ".")
	if len(p) != 3 {
		t.Fatalf("version %q", v)
	}
	n, err := strconv.Atoi(p[2])
	if err != nil || n >= 65535 {
		t.Fatalf("version %q: no next build number", v)
	}
	return fmt.Sprintf("%s.%s.%d", p[0], p[1], n+1)
}

// buildUpgrade builds an MSI of version with build.sh from binary, in a
// temporary copy of the repository's layout (symbolic links) so that
// build.sh's staging directory (build/msi) is not the repository's.
func buildUpgrade(t *testing.T, binary, version string) string {
	t.Helper()
	for _, tool := range []string{"bash", "wixl", "msibuild", "openssl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			requireWine(t, "%s not found: cannot build the upgrade MSI (apt-get install wixl msitools openssl)", tool)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "repo")
	link := func(rel string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(repo, rel), filepath.Join(root, rel)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", "build", "dist", "installer":
			continue
		}
		link(e.Name())
	}
	for _, dir := range []string{"installer", "installer/windows"} {
		entries, err := os.ReadDir(filepath.Join(repo, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if rel := dir + "/" + e.Name(); rel != "installer/windows" {
				link(rel)
			}
		}
	}
	// The TEST signing chain: reused when valid (build.sh replaces the
	// link with a new directory otherwise, leaving the repository's alone).
	if fileExists(filepath.Join(repo, "build", "testsign", "signer.pfx")) {
		link("build/testsign")
	}
	out := filepath.Join(t.TempDir(), "idagent-"+version+"-x64.msi")
	cmd := exec.Command("bash", filepath.Join(root, "installer", "windows", "build.sh"), "--version", version, "--binary", binary, "--out", out)
	cmd.Dir = root
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IDAGENT_SIGN_") { // TEST signature, no timestamp server
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh --version %s: %v\n%s", version, err, b)
	}
	return out
}

// health is the part of GET /v1/health the test reads.
type health struct {
	Agent   string `json:"agent"`
	Version string `json:"version"`
	PCSC    string `json:"pcsc"`
}

// get requests /v1/health with an Origin header (none when empty).
func get(port int, origin string) (*http.Response, []byte, error) {
	req, err := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/v1/health", port), nil)
	if err != nil {
		return nil, nil, err
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestMSIUnderWine(t *testing.T) {
	start := time.Now()
	msi, version := builtMSI(t)
	if _, err := exec.LookPath("msibuild"); err != nil {
		require(t, "msibuild not found (apt-get install msitools)")
	}
	w := newWinePrefix(t)
	t.Logf("wine prefix ready: %v", time.Since(start).Round(time.Millisecond))
	exe, cfg := extract(t, msi)
	wantExe, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.port = agenttest.FreePort(t)
	port := strconv.Itoa(w.port)

	// 1. Install with the properties.
	firstCode := productCode(t, msi)
	w.msiexec("install "+version, "/i", winPath(msi), "/qn", "ORIGINS="+wineOrigins, "PORT="+port)

	// 2. The files.
	c := w.driveC()
	installedExe := filepath.Join(c, "Program Files", "idagent", "idagent.exe")
	if b, err := os.ReadFile(installedExe); err != nil || !bytes.Equal(b, wantExe) {
		t.Errorf("Program Files\\idagent\\idagent.exe is not the MSI's (%v)", err)
	}
	configFile := filepath.Join(c, "ProgramData", "idagent", "config.json")
	if b, err := os.ReadFile(configFile); err != nil || !bytes.Equal(b, wantCfg) || !bytes.Equal(b, InitialConfig()) {
		t.Errorf("ProgramData\\idagent\\config.json is not the built one (%v):\n%s", err, b)
	}
	for _, d := range []string{"logs", "trust"} {
		if fi, err := os.Stat(filepath.Join(c, "ProgramData", "idagent", d)); err != nil || !fi.IsDir() {
			t.Errorf("ProgramData\\idagent\\%s is not a folder: %v", d, err)
		}
	}

	// 3. The registry: the installer's settings, the service, the
	// Uninstall entry.
	checkSettings := func(when string) {
		t.Helper()
		v, _, ok := w.reg(wineInstallerKey)
		if !ok || v["AllowedOrigins"] != (regValue{"REG_SZ", wineOrigins}) || v["Port"] != (regValue{"REG_SZ", port}) {
			t.Errorf("%s: %s = %v (exists %v), want AllowedOrigins %q and Port %q (REG_SZ)", when, wineInstallerKey, v, ok, wineOrigins, port)
		}
	}
	checkSettings("after install")
	checkService := func(when string) {
		t.Helper()
		v, _, ok := w.reg(wineServiceKey)
		// Windows Installer quotes the program path; Wine 8's msi does not.
		image := regexp.MustCompile(`^"?C:\\Program Files\\idagent\\idagent\.exe"? run --service --config "C:\\ProgramData\\idagent\\config\.json"$`)
		if !ok || !image.MatchString(v["ImagePath"].data) || v["Start"] != (regValue{"REG_DWORD", "0x2"}) ||
			v["Type"] != (regValue{"REG_DWORD", "0x10"}) || v["ObjectName"].data != "LocalSystem" || v["DisplayName"].data != "idagent ID card agent" {
			t.Errorf("%s: service %s = %v (exists %v), want idagent.exe run --service --config ..., automatic start (2), own process, LocalSystem", when, wineServiceKey, v, ok)
		}
		if fa, ok := v["FailureActions"]; ok {
			t.Logf("%s: the service has FailureActions %s %s (sc.exe failure or the agent)", when, fa.typ, fa.data)
		} else {
			t.Logf("%s: no FailureActions value: Wine's service manager does not store failure actions (sc.exe failure runs and is accepted, nothing is kept)", when)
		}
	}
	checkService("after install")
	products := w.idagentProducts()
	if p, ok := products[firstCode]; len(products) != 1 || !ok || p["DisplayVersion"].data != version || p["Publisher"].data != "idagent" {
		t.Errorf("Uninstall entries named idagent: %v, want one: %s, version %s, publisher idagent", products, firstCode, version)
	}

	// 4. The installed program runs, and serves with the installer's port
	// and origins (HKLM\SOFTWARE\idagent, read by agent/config): config.json
	// has neither.
	out := w.mustRun(time.Minute, "wine", `C:\Program Files\idagent\idagent.exe`, "version")
	if !strings.HasPrefix(out, "idagent "+version+"\n") {
		t.Errorf("idagent.exe version:\n%s\nwant idagent %s", out, version)
	}
	// The install started the service (ServiceControl), which serves with
	// the installer's port and origins; the SCM stops and starts it.
	checkServing(t, w, "the service started by the install", version)
	w.mustRun(time.Minute, "wine", "net", "stop", "idagent")
	waitDown(t, w, "after net stop")
	w.mustRun(time.Minute, "wine", "net", "start", "idagent")
	checkServing(t, w, "the service after net start", version)
	// As a service the agent logs JSON lines to the file config.json
	// names, under ProgramData.
	logFile := filepath.Join(c, "ProgramData", "idagent", "logs", "idagent.log")
	if b, err := os.ReadFile(logFile); err != nil || len(b) == 0 {
		t.Errorf("no service log at ProgramData\\idagent\\logs\\idagent.log: %v", err)
	} else {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var entry map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSuffix(l, "\r")), &entry); err != nil || entry["msg"] == nil {
				t.Errorf("service log line is not JSON: %q", l)
				break
			}
		}
	}

	// 5. Upgrade to a newer build of the same binary, without ORIGINS or
	// PORT, after an edit of config.json.
	edited := bytes.Replace(wantCfg, []byte(`"level": "info"`), []byte(`"level": "debug"`), 1)
	if bytes.Equal(edited, wantCfg) {
		t.Fatalf("config.json has no \"level\": \"info\" to edit:\n%s", wantCfg)
	}
	if err := os.WriteFile(configFile, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	unsigned := filepath.Join(t.TempDir(), "idagent.exe")
	run(t, "osslsigncode", "remove-signature", "-in", exe, "-out", unsigned) // build.sh signs it again
	newer := nextVersion(t, version)
	built := time.Now()
	second := buildUpgrade(t, unsigned, newer)
	secondCode := productCode(t, second)
	t.Logf("upgrade MSI %s built: %v", newer, time.Since(built).Round(time.Millisecond))
	if secondCode == firstCode {
		t.Fatalf("the upgrade has the same ProductCode %s", secondCode)
	}
	w.msiexec("upgrade to "+newer, "/i", winPath(second), "/qn")
	products = w.idagentProducts()
	if p, ok := products[secondCode]; len(products) != 1 || !ok || p["DisplayVersion"].data != newer {
		t.Errorf("after the upgrade, Uninstall entries named idagent: %v, want only %s, version %s", products, secondCode, newer)
	}
	if b, err := os.ReadFile(configFile); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("the upgrade did not keep the edited config.json (%v):\n%s", err, b)
	}
	if !fileExists(installedExe) {
		t.Error("no idagent.exe after the upgrade")
	}
	checkSettings("after the upgrade (remembered)")
	checkService("after the upgrade")
	// The upgrade carries the same binary (stamped with version).
	checkServing(t, w, "the service after the upgrade", version)

	// 6. Uninstall.
	w.msiexec("uninstall", "/x", winPath(second), "/qn")
	waitDown(t, w, "after uninstall")
	if fileExists(installedExe) {
		t.Error("idagent.exe is still there after uninstall")
	}
	if v, _, ok := w.reg(wineServiceKey); ok {
		t.Errorf("the service is still registered after uninstall: %v", v)
	}
	if v, _, ok := w.reg(wineInstallerKey); ok && len(v) > 0 {
		t.Errorf("%s still has %v after uninstall", wineInstallerKey, v)
	}
	if products := w.idagentProducts(); len(products) != 0 {
		t.Errorf("Uninstall entries named idagent after uninstall: %v", products)
	}
	if b, err := os.ReadFile(configFile); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("uninstall did not keep config.json (%v)", err)
	}
	for _, d := range []string{"logs", "trust"} {
		if !fileExists(filepath.Join(c, "ProgramData", "idagent", d)) {
			t.Errorf("uninstall removed ProgramData\\idagent\\%s", d)
		}
	}
	t.Logf("TestMSIUnderWine: %v", time.Since(start).Round(time.Millisecond))
}

// checkServing waits up to 30 s for the agent of the prefix to answer
// /v1/health on the installer's port as idagent of version, and checks
// that the installer's origins are allowed and another is refused.
func checkServing(t *testing.T, w *winePrefix, what, version string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var h health
	for {
		resp, body, err := get(w.port, "")
		if err == nil && resp.StatusCode == http.StatusOK && json.Unmarshal(body, &h) == nil && h.Version == version {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no /v1/health of idagent %s on port %d after 30 s (last: %v %v %s)\n%s",
				what, version, w.port, err, status(resp), body, w.serviceState())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if h.Agent != "idagent" {
		t.Errorf("%s: /v1/health: agent %q, want idagent", what, h.Agent)
	}
	t.Logf("%s: /v1/health on the installer's port %d: version %s, pcsc %q (Wine's winscard.dll is a stub)", what, w.port, h.Version, h.PCSC)
	for _, origin := range strings.Fields(wineOrigins) {
		resp, body, err := get(w.port, origin)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("%s: Origin %s (given to the installer): %v %v, Access-Control-Allow-Origin %q, want 200 allowed: %s", what, origin, err, status(resp), acao(resp), body)
		}
	}
	resp, body, err := get(w.port, wineOtherOrigin)
	if err != nil || resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("ORIGIN_NOT_ALLOWED")) {
		t.Errorf("%s: Origin %s (not given): %v %v: %s, want 403 ORIGIN_NOT_ALLOWED", what, wineOtherOrigin, err, status(resp), body)
	}
}

// waitDown waits up to 30 s until nothing answers on the installer's port.
func waitDown(t *testing.T, w *winePrefix, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, _, err := get(w.port, ""); err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the agent still answers on port %d after 30 s\n%s", what, w.port, w.serviceState())
		}
	}
}

// serviceState is what the SCM says of the service, for failure messages.
func (w *winePrefix) serviceState() string {
	out, _ := w.run(time.Minute, "wine", "sc", "query", "idagent")
	return "sc query idagent:\n" + out
}

func status(r *http.Response) string {
	if r == nil {
		return "no response"
	}
	return r.Status
}

func acao(r *http.Response) string {
	if r == nil {
		return ""
	}
	return r.Header.Get("Access-Control-Allow-Origin")
}
