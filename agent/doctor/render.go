package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Labels are the names of the checks on the screen.
var Labels = map[string]string{
	IDConfig:    "config",
	IDSmartCard: "smart-card service",
	IDReaders:   "readers",
	IDTrust:     "trust store",
	IDPort:      "port",
	IDService:   "service",
	IDBrowser:   "browser",
}

// Screen layout: status, label, then the text; details and advice are
// indented to the text's column so that each check reads as one block.
const (
	statusWidth = 6
	labelWidth  = 20
)

// WriteText writes the report as one screen: a line per check (problems
// in capitals, so that they can be read out on the phone), its details
// and advice indented below, and the verdict last.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "idagent doctor %s (%s)\n\n", r.Version, r.Platform)
	indent := strings.Repeat(" ", statusWidth+labelWidth)
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%-*s%-*s%s\n", statusWidth, statusLabel(c.Status), labelWidth, label(c.ID), c.Summary)
		for _, d := range c.Detail {
			fmt.Fprintf(&b, "%s%s\n", indent, d)
		}
		for _, a := range c.Advice {
			fmt.Fprintf(&b, "%sdo: %s\n", indent, a)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", verdictLine(r))
	_, err := io.WriteString(w, b.String())
	return err
}

func statusLabel(s Status) string {
	if s.rank() > 0 {
		return strings.ToUpper(string(s))
	}
	return string(s)
}

func label(id string) string {
	if l, ok := Labels[id]; ok {
		return l
	}
	return id
}

// verdictLine is "all good" or the number of problems and where they are.
func verdictLine(r Report) string {
	if r.Problems == 0 {
		skips := 0
		for _, c := range r.Checks {
			if c.Status == Skip {
				skips++
			}
		}
		if skips > 0 {
			return fmt.Sprintf("all good (%s skipped)", plural(skips, "check"))
		}
		return "all good"
	}
	var where []string
	for _, c := range r.Checks {
		if c.Status.rank() > 0 {
			where = append(where, fmt.Sprintf("%s (%s)", label(c.ID), c.Status))
		}
	}
	return fmt.Sprintf("%s: %s", plural(r.Problems, "problem"), strings.Join(where, ", "))
}

// WriteJSON writes the report as one JSON object (docs/DOCTOR.md).
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
