// Command idagent reads chip ID cards (Vietnamese CCCD, ICAO passports) on
// PC/SC readers, verifies them and serves the verified identity to browser
// applications on the same PC.
//
// Each subcommand lives in its own file and registers itself in init.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes shared by the subcommands.
const (
	exitOK      = 0
	exitFailed  = 1 // the operation ran and a check or the read failed
	exitUnknown = 2 // verification: trust could not be established
	exitUsage   = 64
	exitInput   = 65 // unusable input (malformed file, bad key format)
	exitNoCard  = 69 // no service, reader or card
	exitAccess  = 77 // access denied: the key does not open the chip
	exitSoft    = 70 // internal error
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	// run parses args (after the subcommand name) and returns an exit code.
	run func(ctx context.Context, env *env, args []string) int
}

// env is what a subcommand sees of the process.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "idagent: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: idagent <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'idagent <command> --help' for a command's flags.")
}

// dispatchSub runs the sub-subcommand of a command with sub-subcommands
// (idagent trust import, idagent token create): help prints usage on
// stdout; no or an unknown sub-subcommand prints it on stderr (exitUsage).
func dispatchSub(e *env, name, usage string, subs map[string]func(*env, []string) int, args []string) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	if len(args) > 0 {
		if run, ok := subs[args[0]]; ok {
			return run(e, args[1:])
		}
		fmt.Fprintf(e.stderr, "idagent %s: unknown subcommand %q\n\n", name, args[0])
	}
	fmt.Fprint(e.stderr, usage)
	return exitUsage
}

// newFlags returns a flag set for a subcommand that prints its usage to the
// command's stderr, with the synopsis line first.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: idagent %s %s\n", name, synopsis)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
		if b.Len() > 0 {
			fmt.Fprintf(fs.Output(), "\nflags:\n%s", b.String())
		}
	}
	return fs
}

// parseFlags parses args and maps -h/--help to exit 0 and bad flags to
// exitUsage. ok is false when the command should return code.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}
