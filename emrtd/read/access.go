package read

import (
	"context"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc"
)

// ErrNeedMRZKey is wrapped when the chip can only be opened with BAC
// (it offers no PACE, or PACE failed for another reason than a wrong key)
// and no MRZ key was given: a CAN alone cannot open it. No key was refused.
var ErrNeedMRZKey = errors.New("no key for Basic Access Control (an MRZ key is needed)")

// opener is what opened the chip: enough to open it again with the same
// key and mechanism when the chip drops its session.
type opener struct {
	key    access.Key
	params *pace.Params // nil for BAC
}

// OffersPACE reports whether the chip's EF.CardAccess lists a PACE
// configuration this reader runs (a CAN can open only such a chip).
func (r *Result) OffersPACE() bool { return len(pace.Candidates(r.CardAccess)) > 0 }

// attempts is the outcome of access control so far: denials and the
// reason PACE could not be used.
type attempts struct {
	runs       int
	denied     int
	lastDenied error
	paceFailed error // PACE failed for another reason than a wrong key
	failedKey  int   // the index of the key PACE failed with
	paceTried  bool
	retried    bool // PACE was tried once more after a card reset
}

// readCardAccess reads EF.CardAccess unprotected at the master file, by
// short file identifier (or SELECT 011C). A chip without one is opened
// with BAC; a failed read never ends the read: the master file is selected
// (whatever that answers, 6D00 on a CCCD) and the file tried once more.
func (r *reading) readCardAccess(ctx context.Context) error {
	r.begin(PhaseSelect, files.EFCardAccess.Name)
	data, err := r.files.ReadFile(ctx, files.EFCardAccess)
	if err != nil && !errors.Is(err, files.ErrNotFound) && !endsRead(err) {
		_ = r.files.SelectMF(ctx) // many chips refuse it; never fatal
		data, err = r.files.ReadFile(ctx, files.EFCardAccess)
	}
	r.record(fileResult(files.EFCardAccess, 0, data, err))
	switch {
	case err == nil:
	case endsRead(err):
		return err
	default:
		return nil // no EF.CardAccess: BAC
	}
	infos, err := lds.ParseSecurityInfos(data)
	if err != nil {
		r.warn("EF.CardAccess could not be parsed; opening the chip with BAC")
		return nil
	}
	r.res.CardAccess = infos
	return nil
}

// open runs access control: PACE with each key in turn when EF.CardAccess
// lists a configuration this reader runs. When PACE fails for another
// reason than a wrong key, the card is reset and PACE tried once more,
// from the key it failed with: a relay (or a bad link) must not push the
// read to BAC with one failure. BAC with each MRZ key comes only after
// that, or when the chip refused PACE with every key, and only after a
// reset (ICAO 9303-11 §4.1: BAC or PACE, not both in one session). Each
// key is tried at most once per mechanism (the retry aside), so a wrong
// key never starts a retry storm.
func (r *reading) open(ctx context.Context) error {
	r.begin(PhaseAccess, "")
	var a attempts
	if len(pace.Candidates(r.res.CardAccess)) > 0 {
		if ok, err := r.openPACETwice(ctx, &a); ok || err != nil {
			return err
		}
		if err := r.resetCard(ctx); err != nil {
			return err
		}
	} else if r.res.CardAccess != nil && len(r.res.CardAccess.PACE) > 0 {
		// PACE listed, but on parameters this reader refuses (not
		// standardized, unknown): say why, never silently.
		_, a.paceFailed = pace.Select(r.res.CardAccess)
		a.paceTried = true
	}
	return r.openBAC(ctx, &a)
}

// openPACETwice tries PACE with each key and, when it failed for another
// reason than a wrong key, once more on a reset card from the key it
// failed with.
func (r *reading) openPACETwice(ctx context.Context, a *attempts) (ok bool, err error) {
	if ok, err := r.openPACE(ctx, a, r.opts.Keys); ok || err != nil || a.paceFailed == nil {
		return ok, err
	}
	if err := r.resetCard(ctx); err != nil {
		return false, err
	}
	first := a.paceFailed
	a.paceFailed, a.retried = nil, true
	if ok, err := r.openPACE(ctx, a, r.opts.Keys[a.failedKey:]); ok || err != nil {
		return ok, err
	}
	if a.paceFailed == nil {
		a.paceFailed = first
	}
	return false, nil
}

// openPACE tries PACE with each key. ok reports success; err is set for
// errors that end the read (card removed, cancelled).
func (r *reading) openPACE(ctx context.Context, a *attempts, keys []access.Key) (ok bool, err error) {
	for i, key := range keys {
		a.runs++
		a.paceTried = true
		session, res, err := pace.Establish(ctx, r.plain, key, r.res.CardAccess, &pace.Options{Rand: r.opts.Rand})
		switch {
		case err == nil:
			return true, r.openedPACE(ctx, key, session, res, a)
		case errors.Is(err, access.ErrDenied):
			a.denied, a.lastDenied = a.denied+1, err
		case endsRead(err): // access.ErrTokenInvalid too: no next key, no BAC
			return false, fmt.Errorf("open the chip: %w", err)
		default:
			// The chip's PACE does not work with this reader: BAC may.
			a.paceFailed, a.failedKey = err, len(r.opts.Keys)-len(keys)+i
			return false, nil
		}
	}
	return false, nil
}

// resetCard resets the card when the connection can (nfc.Resetter), so
// the chip forgets a failed PACE; the file reader forgets its selection.
// A connection that cannot reset leaves the chip as it is.
func (r *reading) resetCard(ctx context.Context) error {
	rs, ok := r.card.(nfc.Resetter)
	if !ok {
		return nil
	}
	if err := rs.Reset(ctx); err != nil {
		if endsRead(err) {
			return fmt.Errorf("open the chip: reset the card: %w", err)
		}
		r.warn("the card could not be reset before the next access control attempt")
	}
	r.files.SetTransport(r.session) // the chip forgot its selection
	return nil
}

// openedPACE records a successful PACE, finishes the chip authentication
// mapping's first half (EF.CardSecurity is read before the eMRTD
// application is selected, since EF.SOD shares its identifiers) and
// selects the application under secure messaging.
func (r *reading) openedPACE(ctx context.Context, key access.Key, s *sm.Session, res *pace.Result, a *attempts) error {
	params := res.Params
	r.opener = &opener{key: key, params: &params}
	r.startSession(sm.NewChannel(r.plain, s))
	r.res.Access = &AccessResult{
		Mechanism: "PACE-" + string(params.Mapping), Password: res.Password.String(),
		Protocol: lds.ProtocolName(params.Protocol), Cipher: params.Cipher.String(),
		Domain: params.Domain.String(), Attempts: a.runs,
	}
	if params.ParameterID != pace.NoParameterID {
		id := params.ParameterID
		r.res.Access.ParameterID = &id
	}
	r.res.AccessControl = r.res.Access.Mechanism
	if res.CAM != nil {
		if err := r.startCAM(ctx, res.CAM, params); err != nil {
			return err
		}
	}
	return r.selectApplication(ctx)
}

// openBAC selects the eMRTD application and tries BAC with each MRZ key.
func (r *reading) openBAC(ctx context.Context, a *attempts) error {
	keys := bacKeys(r.opts.Keys)
	if len(keys) == 0 {
		if a.paceFailed != nil {
			return r.accessFailed(a, fmt.Errorf("open the chip: %w; %w", a.paceFailed, ErrNeedMRZKey))
		}
		return r.accessFailed(a, fmt.Errorf("open the chip: %w", ErrNeedMRZKey))
	}
	if err := r.selectApplication(ctx); err != nil {
		return err
	}
	for _, key := range keys {
		a.runs++
		s, err := bac.Authenticate(ctx, r.plain, key, r.opts.Rand)
		switch {
		case err == nil:
			r.openedBAC(key, s, a)
			return nil
		case errors.Is(err, access.ErrDenied):
			a.denied, a.lastDenied = a.denied+1, err
		case errors.Is(err, access.ErrTokenInvalid):
			return fmt.Errorf("open the chip: BAC: %w", err) // an attack, whatever was refused before
		default:
			return r.accessFailed(a, fmt.Errorf("open the chip: BAC: %w", err))
		}
	}
	return r.accessFailed(a, nil)
}

func (r *reading) openedBAC(key access.BACKey, s *sm.Session, a *attempts) {
	r.opener = &opener{key: key}
	r.startSession(sm.NewChannel(r.plain, s))
	r.res.Access = &AccessResult{Mechanism: MechanismBAC, Password: access.PasswordMRZ.String(),
		Cipher: sm.TDES.String(), Attempts: a.runs, Fallback: a.paceTried}
	switch {
	case a.paceFailed != nil && a.retried:
		r.res.Access.FallbackReason = "PACE failed, and again after a card reset: " + a.paceFailed.Error()
	case a.paceFailed != nil:
		r.res.Access.FallbackReason = "PACE failed: " + a.paceFailed.Error()
	case a.paceTried:
		r.res.Access.FallbackReason = "the chip refused PACE with every key"
	}
	if a.paceTried {
		r.warn("the chip lists PACE but was opened with BAC: " + r.res.Access.FallbackReason)
	}
	r.res.AccessControl = MechanismBAC
}

// accessFailed is the error when no key opened the chip: access denied
// when the chip refused a key (whatever failed afterwards), else cause
// (or the PACE failure).
func (r *reading) accessFailed(a *attempts, cause error) error {
	switch {
	case a.denied > 1:
		return fmt.Errorf("open the chip: %d attempts refused: %w", a.denied, a.lastDenied)
	case a.denied == 1:
		return fmt.Errorf("open the chip: %w", a.lastDenied)
	case cause != nil:
		return cause
	case a.paceFailed != nil:
		return fmt.Errorf("open the chip: %w", a.paceFailed)
	}
	return errors.New("open the chip: no access key")
}

func bacKeys(keys []access.Key) []access.BACKey {
	var out []access.BACKey
	for _, k := range keys {
		if bk, ok := k.(access.BACKey); ok {
			out = append(out, bk)
		}
	}
	return out
}

// selectApplication selects the eMRTD application on the current
// transport.
func (r *reading) selectApplication(ctx context.Context) error {
	err := r.files.SelectApplication(ctx)
	if errors.Is(err, files.ErrNotFound) {
		return fmt.Errorf("not an eMRTD: %w", err)
	}
	return err
}
