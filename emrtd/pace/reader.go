package pace

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// errSetATRefused marks a chip that refused MSE:Set AT for a configuration
// it listed, so Establish can try the next one.
var errSetATRefused = errors.New("MSE:Set AT refused")

// Establish runs PACE with key over t (an unprotected transport to a chip
// whose EF.CardAccess gave infos) and returns the secure messaging session
// and what the run established. It selects the strongest configuration the
// chip lists (see Select); when the chip refuses MSE:Set AT for it, it
// tries the next one, so a run costs 5 exchanges unless the chip lists
// configurations it does not support.
func Establish(ctx context.Context, t nfc.Transport, key access.Key, infos *lds.SecurityInfos, opts *Options) (*sm.Session, *Result, error) {
	runnable, refused := candidates(infos)
	if len(runnable) == 0 {
		return nil, nil, noCandidate(refused)
	}
	var err error
	for i, p := range runnable {
		var s *sm.Session
		var res *Result
		s, res, err = Run(ctx, t, key, p, opts)
		if err == nil {
			res.Attempts = i + 1
			return s, res, nil
		}
		if !errors.Is(err, errSetATRefused) {
			break
		}
	}
	return nil, nil, err
}

// Run runs PACE with key and the configuration p over t.
func Run(ctx context.Context, t nfc.Transport, key access.Key, p Params, opts *Options) (*sm.Session, *Result, error) {
	if err := p.check(); err != nil {
		return nil, nil, err
	}
	if err := p.checkStandard(); err != nil {
		return nil, nil, err
	}
	h := &readerHandshake{ctx: ctx, t: t, p: p, rng: rand.Reader}
	if opts != nil && opts.Rand != nil {
		h.rng = opts.Rand
	}
	ref, password := key.PACEPassword()
	h.res = &Result{Params: p, Password: ref, Attempts: 1}
	kpi := passwordKey(p.Cipher, password)
	for _, step := range []func() error{
		func() error { return h.setAT(ref) },
		func() error { return h.encryptedNonce(kpi) },
		h.mapNonce,
		h.agree,
		h.mutualAuthenticate,
	} {
		if err := step(); err != nil {
			return nil, nil, err
		}
	}
	s, err := h.keys.session(p.Cipher)
	if err != nil {
		return nil, nil, fmt.Errorf("pace: %w", err)
	}
	return s, h.res, nil
}

// readerHandshake is the reader's state through one PACE run.
type readerHandshake struct {
	ctx context.Context
	t   nfc.Transport
	p   Params
	rng io.Reader
	res *Result

	s       []byte            // the decrypted nonce
	mapKey  *keyagree.KeyPair // GM/CAM: the reader's mapping key
	chipMap []byte            // GM/CAM: PK_Map,IC
	mapped  keyagree.Domain   // the ephemeral domain parameters
	eph     *keyagree.KeyPair // the reader's ephemeral key
	keys    sessionKeys       // KSEnc, KSMAC
}

// setAT sends MSE:Set AT.
func (h *readerHandshake) setAT(ref access.PasswordRef) error {
	cmd := setATCommand(h.p, byte(ref))
	resp, err := h.t.Exchange(h.ctx, cmd)
	if err != nil {
		return fmt.Errorf("pace: %s: %w", cmd, err)
	}
	if resp.SW != apdu.SWOK {
		return fmt.Errorf("%w: %w: %s: %w", ErrProtocol, errSetATRefused, h.p, resp.Err(cmd))
	}
	return nil
}

// generalAuthenticate sends one step and returns the data objects of the
// chip's dynamic authentication data. Steps 1–3 are chained (CLA 10).
func (h *readerHandshake) generalAuthenticate(step int, objects ...[]byte) (map[uint32][]byte, apdu.SW, error) {
	cmd := apdu.Command{INS: apdu.InsGeneralAuthenticate, Data: dynamicAuthData(objects...), Ne: apdu.MaxShortNe}
	if step < 4 {
		cmd.CLA = claChaining
	}
	if h.p.Domain.Group != nil && h.p.Domain.Group.ByteLen() > 240 {
		cmd.Ne = apdu.MaxExtendedNe // a 2048-bit public value does not fit a short answer
	}
	resp, err := h.t.Exchange(h.ctx, cmd)
	if err != nil {
		return nil, 0, fmt.Errorf("pace: step %d: %s: %w", step, cmd, err)
	}
	if resp.SW != apdu.SWOK {
		return nil, resp.SW, fmt.Errorf("%w: step %d: %w", ErrProtocol, step, resp.Err(cmd))
	}
	objs, err := parseDynamicAuthData(resp.Data)
	if err != nil {
		return nil, resp.SW, fmt.Errorf("%w: step %d: %v", ErrProtocol, step, err)
	}
	return objs, resp.SW, nil
}

// encryptedNonce is step 1: get z and decrypt s = D(Kπ, z).
func (h *readerHandshake) encryptedNonce(kpi []byte) error {
	objs, _, err := h.generalAuthenticate(1)
	if err != nil {
		return err
	}
	z, ok := objs[tagEncNonce]
	if !ok {
		return fmt.Errorf("%w: step 1: no encrypted nonce", ErrProtocol)
	}
	if h.s, err = decryptNonce(h.p.Cipher, kpi, z); err != nil {
		return fmt.Errorf("%w: step 1: %v", ErrProtocol, err)
	}
	if h.p.Mapping == lds.MappingIM && len(h.s) != imNonceLen(h.p.Cipher) {
		return fmt.Errorf("%w: step 1: nonce of %d bytes for the integrated mapping", ErrProtocol, len(h.s))
	}
	return nil
}

// mapNonce is step 2: exchange the mapping data and compute the ephemeral
// domain parameters.
func (h *readerHandshake) mapNonce() error {
	if h.p.Mapping == lds.MappingIM {
		return h.mapIntegrated()
	}
	k, err := h.p.Domain.GenerateKey(h.rng)
	if err != nil {
		return fmt.Errorf("pace: mapping key: %w", err)
	}
	h.mapKey = k
	objs, _, err := h.generalAuthenticate(2, tlv.Encode(tagMapIFD, k.PublicKey()))
	if err != nil {
		return err
	}
	chip, ok := objs[tagMapIC]
	if !ok {
		return fmt.Errorf("%w: step 2: no mapping data", ErrProtocol)
	}
	if h.mapped, err = k.GenericMapping(chip, h.s); err != nil {
		return fmt.Errorf("%w: step 2: %v", ErrProtocol, err)
	}
	h.chipMap = append([]byte(nil), chip...)
	return nil
}

// mapIntegrated sends the nonce t and maps f(R_p(s,t)).
func (h *readerHandshake) mapIntegrated() error {
	t := make([]byte, imTerminalNonceLen(h.p.Cipher))
	if _, err := io.ReadFull(h.rng, t); err != nil {
		return fmt.Errorf("pace: random: %w", err)
	}
	objs, _, err := h.generalAuthenticate(2, tlv.Encode(tagMapIFD, t))
	if err != nil {
		return err
	}
	if v, ok := objs[tagMapIC]; ok && len(v) != 0 {
		return fmt.Errorf("%w: step 2: %d bytes of mapping data for the integrated mapping", ErrProtocol, len(v))
	}
	if h.mapped, err = mapIntegrated(h.p.Domain, h.p.Cipher, h.s, t); err != nil {
		return fmt.Errorf("%w: step 2: %v", ErrProtocol, err)
	}
	return nil
}

// agree is step 3: exchange ephemeral keys, compute K and the session keys.
func (h *readerHandshake) agree() error {
	k, err := h.mapped.GenerateKey(h.rng)
	if err != nil {
		return fmt.Errorf("pace: ephemeral key: %w", err)
	}
	h.eph = k
	objs, _, err := h.generalAuthenticate(3, tlv.Encode(tagEphIFD, k.PublicKey()))
	if err != nil {
		return err
	}
	chip, ok := objs[tagEphIC]
	if !ok {
		return fmt.Errorf("%w: step 3: no ephemeral public key", ErrProtocol)
	}
	shared, err := k.Agree(chip)
	if err != nil {
		return fmt.Errorf("%w: step 3: %v", ErrProtocol, err)
	}
	h.keys = deriveSessionKeys(h.p.Cipher, shared)
	h.res.ChipPublicKey = append([]byte(nil), chip...)
	return nil
}

// mutualAuthenticate is step 4: exchange and check the tokens; for CAM,
// decrypt the chip authentication data.
func (h *readerHandshake) mutualAuthenticate() error {
	tIFD, err := authToken(h.p, h.keys.mac, h.res.ChipPublicKey)
	if err != nil {
		return fmt.Errorf("pace: token: %w", err)
	}
	objs, sw, err := h.generalAuthenticate(4, tlv.Encode(tagTokenIFD, tIFD))
	if denied(sw) {
		return fmt.Errorf("pace: step 4: the chip answered %04X: %w", uint16(sw), access.ErrDenied)
	}
	if err != nil {
		return err
	}
	tIC, err := authToken(h.p, h.keys.mac, h.eph.PublicKey())
	if err != nil {
		return fmt.Errorf("pace: token: %w", err)
	}
	got, ok := objs[tagTokenIC]
	if !ok {
		return fmt.Errorf("%w: step 4: no authentication token", ErrProtocol)
	}
	if !tokenEqual(got, tIC) {
		return fmt.Errorf("pace: step 4: %w", access.ErrTokenInvalid)
	}
	h.res.CAR = cloneOrNil(objs[tagCAR])
	h.res.PreviousCAR = cloneOrNil(objs[tagPrevCAR])
	if h.p.Mapping != lds.MappingCAM {
		return nil
	}
	a, ok := objs[tagCAMData]
	if !ok {
		return fmt.Errorf("%w: step 4: no encrypted chip authentication data", ErrProtocol)
	}
	ca, err := decryptCAM(h.p.Cipher, h.keys.enc, a)
	if err != nil {
		return fmt.Errorf("%w: step 4: %v", ErrProtocol, err)
	}
	h.res.CAM = &CAM{Domain: h.p.Domain, MappingPublicKey: h.chipMap, Data: ca}
	return nil
}

// denied reports whether a status word at step 4 means a wrong password:
// 6300 as ICAO specifies, 63Cx with a retry counter, or the 6982 of the
// 2021 Vietnamese CCCD.
func denied(sw apdu.SW) bool {
	return sw == apdu.SWVerifyFailed || sw&0xFFF0 == 0x63C0 || sw == apdu.SWSecurityStatus
}

func cloneOrNil(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
