// Package scripts_test checks the shell scripts' promises that a reader of
// the README relies on.
package scripts_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// wouldInstall runs a deps.sh command line as on a fresh Debian machine
// (DEPS_ASSUME_FRESH: nothing installed) without installing anything
// (DEPS_DRY_RUN), and returns the packages it would install.
func wouldInstall(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"deps.sh"}, args...)...)
	cmd.Env = append(os.Environ(), "DEPS_DRY_RUN=1", "DEPS_ASSUME_FRESH=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("deps.sh %v: %v\n%s", args, err, out)
	}
	var pkgs []string
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "deps: would install "); ok {
			pkgs = append(pkgs, strings.Fields(rest)...)
		}
	}
	return pkgs
}

// TestRunInstallsOnlyWhatRunningNeeds: on a fresh Debian machine,
// ./scripts/run installs the build toolchain and the libpcsclite headers,
// nothing of the packaging tools (Wine, wixl, msitools, osslsigncode) and
// no pcscd (the simulated readers need none).
func TestRunInstallsOnlyWhatRunningNeeds(t *testing.T) {
	run, err := os.ReadFile("run")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^scripts/deps\.sh((?: [a-z]+)*)$`).FindSubmatch(run)
	if m == nil {
		t.Fatal("scripts/run does not call scripts/deps.sh with its groups on a line of its own")
	}
	pkgs := wouldInstall(t, strings.Fields(string(m[1]))...)
	for _, need := range []string{"gcc", "libc6-dev", "pkg-config", "libpcsclite-dev"} {
		if !slices.Contains(pkgs, need) {
			t.Errorf("scripts/run would not install %s: %v", need, pkgs)
		}
	}
	for _, never := range []string{"wine", "wine64", "wixl", "msitools", "osslsigncode", "systemd-container", "pcscd", "vsmartcard-vpcd", "npm"} {
		if slices.Contains(pkgs, never) {
			t.Errorf("scripts/run would install %s: %v", never, pkgs)
		}
	}
	// The test and dist paths still get the packaging tools.
	all := wouldInstall(t)
	for _, need := range []string{"wine64", "wixl", "msitools", "osslsigncode", "npm", "pcscd", "vsmartcard-vpcd"} {
		if !slices.Contains(all, need) {
			t.Errorf("scripts/deps.sh (scripts/test) would not install %s: %v", need, all)
		}
	}
}

func TestDepsRefusesUnknownGroups(t *testing.T) {
	cmd := exec.Command("bash", "deps.sh", "wine")
	cmd.Env = append(os.Environ(), "DEPS_DRY_RUN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown group "wine"`) {
		t.Fatalf("deps.sh wine: %v\n%s", err, out)
	}
}
