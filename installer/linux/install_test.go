//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
)

// machinePaths are what the package, its scripts and deb-systemd-helper
// create. None may exist before the test, and none after the purge.
var machinePaths = []string{
	"/usr/bin/idagent",
	unitPath,
	"/etc/idagent",
	"/var/lib/idagent",
	"/var/log/idagent",
	"/usr/share/polkit-1/rules.d/50-idagent-pcsc.rules",
	"/usr/share/doc/idagent",
	"/etc/systemd/system/idagent.service",
	"/etc/systemd/system/multi-user.target.wants/idagent.service",
	"/var/lib/systemd/deb-systemd-helper-enabled/idagent.service.dsh-also",
	"/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/idagent.service",
	"/var/lib/systemd/deb-systemd-helper-masked/idagent.service",
	"/run/systemd/system/idagent.service.d",
}

// sharedDirs may be created on the way (by deb-systemd-helper, or this
// test); those that did not exist before are removed after, when empty.
// Deepest first.
var sharedDirs = []string{
	"/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants",
	"/var/lib/systemd/deb-systemd-helper-enabled",
	"/var/lib/systemd/deb-systemd-helper-masked",
	"/etc/systemd/system/multi-user.target.wants",
}

// TestInstall installs the package for real and takes it through its life:
// install (user, files, directories, enabled unit), the agent running as
// the service runs it, an edit of the conffile, a reinstall and an upgrade
// that keep the edit, remove (configuration kept) and purge (nothing left).
// It changes the machine, so it runs only as root with IDAGENT_DEB_INSTALL=1
// or IDAGENT_REQUIRE_DIST=1, on a machine without idagent, and leaves it as
// it found it. Under systemd the service itself is started (on a free port,
// through a runtime drop-in); without systemd (containers, CI) the agent is
// started by hand as the unit would: runuser -u idagent, umask 0077, the
// unit's command line plus --listen on a free port.
// rootOptIn skips a test that changes this machine unless the run opts in
// (IDAGENT_DEB_INSTALL=1, or IDAGENT_REQUIRE_DIST=1 as in CI) and runs as
// root; with IDAGENT_REQUIRE_DIST=1 and no root it fails instead.
func rootOptIn(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("IDAGENT_DEB_INSTALL") != "1" && !require() {
		t.Skip(what + " changes this machine: set IDAGENT_DEB_INSTALL=1 (as root) to run it")
	}
	if os.Geteuid() != 0 {
		unavailable(t, "%s needs root", what)
	}
}

func TestInstall(t *testing.T) {
	rootOptIn(t, "installing the package")
	needTool(t, "dpkg", "dpkg-deb", "dpkg-query", "runuser", "getent")
	// What an earlier install (or a run that died before its cleanup) left
	// would be replaced and purged: refuse to run over it.
	if st := pkgStatus(t); st != "" && st != "un" {
		unavailable(t, "idagent is already known to dpkg (status %q): this test would replace and purge it (dpkg -P idagent to run it)", st)
	}
	if _, _, ok := lookupUser("passwd", "idagent"); ok {
		unavailable(t, "a user idagent exists: this test would delete it at the purge (deluser idagent to run it)")
	}
	if _, _, ok := lookupUser("group", "idagent"); ok {
		unavailable(t, "a group idagent exists: this test would delete it at the purge (delgroup idagent to run it)")
	}
	for _, p := range machinePaths {
		if _, err := os.Lstat(p); err == nil {
			unavailable(t, "%s exists: this test would delete it at the purge", p)
		}
	}
	for _, dep := range []string{"pcscd", "libpcsclite1", "adduser"} {
		if out, _ := commandErr("", nil, "dpkg-query", "-W", "-f=${db:Status-Abbrev}", dep); strings.TrimSpace(out) != "ii" {
			unavailable(t, "%s is not installed, dpkg -i would fail (scripts/deps.sh installs it)", dep)
		}
	}

	base := freshDeb(t)
	if os.Getenv("IDAGENT_DIST") != "" {
		base = newest(t, distDebs(t))
	}
	baseVersion := versionOf(t, base)
	// The upgrade: the same binary packaged as a higher version.
	tmp := t.TempDir()
	command(t, "", nil, "dpkg-deb", "-x", base, filepath.Join(tmp, "base"))
	upVersion := baseVersion + "+test1"
	up := filepath.Join(tmp, "idagent_"+upVersion+"_amd64.deb")
	buildDeb(t, filepath.Join(tmp, "base/usr/bin/idagent"), upVersion, up)
	command(t, "", nil, "dpkg", "--compare-versions", upVersion, "gt", baseVersion)
	packagedConfig, err := os.ReadFile(filepath.Join(tmp, "base", configPath))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("installing %s, then upgrading to %s", base, upVersion)

	existed := map[string]bool{}
	for _, d := range sharedDirs {
		_, err := os.Lstat(d)
		existed[d] = err == nil
	}
	t.Cleanup(func() { restoreMachine(t, existed) })

	systemd := isDir("/run/systemd/system")
	port := strconv.Itoa(agenttest.FreePort(t))
	dropIn := "/run/systemd/system/idagent.service.d"
	if systemd {
		// The service must not take 20606 from other tests: a runtime
		// drop-in, in place before the postinst starts it.
		if err := os.MkdirAll(dropIn, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dropIn, "test.conf"), []byte("[Service]\nExecStart=\nExecStart=/usr/bin/idagent run --service --config "+configPath+" --listen 127.0.0.1:"+port+"\n"), 0o644)
		command(t, "", nil, "systemctl", "daemon-reload")
	}

	// Install.
	t.Log(dpkg(t, "-i", base))
	if st := pkgStatus(t); st != "ii" {
		t.Fatalf("after dpkg -i: status %q, want ii", st)
	}
	uid, gid := checkInstalled(t, baseVersion)
	cfg, err := os.ReadFile(configPath)
	if err != nil || !bytes.Equal(cfg, packagedConfig) {
		t.Errorf("%s is not the packaged configuration (%v)", configPath, err)
	}
	if systemd {
		checkService(t, port, uid)
	} else {
		runByHand(t, uid, gid)
	}

	// The administrator edits the configuration and leaves state behind.
	edited := editConfig(t)
	marker := "/var/lib/idagent/test-marker"
	if err := os.WriteFile(marker, []byte("state\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Reinstall the same package, then upgrade: the edit and the state stay.
	t.Log(dpkg(t, "-i", base))
	checkKept(t, edited, marker, uid, gid)
	t.Log(dpkg(t, "-i", up))
	if v := pkgVersion(t); v != upVersion {
		t.Errorf("after the upgrade: version %s, want %s", v, upVersion)
	}
	checkKept(t, edited, marker, uid, gid)
	if systemd {
		checkService(t, port, uid)
	} else {
		runByHand(t, uid, gid)
	}

	// Remove: the program goes, the configuration and the state stay.
	t.Log(dpkg(t, "-r", "idagent"))
	if st := pkgStatus(t); st != "rc" {
		t.Errorf("after dpkg -r: status %q, want rc", st)
	}
	for _, p := range []string{"/usr/bin/idagent", unitPath, "/usr/share/polkit-1/rules.d/50-idagent-pcsc.rules", "/usr/share/doc/idagent"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("after dpkg -r: %s is still there", p)
		}
	}
	if b, err := os.ReadFile(configPath); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("after dpkg -r: the configuration is not kept (%v)", err)
	}
	for _, p := range []string{marker, "/var/log/idagent"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after dpkg -r: %v", err)
		}
	}
	if _, _, ok := lookupUser("passwd", "idagent"); !ok {
		t.Error("after dpkg -r: the user idagent is gone (only the purge deletes it)")
	}
	if l, err := os.Readlink("/etc/systemd/system/idagent.service"); err != nil || l != "/dev/null" {
		t.Errorf("after dpkg -r: the unit is not masked by deb-systemd-helper (%q, %v)", l, err)
	}

	// Purge: nothing left.
	t.Log(dpkg(t, "-P", "idagent"))
	if st := pkgStatus(t); st != "" && st != "un" {
		t.Errorf("after dpkg -P: status %q", st)
	}
	if systemd {
		os.RemoveAll(dropIn) // the test's, not the package's
		command(t, "", nil, "systemctl", "daemon-reload")
	}
	checkGone(t, "after dpkg -P")
}

// dpkg runs dpkg without a terminal: a conffile question would fail it.
func dpkg(t *testing.T, args ...string) string {
	t.Helper()
	return strings.TrimSpace(command(t, "", []string{"DEBIAN_FRONTEND=noninteractive"}, "dpkg", args...))
}

// pkgStatus is dpkg's abbreviated status of idagent ("ii", "rc"), "" when
// dpkg does not know it.
func pkgStatus(t *testing.T) string {
	out, err := commandErr("", nil, "dpkg-query", "-W", "-f=${db:Status-Abbrev}", "idagent")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func pkgVersion(t *testing.T) string {
	return strings.TrimSpace(command(t, "", nil, "dpkg-query", "-W", "-f=${Version}", "idagent"))
}

// newest is the package with the highest version.
func newest(t *testing.T, debs []string) string {
	best := debs[0]
	for _, d := range debs[1:] {
		if _, err := commandErr("", nil, "dpkg", "--compare-versions", versionOf(t, d), "gt", versionOf(t, best)); err == nil {
			best = d
		}
	}
	return best
}

// lookupUser returns the passwd or group entry's fields.
func lookupUser(db, name string) (fields []string, id int, ok bool) {
	out, err := exec.Command("getent", db, name).Output()
	if err != nil {
		return nil, 0, false
	}
	fields = strings.Split(strings.TrimSpace(string(out)), ":")
	if len(fields) < 3 {
		return nil, 0, false
	}
	id, err = strconv.Atoi(fields[2])
	return fields, id, err == nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// checkInstalled: the user, the files and the directories after an install.
func checkInstalled(t *testing.T, version string) (uid, gid int) {
	t.Helper()
	if v := pkgVersion(t); v != version {
		t.Errorf("installed version %s, want %s", v, version)
	}
	pw, uid, ok := lookupUser("passwd", "idagent")
	if !ok {
		t.Fatal("no user idagent after the install")
	}
	gr, gid, ok := lookupUser("group", "idagent")
	if !ok {
		t.Fatal("no group idagent after the install")
	}
	t.Logf("user: %s; group: %s", strings.Join(pw, ":"), strings.Join(gr, ":"))
	if uid == 0 || uid >= 1000 || pw[3] != strconv.Itoa(gid) || pw[5] != "/var/lib/idagent" || pw[6] != "/usr/sbin/nologin" {
		t.Errorf("user idagent %q: want a system user (uid < 1000) in group idagent, home /var/lib/idagent, shell /usr/sbin/nologin", pw)
	}
	for p, mode := range packageFiles {
		st, err := os.Stat(strings.TrimPrefix(p, "."))
		if err != nil {
			t.Error(err)
			continue
		}
		if got := st.Mode().String(); got != mode {
			t.Errorf("%s: mode %s, want %s", p, got, mode)
		}
	}
	for _, d := range []string{"/var/lib/idagent", "/var/lib/idagent/trust", "/var/log/idagent"} {
		checkOwned(t, d, uid, gid, os.ModeDir|0o750)
	}
	// Enabled for boot by deb-systemd-helper, with or without systemd running.
	l, err := os.Readlink("/etc/systemd/system/multi-user.target.wants/idagent.service")
	if err != nil || (l != unitPath && l != "/lib/systemd/system/idagent.service") {
		t.Errorf("idagent.service is not enabled: %q, %v", l, err)
	}
	return uid, gid
}

func checkOwned(t *testing.T, p string, uid, gid int, mode os.FileMode) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Error(err)
		return
	}
	sys := st.Sys().(*syscall.Stat_t)
	if int(sys.Uid) != uid || int(sys.Gid) != gid || st.Mode() != mode {
		t.Errorf("%s: %v owned by %d:%d, want %v owned by idagent (%d:%d)", p, st.Mode(), sys.Uid, sys.Gid, mode, uid, gid)
	}
}

// editConfig changes the installed configuration as an administrator
// would and returns the new content.
func editConfig(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(configPath)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["_comment"] = "edited by TestInstall"
	m["log"].(map[string]any)["level"] = "debug"
	b, _ = json.MarshalIndent(m, "", "    ")
	if err := os.WriteFile(configPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// checkKept: after a reinstall or an upgrade, the edited configuration,
// the state, the user and the directories are as they were.
func checkKept(t *testing.T, edited []byte, marker string, uid, gid int) {
	t.Helper()
	if st := pkgStatus(t); st != "ii" {
		t.Errorf("status %q, want ii", st)
	}
	if b, err := os.ReadFile(configPath); err != nil || !bytes.Equal(b, edited) {
		t.Errorf("the edited configuration was not kept (%v):\n%s", err, b)
	}
	for _, suffix := range []string{".dpkg-dist", ".dpkg-new", ".dpkg-old"} {
		if _, err := os.Stat(configPath + suffix); err == nil {
			t.Errorf("%s%s: dpkg saw a conffile conflict", configPath, suffix)
		}
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("state lost: %v", err)
	}
	if _, u, _ := lookupUser("passwd", "idagent"); u != uid {
		t.Errorf("user idagent: uid %d, was %d", u, uid)
	}
	for _, d := range []string{"/var/lib/idagent", "/var/lib/idagent/trust", "/var/log/idagent"} {
		checkOwned(t, d, uid, gid, os.ModeDir|0o750)
	}
}

// checkGone: nothing of the package is left on the machine.
func checkGone(t *testing.T, when string) {
	t.Helper()
	for _, p := range machinePaths {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s: %s is still there", when, p)
		}
	}
	for _, db := range []string{"passwd", "group"} {
		if _, _, ok := lookupUser(db, "idagent"); ok {
			t.Errorf("%s: %s idagent is still there", when, db)
		}
	}
}

// restoreMachine purges the package if a failure left it, deletes
// whatever is left of it (none of it existed before the test) and the
// shared directories the test created.
func restoreMachine(t *testing.T, existed map[string]bool) {
	if st := pkgStatus(t); st != "" && st != "un" {
		out, err := commandErr("", []string{"DEBIAN_FRONTEND=noninteractive"}, "dpkg", "-P", "idagent")
		t.Logf("cleanup: dpkg -P idagent: %v %s", err, out)
	}
	if t.Failed() {
		checkGone(t, "cleanup")
	}
	for _, p := range machinePaths {
		os.RemoveAll(p)
	}
	if _, _, ok := lookupUser("passwd", "idagent"); ok {
		exec.Command("userdel", "idagent").Run()
	}
	if _, _, ok := lookupUser("group", "idagent"); ok {
		exec.Command("groupdel", "idagent").Run()
	}
	for _, d := range sharedDirs {
		if !existed[d] {
			os.Remove(d) // only when empty
		}
	}
	if isDir("/run/systemd/system") {
		exec.Command("systemctl", "daemon-reload").Run()
	}
}

// health is the part of /v1/health the test reads.
type health struct {
	Agent   string `json:"agent"`
	Version string `json:"version"`
	PCSC    string `json:"pcsc"`
}

func getHealth(port string) (health, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/v1/health")
	if err != nil {
		return health{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var h health
	if err := json.Unmarshal(b, &h); err != nil || resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("HTTP %d %q: %v", resp.StatusCode, b, err)
	}
	return h, nil
}

// runByHand starts the agent as the unit would (user idagent, umask 0077,
// the unit's command line) on a free port, checks /v1/health, that it runs
// as idagent without privileges, reaches pcscd and logs to its file, and
// stops it with SIGTERM as systemd would.
func runByHand(t *testing.T, uid, gid int) {
	t.Helper()
	port := strconv.Itoa(agenttest.FreePort(t))
	cmd := exec.Command("runuser", "-u", "idagent", "--", "sh", "-c", `umask 0077 && exec "$0" "$@"`,
		"/usr/bin/idagent", "run", "--service", "--config", configPath, "--listen", "127.0.0.1:"+port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	defer func() {
		if !exited {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	logTail := func() string {
		b, _ := os.ReadFile("/var/log/idagent/idagent.log")
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		return fmt.Sprintf("output:\n%s\nlog:\n%s", output.String(), b)
	}

	var h health
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if h, err = getHealth(port); err == nil {
			break
		}
		select {
		case werr := <-done:
			exited = true
			t.Fatalf("the agent exited before answering (%v)\n%s", werr, logTail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /v1/health on 127.0.0.1:%s after 20 s: %v\n%s", port, err, logTail())
		}
	}
	if h.Agent != "idagent" {
		t.Errorf("/v1/health: agent %q, want idagent", h.Agent)
	}
	t.Logf("/v1/health on 127.0.0.1:%s: %+v", port, h)

	pid := childOf(t, cmd.Process.Pid)
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if exe != "/usr/bin/idagent" {
		t.Errorf("process %d is %s, want /usr/bin/idagent", pid, exe)
	}
	want := map[string]string{
		"Uid":    strings.Repeat("\t"+strconv.Itoa(uid), 4),
		"Gid":    strings.Repeat("\t"+strconv.Itoa(gid), 4),
		"CapEff": "\t0000000000000000",
		"CapPrm": "\t0000000000000000",
		"Umask":  "\t0077",
	}
	for _, l := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(l, ":")
		if w, ok := want[k]; ok {
			if v != w {
				t.Errorf("agent %s:%q, want %q", k, v, w)
			}
			delete(want, k)
		}
		if k == "Groups" && slices.Contains(strings.Fields(v), "0") {
			t.Errorf("agent in group root: Groups:%s", v)
		}
	}
	if len(want) > 0 {
		t.Errorf("no %v in /proc/%d/status", want, pid)
	}

	// The service user reaches pcscd through its socket (pcsc-lite's
	// polkit rule where pcscd asks polkit). Other tests restart pcscd: wait.
	if _, err := os.Stat("/run/pcscd/pcscd.comm"); err == nil {
		for end := time.Now().Add(30 * time.Second); h.PCSC != "ok" && time.Now().Before(end); {
			time.Sleep(500 * time.Millisecond)
			h, _ = getHealth(port)
		}
		if h.PCSC != "ok" {
			t.Errorf("the agent running as idagent does not reach pcscd: pcsc %q\n%s", h.PCSC, logTail())
		}
	} else {
		t.Log("pcscd is not running: its reach from the idagent user is not checked")
	}

	// SIGTERM to the agent, as systemd stops it: a clean exit.
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		exited = true
		if err != nil {
			t.Errorf("the agent did not stop cleanly on SIGTERM: %v\n%s", err, logTail())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the agent did not stop within 15 s of SIGTERM\n%s", logTail())
	}

	// It logged, as idagent, JSON lines readable by nobody else.
	checkOwned(t, "/var/log/idagent/idagent.log", uid, gid, 0o600)
	b, err := os.ReadFile("/var/log/idagent/idagent.log")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	var line map[string]any
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Errorf("the log's first line is not JSON: %q", first)
	}
}

// childOf finds the process whose parent is ppid (the agent under runuser).
func childOf(t *testing.T, ppid int) int {
	t.Helper()
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", ppid)); exe == "/usr/bin/idagent" {
		return ppid // runuser exec'd without forking
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...
			s := string(b)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
				return pid
			}
		}
	}
	t.Fatalf("no child of runuser (pid %d)", ppid)
	return 0
}

// checkService: under systemd, the service is active on the test's port,
// runs as idagent and stops.
func checkService(t *testing.T, port string, uid int) {
	t.Helper()
	command(t, "", nil, "systemctl", "restart", "idagent.service")
	var err error
	var h health
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if h, err = getHealth(port); err == nil {
			break
		}
	}
	if err != nil || h.Agent != "idagent" {
		st, _ := commandErr("", nil, "systemctl", "status", "--no-pager", "idagent.service")
		j, _ := commandErr("", nil, "journalctl", "--no-pager", "-n", "50", "-u", "idagent.service")
		t.Fatalf("idagent.service does not answer on 127.0.0.1:%s: %v %+v\n%s\n%s", port, err, h, st, j)
	}
	show := command(t, "", nil, "systemctl", "show", "-p", "MainPID", "-p", "UID", "-p", "ActiveState", "idagent.service")
	t.Logf("idagent.service: %s", strings.ReplaceAll(strings.TrimSpace(show), "\n", ", "))
	if !strings.Contains(show, "UID="+strconv.Itoa(uid)+"\n") || !strings.Contains(show, "ActiveState=active") {
		t.Errorf("idagent.service: %s", show)
	}
	command(t, "", nil, "systemctl", "stop", "idagent.service")
}
