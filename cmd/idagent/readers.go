package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/pcsc"
)

func init() {
	register(&command{name: "readers", summary: "list smart card readers and their cards (--watch: follow changes)", run: runReaders})
}

// newReaderManager is the card manager idagent readers uses; tests replace
// it with virtual readers.
var newReaderManager = func() nfc.Manager { return pcsc.New() }

func runReaders(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "readers", "[--json] [--watch]")
	asJSON := fs.Bool("json", false, "print JSON: one object, or with --watch one object per line and event")
	watch := fs.Bool("watch", false, "print reader and card events until interrupted (Ctrl-C)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent readers: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	m := newReaderManager()
	if *watch {
		return watchReaders(ctx, e, m, *asJSON)
	}
	return listReaders(ctx, e, m, *asJSON)
}

// readerJSON is one reader in the JSON output.
type readerJSON struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"cardPresent"`
	ATR         string `json:"atr,omitempty"` // hex, upper case
}

func listReaders(ctx context.Context, e *env, m nfc.Manager, asJSON bool) int {
	states, err := m.Readers(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent readers: %s\n", explainCardError(err))
		return exitNoCard
	}
	if asJSON {
		out := struct {
			Readers []readerJSON `json:"readers"`
		}{Readers: []readerJSON{}}
		for _, s := range states {
			out.Readers = append(out.Readers, readerJSON{Name: s.Name, CardPresent: s.CardPresent, ATR: hexATR(s.ATR)})
		}
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return exitSoft
		}
	} else {
		printReaders(e.stdout, states)
	}
	if len(states) == 0 {
		fmt.Fprintf(e.stderr, "idagent readers: %s\n", explainCardError(nfc.ErrNoReaders))
		return exitNoCard
	}
	return exitOK
}

func printReaders(w io.Writer, states []nfc.ReaderState) {
	width := 0
	for _, s := range states {
		width = max(width, len(s.Name))
	}
	for _, s := range states {
		if s.CardPresent {
			fmt.Fprintf(w, "%-*s  card  ATR %s\n", width, s.Name, hexATR(s.ATR))
		} else {
			fmt.Fprintf(w, "%-*s  empty\n", width, s.Name)
		}
	}
}

// eventJSON is one event in the --watch --json output.
type eventJSON struct {
	Event  string `json:"event"`
	Reader string `json:"reader,omitempty"`
	ATR    string `json:"atr,omitempty"`
	Error  string `json:"error,omitempty"`
}

// watchReaders prints events until ctx is done. A dead service is not an
// error here: the watcher waits for it, and says so on stderr.
func watchReaders(ctx context.Context, e *env, m nfc.Manager, asJSON bool) int {
	enc := json.NewEncoder(e.stdout)
	for ev := range m.Watch(ctx) {
		if ev.Kind == nfc.ServiceLost {
			fmt.Fprintf(e.stderr, "idagent readers: %s; waiting for it to come back (Ctrl-C to stop)\n", explainCardError(ev.Err))
		}
		if asJSON {
			out := eventJSON{Event: ev.Kind.String(), Reader: ev.Reader, ATR: hexATR(ev.ATR)}
			if ev.Err != nil {
				out.Error = ev.Err.Error()
			}
			if err := enc.Encode(out); err != nil {
				return exitSoft
			}
			continue
		}
		line := ev.Kind.String()
		if ev.Reader != "" {
			line += "  " + ev.Reader
		}
		if ev.ATR != nil {
			line += "  ATR " + hexATR(ev.ATR)
		}
		fmt.Fprintln(e.stdout, line)
	}
	return exitOK
}

func hexATR(atr []byte) string { return strings.ToUpper(hex.EncodeToString(atr)) }

// explainCardError turns a card-stack error into one line for a person.
func explainCardError(err error) string {
	switch {
	case errors.Is(err, nfc.ErrNoService):
		return "the smart card service is not running (start pcscd: scripts/pcscd.sh, or systemctl start pcscd)"
	case errors.Is(err, nfc.ErrNoReaders):
		return "no smart card reader is connected"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}
