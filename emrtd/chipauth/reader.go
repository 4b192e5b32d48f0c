package chipauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// Header values and tags of the Chip Authentication commands (§6.2.4).
const (
	p1SetKAT       = 0x41 // MSE: set for computation / internal authentication
	p2KAT          = 0xA6 // key agreement template
	p2AT           = 0xA4 // authentication template
	tagMechanism   = 0x80 // MSE:Set AT: protocol OID value; GA: ephemeral public key
	tagKeyRef      = 0x84 // private key reference
	tagEphemeral   = 0x91 // MSE:Set KAT: ephemeral public key
	tagDynamicAuth = 0x7C
	tagGAPublicKey = 0x80
)

// defaultProbe selects EF.COM: a command every eMRTD application answers
// under secure messaging, with no data to return.
var defaultProbe = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x01, 0x1E}}

// Authenticate runs Chip Authentication with p. session is the current
// secure messaging session (from BAC or PACE) over the unprotected
// transport t; the key agreement is sent under it. On success it returns
// the new session (SSC zero), proven by one protected exchange.
func Authenticate(ctx context.Context, t nfc.Transport, session *sm.Session, p Params, opts *Options) (*sm.Session, *Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	rng := opts.Rand
	if rng == nil {
		rng = rand.Reader
	}
	if !p.Domain.Valid() || p.Domain.KeyAgreement() != p.KeyAgreement {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnsupported, p)
	}
	eph, err := p.Domain.GenerateKey(rng)
	if err != nil {
		return nil, nil, fmt.Errorf("chipauth: ephemeral key: %w", err)
	}
	shared, err := eph.Agree(p.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: chip authentication public key: %v", ErrUnsupported, err)
	}
	old := sm.NewChannel(t, session)
	if p.Cipher == sm.TDES && !p.SetAT {
		var refused bool
		if refused, err = setKAT(ctx, old, p, eph.PublicKey()); refused {
			p.SetAT = true // the session holds: the chip answered protected
		}
	}
	if err == nil && (p.Cipher != sm.TDES || p.SetAT) {
		err = setATAndAuthenticate(ctx, old, p, eph.PublicKey())
	}
	if err != nil {
		return nil, nil, err
	}
	next, err := sm.NewSession(p.Cipher, sm.KDF(p.Cipher, shared, sm.CounterEnc), sm.KDF(p.Cipher, shared, sm.CounterMAC), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("chipauth: %w", err)
	}
	res := &Result{Params: p, EphemeralPublicKey: eph.PublicKey()}
	probe := defaultProbe
	if opts.Probe != nil {
		probe = *opts.Probe
	}
	if res.Probe, err = sm.NewChannel(t, next).Exchange(ctx, probe); err != nil {
		return nil, nil, probeError(probe, err)
	}
	return next, res, nil
}

// probeError classifies a failed first exchange under the new keys.
func probeError(cmd apdu.Command, err error) error {
	var plain *sm.PlainStatusError
	switch {
	case errors.As(err, &plain):
		if plain.SW == apdu.SWSMDataObjectsIncorrect || plain.SW == apdu.SWSMDataObjectsMissing {
			return fmt.Errorf("%w: %s under the new keys: %v", ErrFailed, cmd, err)
		}
		return fmt.Errorf("%w: %s under the new keys: %v", ErrUnconfirmed, cmd, err)
	case errors.Is(err, sm.ErrMAC), errors.Is(err, sm.ErrMalformed), errors.Is(err, sm.ErrMissingObjects):
		return fmt.Errorf("%w: %s under the new keys: %v", ErrFailed, cmd, err)
	}
	return fmt.Errorf("chipauth: %s under the new keys: %w", cmd, err)
}

// keyRef encodes the key reference data object, nil without a key ID.
func keyRef(p Params) []byte {
	if p.KeyID == nil {
		return nil
	}
	id := *p.KeyID
	if id < 0x100 {
		return tlv.Encode(tagKeyRef, []byte{byte(id)})
	}
	return tlv.Encode(tagKeyRef, []byte{byte(id >> 8), byte(id)})
}

// setKAT is the 3DES implementation: MSE:Set KAT with the ephemeral key.
// refused reports a protected refusal (the session holds; MSE:Set AT may
// work). An unprotected one wraps ErrKATRefused.
func setKAT(ctx context.Context, ch *sm.Channel, p Params, pub []byte) (refused bool, err error) {
	data := append(tlv.Encode(tagEphemeral, pub), keyRef(p)...)
	cmd := apdu.Command{INS: apdu.InsManageSecurityEnv, P1: p1SetKAT, P2: p2KAT, Data: data}
	resp, err := ch.Exchange(ctx, cmd)
	var plain *sm.PlainStatusError
	switch {
	case errors.As(err, &plain) && plain.SW != apdu.SWSMDataObjectsIncorrect && plain.SW != apdu.SWSMDataObjectsMissing:
		return false, fmt.Errorf("%w: %w: %s answered %04X unprotected", ErrProtocol, ErrKATRefused, cmd, uint16(plain.SW))
	case err != nil:
		return false, exchangeError(cmd, err)
	case resp.SW != apdu.SWOK:
		return true, nil
	}
	return false, nil
}

// setATAndAuthenticate is the AES implementation: MSE:Set AT selects the
// protocol (and key), GENERAL AUTHENTICATE carries the ephemeral key.
func setATAndAuthenticate(ctx context.Context, ch *sm.Channel, p Params, pub []byte) error {
	data := append(tlv.Encode(tagMechanism, ber.MustOIDContents(p.Protocol)), keyRef(p)...)
	cmd := apdu.Command{INS: apdu.InsManageSecurityEnv, P1: p1SetKAT, P2: p2AT, Data: data}
	if err := expectOK(ctx, ch, cmd); err != nil {
		return err
	}
	ga := apdu.Command{INS: apdu.InsGeneralAuthenticate,
		Data: tlv.Encode(tagDynamicAuth, tlv.Encode(tagGAPublicKey, pub)), Ne: apdu.MaxShortNe}
	if len(ga.Data) > apdu.MaxShortNc {
		ga.Ne = apdu.MaxExtendedNe
	}
	resp, err := ch.Exchange(ctx, ga)
	if err != nil {
		return exchangeError(ga, err)
	}
	if err := resp.Err(ga); err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	// CA v1 answers an empty 7C (v2 would carry a nonce and a token);
	// tolerate an absent one.
	if len(resp.Data) > 0 {
		if _, err := tlv.Unwrap(resp.Data, tagDynamicAuth); err != nil {
			return fmt.Errorf("%w: %s answer: %v", ErrProtocol, ga, err)
		}
	}
	return nil
}

func expectOK(ctx context.Context, ch *sm.Channel, cmd apdu.Command) error {
	resp, err := ch.Exchange(ctx, cmd)
	if err != nil {
		return exchangeError(cmd, err)
	}
	if err := resp.Err(cmd); err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return nil
}

// exchangeError wraps a failed exchange of the key agreement: secure
// messaging and status errors are ErrProtocol, transport errors
// (nfc.ErrCardRemoved, ...) pass through.
func exchangeError(cmd apdu.Command, err error) error {
	var plain *sm.PlainStatusError
	if errors.As(err, &plain) || errors.Is(err, sm.ErrMAC) || errors.Is(err, sm.ErrMalformed) ||
		errors.Is(err, sm.ErrMissingObjects) || errors.Is(err, sm.ErrClosed) {
		return fmt.Errorf("%w: %s: %v", ErrProtocol, cmd, err)
	}
	return fmt.Errorf("chipauth: %s: %w", cmd, err)
}
