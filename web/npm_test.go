package web

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// distTarball is the npm tarball `make dist` wrote to IDAGENT_DIST; the
// test skips without it unless IDAGENT_REQUIRE_DIST is set (CI).
func distTarball(t *testing.T) (path, version string) {
	t.Helper()
	dir := os.Getenv("IDAGENT_DIST")
	found, _ := filepath.Glob(filepath.Join(dir, "idagent-client-*.tgz"))
	if dir == "" || len(found) != 1 {
		if os.Getenv("IDAGENT_REQUIRE_DIST") != "" {
			t.Fatalf("want one idagent-client-*.tgz in IDAGENT_DIST=%q (make dist), found %v", dir, found)
		}
		t.Skipf("no npm tarball in IDAGENT_DIST=%q: run make dist and set IDAGENT_DIST", dir)
	}
	return found[0], strings.TrimSuffix(strings.TrimPrefix(filepath.Base(found[0]), "idagent-client-"), ".tgz")
}

func untar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, "package/")] = b
	}
}

// TestNPMTarball: make dist packs the client an integrator installs with
// `npm install ./idagent-client-VERSION.tgz`: the modules, their types, the
// README and the licence, in the release's version, and npm installs it
// without a registry.
func TestNPMTarball(t *testing.T) {
	path, version := distTarball(t)
	files := untar(t, path)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"LICENSE", "README.md", "cccd.d.ts", "cccd.js", "errors.js", "idagent.d.ts", "idagent.js",
		"messages.d.ts", "messages.js", "package.json", "words.js"}
	if !slices.Equal(names, want) {
		t.Errorf("tarball holds %v, want %v", names, want)
	}
	var pkg struct{ Name, Version, License string }
	if err := json.Unmarshal(files["package.json"], &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "@idagent/client" || pkg.Version != version || pkg.License != "Apache-2.0" {
		t.Errorf("package.json: %+v, want @idagent/client %s Apache-2.0", pkg, version)
	}
	if m := regexp.MustCompile(`(?m)^export const VERSION = '([^']*)';`).FindSubmatch(files["idagent.js"]); m == nil || string(m[1]) != version {
		t.Errorf("idagent.js's VERSION is not %s", version)
	}
	license, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files["LICENSE"], license) {
		t.Error("the tarball's LICENSE is not the repository's")
	}
	if words, _ := os.ReadFile(wordsFile); !bytes.Equal(files["words.js"], words) {
		t.Error("the tarball's words.js is not web/client/words.js")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("IDAGENT_REQUIRE_DIST") != "" {
			t.Fatal("npm not found (scripts/deps.sh packaging installs it)")
		}
		t.Skip("npm not found")
	}
	// As the README says: into an empty project, offline.
	dir := t.TempDir()
	cmd := exec.Command(npm, "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(dir, ".npm"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install %s: %v\n%s", filepath.Base(path), err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@idagent", "client", "idagent.js")); err != nil {
		t.Fatalf("npm install did not install the client: %v", err)
	}
}

// The client in the tree carries the project's version and licence:
// package.json, idagent.js's VERSION and the repository's VERSION and
// LICENSE agree (make dist packs another version only when asked to).
func TestClientVersionAndLicence(t *testing.T) {
	version, err := os.ReadFile("../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(string(version))
	var pkg struct{ Version, License string }
	b, err := os.ReadFile("client/package.json")
	if err != nil || json.Unmarshal(b, &pkg) != nil {
		t.Fatalf("client/package.json: %v", err)
	}
	if pkg.Version != v || pkg.License != "Apache-2.0" {
		t.Errorf("client/package.json: version %q licence %q, want %s Apache-2.0", pkg.Version, pkg.License, v)
	}
	js, _ := os.ReadFile("client/idagent.js")
	if !bytes.Contains(js, []byte("export const VERSION = '"+v+"';")) {
		t.Errorf("client/idagent.js's VERSION is not %s", v)
	}
	license, err := os.ReadFile("../LICENSE")
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(license), []byte("Apache License\n                           Version 2.0, January 2004")) {
		t.Errorf("LICENSE is not the Apache License 2.0: %v", err)
	}
}
