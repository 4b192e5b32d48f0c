package verify

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
)

// chipAuthentication is the chip.authentication check: the protocol's own
// outcome at the desk, counted as PASS only when passive authentication
// proved the key it used and that key is one DG14 publishes. A chip that
// cannot prove the key its own files name fails, whatever passive
// authentication says. Where EF.SOD lists DG14, chip authentication is
// required: not running it at the desk, or a chip that does not complete
// it, is FAIL. Where EF.SOD lists neither DG14 nor DG15 nothing proves the
// chip genuine: WARN (NOT_PROVEN), never PASS. Away from the desk it is
// what chipAuthAway makes of it.
func chipAuthentication(v *verification) {
	c := v.chipAuthAtDesk()
	if !v.opts.AtDesk {
		c = v.chipAuthAway(c)
	}
	v.add(c)
}

func (v *verification) chipAuthAtDesk() check.Check {
	c := check.Check{Name: check.ChipAuth}
	ca := v.ev.ChipAuth
	required := v.offersChipAuth()
	if v.sodLists(14) && !required && (ca == nil || ca.Status == check.NotSupported) {
		ca = nil // the chip has no chip authentication: nothing ran, rightly
	}
	if ca == nil {
		switch {
		case v.sod != nil && !required && !v.sodLists(15) && v.ev.CardSecurity == nil:
			c.Status, c.Reason = check.Warn, ReasonNotProven
			c.Message = "The document's signed data offers neither chip nor active authentication, so nothing shows the chip is not a copy: check the document itself."
			return c
		case required && (v.opts.AtDesk || v.refused(14)):
			return v.requiredNotRun(c, "chip authentication", 14)
		case v.sodLists(14) && !required:
			c.Status, c.Reason = check.NotSupported, ReasonNotSupported
			c.Message = "The document's signed DG14 publishes no chip authentication key (it lists what EF.CardAccess offers): the chip does not support chip authentication."
			return c
		}
		return v.notRun(c, "chip authentication", 14)
	}
	var proven bool
	var why string
	if ca.KeySource == KeyFromCardSecurity {
		proven, why = v.cardSecurityProven()
	} else {
		proven, why = v.keyProven(14)
	}
	c = antiClone(c, ca.Status, ca.Unconfirmed, proven, why, chipAuthMessages(ca))
	if ca.Status == check.Pass {
		c = v.chipKeySigned(c, ca)
	}
	if required {
		c = requiredAntiClone(c, "chip authentication", 14)
	}
	return c
}

// offersChipAuth reports whether the document's signed data offers chip
// authentication, which then must run and pass: EF.SOD lists DG14 and
// DG14, when it could be parsed, publishes a chip authentication key. A
// PACE chip without chip authentication still has a DG14, for the
// SecurityInfos of EF.CardAccess (ICAO 9303-11 §9.2.11; real-chips.md
// C-07); a DG14 that is missing or does not parse counts as offering it
// (hiding or garbling it must not switch the requirement off).
func (v *verification) offersChipAuth() bool {
	if !v.sodLists(14) {
		return false
	}
	return v.dg14 == nil || len(v.dg14.ChipAuthenticationPublicKeys) > 0
}

// chipKeySigned makes chip.authentication FAIL when the key the chip
// proved is not one its files publish: DG14's, and with PACE-CAM
// EF.CardSecurity's, which must then be DG14's too when EF.SOD lists DG14
// (an EF.CardSecurity can come from another document). Whether those
// files are proven is passive authentication's business (KEY_NOT_VERIFIED
// until they are).
func (v *verification) chipKeySigned(c check.Check, ca *ChipAuth) check.Check {
	where := v.dg14
	if !v.sodLists(14) && ca.KeySource == KeyFromCardSecurity && v.cardSecurity != nil {
		where = v.cardSecurity.infos
	}
	if publishes(where, ca.PublicKey) {
		return c
	}
	if v.sodLists(14) && v.dg14 == nil {
		c.Status, c.Reason = check.Fail, ReasonRequiredNotRun
		c.Message = fmt.Sprintf("The chip proved a key, but %s, so the key cannot be bound to this document's signed DG14: it may be another chip's.", v.whyNotRead(14))
		return c
	}
	file := "DG14"
	if where != v.dg14 {
		file = KeyFromCardSecurity
	}
	c.Status, c.Reason = check.Fail, ReasonKeyNotSigned
	c.Message = fmt.Sprintf("The chip proved a key that %s does not publish: it is not the chip the document was issued with.", file)
	return c
}

// publishes reports whether infos hold a chip authentication public key
// whose public value is key.
func publishes(infos *lds.SecurityInfos, key []byte) bool {
	if infos == nil || len(key) == 0 {
		return false
	}
	for _, pk := range infos.ChipAuthenticationPublicKeys {
		d, err := keyagree.DomainOfKey(pk.PublicKey)
		if err != nil {
			continue
		}
		if v, err := d.PublicValue(pk.PublicKey); err == nil && bytes.Equal(v, key) {
			return true
		}
	}
	return false
}

// requiredAntiClone applies "required where signed data offers it" to an
// anti-clone check: a chip that refused or did not complete the protocol
// fails (a genuine chip completes it). A key this reader cannot use
// stays UNKNOWN (the document is not at fault), never PASS.
func requiredAntiClone(c check.Check, protocol string, dg int) check.Check {
	switch c.Reason {
	case ReasonProtocolError, ReasonUnconfirmed:
		c.Status = check.Fail
		c.Message = fmt.Sprintf("The document's signed data lists DG%d, so a genuine chip completes %s; this chip did not: it may be a copy.", dg, protocol)
	case ReasonNotSupported:
		c.Status = check.Unknown
		c.Message = fmt.Sprintf("The document's signed data lists DG%d, but this reader cannot use its key, so %s could not show the chip is not a copy.", dg, protocol)
	}
	return c
}

// chipAuthAway is chip authentication as a server sees it: only the desk
// saw the chip prove its key, and that proof cannot be shown to anyone
// else. A desk's report that the chip failed counts (a desk that lies
// about that harms only itself); one that it passed never makes a PASS:
// when active authentication, checked here, proves the chip, chip
// authentication is SKIPPED, otherwise the chip's authenticity is verified
// at the desk only (WARN). A chip that holds a chip authentication key
// but shows no proof at all, by either protocol, is UNKNOWN.
func (v *verification) chipAuthAway(c check.Check) check.Check {
	aaProven := v.activeAuthProven()
	switch {
	case c.Status == check.Pass && aaProven:
		c.Status, c.Reason = check.Skipped, ReasonVerifiedAtDeskOnly
		c.Message = "The desk reports that the chip proved its chip authentication key; that proof cannot be checked again here. Active authentication, checked here, shows the chip is not a copy."
	case c.Status == check.Pass:
		c.Status, c.Reason = check.Warn, ReasonVerifiedAtDeskOnly
		c.Message = "Chip authenticity verified at the desk only: the desk reports that the chip proved its chip authentication key, which cannot be checked again here, and the chip signed no challenge this verification can check (active authentication)."
	case (c.Status == check.NotSupported || c.Status == check.Skipped) && v.holdsChipAuthKey() && !aaProven:
		c.Status, c.Reason = check.Unknown, ReasonNotShown
		c.Message = "The chip holds a chip authentication key, but the evidence shows neither chip authentication nor active authentication: it cannot be told from a copy."
	}
	return c
}

// holdsChipAuthKey reports whether the chip's files name a chip
// authentication key: DG14 has one (or is listed in EF.SOD without being
// in the evidence), or EF.CardSecurity is there (PACE-CAM).
func (v *verification) holdsChipAuthKey() bool {
	if v.dg14 != nil {
		return len(v.dg14.ChipAuthenticationPublicKeys) > 0
	}
	return v.sodLists(14) || v.ev.CardSecurity != nil
}

// activeAuthentication is the active.authentication check: the chip's
// signature over the challenge, checked here with DG15's key, counted as
// PASS only when passive authentication proved DG15. Without a signature
// it is the desk's outcome (the chip refused or garbled the protocol, or
// its key is unusable); away from the desk, a chip that holds DG15 and
// shows no signature is UNKNOWN (SIGNATURE_MISSING). Where EF.SOD lists
// DG15 it is required, as chip authentication where it lists DG14.
func activeAuthentication(v *verification) {
	c := check.Check{Name: check.ActiveAuth}
	status := v.activeAuthStatus()
	switch {
	case status == nil && v.sodLists(15) && (v.opts.AtDesk || v.refused(15)):
		c = v.requiredNotRun(c, "active authentication", 15)
	case status == nil:
		c = v.notRun(c, "active authentication", 15)
	case *status == statusMissing:
		c.Status, c.Reason = check.Unknown, ReasonSignatureMissing
		c.Message = "The chip holds an active authentication key (DG15), but the evidence carries no signature of the chip to check with it, so it cannot be told from a copy."
	default:
		proven, why := v.keyProven(15)
		c = antiClone(c, *status, false, proven, why, activeAuthMessages)
		// A signature cut short on the way (real-chips T-04) is
		// inconclusive, not a refusal: it stays UNKNOWN.
		if v.sodLists(15) && (v.ev.ActiveAuth == nil || len(v.ev.ActiveAuth.Signature) == 0) {
			c = requiredAntiClone(c, "active authentication", 15)
		}
	}
	v.add(c)
}

// statusMissing is activeAuthStatus's outcome for a chip that holds DG15
// and shows no signature away from the desk.
const statusMissing check.Status = "missing"

// activeAuthStatus is active authentication's own outcome, decided once:
// the chip's signature checked with DG15's key (and DG14's
// ActiveAuthenticationInfo for ECDSA); without a signature the desk's
// outcome, which away from the desk counts only when it is a failure. nil
// when active authentication did not run and, away from the desk, the
// chip holds no DG15.
func (v *verification) activeAuthStatus() *check.Status {
	if v.aa == nil {
		s, ran := v.decideActiveAuth()
		if !ran {
			return nil
		}
		v.aa = &s
	}
	return v.aa
}

func (v *verification) decideActiveAuth() (check.Status, bool) {
	aa := v.ev.ActiveAuth
	switch {
	case aa != nil && len(aa.Signature) > 0 && v.dg15 != nil:
		return v.checkSignature(aa.Challenge, aa.Signature), true
	case v.opts.AtDesk && aa == nil:
		return "", false
	case v.opts.AtDesk:
		return aa.Status, true
	case aa != nil && (aa.Status == check.Fail || aa.Status == check.Unknown):
		return aa.Status, true
	case v.dg15 != nil && v.checkSignature(make([]byte, activeauth.ChallengeLen), nil) == check.NotSupported:
		return check.NotSupported, true // the key is unusable: no signature can be checked
	case v.holds(15):
		return statusMissing, true
	}
	return "", false
}

// checkSignature checks a signature over challenge with DG15's key.
func (v *verification) checkSignature(challenge, signature []byte) check.Status {
	var info *lds.ActiveAuthenticationInfo
	if v.dg14 != nil && len(v.dg14.ActiveAuthentication) > 0 {
		info = &v.dg14.ActiveAuthentication[0]
	}
	_, err := activeauth.VerifySignature(v.dg15.PublicKey, info, challenge, signature)
	switch {
	case err == nil:
		return check.Pass
	case errors.Is(err, activeauth.ErrFailed):
		return check.Fail
	case errors.Is(err, activeauth.ErrUnsupported):
		return check.NotSupported
	}
	return check.Unknown
}

// activeAuthProven reports whether active authentication proves the chip
// here: its signature verified with DG15's key, and DG15 is proven.
func (v *verification) activeAuthProven() bool {
	s := v.activeAuthStatus()
	if s == nil || *s != check.Pass {
		return false
	}
	proven, _ := v.keyProven(15)
	return proven
}

// cloneMessages are the reasons and sentences of one anti-clone check.
type cloneMessages struct {
	passReason, failReason string
	pass, fail, keyFile    string
}

var activeAuthMessages = cloneMessages{
	passReason: ReasonSignatureValid, failReason: ReasonSignatureInvalid,
	pass:    "The chip signed the challenge with the private key of DG15 (active authentication): it is not a copy.",
	fail:    "The chip's signature does not verify with the key of DG15: the chip is not the one the document was issued with (a clone) or it answered wrongly.",
	keyFile: "DG15",
}

func chipAuthMessages(ca *ChipAuth) cloneMessages {
	how := "chip authentication"
	if ca.Mechanism == ChipAuthCAM {
		how = "PACE chip authentication mapping"
	}
	return cloneMessages{
		passReason: ReasonChipAuthenticated, failReason: ReasonKeyMismatch,
		pass:    fmt.Sprintf("The chip proved it holds the private key of %s (%s): it is not a copy.", ca.KeySource, how),
		fail:    fmt.Sprintf("The chip could not prove it holds the private key %s names (%s): it is not the chip the document was issued with (a clone).", ca.KeySource, how),
		keyFile: ca.KeySource,
	}
}

// antiClone combines an anti-clone protocol's outcome with whether
// passive authentication proved its key.
func antiClone(c check.Check, status check.Status, unconfirmed, proven bool, why string, m cloneMessages) check.Check {
	switch {
	case status == check.Fail:
		c.Status, c.Reason, c.Message = check.Fail, m.failReason, m.fail
	case status == check.NotSupported:
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNotSupported,
			fmt.Sprintf("The key of %s cannot be used by this reader.", m.keyFile)
	case status != check.Pass:
		c.Status, c.Reason = check.Unknown, ReasonProtocolError
		c.Message = "The chip did not complete the protocol, so it could not be decided whether it is a copy."
		if unconfirmed {
			c.Reason = ReasonUnconfirmed
		}
	case !proven:
		c.Status, c.Reason = check.Unknown, ReasonKeyNotVerified
		c.Message = fmt.Sprintf("The chip proved it holds the key of %s, but %s is not proven genuine (%s), so this does not show the chip is genuine.", m.keyFile, m.keyFile, why)
	default:
		c.Status, c.Reason, c.Message = check.Pass, m.passReason, m.pass
	}
	return c
}

// notRun is an anti-clone check whose protocol did not run: the chip lacks
// its data group dg (NOT_SUPPORTED), or dg was not asked for (SKIPPED).
func (v *verification) notRun(c check.Check, protocol string, dg int) check.Check {
	if v.ev.requested(dg) {
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNotSupported,
			fmt.Sprintf("The chip does not support %s (no DG%d).", protocol, dg)
	} else {
		c.Status, c.Reason, c.Message = check.Skipped, ReasonNotRequested,
			fmt.Sprintf("%s%s was not asked for (DG%d not read).", strings.ToUpper(protocol[:1]), protocol[1:], dg)
	}
	return c
}

// requiredNotRun is an anti-clone check whose protocol did not run though
// EF.SOD lists its data group dg: the chip withheld the key, or the desk
// did not read it.
func (v *verification) requiredNotRun(c check.Check, protocol string, dg int) check.Check {
	c.Status, c.Reason = check.Fail, ReasonRequiredNotRun
	c.Message = fmt.Sprintf("The document's signed data lists DG%d, so the chip must prove its key with %s, but %s did not run (%s): it may be a copy.",
		dg, protocol, protocol, v.whyNotRead(dg))
	return c
}

// refused reports whether the desk asked for data group dg and did not
// get it (a desk observation that only lowers the verdict).
func (v *verification) refused(dg int) bool {
	return slices.ContainsFunc(v.ev.Refused, func(f Refused) bool { return f.DG == dg && f.Status != FileSkipped })
}

// whyNotRead says what became of data group dg at the desk.
func (v *verification) whyNotRead(dg int) string {
	for _, f := range v.ev.Refused {
		if f.DG != dg {
			continue
		}
		switch {
		case f.Unprotected:
			return fmt.Sprintf("DG%d was refused with an unprotected answer", dg)
		case f.Status == FileAbsent:
			return fmt.Sprintf("the chip said it holds no DG%d", dg)
		case f.Status == FileProtected:
			return fmt.Sprintf("the chip refused DG%d", dg)
		case f.Status == FileSkipped:
			return fmt.Sprintf("DG%d was not read", dg)
		}
		return fmt.Sprintf("DG%d could not be read", dg)
	}
	if _, ok := v.ev.DataGroups[dg]; ok {
		return fmt.Sprintf("DG%d was read but its key was not used", dg)
	}
	return fmt.Sprintf("DG%d was not read", dg)
}
