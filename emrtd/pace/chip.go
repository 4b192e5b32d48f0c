package pace

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// ChipConfig is what the chip side of PACE knows.
type ChipConfig struct {
	// Params are the configurations the chip accepts, as its EF.CardAccess
	// lists them.
	Params []Params
	// Keys are the passwords the chip accepts: its CAN and its MRZ key.
	Keys []access.Key
	// CAKey is the chip's static chip authentication key, needed for the
	// chip authentication mapping (EF.CardSecurity publishes its public
	// key). A key that does not match the published one plays a clone.
	CAKey *ec.PrivateKey
	// DeniedStatus is the status word of a wrong password at step 4: 6300
	// as ICAO specifies (the default), or 6982 as the 2021 CCCD answers.
	DeniedStatus apdu.SW
	// NonceLen is the length of the generic mapping's nonce s: 16 bytes
	// when zero; AES-256 chips send longer ones (ICAO 9303-11 asks only
	// for a multiple of the block size). The integrated mapping's is fixed.
	NonceLen int
	// LeadingZeros makes the chip draw keys until its mapping public key
	// starts with a zero byte (the x-coordinate, or the DH value) and the
	// shared secret K does too: a reader that drops leading zeros of a big
	// integer anywhere (about 1 run in 256 on a real chip) fails every time.
	LeadingZeros bool
	// RequireParameterID makes the chip refuse MSE:Set AT without the
	// parameter ID (tag 84) with 6A87, as some chips do.
	RequireParameterID bool
	// CAR and PreviousCAR, when set, are returned at step 4 (tags 87, 88),
	// as the chip of Appendix G.2 returns its CVCA reference.
	CAR, PreviousCAR []byte
	// Rand supplies the nonce s, then (GM, CAM) the mapping key, then the
	// ephemeral key. nil means crypto/rand.
	Rand io.Reader
}

// chipStep is where a chip is in the protocol.
type chipStep int

const (
	stepIdle     chipStep = iota // no MSE:Set AT yet (or the last run ended)
	stepSelected                 // MSE:Set AT done: expects step 1
	stepNonce                    // nonce sent: expects step 2
	stepMapped                   // mapped: expects step 3
	stepAgreed                   // key agreed: expects step 4
)

// Chip is the chip end of PACE. A Chip is not safe for concurrent use.
type Chip struct {
	cfg ChipConfig
	rng io.Reader

	step    chipStep
	p       Params
	kpi     []byte
	s       []byte
	mapKey  *keyagree.KeyPair
	mapped  keyagree.Domain
	termEph []byte
	eph     *keyagree.KeyPair
	keys    sessionKeys
}

// NewChip checks the configuration and returns the chip side.
func NewChip(cfg ChipConfig) (*Chip, error) {
	if len(cfg.Params) == 0 || len(cfg.Keys) == 0 {
		return nil, errors.New("pace: a chip needs at least one configuration and one password")
	}
	for _, p := range cfg.Params {
		if err := p.check(); err != nil {
			return nil, err
		}
		if p.Mapping == lds.MappingCAM && (cfg.CAKey == nil || !cfg.CAKey.Curve.SameParams(p.Domain.Curve)) {
			return nil, fmt.Errorf("pace: %s needs a chip authentication key on its curve", p)
		}
	}
	if cfg.DeniedStatus == 0 {
		cfg.DeniedStatus = apdu.SWVerifyFailed
	}
	rng := cfg.Rand
	if rng == nil {
		rng = rand.Reader
	}
	return &Chip{cfg: cfg, rng: rng}, nil
}

// Accepts reports whether cmd is a PACE command: MSE:Set AT for mutual
// authentication, or GENERAL AUTHENTICATE while a PACE run is in
// progress. PACE commands come unprotected; a responder offers the chip
// only those.
func (c *Chip) Accepts(cmd apdu.Command) bool {
	switch cmd.INS {
	case apdu.InsManageSecurityEnv:
		return cmd.P1 == p1SetATMutual && cmd.P2 == p2SetAT
	case apdu.InsGeneralAuthenticate:
		return c.step != stepIdle
	}
	return false
}

// Reset forgets a run in progress (power cycle, application selection).
func (c *Chip) Reset() {
	*c = Chip{cfg: c.cfg, rng: c.rng}
}

// Respond answers MSE:Set AT or a GENERAL AUTHENTICATE step. After a
// successful step 4 it returns the chip's secure messaging session; every
// failure answers a status word, ends the run and leaves no session.
func (c *Chip) Respond(cmd apdu.Command) (apdu.Response, *sm.Session) {
	if cmd.INS == apdu.InsManageSecurityEnv {
		return c.setAT(cmd), nil
	}
	resp, session := c.generalAuthenticate(cmd)
	if resp.SW != apdu.SWOK || session != nil {
		c.Reset()
	}
	return resp, session
}

func status(sw apdu.SW) apdu.Response { return apdu.Response{SW: sw} }

// setAT answers MSE:Set AT: select the configuration and the password.
func (c *Chip) setAT(cmd apdu.Command) apdu.Response {
	c.Reset()
	if cmd.CLA&claChaining != 0 {
		return status(swChainingNotSupp)
	}
	m, err := parseSetAT(cmd.Data)
	if err != nil {
		return status(apdu.SWWrongData)
	}
	if m.parameterID == NoParameterID && c.cfg.RequireParameterID {
		return status(apdu.SWLcInconsistentWithP1P2)
	}
	p, ok := c.findParams(m)
	if !ok {
		return status(apdu.SWWrongData)
	}
	password, ok := c.password(access.PasswordRef(m.passwordRef))
	if !ok {
		return status(apdu.SWReferenceDataNotFound)
	}
	c.p, c.kpi, c.step = p, passwordKey(p.Cipher, password), stepSelected
	return status(apdu.SWOK)
}

// findParams finds the configuration MSE:Set AT selects: the protocol, and
// the parameter ID when given (without one, the protocol must be
// unambiguous).
func (c *Chip) findParams(m setAT) (Params, bool) {
	var found []Params
	for _, p := range c.cfg.Params {
		if p.Protocol.Equal(m.protocol) && (m.parameterID == NoParameterID || m.parameterID == p.ParameterID) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return Params{}, false
	}
	return found[0], true
}

func (c *Chip) password(ref access.PasswordRef) ([]byte, bool) {
	for _, k := range c.cfg.Keys {
		if r, pw := k.PACEPassword(); r == ref {
			return pw, true
		}
	}
	return nil, false
}

// generalAuthenticate answers the step the run is at.
func (c *Chip) generalAuthenticate(cmd apdu.Command) (apdu.Response, *sm.Session) {
	if cmd.P1 != 0 || cmd.P2 != 0 {
		return status(apdu.SWIncorrectP1P2), nil
	}
	last := c.step == stepAgreed
	switch chained := cmd.CLA&claChaining != 0; {
	case last && chained:
		return status(swLastCommandExpected), nil
	case !last && !chained:
		return status(swChainingNotSupp), nil
	}
	objs, err := parseDynamicAuthData(cmd.Data)
	if err != nil {
		return status(apdu.SWWrongData), nil
	}
	switch c.step {
	case stepSelected:
		return c.encryptedNonce(objs), nil
	case stepNonce:
		return c.mapNonce(objs), nil
	case stepMapped:
		return c.agree(objs), nil
	case stepAgreed:
		return c.mutualAuthenticate(objs)
	}
	return status(apdu.SWConditionsNotSatisfied), nil
}

// encryptedNonce is step 1: choose s and send z = E(Kπ, s).
func (c *Chip) encryptedNonce(objs map[uint32][]byte) apdu.Response {
	if len(objs) != 0 {
		return status(apdu.SWWrongData)
	}
	n := 16
	if c.cfg.NonceLen > 0 {
		n = c.cfg.NonceLen
	}
	if c.p.Mapping == lds.MappingIM {
		n = imNonceLen(c.p.Cipher)
	}
	c.s = make([]byte, n)
	if _, err := io.ReadFull(c.rng, c.s); err != nil {
		return status(apdu.SWNoPreciseDiagnosis)
	}
	z, err := c.p.Cipher.Encrypt(c.kpi, c.s)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis)
	}
	c.step = stepNonce
	return ok(dynamicAuthData(tlv.Encode(tagEncNonce, z)))
}

func ok(data []byte) apdu.Response { return apdu.Response{Data: data, SW: apdu.SWOK} }

// mapNonce is step 2: the terminal's mapping data in, the chip's out.
func (c *Chip) mapNonce(objs map[uint32][]byte) apdu.Response {
	data, found := objs[tagMapIFD]
	if !found || len(objs) != 1 {
		return status(apdu.SWWrongData)
	}
	if c.p.Mapping == lds.MappingIM {
		if len(data) != imTerminalNonceLen(c.p.Cipher) {
			return status(apdu.SWWrongData)
		}
		mapped, err := mapIntegrated(c.p.Domain, c.p.Cipher, c.s, data)
		if err != nil {
			return status(apdu.SWWrongData)
		}
		c.mapped, c.step = mapped, stepMapped
		return ok(dynamicAuthData(tlv.Encode(tagMapIC, nil)))
	}
	k, err := c.generateKey(c.p.Domain, nil)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis)
	}
	mapped, err := k.GenericMapping(data, c.s)
	if err != nil {
		return status(apdu.SWWrongData)
	}
	c.mapKey, c.mapped, c.step = k, mapped, stepMapped
	return ok(dynamicAuthData(tlv.Encode(tagMapIC, k.PublicKey())))
}

// agree is step 3: exchange ephemeral keys and derive the session keys.
func (c *Chip) agree(objs map[uint32][]byte) apdu.Response {
	term, found := objs[tagEphIFD]
	if !found || len(objs) != 1 {
		return status(apdu.SWWrongData)
	}
	if err := c.mapped.ValidatePublic(term); err != nil {
		return status(apdu.SWWrongData)
	}
	k, err := c.generateKey(c.mapped, term)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis)
	}
	shared, err := k.Agree(term)
	if err != nil {
		return status(apdu.SWWrongData)
	}
	c.eph, c.termEph = k, append([]byte(nil), term...)
	c.keys = deriveSessionKeys(c.p.Cipher, shared)
	c.step = stepAgreed
	return ok(dynamicAuthData(tlv.Encode(tagEphIC, k.PublicKey())))
}

// generateKey draws a key of d. With LeadingZeros, its public value (peer
// nil) or its shared secret with peer starts with a zero byte.
func (c *Chip) generateKey(d keyagree.Domain, peer []byte) (*keyagree.KeyPair, error) {
	k, err := d.GenerateKey(c.rng)
	if err != nil || !c.cfg.LeadingZeros {
		return k, err
	}
	if d.Curve != nil {
		return leadingZeroECKey(d.Curve, k.Private().(*ec.PrivateKey), peer)
	}
	return leadingZeroDHKey(d.Group, k.Private().(*dh.PrivateKey), peer)
}

// maxKeySteps bounds the search for a leading zero (one comes once in
// 256 candidates on average).
const maxKeySteps = 4096

// leadingZeroECKey searches the keys x, x+1, ... from k for a public
// point (or shared point with peer) whose x-coordinate starts with a zero
// byte, moving the point by G (or by the peer's point) at each step: one
// addition per candidate instead of a scalar multiplication. Chip side
// only (the simulator's AC-05 quirk): it is not constant-time.
func leadingZeroECKey(c *ec.Curve, k *ec.PrivateKey, peer []byte) (*keyagree.KeyPair, error) {
	point, step := k.Point, c.G()
	if peer != nil {
		p, err := c.Unmarshal(peer)
		if err != nil {
			return nil, err
		}
		point, step = c.ScalarMult(p, k.Bytes()), p
	}
	x := new(big.Int).Set(k.D)
	for range maxKeySteps {
		if c.Marshal(point)[1] == 0 || x.Cmp(new(big.Int).Sub(c.N(), big.NewInt(1))) >= 0 {
			break
		}
		point = c.Add(point, step)
		x.Add(x, big.NewInt(1))
	}
	found, err := ec.NewPrivateKey(c, x.FillBytes(make([]byte, c.OrderByteLen())))
	if err != nil {
		return nil, err
	}
	return keyagree.NewKeyPair(found)
}

// leadingZeroDHKey is leadingZeroECKey in a MODP group: the value moves by
// a multiplication with g (or the peer's value).
func leadingZeroDHKey(grp *dh.Group, k *dh.PrivateKey, peer []byte) (*keyagree.KeyPair, error) {
	value, step := k.Y, grp.G()
	if peer != nil {
		y, err := grp.Decode(peer)
		if err != nil {
			return nil, err
		}
		if value, err = k.SharedElement(y); err != nil {
			return nil, err
		}
		step = y
	}
	x, p := new(big.Int).Set(k.X), grp.P()
	for range maxKeySteps {
		if grp.Encode(value)[0] == 0 || x.Cmp(new(big.Int).Sub(grp.Q(), big.NewInt(1))) >= 0 {
			break
		}
		value = new(big.Int).Mod(new(big.Int).Mul(value, step), p)
		x.Add(x, big.NewInt(1))
	}
	found, err := dh.NewPrivateKey(grp, x.Bytes())
	if err != nil {
		return nil, err
	}
	return keyagree.NewKeyPair(found)
}

// mutualAuthenticate is step 4: check the terminal's token (a wrong
// password fails here), send the chip's, and open the session.
func (c *Chip) mutualAuthenticate(objs map[uint32][]byte) (apdu.Response, *sm.Session) {
	tIFD, found := objs[tagTokenIFD]
	if !found || len(objs) != 1 {
		return status(apdu.SWWrongData), nil
	}
	want, err := authToken(c.p, c.keys.mac, c.eph.PublicKey())
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis), nil
	}
	if !tokenEqual(tIFD, want) {
		return status(c.cfg.DeniedStatus), nil
	}
	tIC, err := authToken(c.p, c.keys.mac, c.termEph)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis), nil
	}
	out := [][]byte{tlv.Encode(tagTokenIC, tIC)}
	if c.cfg.CAR != nil {
		out = append(out, tlv.Encode(tagCAR, c.cfg.CAR))
	}
	if c.cfg.PreviousCAR != nil {
		out = append(out, tlv.Encode(tagPrevCAR, c.cfg.PreviousCAR))
	}
	if c.p.Mapping == lds.MappingCAM {
		a, err := c.encryptedCAM()
		if err != nil {
			return status(apdu.SWNoPreciseDiagnosis), nil
		}
		out = append(out, tlv.Encode(tagCAMData, a))
	}
	session, err := c.keys.session(c.p.Cipher)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis), nil
	}
	return ok(dynamicAuthData(out...)), session
}

// encryptedCAM is A_IC = E(KSEnc, CA_IC).
func (c *Chip) encryptedCAM() ([]byte, error) {
	ca, err := camData(c.cfg.CAKey, c.mapKey.Private().(*ec.PrivateKey))
	if err != nil {
		return nil, err
	}
	return encryptCAM(c.p.Cipher, c.keys.enc, ca)
}
