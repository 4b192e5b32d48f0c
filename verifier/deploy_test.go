package verifier

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The example Kubernetes deployment's configuration is one this service
// loads: two replicas, Redis, every caller valid.
func TestKubernetesExample(t *testing.T) {
	b, err := os.ReadFile("deploy/kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, after, ok := strings.Cut(doc, "verifier.json: |\n")
	if !ok {
		t.Fatal("no verifier.json in the ConfigMap")
	}
	block, _, _ := strings.Cut(after, "\n---")
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "    "))
	}
	file := filepath.Join(t.TempDir(), "verifier.json")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis == nil || cfg.MetricsListen == "" || len(cfg.Callers) == 0 {
		t.Errorf("%+v", cfg)
	}
	for _, want := range []string{"replicas: 2", "runAsNonRoot: true", "readOnlyRootFilesystem: true", "path: /readyz", "path: /healthz", "kind: NetworkPolicy"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the example lacks %q", want)
		}
	}
}

// The container image is one static binary without a shell, run as a
// user that is not root; idagent builds without cgo for it.
func TestStaticBuild(t *testing.T) {
	b, err := os.ReadFile("deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM scratch", "CGO_ENABLED=0", "USER 65532:65532", `ENTRYPOINT ["/usr/local/bin/idagent", "verifier"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if testing.Short() {
		t.Skip("building idagent without cgo takes a while (-short)")
	}
	bin := filepath.Join(t.TempDir(), "idagent")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/idagent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build without cgo: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF platform: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary needs a dynamic loader: not static")
		}
	}
	out, err := exec.Command(bin, "verifier", "--config", filepath.Join(t.TempDir(), "none.json")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "config") {
		t.Errorf("static binary without a configuration: %v %s", err, out)
	}
}
