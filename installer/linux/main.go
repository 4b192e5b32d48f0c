//go:build linux

// Command linux builds idagent's Debian package with nFPM (as a Go library,
// no nfpm binary needed):
//
//	go run ./installer/linux --version 0.1.0 --binary build/linux-amd64/idagent --out dist/idagent_0.1.0_amd64.deb
//
// The package installs /usr/bin/idagent, the systemd unit idagent.service
// (sandboxed, running as the system user idagent), the configuration
// /etc/idagent/config.json as a conffile, a polkit rule that lets idagent use
// pcscd, and the operator documentation in /usr/share/doc/idagent. The files
// are in files/ beside this program, embedded; the configuration, the
// copyright file (with the licences of the Go modules compiled into the
// binary) and the changelog are generated at build time. README.md is the
// operators' guide, shipped in the package too.
//
// SOURCE_DATE_EPOCH, when set, is the time stamped on every file and in the
// changelog, so that the same inputs build the same package.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("installer/linux", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.Version, "version", "", "package version: a Debian upstream version such as 0.1.0 or 1.2.0~rc1 (required)")
	fs.StringVar(&o.Binary, "binary", "", "the idagent binary to package: ELF x86-64, built with cgo (required)")
	fs.StringVar(&o.Out, "out", "", "the .deb to write, e.g. dist/idagent_0.1.0_amd64.deb; its directory is created (required)")
	fs.StringVar(&o.Repo, "repo", "", "the repository root, for docs/ (default: the directory above the working directory holding idagent's go.mod)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./installer/linux --version VERSION --binary FILE --out FILE.deb")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || o.Version == "" || o.Binary == "" || o.Out == "" {
		fs.Usage()
		return 2
	}
	size, err := build(o)
	if err != nil {
		fmt.Fprintf(stderr, "installer/linux: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", o.Out, size)
	return 0
}
