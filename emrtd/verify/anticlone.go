package verify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
)

// chipAuthentication is the chip.authentication check: the protocol's own
// outcome at the desk, counted as PASS only when passive authentication
// proved the key it used. A chip that cannot prove the key its own files
// name fails, whatever passive authentication says.
func chipAuthentication(v *verification) {
	c := check.Check{Name: check.ChipAuth}
	ca := v.ev.ChipAuth
	if ca == nil {
		v.add(v.notRun(c, "chip authentication", 14))
		return
	}
	var proven bool
	var why string
	if ca.KeySource == KeyFromCardSecurity {
		proven, why = v.cardSecurityProven()
	} else {
		proven, why = v.keyProven(14)
	}
	v.add(antiClone(c, ca.Status, ca.Unconfirmed, proven, why, chipAuthMessages(ca)))
}

// activeAuthentication is the active.authentication check: the chip's
// signature over the challenge, checked here with DG15's key, counted as
// PASS only when passive authentication proved DG15. Without a signature
// it is the desk's outcome (the chip refused or garbled the protocol, or
// its key is unusable). While the read is still going (Options.Partial)
// it is made only once active authentication ran.
func activeAuthentication(v *verification) {
	aa := v.ev.ActiveAuth
	if v.opts.Partial && aa == nil {
		return
	}
	c := check.Check{Name: check.ActiveAuth}
	if aa == nil {
		v.add(v.notRun(c, "active authentication", 15))
		return
	}
	proven, why := v.keyProven(15)
	v.add(antiClone(c, v.activeAuthStatus(aa), false, proven, why, activeAuthMessages))
}

// activeAuthStatus checks the chip's signature with DG15's key (and
// DG14's ActiveAuthenticationInfo for ECDSA); without a signature or DG15
// it is the desk's outcome.
func (v *verification) activeAuthStatus(aa *ActiveAuth) check.Status {
	if len(aa.Signature) == 0 || v.dg15 == nil {
		return aa.Status
	}
	var info *lds.ActiveAuthenticationInfo
	if v.dg14 != nil && len(v.dg14.ActiveAuthentication) > 0 {
		info = &v.dg14.ActiveAuthentication[0]
	}
	_, err := activeauth.VerifySignature(v.dg15.PublicKey, info, aa.Challenge, aa.Signature)
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
