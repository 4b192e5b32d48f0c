//go:build linux

package main

import (
	"bytes"
	"debug/elf"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// The package's fixed files: the unit, the maintainer scripts, the polkit
// rule, the copyright header. README.md is the operators' guide.
//
//go:embed files README.md
var embedded embed.FS

const (
	pkgName    = "idagent"
	maintainer = "idagent maintainers <maintainers@idagent.invalid>"
	homepage   = "https://github.com/idagent/idagent"
	modulePath = "github.com/idagent/idagent"

	unitPath   = "/usr/lib/systemd/system/idagent.service"
	configPath = "/etc/idagent/config.json"
	docDir     = "/usr/share/doc/idagent"
	// The service's log file and trust store; config.LogDir() and
	// config.DataDir() on Linux (a test checks).
	logFile    = "/var/log/idagent/idagent.log"
	trustStore = "/var/lib/idagent/trust"
)

const description = `chip ID card agent for browser applications on desk PCs
idagent reads chip ID cards (Vietnamese CCCD, ICAO passports) laid on a PC/SC
smart-card reader, proves them genuine (passive, chip and active
authentication) and serves the verified identity to the web application on
the same PC over a local WebSocket (ws://127.0.0.1:20606).

This package runs it as the systemd service idagent.service, sandboxed,
under its own system user idagent. The configuration is
/etc/idagent/config.json; see /usr/share/doc/idagent/README.md.`

// options are the command line.
type options struct {
	Version string
	Binary  string
	Out     string
	Repo    string
}

// upstreamVersion is a Debian upstream version without epoch and revision
// (Debian policy 5.6.12): a digit first, then alphanumerics and . + ~.
var upstreamVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

func checkVersion(v string) error {
	if upstreamVersion.MatchString(v) {
		return nil
	}
	if strings.HasPrefix(v, "v") && upstreamVersion.MatchString(v[1:]) {
		return fmt.Errorf("--version %q: a Debian version starts with a digit: drop the v", v)
	}
	return fmt.Errorf("--version %q is not a Debian upstream version (a digit, then letters, digits and . + ~; no epoch, no revision; 1.2.0~rc1 sorts before 1.2.0)", v)
}

// libraryPackages are the Debian packages of the shared libraries idagent may
// link. A binary needing another library is refused: its package would not
// be in Depends.
var libraryPackages = map[string]string{
	"libc.so.6":            "libc6",
	"libpthread.so.0":      "libc6",
	"libdl.so.2":           "libc6",
	"libm.so.6":            "libc6",
	"librt.so.1":           "libc6",
	"libresolv.so.2":       "libc6",
	"ld-linux-x86-64.so.2": "libc6",
	"libpcsclite.so.1":     "libpcsclite1",
}

// binaryDepends checks that file is an x86-64 Linux ELF executable and
// returns the package's Depends: libc6 with the minimum version the
// binary's symbols need (as dpkg-shlibdeps would write it; none for a static
// binary), pcscd and the PC/SC library, and adduser for the postinst.
func binaryDepends(file string) ([]string, error) {
	var glibc string
	libc := false
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("--binary: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("--binary %s: not a regular file", file)
	}
	f, err := elf.Open(file)
	if err != nil {
		return nil, fmt.Errorf("--binary %s: not an ELF executable (%v): build it for linux/amd64", file, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return nil, fmt.Errorf("--binary %s: an ELF for %v %v, want x86-64 (GOARCH=amd64)", file, f.Class, f.Machine)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return nil, fmt.Errorf("--binary %s: ELF type %v, want an executable", file, f.Type)
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		return nil, fmt.Errorf("--binary %s: built for %v, want Linux", file, f.OSABI)
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, fmt.Errorf("--binary %s: %w", file, err)
	}
	for _, l := range libs {
		pkg, ok := libraryPackages[l]
		if !ok {
			return nil, fmt.Errorf("--binary %s needs %s, which the package does not depend on", file, l)
		}
		libc = libc || pkg == "libc6"
	}
	syms, err := f.ImportedSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("--binary %s: %w", file, err)
	}
	for _, s := range syms {
		if v, ok := strings.CutPrefix(s.Version, "GLIBC_"); ok && isNumericVersion(v) && versionLess(glibc, v) {
			glibc = v
		}
	}
	d := []string{"pcscd", "libpcsclite1", "adduser"}
	switch {
	case glibc != "":
		d = append([]string{"libc6 (>= " + glibc + ")"}, d...)
	case libc:
		d = append([]string{"libc6"}, d...)
	}
	return d, nil
}

func isNumericVersion(v string) bool {
	for _, p := range strings.Split(v, ".") {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// versionLess compares dotted numeric versions; "" is less than any.
func versionLess(a, b string) bool {
	if a == "" {
		return b != ""
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// buildTime is SOURCE_DATE_EPOCH when set, else now.
func buildTime() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// findRepo returns dir, or the nearest directory at or above the working
// directory whose go.mod is idagent's.
func findRepo(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "docs", "CONFIG.md")); err != nil {
			return "", fmt.Errorf("--repo %s: %w", dir, err)
		}
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module "+modulePath+"\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no idagent go.mod at or above %s: run from the repository or give --repo", wd)
		}
	}
}

// staged is a file of the package: where its content is in the staging
// directory, where it goes, its mode and type.
type staged struct {
	src, dst string
	mode     os.FileMode
	typ      string // files.TypeFile when ""
}

// build writes the package and returns its size.
func build(o options) (int64, error) {
	if err := checkVersion(o.Version); err != nil {
		return 0, err
	}
	deps, err := binaryDepends(o.Binary)
	if err != nil {
		return 0, err
	}
	repo, err := findRepo(o.Repo)
	if err != nil {
		return 0, err
	}
	date, err := buildTime()
	if err != nil {
		return 0, err
	}
	stage, err := os.MkdirTemp("", "idagent-deb-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(stage)

	contents, scripts, err := stageFiles(stage, o, repo, date)
	if err != nil {
		return 0, err
	}
	info := packageInfo(o.Version, deps, date, contents, scripts)

	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return 0, fmt.Errorf("create the output directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.Out), "."+filepath.Base(o.Out)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if err := deb.Default.Package(nfpm.WithDefaults(info), tmp); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("nfpm: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return 0, err
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), o.Out); err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// stageFiles writes every file of the package into stage (nFPM reads files
// from disk) and returns the contents and the maintainer scripts' paths.
func stageFiles(stage string, o options, repo string, date time.Time) ([]staged, nfpm.Scripts, error) {
	var out []staged
	put := func(name string, data []byte, dst string, mode os.FileMode, typ string) error {
		p := filepath.Join(stage, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		out = append(out, staged{src: p, dst: dst, mode: mode, typ: typ})
		return nil
	}
	emb := func(name string) []byte {
		b, err := fs.ReadFile(embedded, name)
		if err != nil {
			panic(err) // embedded at compile time
		}
		return b
	}

	out = append(out, staged{src: o.Binary, dst: "/usr/bin/idagent", mode: 0o755})
	copyright, err := copyrightFile(o.Binary)
	if err != nil {
		return nil, nfpm.Scripts{}, err
	}
	cfg, err := configFile()
	if err != nil {
		return nil, nfpm.Scripts{}, err
	}
	for _, f := range []struct {
		name string
		data []byte
		dst  string
		typ  string
	}{
		{"idagent.service", emb("files/idagent.service"), unitPath, ""},
		{"config.json", cfg, configPath, files.TypeConfigNoReplace},
		{"50-idagent-pcsc.rules", emb("files/50-idagent-pcsc.rules"), "/usr/share/polkit-1/rules.d/50-idagent-pcsc.rules", ""},
		{"README.md", emb("README.md"), docDir + "/README.md", ""},
		{"copyright", copyright, docDir + "/copyright", ""},
		// A native package (no Debian revision): changelog.gz, not
		// changelog.Debian.gz (Debian policy 12.7).
		{"changelog.gz", changelog(o.Version, date), docDir + "/changelog.gz", ""},
	} {
		if err := put(f.name, f.data, f.dst, 0o644, f.typ); err != nil {
			return nil, nfpm.Scripts{}, err
		}
	}
	for _, doc := range []string{"CONFIG.md", "TRUST.md"} {
		b, err := os.ReadFile(filepath.Join(repo, "docs", doc))
		if err != nil {
			return nil, nfpm.Scripts{}, err
		}
		if err := put(doc, b, docDir+"/"+doc, 0o644, ""); err != nil {
			return nil, nfpm.Scripts{}, err
		}
	}
	var scripts nfpm.Scripts
	for _, s := range []struct {
		name string
		dst  *string
	}{{"postinst", &scripts.PostInstall}, {"prerm", &scripts.PreRemove}, {"postrm", &scripts.PostRemove}} {
		p := filepath.Join(stage, s.name)
		if err := os.WriteFile(p, emb("files/"+s.name), 0o755); err != nil {
			return nil, nfpm.Scripts{}, err
		}
		*s.dst = p
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dst < out[j].dst })
	return out, scripts, nil
}

// packageInfo is the package's metadata and contents for nFPM.
func packageInfo(version string, deps []string, date time.Time, contents []staged, scripts nfpm.Scripts) *nfpm.Info {
	info := &nfpm.Info{
		Name:          pkgName,
		Arch:          "amd64",
		Platform:      "linux",
		Version:       version,
		VersionSchema: "none", // the version as given, not reparsed as semver
		Section:       "utils",
		Priority:      "optional",
		Maintainer:    maintainer,
		Homepage:      homepage,
		Description:   description,
		// Every path is literal; no globbing of sources.
		DisableGlobbing: true,
		MTime:           date,
		Overridables: nfpm.Overridables{
			Depends:    deps,
			Recommends: []string{"libccid", "polkitd | policykit-1"},
			Scripts:    scripts,
			Umask:      0o022,
			Deb:        nfpm.Deb{Compression: "xz"},
		},
	}
	for _, c := range contents {
		info.Contents = append(info.Contents, &files.Content{
			Source:      c.src,
			Destination: c.dst,
			Type:        c.typ,
			FileInfo:    &files.ContentFileInfo{Owner: "root", Group: "root", Mode: c.mode, MTime: date},
		})
	}
	return info
}
