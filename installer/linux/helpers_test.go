//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// freshVersion is the version of the package the tests build themselves.
const freshVersion = "0.0.1~test"

// fixedEpoch is SOURCE_DATE_EPOCH for the packages the tests build.
const fixedEpoch = "1700000000"

// shared holds what TestMain removes: a directory with the idagent binary
// built from this tree, the builder program and the package built from
// them, each made once for every test that needs it.
var shared struct {
	dir string

	binOnce sync.Once
	binary  string
	binErr  error

	builderOnce sync.Once
	builder     string
	builderErr  error

	debOnce sync.Once
	deb     string
	debErr  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

var sharedDirOnce sync.Once

func sharedDir(t testing.TB) string {
	sharedDirOnce.Do(func() {
		d, err := os.MkdirTemp("", "idagent-installer-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = d
	})
	if shared.dir == "" {
		t.Fatal("no shared directory")
	}
	return shared.dir
}

// require reports whether missing prerequisites must fail rather than skip
// (CI sets IDAGENT_REQUIRE_DIST=1).
func require() bool { return os.Getenv("IDAGENT_REQUIRE_DIST") == "1" }

// unavailable skips t for a missing prerequisite, or fails it when the run
// requires these tests (require).
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if require() {
		t.Fatalf("IDAGENT_REQUIRE_DIST=1: "+format, args...)
	}
	t.Skipf(format, args...)
}

// needTool skips (or, when required, fails) without the named programs.
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			unavailable(t, "%s not found: install it (scripts/deps.sh)", n)
		}
	}
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	return root
}

// command runs a program and returns its standard output; it fails the
// test with the whole output when the program fails.
func command(t testing.TB, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := commandErr(dir, env, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func commandErr(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// freshBinary is idagent built from this tree, as the Makefile builds it
// (stripped, cgo).
func freshBinary(t testing.TB) string {
	t.Helper()
	root, dir := repoRoot(t), sharedDir(t) // outside Do: they may fail the test
	shared.binOnce.Do(func() {
		out := filepath.Join(dir, "idagent")
		_, shared.binErr = commandErr(root, []string{"CGO_ENABLED=1", "GOOS=linux", "GOARCH=amd64"},
			"go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+freshVersion+" -X main.commit=0123456789ab -X main.date=2026-01-02T03:04:05Z", "-o", out, "./cmd/idagent")
		shared.binary = out
	})
	if shared.binErr != nil {
		t.Fatal(shared.binErr)
	}
	return shared.binary
}

// builderProgram is this package built as the program the Makefile runs
// (go run compiles the same; a test binary with -race would compress the
// package ten times slower).
func builderProgram(t testing.TB) string {
	t.Helper()
	root, dir := repoRoot(t), sharedDir(t)
	shared.builderOnce.Do(func() {
		out := filepath.Join(dir, "installer-linux")
		_, shared.builderErr = commandErr(root, nil, "go", "build", "-o", out, "./installer/linux")
		shared.builder = out
	})
	if shared.builderErr != nil {
		t.Fatal(shared.builderErr)
	}
	return shared.builder
}

// buildDeb runs the builder as the Makefile does, from the repository root.
func buildDeb(t testing.TB, binary, version, out string) {
	t.Helper()
	got := command(t, repoRoot(t), []string{"SOURCE_DATE_EPOCH=" + fixedEpoch}, builderProgram(t),
		"--version", version, "--binary", binary, "--out", out)
	if !strings.HasPrefix(got, "wrote "+out+" (") {
		t.Fatalf("builder printed %q", got)
	}
}

// freshDeb is the package built from this tree's binary.
func freshDeb(t testing.TB) string {
	t.Helper()
	root, dir, bin, builder := repoRoot(t), sharedDir(t), freshBinary(t), builderProgram(t)
	shared.debOnce.Do(func() {
		out := filepath.Join(dir, "out", "idagent_"+freshVersion+"_amd64.deb")
		_, err := commandErr(root, []string{"SOURCE_DATE_EPOCH=" + fixedEpoch}, builder,
			"--version", freshVersion, "--binary", bin, "--out", out)
		shared.deb, shared.debErr = out, err
	})
	if shared.debErr != nil {
		t.Fatal(shared.debErr)
	}
	return shared.deb
}

// distDebs are the packages in $IDAGENT_DIST (make dist's output).
func distDebs(t *testing.T) []string {
	t.Helper()
	dir := os.Getenv("IDAGENT_DIST")
	if dir == "" {
		unavailable(t, "IDAGENT_DIST is not set: set it to the directory make dist wrote")
	}
	debs, err := filepath.Glob(filepath.Join(dir, "idagent_*_amd64.deb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(debs) == 0 {
		t.Fatalf("no idagent_*_amd64.deb in IDAGENT_DIST=%s: run make dist", dir)
	}
	return debs
}

// versionOf is the version in a package file name idagent_VERSION_amd64.deb.
func versionOf(t testing.TB, deb string) string {
	t.Helper()
	base := filepath.Base(deb)
	v, ok := strings.CutPrefix(base, "idagent_")
	if ok {
		v, ok = strings.CutSuffix(v, "_amd64.deb")
	}
	if !ok || v == "" {
		t.Fatalf("%s: not named idagent_VERSION_amd64.deb", base)
	}
	return v
}
