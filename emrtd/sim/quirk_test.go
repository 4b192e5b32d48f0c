package sim

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// Every quirk names a catalogue entry and applies to every profile, or
// refuses it with ErrQuirkNotApplicable (the read matrix of emrtd/read
// issues chips with each).
func TestQuirkRegistry(t *testing.T) {
	id := regexp.MustCompile(`^(T|SM|AC|FA|L|P|C)-\d\d[a-d]?$`)
	name := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	if len(Quirks()) < 30 {
		t.Fatalf("%d quirks", len(Quirks()))
	}
	for _, q := range Quirks() {
		if !id.MatchString(q.ID) || !name.MatchString(q.Name) {
			t.Errorf("quirk %q id %q", q.Name, q.ID)
		}
		for _, name := range Profiles() {
			p, _ := LookupProfile(name)
			b := &Build{Profile: p.clone(), Issue: &issue.Options{}, Behaviour: &Behaviour{}}
			if err := applyQuirks(b, p.Quirks, []string{q.Name}); err != nil && !errors.Is(err, ErrQuirkNotApplicable) {
				t.Errorf("%s on %s: %v", q.Name, name, err)
			}
		}
	}
	if _, err := LookupQuirk("nope"); err == nil {
		t.Error("unknown quirk found")
	}
	names, err := ParseQuirks(" no-sfi, ,eof-6700")
	if err != nil || !slices.Equal(names, []string{"no-sfi", "eof-6700"}) {
		t.Errorf("ParseQuirks: %v %v", names, err)
	}
	if _, err := ParseQuirks("no-sfi,nope"); err == nil {
		t.Error("ParseQuirks took an unknown name")
	}
}

// Quirks of one group exclude each other; a caller's quirk replaces the
// profile's own of its group.
func TestQuirkGroups(t *testing.T) {
	_, err := New("cccd", Options{Seed: 1, Quirks: []string{"eof-6700", "eof-6b00"}})
	if !errors.Is(err, ErrQuirkNotApplicable) || !strings.Contains(err.Error(), "exclude") {
		t.Errorf("two end-of-file signals: %v", err)
	}
	chip, err := New("cccd", Options{Seed: 1, Quirks: []string{"eof-6700", "eof-6700"}})
	if err != nil {
		t.Fatalf("a quirk given twice: %v", err)
	}
	if !slices.Equal(chip.Quirks(), []string{"eof-6700", "eof-6700"}) {
		t.Errorf("quirks %v", chip.Quirks())
	}
	base := &Profile{Name: "test", SelectMF: apdu.SWOK, Quirks: []string{"select-mf-6d00", "no-sfi"}}
	b := &Build{Profile: base.clone(), Behaviour: &Behaviour{}}
	if err := applyQuirks(b, base.Quirks, []string{"select-mf-6a86"}); err != nil {
		t.Fatal(err)
	}
	if b.Profile.SelectMF != apdu.SWIncorrectP1P2 || !b.Behaviour.NoSFI {
		t.Errorf("SELECT MF %v, no SFI %v", b.Profile.SelectMF, b.Behaviour.NoSFI)
	}
	if base.SelectMF != apdu.SWOK {
		t.Error("a quirk changed the registered profile")
	}
}

// docs/SIMULATOR.md lists every quirk with its catalogue id.
func TestQuirksDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/SIMULATOR.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range Quirks() {
		if row := "| `" + q.Name + "` | " + q.ID + " |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/SIMULATOR.md lacks the row %s", row)
		}
	}
}
