package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Stamped at build time by the Makefile:
//
//	-ldflags "-X main.version=1.2.3 -X main.commit=abcdef123456 -X main.date=2026-11-24T10:00:00Z"
//
// A plain `go build` leaves version at its development value and fills
// commit and date from the VCS information Go records in the binary.
var (
	version = "0.1.0-dev"
	commit  = ""
	date    = ""
)

func init() {
	register(&command{name: "version", summary: "print the version, commit and build date", run: runVersion})
}

// buildInfo is what `idagent version` reports.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Date     string `json:"date"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// currentBuild combines the stamped values with the VCS settings recorded
// by the Go toolchain, preferring the stamped ones.
func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if len(b.Commit) > 12 {
		b.Commit = b.Commit[:12]
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "version", "[--json]")
	asJSON := fs.Bool("json", false, "print as a JSON object")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	b := currentBuild()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(b)
		return exitOK
	}
	dirty := ""
	if b.Modified {
		dirty = " (modified)"
	}
	fmt.Fprintf(e.stdout, "idagent %s\ncommit  %s%s\nbuilt   %s\ngo      %s %s\n", b.Version, b.Commit, dirty, b.Date, b.Go, b.Platform)
	return exitOK
}
