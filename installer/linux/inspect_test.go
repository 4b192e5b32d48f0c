//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/agent/config"
)

// TestFreshDeb builds idagent and its package from this tree and inspects
// the package: the builder is exercised on every test run, with or
// without make dist.
func TestFreshDeb(t *testing.T) {
	t.Parallel()
	needTool(t, "dpkg-deb")
	inspectDeb(t, freshDeb(t), freshVersion)
}

// TestDistDeb inspects the packages make dist wrote to $IDAGENT_DIST.
func TestDistDeb(t *testing.T) {
	t.Parallel()
	debs := distDebs(t)
	needTool(t, "dpkg-deb")
	for _, deb := range debs {
		t.Run(filepath.Base(deb), func(t *testing.T) {
			inspectDeb(t, deb, versionOf(t, deb))
		})
	}
}

// TestReproducible: the same inputs and SOURCE_DATE_EPOCH build the same
// bytes.
func TestReproducible(t *testing.T) {
	t.Parallel()
	first := freshDeb(t)
	again := filepath.Join(t.TempDir(), filepath.Base(first))
	buildDeb(t, freshBinary(t), freshVersion, again)
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Errorf("two builds with SOURCE_DATE_EPOCH=%s differ (%d and %d bytes)", fixedEpoch, len(a), len(b))
	}
}

// packageFiles are the regular files of the package and their modes.
var packageFiles = map[string]string{
	"./usr/bin/idagent":                                  "-rwxr-xr-x",
	"./usr/lib/systemd/system/idagent.service":           "-rw-r--r--",
	"./etc/idagent/config.json":                          "-rw-r--r--",
	"./usr/share/polkit-1/rules.d/50-idagent-pcsc.rules": "-rw-r--r--",
	"./usr/share/doc/idagent/README.md":                  "-rw-r--r--",
	"./usr/share/doc/idagent/CONFIG.md":                  "-rw-r--r--",
	"./usr/share/doc/idagent/TRUST.md":                   "-rw-r--r--",
	"./usr/share/doc/idagent/copyright":                  "-rw-r--r--",
	"./usr/share/doc/idagent/changelog.gz":               "-rw-r--r--",
}

// inspectDeb checks a package: its control fields, its files with their
// modes and owners, the conffiles, the configuration, the maintainer
// scripts and the systemd unit (systemd-analyze verify and security).
func inspectDeb(t *testing.T, deb, version string) {
	x := t.TempDir()
	root := filepath.Join(x, "root")
	control := filepath.Join(x, "control")
	command(t, "", nil, "dpkg-deb", "-x", deb, root)
	command(t, "", nil, "dpkg-deb", "-e", deb, control)

	t.Run("fields", func(t *testing.T) {
		info := command(t, "", nil, "dpkg-deb", "--info", deb)
		t.Log(info)
		fields := parseControl(t, command(t, "", nil, "dpkg-deb", "-f", deb))
		for k, want := range map[string]string{
			"Package": "idagent", "Version": version, "Architecture": "amd64",
			"Section": "utils", "Priority": "optional", "Homepage": homepage, "Maintainer": maintainer,
			"Recommends": "libccid, polkitd | policykit-1",
		} {
			if fields[k] != want {
				t.Errorf("%s: %q, want %q", k, fields[k], want)
			}
		}
		deps := strings.Split(fields["Depends"], ", ")
		for _, want := range []string{"pcscd", "libpcsclite1", "adduser"} {
			if !slices.Contains(deps, want) {
				t.Errorf("Depends %q lacks %s", fields["Depends"], want)
			}
		}
		if !slices.ContainsFunc(deps, regexp.MustCompile(`^libc6 \(>= 2\.[0-9]+\)$`).MatchString) {
			t.Errorf("Depends %q: want libc6 (>= 2.N) for the cgo binary", fields["Depends"])
		}
		short, long, _ := strings.Cut(fields["Description"], "\n")
		if short == "" || len(short) > 80 || len(strings.Split(long, "\n")) < 3 {
			t.Errorf("Description: want a short line and a long description, got %q", fields["Description"])
		}
		if fields["Installed-Size"] == "" {
			t.Error("no Installed-Size")
		}
	})

	t.Run("contents", func(t *testing.T) {
		listing := command(t, "", nil, "dpkg-deb", "--contents", deb)
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(listing), "\n") {
			f := strings.Fields(l)
			if len(f) < 6 {
				t.Errorf("unexpected listing line %q", l)
				continue
			}
			mode, owner, path := f[0], f[1], f[5]
			if owner != "root/root" {
				t.Errorf("%s owned by %s, want root/root", path, owner)
			}
			switch mode[0] {
			case 'd':
				if mode != "drwxr-xr-x" {
					t.Errorf("directory %s: mode %s, want drwxr-xr-x", path, mode)
				}
			case '-':
				want, ok := packageFiles[path]
				if !ok {
					t.Errorf("unexpected file %s", path)
				} else if mode != want {
					t.Errorf("%s: mode %s, want %s", path, mode, want)
				}
				seen[path] = true
			default:
				t.Errorf("unexpected entry %q (symlinks, devices: none expected)", l)
			}
		}
		for p := range packageFiles {
			if !seen[p] {
				t.Errorf("%s missing from the package", p)
			}
		}
		// Nothing in aliased directories (/lib, /bin, /sbin): DEP-17.
		for _, alias := range []string{"./lib/", "./bin/", "./sbin/"} {
			if strings.Contains(listing, " "+alias) {
				t.Errorf("the package ships files under %s; use /usr", alias)
			}
		}
	})

	t.Run("conffiles", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(control, "conffiles"))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b); got != configPath+"\n" {
			t.Errorf("conffiles: %q, want only %s", got, configPath)
		}
	})

	t.Run("config", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, configPath))
		if err != nil {
			t.Fatal(err)
		}
		checkConfig(t, b)
	})

	t.Run("scripts", func(t *testing.T) {
		for _, name := range []string{"postinst", "prerm", "postrm"} {
			p := filepath.Join(control, name)
			st, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if st.Mode().Perm() != 0o755 {
				t.Errorf("%s: mode %v, want 0755", name, st.Mode().Perm())
			}
			b, _ := os.ReadFile(p)
			checkScript(t, name, p, string(b))
		}
		if _, err := os.Stat(filepath.Join(control, "preinst")); err == nil {
			t.Error("unexpected preinst")
		}
	})

	t.Run("unit", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, unitPath))
		if err != nil {
			t.Fatal(err)
		}
		checkUnit(t, string(b))
	})

	t.Run("systemd-analyze", func(t *testing.T) {
		needTool(t, "systemd-analyze")
		analyzeUnit(t, root)
	})

	t.Run("binary", func(t *testing.T) {
		if _, err := binaryDepends(filepath.Join(root, "usr/bin/idagent")); err != nil {
			t.Error(err)
		}
		out, err := commandErr("", nil, filepath.Join(root, "usr/bin/idagent"), "version")
		if err != nil {
			t.Fatal(err)
		}
		// make dist stamps the version, commit and build date in.
		lines := strings.Split(out, "\n")
		if len(lines) < 3 || lines[0] != "idagent "+version || strings.Contains(lines[1], "unknown") || strings.Contains(lines[2], "unknown") {
			t.Errorf("idagent version of the packaged binary, want version %s, a commit and a build date:\n%s", version, out)
		}
	})
}

// parseControl reads control fields (continuation lines kept, joined by
// newlines, without their leading space).
func parseControl(t *testing.T, text string) map[string]string {
	t.Helper()
	m := map[string]string{}
	var last string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(l, " ") && last != "" {
			m[last] += "\n" + l[1:]
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("control line %q", l)
		}
		last = k
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// checkConfig: the configuration loads, and is the agent's initial file
// with the trust store, logging where the package's directories are.
func checkConfig(t *testing.T, b []byte) {
	t.Helper()
	cfg, err := config.Parse(b, "/etc/idagent")
	if err != nil {
		t.Fatalf("the packaged configuration does not load: %v", err)
	}
	if cfg.TrustStore != filepath.Join(config.DataDir(), "trust") || cfg.TrustStore != trustStore {
		t.Errorf("trustStore %s, want %s (config.DataDir()/trust)", cfg.TrustStore, trustStore)
	}
	if cfg.Log.File != filepath.Join(config.LogDir(), "idagent.log") || cfg.Log.File != logFile {
		t.Errorf("log.file %s, want %s (config.LogDir()/idagent.log)", cfg.Log.File, logFile)
	}
	if len(cfg.Origins) != 0 || cfg.AllowNativeClients || cfg.ExposeToNetwork || cfg.Demo {
		t.Errorf("the default configuration allows more than nothing: %+v", cfg)
	}
	want, err := configFile()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("the packaged configuration is not config.InitialFile's:\n%s\nwant:\n%s", b, want)
	}
}

// systemctlLine matches a command that needs a running systemd.
var systemctlLine = regexp.MustCompile(`\b(systemctl|deb-systemd-invoke)\b`)

// checkScript: a POSIX sh script with set -e that sh -n accepts, whose
// systemctl and deb-systemd-invoke calls all sit inside
// `if [ -d /run/systemd/system ]` (so that installs without a running
// systemd work).
func checkScript(t *testing.T, name, path, text string) {
	t.Helper()
	for _, p := range scriptProblems(name, path, text) {
		t.Error(p)
	}
}

func scriptProblems(name, path, text string) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !strings.HasPrefix(text, "#!/bin/sh\n") {
		errorf("%s: want #!/bin/sh", name)
	}
	if !regexp.MustCompile(`(?m)^set -e$`).MatchString(text) {
		errorf("%s: no set -e", name)
	}
	if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
		errorf("%s: sh -n: %v\n%s", name, err, out)
	}
	if bash, err := exec.LookPath("checkbashisms"); err == nil {
		if out, err := exec.Command(bash, path).CombinedOutput(); err != nil {
			errorf("%s: checkbashisms: %v\n%s", name, err, out)
		}
	}
	guard := -1 // indentation of the open `if [ -d /run/systemd/system ]`, -1 when none
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		code := strings.TrimSpace(line)
		if code == "" || strings.HasPrefix(code, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, "\t "))
		if guard >= 0 && indent <= guard && code == "fi" {
			guard = -1
			continue
		}
		if strings.Contains(code, "[ -d /run/systemd/system ]") && strings.HasPrefix(code, "if ") {
			guard = indent
			continue
		}
		if systemctlLine.MatchString(code) && guard < 0 {
			errorf("%s:%d: %q runs without checking that systemd runs ([ -d /run/systemd/system ])", name, n, code)
		}
	}
	for _, want := range map[string][]string{
		"postinst": {"adduser --system", "deb-systemd-helper enable idagent.service", "install -d -m 0750 -o \"$USER\" -g \"$USER\""},
		"prerm":    {"deb-systemd-invoke stop idagent.service"},
		"postrm":   {"deb-systemd-helper purge idagent.service", "rm -rf /var/lib/idagent /var/log/idagent", "deluser --system"},
	}[name] {
		if !strings.Contains(text, want) {
			errorf("%s: lacks %q", name, want)
		}
	}
	return problems
}

// TestScriptProblems: the script check catches what it is for.
func TestScriptProblems(t *testing.T) {
	bad := "#!/bin/bash\nif [ -d /run/systemd/system ]; then\n\tsystemctl daemon-reload\nfi\nsystemctl start idagent.service\nif [ \"$1\" = x ; then\n"
	p := filepath.Join(t.TempDir(), "prerm")
	os.WriteFile(p, []byte(bad), 0o755)
	got := strings.Join(scriptProblems("prerm", p, bad), "\n")
	for _, want := range []string{"want #!/bin/sh", "no set -e", "sh -n", `prerm:5: "systemctl start idagent.service" runs without checking`, "lacks \"deb-systemd-invoke stop"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "prerm:3:") {
		t.Errorf("the guarded systemctl was reported:\n%s", got)
	}
}

// parseUnit returns the unit's directives by section, in order, comments
// left out.
func parseUnit(text string) map[string]map[string][]string {
	units := map[string]map[string][]string{}
	section := ""
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			section = l[1 : len(l)-1]
			units[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(l, "=")
			units[section][k] = append(units[section][k], v)
		}
	}
	return units
}

// checkUnit: the unit runs the agent as idagent, after pcscd, sandboxed.
func checkUnit(t *testing.T, text string) {
	t.Helper()
	u := parseUnit(text)
	want := map[string]map[string]string{
		"Unit": {"After": "pcscd.socket pcscd.service", "Wants": "pcscd.socket"},
		"Service": {
			"ExecStart": "/usr/bin/idagent run --service --config /etc/idagent/config.json",
			"User":      "idagent", "Group": "idagent", "Restart": "on-failure", "RestartSec": "2",
			"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes",
			"PrivateDevices": "yes", "StateDirectory": "idagent idagent/trust", "LogsDirectory": "idagent",
			"ConfigurationDirectory": "idagent", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
			"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "ProtectKernelTunables": "yes",
			"ProtectKernelModules": "yes", "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
			"ProtectClock": "yes", "ProtectHostname": "yes", "RestrictNamespaces": "yes",
			"RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
			"MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native", "UMask": "0077",
			"IPAddressDeny": "any", "IPAddressAllow": "localhost",
		},
		"Install": {"WantedBy": "multi-user.target"},
	}
	for section, keys := range want {
		for k, v := range keys {
			got := u[section][k]
			if len(got) != 1 || got[0] != v {
				t.Errorf("[%s] %s=%q, want once %q", section, k, got, v)
			}
		}
	}
	if got := u["Service"]["SystemCallFilter"]; len(got) == 0 || got[0] != "@system-service" {
		t.Errorf("[Service] SystemCallFilter=%q, want @system-service first", got)
	}
	// The exceptions are explained next to them.
	for _, why := range []string{"pcscd's socket", "127.0.0.1", "exposeToNetwork", "never through /dev"} {
		if !strings.Contains(text, why) {
			t.Errorf("the unit's comments do not explain %q", why)
		}
	}
}

// analyzeUnit runs systemd-analyze verify and security on the unit as
// installed: root is the extracted package (so /usr/bin/idagent is the
// packaged binary), with the host's units copied beside it for the
// dependencies (sysinit.target, pcscd.socket, ...). verify exits 0 even
// for unknown keys, so any output naming the unit fails too.
func analyzeUnit(t *testing.T, root string) {
	t.Helper()
	unitDir := filepath.Join(root, "usr/lib/systemd/system")
	var hostUnits string
	for _, d := range []string{"/usr/lib/systemd/system", "/lib/systemd/system"} {
		if _, err := os.Stat(filepath.Join(d, "sysinit.target")); err == nil {
			hostUnits = d
			break
		}
	}
	if hostUnits == "" {
		unavailable(t, "no systemd units on this machine (sysinit.target): install systemd (scripts/deps.sh)")
	}
	// cp -n: never replace the package's own unit.
	command(t, "", nil, "cp", "-rn", hostUnits+"/.", unitDir+"/")
	out, err := exec.Command("systemd-analyze", "verify", "--man=no", "--root="+root, unitPath).CombinedOutput()
	t.Logf("systemd-analyze verify: %v\n%s", err, out)
	if err != nil {
		t.Errorf("systemd-analyze verify failed: %v\n%s", err, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "idagent") {
			t.Errorf("systemd-analyze verify: %s", l)
		}
	}
	// The sandbox's exposure (0 best, 10 worst; 1.4 when written): fail
	// above 2.0 so that a weakened unit is noticed.
	sec, err := exec.Command("systemd-analyze", "security", "--offline=yes", "--root="+root, "--threshold=20", "idagent.service").CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(sec)), "\n")
	overall := lines[len(lines)-1]
	t.Logf("systemd-analyze security: %s", overall)
	if err != nil {
		t.Errorf("systemd-analyze security --threshold=20: %v\n%s", err, sec)
	}
}
