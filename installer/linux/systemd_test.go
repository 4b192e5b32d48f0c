//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bootScript installs the package into a throwaway overlay of this
// machine's root (tmpfs on top: nothing is written to the real one) with
// chroot dpkg -i, as an image build would, then boots it with
// systemd-nspawn (own PID and network namespaces: its idagent and pcscd
// take no port of the host) and lets idagent-check.service record the
// service's state. It runs in a private mount namespace (unshare), so the
// mounts vanish with it whatever happens.
const bootScript = `set -eu
O=$1
DEB=$2
mount -t tmpfs tmpfs "$O/upper"
mkdir "$O/upper/data" "$O/upper/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$O/upper/data,workdir=$O/upper/work" "$O/root"
# nspawn keeps its locks in /run/systemd/nspawn: the host's /run is not ours.
mkdir -p /run/systemd
mount -t tmpfs tmpfs /run/systemd/nspawn 2>/dev/null || { mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn; }
cp "$DEB" "$O/root/tmp/idagent.deb"
chroot "$O/root" env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/idagent.deb
cp "$O/check.service" "$O/root/etc/systemd/system/idagent-check.service"
ln -s /etc/systemd/system/idagent-check.service "$O/root/etc/systemd/system/multi-user.target.wants/idagent-check.service"
timeout 180 systemd-nspawn -D "$O/root" --register=no --keep-unit --link-journal=no --private-network \
	--bind="$O/results:/results" -b </dev/null
`

// checkUnitText runs checkShell inside the booted container.
const checkUnitText = `[Unit]
Description=record idagent.service for TestServiceUnderSystemd
After=idagent.service multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/sh /results/check.sh

[Install]
WantedBy=multi-user.target
`

// checkShell records the state of idagent.service once it answers (and
// reaches pcscd), then stops it and powers the container off.
const checkShell = `for i in $(seq 100); do
	curl -sf http://127.0.0.1:20606/v1/health >/results/health && grep -q '"pcsc":"ok"' /results/health && break
	sleep 0.2
done
systemctl show -p ActiveState -p SubState -p UID -p GID -p NRestarts -p UnitFileState idagent >/results/show
cat "/proc/$(systemctl show -p MainPID --value idagent)/status" >/results/proc
stat -c '%n %a %U:%G' /var/lib/idagent /var/lib/idagent/trust /var/log/idagent /var/log/idagent/idagent.log >/results/stat 2>&1
systemctl stop idagent
systemctl show -p ActiveState -p Result idagent >/results/stopped
journalctl --no-pager -u idagent >/results/journal
systemctl poweroff
`

// TestServiceUnderSystemd boots systemd in a container made of this
// machine's own root with the package installed, and checks that the
// sandboxed unit really starts the agent: active, as idagent, with no
// capabilities, NoNewPrivs and its seccomp filter, serving /v1/health and
// reaching pcscd through its socket; and stops cleanly. The by-hand run of
// TestInstall cannot tell whether a hardening directive breaks the agent;
// this can. It needs root, systemd-nspawn (package systemd-container) and
// the same opt-in as TestInstall.
func TestServiceUnderSystemd(t *testing.T) {
	rootOptIn(t, "booting a container of this machine")
	// systemd-nspawn is in the package systemd-container (scripts/deps.sh).
	needTool(t, "systemd-nspawn", "unshare", "chroot", "curl")
	if _, err := os.Stat("/lib/systemd/systemd"); err != nil {
		unavailable(t, "systemd is not installed: nothing to boot; install it (scripts/deps.sh)")
	}
	deb := freshDeb(t)
	if os.Getenv("IDAGENT_DIST") != "" {
		deb = newest(t, distDebs(t))
	}

	dir := t.TempDir()
	for _, d := range []string{"upper", "root", "results"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "check.service"), []byte(checkUnitText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results", "check.sh"), []byte(checkShell), 0o755); err != nil {
		t.Fatal(err)
	}
	_, nspawnRun := os.Stat("/run/systemd/nspawn")
	out, err := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", bootScript, "sh", dir, deb).CombinedOutput()
	if os.IsNotExist(nspawnRun) {
		os.RemoveAll("/run/systemd/nspawn") // the mount point the script made
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "results", name))
		return string(b)
	}
	if err != nil || read("show") == "" {
		t.Fatalf("boot: %v\n%s\njournal:\n%s", err, tail(string(out), 6000), read("journal"))
	}
	t.Logf("journal of idagent.service:\n%s", read("journal"))

	show := read("show")
	for _, want := range []string{"ActiveState=active", "SubState=running", "NRestarts=0", "UnitFileState=enabled"} {
		if !strings.Contains(show, want+"\n") {
			t.Errorf("idagent.service: want %s, got:\n%s", want, show)
		}
	}
	if strings.Contains(show, "UID=0\n") || strings.Contains(show, "UID=[not set]") {
		t.Errorf("idagent.service runs as root:\n%s", show)
	}

	var h health
	if err := json.Unmarshal([]byte(read("health")), &h); err != nil || h.Agent != "idagent" {
		t.Errorf("/v1/health in the container: %q (%v)", read("health"), err)
	}
	if h.PCSC != "ok" {
		t.Errorf("the sandboxed agent does not reach pcscd: %q", read("health"))
	}

	proc := map[string]string{}
	for _, l := range strings.Split(read("proc"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			proc[k] = strings.TrimSpace(v)
		}
	}
	for k, want := range map[string]string{"CapEff": "0000000000000000", "CapBnd": "0000000000000000", "NoNewPrivs": "1", "Seccomp": "2", "Umask": "0077"} {
		if proc[k] != want {
			t.Errorf("agent's /proc status %s: %q, want %q", k, proc[k], want)
		}
	}
	stat := read("stat")
	for _, want := range []string{
		"/var/lib/idagent 750 idagent:idagent", "/var/lib/idagent/trust 750 idagent:idagent",
		"/var/log/idagent 750 idagent:idagent", "/var/log/idagent/idagent.log 600 idagent:idagent",
	} {
		if !strings.Contains(stat, want+"\n") {
			t.Errorf("want %q in:\n%s", want, stat)
		}
	}
	if stopped := read("stopped"); !strings.Contains(stopped, "Result=success") || !strings.Contains(stopped, "ActiveState=inactive") {
		t.Errorf("systemctl stop: %s", stopped)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
