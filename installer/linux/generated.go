//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/idagent/idagent/agent/config"
)

// configFile is /etc/idagent/config.json: what `idagent service install`
// writes (config.InitialFile, logging to the service log) with the trust
// store spelled out and the comment pointing at the installed documentation,
// so that the package's default never drifts from the agent's.
func configFile() ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(config.InitialFile(logFile), &m); err != nil {
		return nil, fmt.Errorf("config.InitialFile: %w", err)
	}
	m["trustStore"] = trustStore
	if c, ok := m["_comment"].(string); ok {
		// The documentation is installed in /usr/share/doc/idagent.
		m["_comment"] = strings.ReplaceAll(c, "docs/CONFIG.md", docDir+"/CONFIG.md")
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	if _, err := config.Parse(b, "/etc/idagent"); err != nil {
		return nil, fmt.Errorf("the generated configuration does not load: %w", err)
	}
	return b, nil
}

// changelog is /usr/share/doc/idagent/changelog.gz: one entry for this version, compressed
// like gzip -9n (no name, no time stamp).
func changelog(version string, date time.Time) []byte {
	text := fmt.Sprintf(`%s (%s) unstable; urgency=medium

  * idagent %s. The changes are in the project's history:
    %s

 -- %s  %s
`, pkgName, version, version, homepage, maintainer, date.Format(time.RFC1123Z))
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write([]byte(text))
	w.Close()
	return buf.Bytes()
}

// copyrightFile is /usr/share/doc/idagent/copyright in the machine-readable
// format: idagent's own stanza (files/copyright), then one for the Go
// standard library and one for each Go module compiled into the binary
// (read from its build information), each with the licence text from the
// module cache. BSD and MIT licences ask for their notices to ship with
// binaries.
func copyrightFile(binary string) ([]byte, error) {
	head, err := fs.ReadFile(embedded, "files/copyright")
	if err != nil {
		return nil, err
	}
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("--binary %s: no Go build information (%v): build it with go build", binary, err)
	}
	env, err := goEnv("GOROOT", "GOMODCACHE")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(bytes.TrimRight(head, "\n"))
	b.WriteString("\n")

	goLicense, err := licenseTexts(env["GOROOT"])
	if err != nil || len(goLicense) == 0 {
		return nil, fmt.Errorf("the Go licence in GOROOT %s: not found", env["GOROOT"])
	}
	writeStanza(&b, "go/*", "The Go standard library and runtime ("+bi.GoVersion+"), compiled into /usr/bin/idagent.", goLicense)

	deps := append([]*debugModule(nil), modules(bi)...)
	sort.Slice(deps, func(i, j int) bool { return deps[i].Path < deps[j].Path })
	for _, m := range deps {
		dir := filepath.Join(env["GOMODCACHE"], escapeModule(m.Path)+"@"+escapeModule(m.Version))
		texts, err := licenseTexts(dir)
		if err != nil {
			return nil, fmt.Errorf("licence of the Go module %s %s: %w (is it in the module cache? go mod download %s@%s)", m.Path, m.Version, err, m.Path, m.Version)
		}
		if len(texts) == 0 {
			return nil, fmt.Errorf("the Go module %s %s has no LICENSE file in %s", m.Path, m.Version, dir)
		}
		writeStanza(&b, m.Path+"/*", "Go module "+m.Path+" "+m.Version+", compiled into /usr/bin/idagent.", texts)
	}
	return b.Bytes(), nil
}

// debugModule is a dependency as linked (after replacements).
type debugModule struct{ Path, Version string }

func modules(bi *buildinfo.BuildInfo) []*debugModule {
	var out []*debugModule
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		out = append(out, &debugModule{Path: m.Path, Version: m.Version})
	}
	return out
}

func goEnv(names ...string) (map[string]string, error) {
	out, err := exec.Command("go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	for _, n := range names {
		if m[n] == "" {
			return nil, fmt.Errorf("go env %s is empty", n)
		}
	}
	return m, nil
}

// escapeModule is the module cache's case encoding: an upper-case letter
// becomes ! and the letter in lower case.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// licenseName matches licence and notice files at a module's root (LICENSE,
// LICENSE.txt, LICENSE-MIT, COPYING, NOTICE), not scripts about them.
var licenseName = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice)([.-](txt|md|mit|apache|bsd|[0-9.]+))?$`)

// licenseTexts returns the licence and notice files at dir's root, by name.
func licenseTexts(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !licenseName.MatchString(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// writeStanza writes a Files paragraph with the licence's short name, the
// copyright lines found in its text, and the full text.
func writeStanza(b *bytes.Buffer, files, comment string, texts []string) {
	var copyrights []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, l := range strings.Split(t, "\n") {
			l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "/#*"))
			rest, ok := strings.CutPrefix(l, "Copyright")
			if !ok || !strings.ContainsAny(rest, "0123456789") || seen[l] {
				continue // licence prose ("copyright notice", "COPYRIGHT HOLDERS")
			}
			seen[l] = true
			rest = strings.TrimSpace(rest)
			for _, p := range []string{"(c)", "(C)", "©"} {
				rest = strings.TrimSpace(strings.TrimPrefix(rest, p))
			}
			copyrights = append(copyrights, rest)
		}
	}
	if len(copyrights) == 0 {
		copyrights = []string{"the authors of " + strings.TrimSuffix(files, "/*")}
	}
	fmt.Fprintf(b, "\nFiles: %s\nCopyright: %s\nLicense: %s\nComment: %s\n", files, strings.Join(copyrights, "\n "), licenseShortName(texts[0]), comment)
	for i, t := range texts {
		if i > 0 {
			b.WriteString(" .\n")
		}
		for _, l := range strings.Split(strings.TrimRight(strings.ReplaceAll(t, "\r", ""), "\n "), "\n") {
			if strings.TrimSpace(l) == "" {
				b.WriteString(" .\n")
				continue
			}
			b.WriteString(" " + strings.TrimRight(l, " \t") + "\n")
		}
	}
}

// licenseShortName names common licences by their Debian short names, from
// phrases of their texts.
func licenseShortName(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	switch {
	case strings.Contains(t, "Apache License") && strings.Contains(t, "Version 2.0"):
		return "Apache-2.0"
	case strings.Contains(t, "Mozilla Public License") && strings.Contains(t, "2.0"):
		return "MPL-2.0"
	case strings.Contains(t, "Redistribution and use in source and binary forms"):
		if strings.Contains(t, "Neither the name") || strings.Contains(t, "names of its contributors") {
			return "BSD-3-clause"
		}
		return "BSD-2-clause"
	case strings.Contains(t, "Permission is hereby granted, free of charge"):
		return "Expat"
	case strings.Contains(t, "Permission to use, copy, modify, and/or distribute") || strings.Contains(t, "Permission to use, copy, modify, and distribute"):
		return "ISC"
	case strings.Contains(t, "This software is provided 'as-is'"):
		return "Zlib"
	}
	return "other"
}
