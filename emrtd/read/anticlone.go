package read

import (
	"context"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/verify"
)

// camState is the chip authentication mapping of PACE, waiting for the
// chip's public key to be proven by passive authentication.
type camState struct {
	cam          *pace.CAM
	cardSecurity []byte         // EF.CardSecurity as read, nil when unreadable
	key          *lds.PublicKey // the key the mapping data verified against
	// later are the mapping data of PACE runs after the first (the chip
	// was opened again) before the key was known: each must verify too.
	later []*pace.CAM
}

// startCAM reads EF.CardSecurity after PACE-CAM and checks the mapping's
// chip authentication data against its key. The key is not trusted yet:
// the chip.authentication check waits for passive authentication of
// EF.CardSecurity (or of DG14, when EF.CardSecurity is unreadable).
func (r *reading) startCAM(ctx context.Context, cam *pace.CAM, p pace.Params) error {
	r.cam = &camState{cam: cam}
	r.res.ChipAuth = &ChipAuthResult{Mechanism: ChipAuthCAM, Protocol: lds.ProtocolName(p.Protocol),
		KeySource: verify.KeyFromCardSecurity, Status: check.Unknown, Error: "no chip authentication key could be read"}
	data, err := r.readFile(ctx, files.EFCardSecurity, 0)
	if err != nil {
		return err
	}
	infos, err := cardSecurityInfos(data)
	if data == nil || err != nil {
		if err != nil {
			r.warn("EF.CardSecurity could not be parsed; chip authentication uses DG14")
		}
		return nil // DG14's key is tried once read
	}
	r.cam.cardSecurity = data
	r.verifyCAM(infos, verify.KeyFromCardSecurity)
	return nil
}

// verifyCAM checks the chip authentication mapping data against the chip
// authentication key of infos (from EF.CardSecurity or DG14).
func (r *reading) verifyCAM(infos *lds.SecurityInfos, source string) {
	ca := r.res.ChipAuth
	ca.KeySource = source
	var last error
	for _, pk := range infos.ChipAuthenticationPublicKeys {
		if last = r.cam.cam.Verify(pk.PublicKey); last == nil {
			for _, later := range r.cam.later {
				if err := later.Verify(pk.PublicKey); err != nil {
					ca.Status, ca.Error = check.Fail, "after the chip was opened again: "+err.Error()
					return
				}
			}
			ca.Status, ca.Error = check.Pass, ""
			ca.Repeated = len(r.cam.later)
			ca.PublicKey = publicValue(pk.PublicKey)
			r.cam.key = pk.PublicKey
			return
		}
	}
	switch {
	case last == nil:
		ca.Status, ca.Error = check.NotSupported, source+" holds no chip authentication public key"
	case errors.Is(last, pace.ErrChipAuthentication):
		ca.Status, ca.Error = check.Fail, last.Error()
	default:
		ca.Status, ca.Error = check.Unknown, last.Error()
	}
}

// chipAuthentication runs Chip Authentication v1 with DG14's key, unless
// PACE-CAM authenticated the chip already. next is the file read next: its
// first READ BINARY proves the new session keys, so the protocol costs
// its two commands and no more. A chip that fails (a clone) has dropped
// secure messaging: it is opened again and the read goes on.
func (r *reading) chipAuthentication(ctx context.Context, next files.File) error {
	if r.cam != nil {
		if r.cam.cardSecurity == nil && r.res.DG14 != nil {
			r.verifyCAM(r.res.DG14, verify.KeyFromDG14)
		}
		return nil
	}
	// DG14's keys only: EF.CardAccess is unsigned, and a key planted
	// there would prove nothing (issue 13).
	p, err := chipauth.Select(r.res.DG14)
	if err != nil {
		r.res.ChipAuth = &ChipAuthResult{Mechanism: ChipAuthCA, KeySource: verify.KeyFromDG14, Status: check.NotSupported, Error: err.Error()}
		return nil
	}
	r.begin(PhaseChipAuth, "")
	ca := &ChipAuthResult{Mechanism: ChipAuthCA, Protocol: lds.ProtocolName(p.Protocol), KeySource: verify.KeyFromDG14,
		PublicKey: p.PublicKey}
	r.res.ChipAuth = ca
	opts := &chipauth.Options{Rand: r.opts.Rand}
	probe, useProbe := r.files.FirstRead(next)
	if useProbe {
		opts.Probe = &probe
	}
	s, res, err := chipauth.Authenticate(ctx, r.plain, r.session.Channel().Session(), p, opts)
	if errors.Is(err, chipauth.ErrKATRefused) {
		// A 3DES chip that takes only MSE:Set AT (C-01) refused MSE:Set
		// KAT unprotected: open it again and use Set AT.
		if err := r.session.Recover(ctx, err); err != nil {
			return fmt.Errorf("open the chip again: %w", err)
		}
		p.SetAT = true
		s, res, err = chipauth.Authenticate(ctx, r.plain, r.session.Channel().Session(), p, opts)
	}
	switch {
	case err == nil:
		ca.Status = check.Pass
		r.caParams = &res.Params // with SetAT when the chip refused MSE:Set KAT
		r.session.Rekey(sm.NewChannel(r.plain, s))
		if useProbe {
			r.files.UseFirstRead(next, res.Probe)
		}
		return nil
	case endsRead(err):
		return fmt.Errorf("chip authentication: %w", err)
	case errors.Is(err, chipauth.ErrFailed):
		ca.Status, ca.Error = check.Fail, err.Error()
	case errors.Is(err, chipauth.ErrUnsupported):
		ca.Status, ca.Error = check.NotSupported, err.Error()
		return nil // nothing was sent
	default: // ErrUnconfirmed, ErrProtocol
		ca.Status, ca.Error = check.Unknown, err.Error()
		ca.Unconfirmed = errors.Is(err, chipauth.ErrUnconfirmed)
		if !ca.Unconfirmed {
			return nil // the old session may still hold; the file reader re-opens if not
		}
	}
	// The chip dropped secure messaging: the session opens it again.
	if err := r.session.Recover(ctx, err); err != nil {
		return fmt.Errorf("open the chip again: %w", err)
	}
	return nil
}

// activeAuthentication runs Active Authentication with DG15's key and the
// caller's challenge (or a random one).
func (r *reading) activeAuthentication(ctx context.Context) error {
	if r.res.DG15 == nil {
		return nil
	}
	r.begin(PhaseActiveAuth, "")
	var info *lds.ActiveAuthenticationInfo
	if r.res.DG14 != nil && len(r.res.DG14.ActiveAuthentication) > 0 {
		info = &r.res.DG14.ActiveAuthentication[0]
	}
	res, err := r.internalAuthenticate(ctx, info)
	r.aaReopens = r.session.Reopens() // a re-open within it is its own
	aa := &ActiveAuthResult{Status: check.Pass}
	if res != nil {
		aa.Algorithm, aa.Challenge, aa.Signature, aa.PublicKey = string(res.Algorithm), res.Challenge, res.Signature, res.PublicKey
		if res.Hash != 0 {
			aa.Hash = res.Hash.String()
		}
	}
	r.res.ActiveAuth = aa
	switch {
	case err == nil:
	case endsRead(err):
		return fmt.Errorf("active authentication: %w", err)
	case errors.Is(err, activeauth.ErrFailed):
		aa.Status, aa.Error = check.Fail, err.Error()
	case errors.Is(err, activeauth.ErrUnsupported):
		aa.Status, aa.Error = check.NotSupported, err.Error()
	default:
		aa.Status, aa.Error = check.Unknown, err.Error()
	}
	if aa.PublicKey == nil {
		aa.PublicKey = r.res.DG15.PublicKey.SPKI
	}
	return nil
}

// internalAuthenticate runs active authentication. A signature shorter than
// DG15's key signs (cut to what a short answer carries, or empty: the
// chip's or the reader's transport, real-chips T-04) is asked for once
// more with the other Le form on a fresh session; cut again, active
// authentication is inconclusive, not failed.
func (r *reading) internalAuthenticate(ctx context.Context, info *lds.ActiveAuthenticationInfo) (*activeauth.Result, error) {
	opts := &activeauth.Options{Rand: r.opts.Rand}
	res, err := activeauth.Verify(ctx, r.session, r.res.DG15.PublicKey, info, r.opts.AAChallenge, opts)
	var short *activeauth.ShortSignatureError
	if !errors.As(err, &short) {
		return res, err
	}
	opts.Le = activeauth.LeExtended
	if short.Extended {
		opts.Le = activeauth.LeShort
	}
	if rerr := r.session.Recover(ctx, err); rerr != nil {
		return res, err
	}
	again, err2 := activeauth.Verify(ctx, r.session, r.res.DG15.PublicKey, info, r.opts.AAChallenge, opts)
	if err2 == nil || errors.Is(err2, activeauth.ErrFailed) || endsRead(err2) {
		return again, err2
	}
	return res, err // the other form is no better: inconclusive
}

// publicValue is a chip authentication key's encoded public value (the
// point or the DH value), as the evidence names the key the chip proved;
// nil when it cannot be decoded.
func publicValue(pk *lds.PublicKey) []byte {
	d, err := keyagree.DomainOfKey(pk)
	if err != nil {
		return nil
	}
	v, err := d.PublicValue(pk)
	if err != nil {
		return nil
	}
	return v
}

// cardSecurityInfos returns the SecurityInfos EF.CardSecurity signs. Its
// signature is checked with passive authentication later.
func cardSecurityInfos(raw []byte) (*lds.SecurityInfos, error) {
	sd, err := cms.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	if !sd.ContentType.Equal(pa.OIDSecurityObject) {
		return nil, fmt.Errorf("EF.CardSecurity: content type %s is not id-SecurityObject", sd.ContentType)
	}
	infos, err := lds.ParseSecurityInfos(sd.Content)
	if err != nil {
		return nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	return infos, nil
}

// reauthenticateChip repeats chip authentication on a chip just opened
// again (it had dropped its session), when chip authentication had
// passed: otherwise the files read from here on could come from another
// chip (one swapped in, or relaying) than the one that proved its key.
// PACE-CAM's new mapping data must verify against the key that passed;
// Chip Authentication v1 runs again over the new session. A chip that
// fails fails chip authentication; ok is then false when the chip dropped
// secure messaging with it (the caller opens it once more, without chip
// authentication).
func (r *reading) reauthenticateChip(ctx context.Context, ch *sm.Channel, paced *pace.Result) (_ *sm.Channel, ok bool, _ error) {
	ca := r.res.ChipAuth
	if r.cam != nil && r.cam.key == nil && paced != nil && paced.CAM != nil {
		// Not decided yet: the key that comes must verify this run too.
		r.cam.later = append(r.cam.later, paced.CAM)
	}
	if ca == nil || ca.Status != check.Pass {
		return ch, true, nil
	}
	if r.cam != nil {
		err := errors.New("PACE did not run the chip authentication mapping")
		if paced != nil && paced.CAM != nil && r.cam.key != nil {
			err = paced.CAM.Verify(r.cam.key)
		}
		if err != nil {
			ca.Status, ca.Error = check.Fail, "after the chip was opened again: "+err.Error()
			return ch, true, nil
		}
		ca.Repeated++
		return ch, true, nil
	}
	if r.caParams == nil {
		return ch, true, nil
	}
	s, _, err := chipauth.Authenticate(ctx, r.plain, ch.Session(), *r.caParams, &chipauth.Options{Rand: r.opts.Rand})
	switch {
	case err == nil:
		ca.Repeated++
		return sm.NewChannel(r.plain, s), true, nil
	case endsRead(err):
		return nil, false, fmt.Errorf("chip authentication: %w", err)
	case errors.Is(err, chipauth.ErrFailed):
		ca.Status = check.Fail
	default:
		ca.Status = check.Unknown
	}
	ca.Error = "after the chip was opened again: " + err.Error()
	return nil, false, nil
}
