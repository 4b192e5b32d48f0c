package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/emrtd/trust"
)

func init() {
	register(&command{name: "trust", summary: "manage the trust store: import master lists, CSCA certificates, CRLs; list what is trusted", run: runTrust})
}

const trustUsage = `usage: idagent trust import FILE [--store DIR] [--test] [--json]
       idagent trust list [--store DIR] [--json]

The store defaults to the trust_store of the agent configuration
(` + "`%s`" + ` here). See docs/TRUST.md.
`

func runTrust(ctx context.Context, e *env, args []string) int {
	return dispatchSub(e, "trust", fmt.Sprintf(trustUsage, defaultTrustStore()),
		map[string]func(*env, []string) int{"import": runTrustImport, "list": runTrustList}, args)
}

// defaultTrustStore is the configured store directory: the agent
// configuration's trust_store, which defaults to the per-OS data directory
// (/var/lib/idagent/trust, %ProgramData%\idagent\trust,
// /Library/Application Support/idagent/trust).
func defaultTrustStore() string {
	cfg, err := config.Load("")
	if err != nil || cfg.TrustStore == "" {
		return config.Default().TrustStore
	}
	return cfg.TrustStore
}

// parseWithOneArg parses fs from args in which the flags and the one
// positional argument (a file, a name) may come in any order, and returns
// that argument. Without exactly one, it prints the usage.
func parseWithOneArg(fs *flag.FlagSet, args []string) (arg string, code int, ok bool) {
	flags, positional := splitArgs(fs, args)
	if code, ok := parseFlags(fs, flags); !ok {
		return "", code, false
	}
	if len(positional) != 1 {
		fs.Usage()
		return "", exitUsage, false
	}
	return positional[0], 0, true
}

// splitArgs separates flags from positional arguments. Which flags take
// a value comes from fs itself (every flag but a boolean one), so a flag
// added later cannot have its value taken for the file.
func splitArgs(fs *flag.FlagSet, args []string) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(positional, args[i+1:]...)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if takesValue(fs, strings.TrimLeft(a, "-")) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	return flags, positional
}

// takesValue reports whether name (as written after the dashes) is a flag
// of fs whose value is the next argument: not a boolean flag, and not
// written name=value.
func takesValue(fs *flag.FlagSet, name string) bool {
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// openTrustStore opens the store in dir, or the configured one when dir is
// empty (no --store), and gives the directory it opened. It reports a
// failure on stderr under the subcommand's name.
func openTrustStore(e *env, subcommand, dir string) (string, *trust.Store, bool) {
	if dir == "" {
		dir = defaultTrustStore()
	}
	s, err := trust.Open(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent %s: %v\n", subcommand, err)
		return dir, nil, false
	}
	return dir, s, true
}

func runTrustImport(e *env, args []string) int {
	fs := newFlags(e, "trust import", "FILE [--store DIR] [--test] [--json]")
	store := fs.String("store", "", "trust store directory (default: the configured one)")
	test := fs.Bool("test", false, "import as TEST anchors: shown as such and never accepted for real documents")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	file, code, ok := parseWithOneArg(fs, args)
	if !ok {
		return code
	}
	dir, s, ok := openTrustStore(e, "trust import", *store)
	if !ok {
		return exitInput
	}
	res, err := s.Import(file, trust.ImportOptions{Test: *test})
	if err != nil {
		return reportImportError(e, dir, err)
	}
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(struct {
			Store string `json:"store"`
			*trust.ImportResult
		}{dir, res}); err != nil {
			return exitSoft
		}
		return exitOK
	}
	printImport(e.stdout, dir, res)
	return exitOK
}

func reportImportError(e *env, dir string, err error) int {
	fmt.Fprintf(e.stderr, "idagent trust import: %v\n", err)
	switch {
	case errors.Is(err, trust.ErrUnknownFormat):
		return exitInput
	case errors.Is(err, trust.ErrRejected):
		return exitFailed
	case errors.Is(err, os.ErrPermission):
		fmt.Fprintf(e.stderr, "idagent trust import: cannot write %s: run as administrator, or choose another store with --store\n", dir)
		return exitSoft
	case errors.Is(err, os.ErrNotExist):
		return exitInput
	}
	return exitSoft
}

func printImport(w io.Writer, dir string, r *trust.ImportResult) {
	kind := r.Kind
	if r.Test {
		kind += " (as TEST anchors)"
	}
	fmt.Fprintf(w, "Imported %s %s into %s: %d added, %d already present.\n", kind, r.Source, dir, r.Added, r.Duplicates)
	if r.Signer != "" {
		state := "does NOT chain to a CSCA that was already trusted"
		if r.SignerTrusted {
			state = "chains to the trusted CSCA " + r.SignerAnchor
		}
		fmt.Fprintf(w, "List signature valid; signer %s %s.\n", r.Signer, state)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
}

func runTrustList(e *env, args []string) int {
	fs := newFlags(e, "trust list", "[--store DIR] [--json]")
	store := fs.String("store", "", "trust store directory (default: the configured one)")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent trust list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	dir, s, ok := openTrustStore(e, "trust list", *store)
	if !ok {
		return exitInput
	}
	list := s.List(time.Now())
	if *asJSON {
		out := struct {
			Store     string              `json:"store"`
			Countries []trust.CountryInfo `json:"countries"`
			Problems  []string            `json:"problems,omitempty"`
		}{dir, list, s.Problems()}
		if out.Countries == nil {
			out.Countries = []trust.CountryInfo{}
		}
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return exitSoft
		}
		return exitOK
	}
	printTrustList(e.stdout, dir, list)
	for _, p := range s.Problems() {
		fmt.Fprintf(e.stderr, "idagent trust list: not loaded: %s\n", p)
	}
	return exitOK
}

func printTrustList(w io.Writer, dir string, list []trust.CountryInfo) {
	anchors, tests, expired, soon, crls := 0, 0, 0, 0, 0
	for _, c := range list {
		fmt.Fprintf(w, "%s\n", c.Country)
		for _, a := range c.Anchors {
			anchors++
			flags := ""
			if a.Test {
				tests++
				flags += " [TEST ANCHOR]"
			}
			if a.Link {
				flags += " [link]"
			}
			switch a.Status {
			case "expired":
				expired++
			case "expires-soon":
				soon++
			}
			fmt.Fprintf(w, "  CSCA %-13s %s to %s  %s  %s%s\n", a.Status, day(a.NotBefore), day(a.NotAfter), a.Key, a.Subject, flags)
		}
		for _, d := range c.DocumentSigners {
			fmt.Fprintf(w, "  DS   %-13s %s to %s  %s  %s\n", d.Status, day(d.NotBefore), day(d.NotAfter), d.Key, d.Subject)
		}
		for _, r := range c.CRLs {
			crls++
			next := "no next update"
			if !r.NextUpdate.IsZero() {
				next = "next " + day(r.NextUpdate)
			}
			fmt.Fprintf(w, "  CRL  %-13s %s, %s, %d revoked  %s\n", r.Status, day(r.ThisUpdate), next, r.Revoked, r.Issuer)
		}
	}
	fmt.Fprintf(w, "\n%s: %d CSCA certificates (%d TEST anchors) for %d countries; %d expired, %d expire within %d days; %d CRLs.\n",
		dir, anchors, tests, len(list), expired, soon, int(trust.ExpiryWarning.Hours()/24), crls)
	if anchors == 0 {
		fmt.Fprintln(w, "The store is empty: import a CSCA master list with 'idagent trust import FILE' (see docs/TRUST.md).")
	}
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }
