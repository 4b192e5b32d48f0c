package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/doctor"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual"
)

// The doctor tests that need Linux: libpcsclite's PCSCLITE_CSOCK_NAME, a
// mount namespace for a second pcscd, /proc to name a port's owner.

// No pcscd: libpcsclite is pointed at a socket that does not exist.
func TestDoctorNoPCSCD(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "nowhere", "pcscd.comm")
	code, r := doctorChild(t, []string{"PCSCLITE_CSOCK_NAME=" + socket}, "--config", doctorConfig(t, validStore(t)))
	expectCheck(t, r, doctor.IDSmartCard, "fail", "pcscd is not running", "sudo systemctl enable --now pcscd.socket")
	expectCheck(t, r, doctor.IDReaders, "skip", "not checked")
	if code != doctor.ExitFail || r.Verdict != "fail" {
		t.Errorf("exit %d, verdict %s", code, r.Verdict)
	}
}

// A pcscd without readers: a second pcscd with an empty reader
// configuration, in a mount namespace of its own.
func TestDoctorNoReaders(t *testing.T) {
	cfg := doctorConfig(t, validStore(t))
	socket, why := startEmptyPCSCD(t)
	if socket == "" {
		// A second pcscd needs a mount namespace (root, CAP_SYS_ADMIN):
		// without one, the same verdict from a service that lists no
		// reader, in process.
		t.Logf("no second pcscd (%s): an in-process reader list without readers instead", why)
		withDoctorFakes(t, virtual.New())
		code, out, _ := runDoctorCmd("--json", "--config", cfg)
		r := decodeDoctor(t, out)
		expectCheck(t, r, doctor.IDReaders, "fail", "no reader is connected", "lsusb", "libccid")
		if code != doctor.ExitFail {
			t.Errorf("exit %d", code)
		}
		return
	}
	code, r := doctorChild(t, []string{"PCSCLITE_CSOCK_NAME=" + socket}, "--config", cfg)
	expectCheck(t, r, doctor.IDSmartCard, "ok", "pcscd answers")
	expectCheck(t, r, doctor.IDReaders, "fail", "no reader is connected", "lsusb", "sudo apt install libccid")
	if code != doctor.ExitFail {
		t.Errorf("exit %d", code)
	}
}

// startEmptyPCSCD runs a second pcscd with no reader configured and
// returns its socket, or "" and why it cannot. pcscd refuses to start
// while the main one's pid file exists at its compiled-in path, and always
// creates its socket there (PCSCLITE_CSOCK_NAME moves only the client's
// side); so it runs in a mount namespace where /run/pcscd is a directory
// of the test's, bind-mounted: its socket appears in that directory, and
// the main pcscd and its files are untouched.
func startEmptyPCSCD(t *testing.T) (socket, why string) {
	t.Helper()
	pcscd, err := exec.LookPath("pcscd")
	if err != nil {
		pcscd = "/usr/sbin/pcscd"
	}
	if _, err := os.Stat(pcscd); err != nil {
		if os.Getenv(pcsctest.RequireEnv) == "1" {
			t.Fatalf("pcscd is required (%s=1): %v", pcsctest.RequireEnv, err)
		}
		t.Skipf("pcscd is not installed: %v", err)
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil || os.Geteuid() != 0 {
		return "", "needs root and unshare"
	}
	dir := t.TempDir()
	run, conf := filepath.Join(dir, "run"), filepath.Join(dir, "reader.conf.d")
	for _, d := range []string{run, conf} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := `mkdir -p /run/pcscd && mount --bind "$1" /run/pcscd && exec "$2" --foreground -c "$3"`
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh", run, pcscd, conf)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Should the test binary die before its cleanup, pcscd goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return "", err.Error()
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt) // pcscd removes its socket and pid file
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	socket = filepath.Join(run, "pcscd.comm")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			return "", "it exited: " + strings.TrimSpace(out.String())
		default:
		}
		if c, err := net.Dial("unix", socket); err == nil {
			c.Close()
			return socket, ""
		}
	}
	return "", "its socket did not appear: " + strings.TrimSpace(out.String())
}

// Another program on the agent's port: a child process serving 404s. The
// doctor names it by its process name and pid.
func TestDoctorPortTaken(t *testing.T) {
	withDoctorFakes(t, virtual.New("Reader A"))
	squatter := exec.Command(os.Args[0], "-test.run=^TestDoctorChild$")
	squatter.Env = append(os.Environ(), squatChildEnv+"=1")
	squatter.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := squatter.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := squatter.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = squatter.Process.Kill(); _ = squatter.Wait() })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.HasPrefix(addr, "error") {
		t.Fatalf("squatter: %q %v", addr, err)
	}
	addr = strings.TrimSpace(addr)
	cfg := writeDoctorConfig(t, fmt.Sprintf(`{"listen": [%q], "trustStore": %q, "origins": [{"origin": "https://his.example.vn"}]}`, addr, validStore(t)))

	code, out, _ := runDoctorCmd("--config", cfg)
	t.Logf("screen:\n%s", out)
	owner := fmt.Sprintf(`"%s" (pid %d)`, processName(t, squatter.Process.Pid), squatter.Process.Pid)
	for _, want := range []string{
		"FAIL  port                " + addr + " is held by " + owner,
		"do: stop " + owner,
		`do: or give the agent another port: "listen" in ` + cfg,
		"\n1 problem: port (fail)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the screen", want)
		}
	}
	if code != doctor.ExitFail {
		t.Errorf("exit %d", code)
	}
}

// processName is the kernel's name of a process (the executable's base
// name, at most 15 bytes).
func processName(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestDoctorTrustUnreadableAsUser: the package's trust store is 0750 root
// or idagent; a desk user running the doctor is told to run it as root,
// not that the store is empty (which would have IT import certificates
// that are there already). As root the same store checks out.
func TestDoctorTrustUnreadableAsUser(t *testing.T) {
	runuser, err := exec.LookPath("runuser")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and runuser to run the doctor as another user")
	}
	dir, err := os.MkdirTemp("", "idagent-doctor-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "idagent")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	store := filepath.Join(dir, "trust")
	if err := os.CopyFS(store, os.DirFS(validStore(t))); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(store, 0o750); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.json")
	body := fmt.Sprintf(`{"listen": ["127.0.0.1:%d"], "trustStore": %q, "origins": [{"origin": "https://his.example.vn"}]}`, agenttest.FreePort(t), store)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	doctorAs := func(user ...string) doctorJSON {
		args := append(append(user, bin), "doctor", "--json", "--config", cfg)
		out, _ := exec.Command(args[0], args[1:]...).Output()
		return decodeDoctor(t, string(out))
	}
	expectCheck(t, doctorAs(runuser, "-u", "nobody", "--"), doctor.IDTrust, "warn",
		"cannot read the trust store "+store+" as this user", "sudo idagent doctor")
	expectCheck(t, doctorAs(), doctor.IDTrust, "ok", "1 CSCA")
}
