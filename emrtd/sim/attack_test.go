package sim

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/issue"
)

// Every attack builds on every profile it fits, names what catches it,
// and is refused with the reason elsewhere; emrtd/read's TestAttacks reads
// each of them.
func TestAttackCatalogue(t *testing.T) {
	fits := map[string]int{}
	for _, name := range Attacks() {
		a, err := LookupAttack(name)
		if err != nil || a.Description == "" {
			t.Fatalf("%s: %v", name, err)
		}
		for _, profile := range Profiles() {
			p, _ := LookupProfile(profile)
			c, err := New(profile, Options{Seed: 5, Attack: name})
			if fitErr := a.Fits(p); fitErr != nil {
				if !errors.Is(err, ErrAttackNotApplicable) || !errors.Is(err, issue.ErrTamperNotApplicable) || !strings.Contains(err.Error(), "needs") {
					t.Errorf("%s on %s: %v, want a refusal saying what it needs", name, profile, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s on %s: %v", name, profile, err)
				continue
			}
			fits[name]++
			if len(a.Caught(p)) == 0 {
				t.Errorf("%s on %s: nothing catches it", name, profile)
			}
			// dg14-second-key publishes the clone's key in DG14 (and
			// breaks DG14's hash).
			if a.Clone() && p.has(14) && name != "dg14-second-key" && publishesChipKey(t, c) {
				t.Errorf("%s on %s: a clone holds the chip authentication key DG14 publishes", name, profile)
			}
		}
		if fits[name] == 0 {
			t.Errorf("%s fits no profile", name)
		}
	}
	honest, err := New("passport-dh", Options{Seed: 5})
	if err != nil || !publishesChipKey(t, honest) {
		t.Errorf("an honest chip does not hold the key DG14 publishes: %v", err)
	}
	if _, err := New("cccd", Options{Attack: "no-such-attack"}); err == nil || !strings.Contains(err.Error(), "dg14-hidden") {
		t.Errorf("unknown attack: %v", err)
	}
}

// publishesChipKey reports whether DG14 publishes the chip authentication
// key the chip holds.
func publishesChipKey(t *testing.T, c *Chip) bool {
	t.Helper()
	dg14, err := lds.ParseDG14(c.Document().Files[issue.FIDOfDG(14)])
	if err != nil {
		t.Fatal(err)
	}
	held, err := issue.PublicKeyInfo(c.Document().CAKey, c.Profile().Security.ExplicitParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range dg14.ChipAuthenticationPublicKeys {
		if bytes.Equal(pk.PublicKey.SPKI, held) {
			return true
		}
	}
	return false
}

// What some attacks do to the files, as a reader sees them.
func TestAttackFiles(t *testing.T) {
	honest, err := New("cccd", Options{Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	planted, err := New("cccd", Options{Seed: 6, Attack: "ca-key-planted"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := lds.ParseSecurityInfos(honest.Document().Files[issue.FIDCardAccess])
	after, err := lds.ParseSecurityInfos(planted.Document().Files[issue.FIDCardAccess])
	if err != nil || len(after.ChipAuthenticationPublicKeys) != 1 || len(after.Infos) != len(before.Infos)+2 {
		t.Errorf("planted EF.CardAccess: %v", err)
	}
	if !bytes.Equal(planted.Document().Files[issue.FIDOfDG(14)], honest.Document().Files[issue.FIDOfDG(14)]) {
		t.Error("ca-key-planted changed DG14")
	}
	com, err := New("cccd", Options{Seed: 6, Attack: "com-omits-anticlone"})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := lds.ParseCOM(com.Document().Files[issue.FIDCOM])
	if err != nil || parsed.Has(14) || parsed.Has(15) || !parsed.Has(13) {
		t.Errorf("EF.COM %v: %v", parsed, err)
	}
	hidden, err := New("cccd", Options{Seed: 6, Attack: "dg14-hidden"})
	if err != nil {
		t.Fatal(err)
	}
	if hidden.files.byFID(issue.FIDOfDG(14), true) != nil || hidden.files.byFID(issue.FIDOfDG(15), true) == nil {
		t.Error("dg14-hidden: DG14 still on the chip, or DG15 gone")
	}
}
