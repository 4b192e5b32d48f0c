package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/nfc/vpcd"
)

func init() {
	register(&command{name: "sim", summary: "insert a software chip (test identity) into the vpcd virtual reader", run: runSim})
}

// simFlags are the flags of idagent sim.
type simFlags struct {
	profile     string
	addr        string
	seed        uint64
	json        bool
	tamper      string
	maxResponse int
	overLimit   string
	noExtended  bool
	link        string
	parents     string
	quirks      []string
	listQuirks  bool
	attack      string
	listAttacks bool
}

func runSim(ctx context.Context, e *env, args []string) int {
	var f simFlags
	fs := newFlags(e, "sim", "--profile NAME [--quirk LIST] [--attack NAME] [--vpcd ADDR] [--seed N] [--json] [--tamper KIND] [--max-response N] [--no-extended] [--link RATE] | --list-quirks | --list-attacks")
	fs.StringVar(&f.profile, "profile", "cccd", "chip profile: "+strings.Join(sim.Profiles(), ", ")+
		"; or a document profile (a real document's quirks): "+strings.Join(sim.Documents(), ", "))
	fs.StringVar(&f.addr, "vpcd", vpcd.Reader0Addr, "address of the vpcd reader driver ("+vpcd.Reader1Addr+" is the second reader)")
	fs.Uint64Var(&f.seed, "seed", 1, "identity seed: the same seed gives the same person and keys")
	fs.BoolVar(&f.json, "json", false, "print the access data as one JSON object on one line")
	fs.StringVar(&f.tamper, "tamper", "", "forge the document: "+tamperNames())
	fs.IntVar(&f.maxResponse, "max-response", 0, "largest READ BINARY response data the chip sends (0: no limit)")
	fs.StringVar(&f.overLimit, "over-limit", "6700", "answer to a read over --max-response: 6700 (wrong length, not counted) or short (fewer bytes)")
	fs.BoolVar(&f.noExtended, "no-extended", false, "short APDUs only: extended APDUs answer 6700")
	fs.StringVar(&f.link, "link", "", "delay responses like a contactless link: "+strings.Join(link.Names, ", "))
	fs.StringVar(&f.parents, "parents", "separate", "DG13 nesting of the parents' names: separate or together")
	fs.Func("quirk", "behaviours of real chips to play, comma-separated (--list-quirks lists them)", func(v string) error {
		names, err := sim.ParseQuirks(v)
		f.quirks = append(f.quirks, names...)
		return err
	})
	fs.BoolVar(&f.listQuirks, "list-quirks", false, "list the quirks with their catalogue ids and exit")
	fs.StringVar(&f.attack, "attack", "", "make the chip a hostile one (a clone or a relay; --list-attacks lists them)")
	fs.BoolVar(&f.listAttacks, "list-attacks", false, "list the attacks with what they do and exit")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if f.listQuirks {
		return listQuirks(e)
	}
	if f.listAttacks {
		return listAttacks(e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent sim: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	opts, model, err := f.options()
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent sim: %v\n", err)
		return exitUsage
	}
	chip, err := sim.New(f.profile, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent sim: %v\n", err)
		return exitUsage
	}
	return serveSim(ctx, e, f, chip, model)
}

// options turns the flags into the chip's options and the link model.
func (f simFlags) options() (sim.Options, *link.Model, error) {
	opts := sim.Options{Seed: f.seed, Tamper: issue.Tamper(f.tamper), Quirks: f.quirks, Attack: f.attack}
	opts.Limits = sim.Limits{NoExtended: f.noExtended, MaxResponse: f.maxResponse}
	if f.maxResponse < 0 {
		return opts, nil, fmt.Errorf("--max-response must not be negative")
	}
	switch f.overLimit {
	case "6700":
	case "short":
		opts.Limits.OverLimit = sim.ShortRead
	default:
		return opts, nil, fmt.Errorf("--over-limit must be 6700 or short")
	}
	switch f.parents {
	case "separate":
	case "together":
		opts.Parents = issue.ParentsTogether
	default:
		return opts, nil, fmt.Errorf("--parents must be separate or together")
	}
	var model *link.Model
	if f.link != "" {
		var err error
		if model, err = link.New(f.link); err != nil {
			return opts, nil, err
		}
	}
	return opts, model, nil
}

// listQuirks prints the quirk table: name, catalogue id, what the chip
// does.
func listQuirks(e *env) int {
	var b strings.Builder
	for _, q := range sim.Quirks() {
		fmt.Fprintf(&b, "%-26s %-7s %s\n", q.Name, q.ID, q.Summary)
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return exitSoft
	}
	return exitOK
}

// listAttacks prints the attack catalogue: name and what the chip does.
func listAttacks(e *env) int {
	var b strings.Builder
	for _, name := range sim.Attacks() {
		a, _ := sim.LookupAttack(name)
		fmt.Fprintf(&b, "%-28s %s\n", a.Name, a.Description)
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return exitSoft
	}
	return exitOK
}

func tamperNames() string {
	names := make([]string, len(issue.Tampers))
	for i, t := range issue.Tampers {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// serveSim inserts the chip, prints its access data and keeps it in the
// reader until ctx is done (Ctrl-C), then removes it.
func serveSim(ctx context.Context, e *env, f simFlags, chip *sim.Chip, model *link.Model) int {
	cfg := vpcd.Config{Reconnect: true}
	if model != nil {
		cfg.Delay = model.Delay
	}
	in, err := vpcd.Insert(ctx, f.addr, chip, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent sim: cannot insert the card into the vpcd reader at %s: %v\n"+
			"  Is pcscd running with the vsmartcard-vpcd driver installed (apt-get install pcscd vsmartcard-vpcd)?\n", f.addr, err)
		return exitNoCard
	}
	data := chip.AccessData()
	data.Reader = vpcdReaderName(f.addr)
	if err := printAccessData(e.stdout, data, chip.Protocols(), f); err != nil {
		in.Remove()
		fmt.Fprintf(e.stderr, "idagent sim: %v\n", err)
		return exitSoft
	}
	select {
	case <-ctx.Done():
	case <-in.Done():
		// Both may be ready when idagent sim is told to stop: the card
		// left then because of it.
		if ctx.Err() == nil {
			fmt.Fprintf(e.stderr, "idagent sim: the card left the reader: %v\n", in.Err())
			return exitNoCard
		}
	}
	in.Remove()
	if !f.json {
		fmt.Fprintln(e.stderr, "Card removed.")
	}
	return exitOK
}

// vpcdReaderName is the pcscd name of the vpcd reader at addr: the Debian
// driver serves "Virtual PCD 00 00" on port 35963, "Virtual PCD 00 01" on
// 35964, and so on.
func vpcdReaderName(addr string) string {
	_, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "vpcd reader at " + addr
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 35963 || port > 35963+99 {
		return "vpcd reader at " + addr
	}
	return fmt.Sprintf("Virtual PCD 00 %02d", port-35963)
}

// printAccessData prints the test identity's access data: this command
// shows it on purpose (the user asked for a test card and needs its keys).
func printAccessData(w io.Writer, data sim.AccessData, protocols []string, f simFlags) error {
	if f.json {
		// One line, and the MRZ's '<' left as it is (no HTML escaping).
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(data); err != nil {
			return fmt.Errorf("write access data: %w", err)
		}
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Software chip (profile %s, seed %d", f.profile, f.seed)
	if f.tamper != "" {
		fmt.Fprintf(&b, ", FORGED: %s", f.tamper)
	}
	if f.attack != "" {
		fmt.Fprintf(&b, ", HOSTILE: %s", f.attack)
	}
	if len(f.quirks) > 0 {
		fmt.Fprintf(&b, ", quirks %s", strings.Join(f.quirks, ","))
	}
	fmt.Fprintf(&b, ") inserted into %s\n", data.Reader)
	fmt.Fprintf(&b, "  Protocols        %s\n", strings.Join(protocols, ", "))
	fmt.Fprintf(&b, "  ID12             %s\n", data.ID12)
	fmt.Fprintf(&b, "  CAN              %s\n", data.CAN)
	fmt.Fprintf(&b, "  Document number  %s\n", data.DocumentNumber)
	fmt.Fprintf(&b, "  Date of birth    %s\n", data.DateOfBirth)
	fmt.Fprintf(&b, "  Date of expiry   %s\n", data.DateOfExpiry)
	for i, line := range strings.Split(data.MRZ, "\n") {
		label := ""
		if i == 0 {
			label = "MRZ"
		}
		fmt.Fprintf(&b, "  %-16s %s\n", label, line)
	}
	b.WriteString("A test identity: its keys and signatures come from the TEST PKI (emrtd/sim/testpki).\nPress Ctrl-C to remove the card.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
