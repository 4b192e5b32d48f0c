package sim

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/idagent/idagent/emrtd/sim/issue"
)

// Quirk is one behaviour of issued chips that the simulator can play, from
// the catalogue of real chips (../shared/reference/real-chips.md; ID is the
// catalogue entry, "SM-02c"). Quirks are combinable: sim.Options.Quirks,
// `idagent sim --quirk a,b,c` and the agent's sim.insert apply them in
// order on top of a profile.
//
// Adding a quirk is adding a table entry: call RegisterQuirks from an init
// function in the file that implements the behaviour, with an Apply that
// changes the chip being built (its profile, its document, its behaviour
// knobs or its protocols).
type Quirk struct {
	Name    string // as given to --quirk: lower case, words joined by '-'
	ID      string // catalogue id: "FA-03", "SM-02c"
	Summary string // what the chip does, in one line
	// Group names quirks that exclude one another (one answer to SELECT
	// MF, one end-of-file signal, one way of answering errors under
	// secure messaging); "" for none. The last one given wins over a
	// profile's own, two given together are refused.
	Group string
	// Apply changes the chip being built. It returns an error wrapping
	// ErrQuirkNotApplicable when the profile lacks what the quirk changes.
	Apply func(b *Build) error
	// Warns names the checks a genuine document with this quirk reads as
	// WARN by policy (a defect real documents have: the read passes with a
	// caveat); emrtd/read's quirk matrix accepts WARN for them, and only
	// for them.
	Warns []string
}

// ErrQuirkNotApplicable: the profile lacks what a quirk changes (an AA
// quirk on a chip without active authentication).
var ErrQuirkNotApplicable = errors.New("quirk not applicable to this profile")

// Build is a chip being built: a private copy of its profile, the options
// its document is issued with and the behaviour knobs of the chip. Quirks
// change it; sim.New then issues the document, runs the AfterIssue hooks,
// lays out the files and instantiates the protocols (each passed through
// the WrapProtocol hooks).
type Build struct {
	Profile   *Profile
	Issue     *issue.Options
	Behaviour *Behaviour

	afterIssue []func(doc *issue.Document) error
	wrap       []func(Protocol) Protocol
}

// AfterIssue registers a change of the issued document before the chip
// lays out its files (EF.COM replaced or removed: files outside EF.SOD's
// hashes; a change of signed files is a tamper, not a quirk).
func (b *Build) AfterIssue(f func(doc *issue.Document) error) { b.afterIssue = append(b.afterIssue, f) }

// WrapProtocol registers a decorator applied to every protocol the chip
// runs (it checks Name() and returns the others unchanged).
func (b *Build) WrapProtocol(f func(Protocol) Protocol) { b.wrap = append(b.wrap, f) }

// quirks is the registry by name.
var quirks = map[string]Quirk{}

// RegisterQuirks adds quirks to the registry. It panics on a duplicate or
// incomplete entry (a programming error, found by any test).
func RegisterQuirks(qs ...Quirk) {
	for _, q := range qs {
		if q.Name == "" || q.ID == "" || q.Summary == "" || q.Apply == nil {
			panic("sim: incomplete quirk " + q.Name)
		}
		if q.Name != strings.ToLower(q.Name) || strings.ContainsAny(q.Name, ", =") {
			panic("sim: quirk name must be lower case without ',', ' ' or '=': " + q.Name)
		}
		if _, dup := quirks[q.Name]; dup {
			panic("sim: duplicate quirk " + q.Name)
		}
		quirks[q.Name] = q
	}
}

// Quirks lists every registered quirk, by catalogue id then name.
func Quirks() []Quirk {
	out := make([]Quirk, 0, len(quirks))
	for _, q := range quirks {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// QuirkNames lists the registered quirk names, sorted.
func QuirkNames() []string {
	names := make([]string, 0, len(quirks))
	for n := range quirks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupQuirk returns the named quirk.
func LookupQuirk(name string) (Quirk, error) {
	q, ok := quirks[name]
	if !ok {
		return Quirk{}, fmt.Errorf("sim: unknown quirk %q (have %s)", truncate(name), strings.Join(QuirkNames(), ", "))
	}
	return q, nil
}

// ParseQuirks splits a comma-separated list ("no-sfi,sm-error-plain-counted")
// and checks every name; spaces around names are ignored.
func ParseQuirks(list string) ([]string, error) {
	var names []string
	for _, part := range strings.Split(list, ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			continue
		}
		if _, err := LookupQuirk(name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// applyQuirks applies the profile's own quirks, then the caller's. A
// caller's quirk replaces a profile quirk of its group; two caller quirks
// of one group are refused.
func applyQuirks(b *Build, own, extra []string) error {
	given := map[string]string{} // group → the caller's quirk
	for _, name := range extra {
		q, err := LookupQuirk(name)
		if err != nil {
			return err
		}
		if q.Group == "" {
			continue
		}
		if other, dup := given[q.Group]; dup && other != name {
			return fmt.Errorf("sim: %w: quirks %s and %s exclude each other (both set the %s)", ErrQuirkNotApplicable, other, name, q.Group)
		}
		given[q.Group] = name
	}
	for _, name := range slices.Concat(own, extra) {
		q, err := LookupQuirk(name)
		if err != nil {
			return err
		}
		if q.Group != "" && given[q.Group] != "" && slices.Contains(own, name) && !slices.Contains(extra, name) {
			continue // the caller chose another of this group
		}
		if err := q.Apply(b); err != nil {
			return fmt.Errorf("sim: quirk %s on profile %s: %w", name, b.Profile.Name, err)
		}
	}
	return nil
}

// QuirksFit reports whether a chip of the named profile can play the
// quirks (an error wrapping ErrQuirkNotApplicable when not), without
// issuing its document.
func QuirksFit(profile string, quirks ...string) error {
	base, err := LookupProfile(profile)
	if err != nil {
		return err
	}
	b := &Build{Profile: base.clone(), Issue: &issue.Options{}, Behaviour: &Behaviour{}}
	return applyQuirks(b, base.Quirks, quirks)
}

// notApplicable is the error of a quirk the profile cannot carry.
func notApplicable(why string) error { return fmt.Errorf("%w: %s", ErrQuirkNotApplicable, why) }

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
