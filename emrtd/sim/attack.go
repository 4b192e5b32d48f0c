package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim/issue"
)

// An Attack is a hostile chip: what an attacker builds who holds the
// genuine card (and so knows its CAN, its MRZ and every file) but cannot
// extract its private keys. A clone answers with keys of its own; a relay
// passes the genuine chip's answers on and changes what it can see. Each
// attack is one trick; Caught names the checks that must catch it, so a
// reader is tested against every attack on every profile it fits
// (docs/SIMULATOR.md, Attacks).
type Attack struct {
	Name        string
	Description string
	// clone: the chip holds keys of its own, not the document's (a clone
	// cannot extract them).
	clone bool
	// needs says what profile p lacks for the attack ("" when it fits).
	needs func(p *Profile) string
	// issue, when set, changes how the document is issued (its EF.SOD).
	issue func(o *issue.Options)
	// forge changes the issued document and the chip's behaviour.
	forge func(f *forgery) error
	// caught lists the checks that must catch the attack on a profile.
	caught func(p *Profile) []issue.Catch
}

// ErrAttackNotApplicable is wrapped when an attack needs what a profile
// lacks (hiding DG15 on a chip without one); it wraps
// issue.ErrTamperNotApplicable, so callers test one error for both.
var ErrAttackNotApplicable = fmt.Errorf("attack %w", issue.ErrTamperNotApplicable)

// Attacks lists the attack names, in catalogue order.
func Attacks() []string {
	names := make([]string, len(catalogue))
	for i, a := range catalogue {
		names[i] = a.Name
	}
	return names
}

// LookupAttack returns the named attack.
func LookupAttack(name string) (*Attack, error) {
	i := slices.IndexFunc(catalogue, func(a *Attack) bool { return a.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("sim: unknown attack %q (have %s)", name, strings.Join(Attacks(), ", "))
	}
	return catalogue[i], nil
}

// Fits reports whether the attack applies to profile p, and if not, why.
func (a *Attack) Fits(p *Profile) error {
	if a.needs == nil {
		return nil
	}
	if why := a.needs(p); why != "" {
		return fmt.Errorf("sim: %w: %s needs %s, which profile %s lacks", ErrAttackNotApplicable, a.Name, why, p.Name)
	}
	return nil
}

// Caught returns what a verifier must report for the attack on profile
// p: each check with the status it must have. A read that fails with an
// error is caught too (the attack made the chip unreadable, never PASS).
func (a *Attack) Caught(p *Profile) []issue.Catch { return a.caught(p) }

// Clone reports whether the attack's chip holds keys of its own.
func (a *Attack) Clone() bool { return a.clone }

// catches builds a caught function from a fixed list, keeping the entries
// whose data group the profile holds (dg 0: always).
func catches(list ...dgCatch) func(p *Profile) []issue.Catch {
	return func(p *Profile) []issue.Catch {
		var out []issue.Catch
		for _, c := range list {
			if c.dg == 0 || p.has(c.dg) {
				out = append(out, issue.Catch{Check: c.check, Status: c.status})
			}
		}
		return out
	}
}

// dgCatch is a catch that applies when the profile holds data group dg.
type dgCatch struct {
	check  string
	status check.Status
	dg     int
}

func failOf(name string, dg int) dgCatch { return dgCatch{name, check.Fail, dg} }

// hiddenCatches: the hash checks of hidden data groups the profile holds
// catch it, FAIL when the chip denies under secure messaging holding a
// file it signed, UNKNOWN on a chip whose refusals come unprotected
// (SM-02b/c: a relay's 6A82 looks the same); and more.
func hiddenCatches(dgs []int, more ...dgCatch) func(p *Profile) []issue.Catch {
	return func(p *Profile) []issue.Catch {
		status := check.Fail
		if slices.ContainsFunc(p.Quirks, func(q string) bool { return strings.HasPrefix(q, "sm-error-plain") }) {
			status = check.Unknown
		}
		var list []dgCatch
		for _, n := range dgs {
			list = append(list, dgCatch{check.DGHash(n), status, n})
		}
		return catches(append(list, more...)...)(p)
	}
}

// antiCloneFails: the anti-clone checks of the data groups a profile
// holds fail (the chip cannot prove a key of the document).
var antiCloneFails = []dgCatch{failOf(check.ChipAuth, 14), failOf(check.ActiveAuth, 15)}

// Profile conditions of attacks.
func needsDG(dgs ...int) func(p *Profile) string {
	return func(p *Profile) string {
		if slices.ContainsFunc(dgs, p.has) {
			return ""
		}
		names := make([]string, len(dgs))
		for i, n := range dgs {
			names[i] = fmt.Sprintf("DG%d", n)
		}
		return strings.Join(names, " or ")
	}
}

func needsPACE(p *Profile) string {
	if len(p.Security.PACE) == 0 {
		return "PACE (EF.CardAccess)"
	}
	return ""
}

func needsCA(p *Profile) string {
	if p.Security.CA == nil || !p.has(14) {
		return "chip authentication (DG14)"
	}
	return ""
}

// needsCAv1: the chip runs Chip Authentication v1 (a PACE-CAM chip
// authenticates within PACE instead).
func needsCAv1(p *Profile) string {
	if why := needsCA(p); why != "" {
		return why
	}
	if p.Security.CardSecurity {
		return "chip authentication v1 (not PACE-CAM)"
	}
	return ""
}

func needsRSAAA(p *Profile) string {
	if a := p.Security.AA; a == nil || a.Curve != nil || !p.has(15) {
		return "RSA active authentication"
	}
	return ""
}

func needsCardSecurity(p *Profile) string {
	if !p.Security.CardSecurity {
		return "PACE-CAM (EF.CardSecurity)"
	}
	return ""
}

func all(conds ...func(p *Profile) string) func(p *Profile) string {
	return func(p *Profile) string {
		for _, c := range conds {
			if why := c(p); why != "" {
				return why
			}
		}
		return ""
	}
}
