//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"encoding/binary"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/config"
)

func TestCheckVersion(t *testing.T) {
	for _, v := range []string{"0.1.0", "1.2.0~rc1", "1.0+git20250101", "2", "0.1.0~test+1"} {
		if err := checkVersion(v); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for v, want := range map[string]string{
		"":         "not a Debian upstream version",
		"v0.1.0":   "drop the v",
		"1.0-1":    "no revision",
		"1:1.0":    "no epoch",
		"1.0 beta": "not a Debian upstream version",
		"1.0_2":    "not a Debian upstream version",
		"beta":     "not a Debian upstream version",
	} {
		err := checkVersion(v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", v, err, want)
		}
	}
}

func TestBinaryDepends(t *testing.T) {
	t.Parallel()
	bin := freshBinary(t)
	deps, err := binaryDepends(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 4 || !strings.HasPrefix(deps[0], "libc6 (>= 2.") || strings.Join(deps[1:], ", ") != "pcscd, libpcsclite1, adduser" {
		t.Errorf("Depends %q", deps)
	}

	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	os.WriteFile(text, []byte("#!/bin/sh\necho idagent\n"), 0o755)
	if _, err := binaryDepends(text); err == nil || !strings.Contains(err.Error(), "not an ELF") {
		t.Errorf("a shell script: %v", err)
	}
	if _, err := binaryDepends(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := binaryDepends(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	// The same binary claiming to be for arm64 (e_machine at offset 18).
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint16(b[18:], 183) // EM_AARCH64
	arm := filepath.Join(dir, "idagent-arm64")
	os.WriteFile(arm, b, 0o755)
	if _, err := binaryDepends(arm); err == nil || !strings.Contains(err.Error(), "want x86-64") {
		t.Errorf("an arm64 ELF: %v", err)
	}
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{{"", "2.2.5", true}, {"2.2.5", "2.34", true}, {"2.34", "2.4", false}, {"2.34", "2.34", false}, {"2.3", "2.3.4", true}} {
		if got := versionLess(c.a, c.b); got != c.less {
			t.Errorf("versionLess(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

// TestConfigFile: the packaged configuration is config.InitialFile's with
// the trust store and the installed documentation's path, and loads with
// the Linux paths of agent/config.
func TestConfigFile(t *testing.T) {
	b, err := configFile()
	if err != nil {
		t.Fatal(err)
	}
	checkConfig(t, b)
	var got, initial map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(config.InitialFile(logFile), &initial); err != nil {
		t.Fatal(err)
	}
	if got["trustStore"] != trustStore || !strings.Contains(got["_comment"].(string), docDir+"/CONFIG.md") {
		t.Errorf("trustStore %v, _comment %v", got["trustStore"], got["_comment"])
	}
	delete(got, "trustStore")
	delete(got, "_comment")
	delete(initial, "_comment")
	g, _ := json.Marshal(got)
	i, _ := json.Marshal(initial)
	if !bytes.Equal(g, i) {
		t.Errorf("the packaged configuration drifted from config.InitialFile:\n%s\n%s", g, i)
	}
}

func TestChangelog(t *testing.T) {
	date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	gz := changelog("1.2.3", date)
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "" || !r.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q and time %v (want gzip -n)", r.Name, r.ModTime)
	}
	b, _ := io.ReadAll(r)
	text := string(b)
	if !strings.HasPrefix(text, "idagent (1.2.3) unstable; urgency=medium\n\n  * ") ||
		!strings.HasSuffix(text, "\n -- "+maintainer+"  Tue, 04 Mar 2025 05:06:07 +0000\n") {
		t.Errorf("changelog:\n%s", text)
	}
}

// TestCopyright: the copyright file is machine-readable and has a stanza
// with the licence text for every Go module compiled into the binary.
func TestCopyright(t *testing.T) {
	t.Parallel()
	bin := freshBinary(t)
	b, err := copyrightFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	paras := strings.Split(strings.TrimSuffix(text, "\n"), "\n\n")
	if !strings.HasPrefix(paras[0], "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n") {
		t.Errorf("first paragraph:\n%s", paras[0])
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	stanzas := map[string]string{}
	for _, p := range paras[1:] {
		files, _, _ := strings.Cut(strings.TrimPrefix(p, "Files: "), "\n")
		stanzas[files] = p
		for _, field := range []string{"\nCopyright: ", "\nLicense: "} {
			if !strings.Contains(p, field) {
				t.Errorf("stanza %s lacks %s", files, strings.TrimSpace(field))
			}
		}
		if strings.Contains(p, "\nLicense: other") {
			t.Errorf("stanza %s: licence not recognised", files)
		}
		for _, l := range strings.Split(p, "\n") {
			if l == "" || (l[0] != ' ' && !strings.Contains(l, ": ")) {
				t.Errorf("stanza %s: malformed line %q", files, l)
			}
		}
	}
	for _, m := range append([]string{"*", "go/*"}, modulePaths(bi)...) {
		if _, ok := stanzas[m]; !ok {
			t.Errorf("no stanza for %s", m)
		}
	}
	if !strings.Contains(stanzas["go/*"], "License: BSD-3-clause") || !strings.Contains(stanzas["go/*"], " Redistribution and use in source and binary forms") {
		t.Errorf("the Go stanza lacks its licence:\n%s", stanzas["go/*"])
	}
	// idagent's own code is Apache-2.0, as LICENSE at the repository's root.
	if !strings.Contains(stanzas["*"], "\nLicense: Apache-2.0\n") || !strings.Contains(stanzas["*"], "/usr/share/common-licenses/Apache-2.0") {
		t.Errorf("idagent's stanza is not Apache-2.0:\n%s", stanzas["*"])
	}
}

func modulePaths(bi *buildinfo.BuildInfo) []string {
	var out []string
	for _, m := range modules(bi) {
		out = append(out, m.Path+"/*")
	}
	return out
}

func TestLicenseShortName(t *testing.T) {
	goroot, err := goEnv("GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(goroot["GOROOT"], "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		string(b): "BSD-3-clause",
		"Permission is hereby granted, free of charge, to any person": "Expat",
		"Apache License\n   Version 2.0, January 2004":                "Apache-2.0",
		"This software is provided 'as-is', without any express":      "Zlib",
		"Redistribution and use in source and binary forms, with or":  "BSD-2-clause",
		"Some licence nobody knows":                                   "other",
	} {
		if got := licenseShortName(text); got != want {
			t.Errorf("%.40q: %s, want %s", text, got, want)
		}
	}
}

func TestEscapeModule(t *testing.T) {
	if got := escapeModule("github.com/BurntSushi/toml"); got != "github.com/!burnt!sushi/toml" {
		t.Errorf("escapeModule: %s", got)
	}
}

// TestEmbeddedFiles: the files the builder embeds are the ones in files/
// (a go:embed pattern that matched nothing would not compile, but a file
// left out of the list would be missed).
func TestEmbeddedFiles(t *testing.T) {
	entries, err := os.ReadDir("files")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("deb.go")
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := os.ReadFile("generated.go")
	for _, e := range entries {
		if _, err := fs.Stat(embedded, "files/"+e.Name()); err != nil {
			t.Errorf("files/%s is not embedded", e.Name())
		}
		if !bytes.Contains(src, []byte(`"files/`+e.Name())) && !bytes.Contains(src, []byte(`{"`+e.Name())) && !bytes.Contains(gen, []byte(`"files/`+e.Name())) {
			t.Errorf("files/%s is never used by the builder", e.Name())
		}
	}
}

// TestRunUsage: the command line refuses bad input before writing
// anything.
func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out", "idagent.deb")
	var stdout, stderr bytes.Buffer
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "usage:"},
		{[]string{"--version", "0.1.0", "--binary", "x"}, 2, "usage:"},
		{[]string{"--version", "0.1.0", "--binary", "x", "--out", out, "extra"}, 2, "usage:"},
		{[]string{"--version", "v1", "--binary", "x", "--out", out}, 1, "drop the v"},
		{[]string{"--version", "0.1.0", "--binary", "deb.go", "--out", out}, 1, "not an ELF"},
	} {
		stdout.Reset()
		stderr.Reset()
		if code := run(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Dir(out)); err == nil {
		t.Error("the output directory was created for a failed build")
	}
}

// TestPolkitRule evaluates the polkit rule with a stand-in for polkit's
// JavaScript API: it grants pcsc-lite's two actions to idagent, and nothing
// else to anyone.
func TestPolkitRule(t *testing.T) {
	needTool(t, "node") // scripts/deps.sh installs nodejs
	rule, err := fs.ReadFile(embedded, "files/50-idagent-pcsc.rules")
	if err != nil {
		t.Fatal(err)
	}
	js := `const rules = [];
const polkit = {Result: {YES: "yes", NO: "no"}, addRule: f => rules.push(f)};
` + string(rule) + `
const out = [];
for (const [id, user] of [
	["org.debian.pcsc-lite.access_pcsc", "idagent"], ["org.debian.pcsc-lite.access_card", "idagent"],
	["org.debian.pcsc-lite.access_card", "www-data"], ["org.freedesktop.login1.reboot", "idagent"],
]) {
	let r;
	for (const f of rules) { r = f({id: id, lookup: () => ""}, {user: user}); if (r !== undefined) break; }
	out.push(id + " " + user + " " + r);
}
console.log(out.join("\n"));`
	got, err := exec.Command("node", "-e", js).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, got)
	}
	want := `org.debian.pcsc-lite.access_pcsc idagent yes
org.debian.pcsc-lite.access_card idagent yes
org.debian.pcsc-lite.access_card www-data undefined
org.freedesktop.login1.reboot idagent undefined
`
	if string(got) != want {
		t.Errorf("the rule decides:\n%s\nwant:\n%s", got, want)
	}
}
