package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func init() {
	register(&command{name: "version", summary: "print the version", run: runVersion})
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "version", "")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	fmt.Fprintf(e.stdout, "idagent %s%s (%s, %s/%s)\n", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
