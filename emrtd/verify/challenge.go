package verify

import (
	"bytes"

	"github.com/idagent/idagent/emrtd/check"
)

// challengeSigned is the challenge check, made when the verifier gave a
// challenge (Options.Challenge): the chip must have signed exactly that
// challenge in active authentication, so the evidence comes from a read
// made for this verification and not from a recording. A chip that signed
// another challenge fails; one that cannot sign any (no active
// authentication) leaves the evidence unbound, WARN (UNKNOWN with
// Options.RequireSignedChallenge); one that could but shows no valid
// signature is UNKNOWN.
func challengeSigned(v *verification) {
	want := v.opts.Challenge
	if want == nil {
		return
	}
	c := check.Check{Name: check.Challenge}
	aa := v.ev.ActiveAuth
	switch {
	case aa != nil && len(aa.Challenge) > 0 && !bytes.Equal(aa.Challenge, want):
		c.Status, c.Reason = check.Fail, ReasonChallengeMismatch
		c.Message = "The chip signed another challenge than this verification's: the evidence comes from another read."
	case v.activeAuthProven() && aa != nil:
		c.Status, c.Reason = check.Pass, ReasonChallengeSigned
		c.Message = "The chip signed this verification's challenge: the evidence comes from a read made for it."
	case !v.holds(15):
		c.Status, c.Reason = check.Warn, ReasonChallengeNotSigned
		if v.opts.RequireSignedChallenge {
			c.Status = check.Unknown
		}
		c.Message = "This chip cannot sign a challenge (it has no active authentication), so the evidence is not bound to this verification and could be a recording of an earlier read; chip authenticity verified at the desk only."
	default:
		c.Status, c.Reason = check.Unknown, ReasonChallengeNotSigned
		c.Message = "The chip's signature over this verification's challenge is missing or not proven, so the evidence is not shown to come from a read made for it."
	}
	v.add(c)
}
