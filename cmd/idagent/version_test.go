package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionPrintsStampedValues(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "1.2.3", "0123456789abcdef", "2026-11-24T10:00:00Z"
	var out bytes.Buffer
	if code := dispatch(context.Background(), &env{stdout: &out, stderr: &out}, []string{"version"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	for _, want := range []string{"idagent 1.2.3\n", "commit  0123456789ab", "built   2026-11-24T10:00:00Z"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := dispatch(context.Background(), &env{stdout: &out, stderr: &out}, []string{"version", "--json"}); code != exitOK {
		t.Fatalf("--json exit %d", code)
	}
	var b buildInfo
	if err := json.Unmarshal(out.Bytes(), &b); err != nil || b.Version != "1.2.3" || b.Commit != "0123456789ab" || b.Date != "2026-11-24T10:00:00Z" {
		t.Fatalf("--json: %+v %v", b, err)
	}
}

// TestVersionLdflags builds the binary the way the Makefile does and checks
// that the -X stamps reach `idagent version`.
func TestVersionLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "idagent")
	ld := "-X main.version=9.8.7 -X main.commit=feedfacecafe -X main.date=2026-01-02T03:04:05Z"
	if out, err := exec.Command("go", "build", "-ldflags", ld, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); !strings.HasPrefix(got, "idagent 9.8.7\ncommit  feedfacecafe\nbuilt   2026-01-02T03:04:05Z\n") {
		t.Fatalf("version of a stamped build:\n%s", got)
	}
}
