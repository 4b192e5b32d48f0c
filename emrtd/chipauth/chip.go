package chipauth

import (
	"bytes"
	"encoding/asn1"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// ChipConfig is what the chip side of Chip Authentication knows.
type ChipConfig struct {
	// Key is the chip's static private key: an *ec.PrivateKey or a
	// *dh.PrivateKey. A key other than the one DG14 publishes plays a
	// cloned chip.
	Key any
	// Protocol is the chip's id-CA-{DH,ECDH}-<cipher>, as its
	// ChipAuthenticationInfo names it (or as a reader infers it).
	Protocol asn1.ObjectIdentifier
	// KeyID is the chip's key reference, nil when it names none.
	KeyID *int
	// NoKAT and NoSetAT play the two kinds of 3DES chips ICAO 9303-11
	// §6.2.4 allows: one implements only MSE:Set AT with GENERAL
	// AUTHENTICATE (MSE:Set KAT answers 6A86), the other only MSE:Set KAT
	// (MSE:Set AT answers 6A86). By default the chip takes both.
	NoKAT, NoSetAT bool
	// GANoData answers GENERAL AUTHENTICATE with 9000 and no data, where
	// the default answers an empty dynamic authentication data object
	// (7C 00): both are valid for version 1.
	GANoData bool
}

// Chip is the chip end of Chip Authentication. It answers the unwrapped
// commands; the responder protects the answer with the current session
// and then switches to the session Respond returns. A Chip is not safe
// for concurrent use.
type Chip struct {
	key      *keyagree.KeyPair
	protocol asn1.ObjectIdentifier
	cipher   sm.Cipher
	cfg      ChipConfig
	selected bool // MSE:Set AT done, GENERAL AUTHENTICATE expected
}

// NewChip checks the configuration and returns the chip side.
func NewChip(cfg ChipConfig) (*Chip, error) {
	key, err := keyagree.NewKeyPair(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("chipauth: %w", err)
	}
	ka, c, err := protocolKind(cfg.Protocol)
	if err != nil {
		return nil, err
	}
	if key.Domain().KeyAgreement() != ka {
		return nil, fmt.Errorf("%w: %s protocol with a %s key", ErrUnsupported, ka, key.Domain().KeyAgreement())
	}
	return &Chip{key: key, protocol: cfg.Protocol, cipher: c, cfg: cfg}, nil
}

// Accepts reports whether cmd is a Chip Authentication command: MSE:Set
// KAT, MSE:Set AT for internal authentication (41A4), or GENERAL
// AUTHENTICATE after it. The chip expects them under secure messaging.
func (c *Chip) Accepts(cmd apdu.Command) bool {
	switch cmd.INS {
	case apdu.InsManageSecurityEnv:
		return cmd.P1 == p1SetKAT && (cmd.P2 == p2KAT || cmd.P2 == p2AT)
	case apdu.InsGeneralAuthenticate:
		return c.selected
	}
	return false
}

// Reset forgets an MSE:Set AT awaiting its GENERAL AUTHENTICATE.
func (c *Chip) Reset() { c.selected = false }

func status(sw apdu.SW) apdu.Response { return apdu.Response{SW: sw} }

// Respond answers a Chip Authentication command. When the key agreement is
// complete it returns the new session, which takes over after this
// response (protected with the old one). Failures answer a status word
// and leave the current session as it is.
func (c *Chip) Respond(cmd apdu.Command) (apdu.Response, *sm.Session) {
	if cmd.INS == apdu.InsGeneralAuthenticate {
		c.selected = false
		return c.generalAuthenticate(cmd)
	}
	c.selected = false
	objs, err := parseObjects(cmd.Data)
	if err != nil {
		return status(apdu.SWWrongData), nil
	}
	switch {
	case cmd.P2 == p2KAT && c.cfg.NoKAT, cmd.P2 == p2AT && c.cfg.NoSetAT:
		return status(apdu.SWIncorrectP1P2), nil
	}
	if sw := c.checkKeyRef(objs); sw != apdu.SWOK {
		return status(sw), nil
	}
	if cmd.P2 == p2KAT {
		return c.setKAT(objs)
	}
	return c.setAT(objs), nil
}

// checkKeyRef checks the optional private key reference: encoded as a
// minimal unsigned integer (a badly encoded one answers 6A80, as Maltese
// specimens do, C-02), and naming the chip's key (6A88 otherwise).
func (c *Chip) checkKeyRef(objs map[uint32][]byte) apdu.SW {
	ref, ok := objs[tagKeyRef]
	if !ok {
		return apdu.SWOK
	}
	if len(ref) == 0 || len(ref) > 2 || len(ref) == 2 && ref[0] == 0 {
		return apdu.SWWrongData
	}
	id := 0
	for _, b := range ref {
		id = id<<8 | int(b)
	}
	if c.cfg.KeyID == nil || *c.cfg.KeyID != id {
		return apdu.SWReferenceDataNotFound
	}
	return apdu.SWOK
}

// setKAT answers MSE:Set KAT (3DES only): the key agreement in one command.
func (c *Chip) setKAT(objs map[uint32][]byte) (apdu.Response, *sm.Session) {
	pub, ok := objs[tagEphemeral]
	if !ok || c.cipher != sm.TDES {
		return status(apdu.SWWrongData), nil
	}
	return c.agree(pub, nil)
}

// setAT answers MSE:Set AT: the protocol must be the chip's.
func (c *Chip) setAT(objs map[uint32][]byte) apdu.Response {
	v, ok := objs[tagMechanism]
	if !ok || !bytes.Equal(v, ber.MustOIDContents(c.protocol)) {
		return status(apdu.SWWrongData)
	}
	c.selected = true
	return status(apdu.SWOK)
}

// generalAuthenticate answers GENERAL AUTHENTICATE with the ephemeral key.
func (c *Chip) generalAuthenticate(cmd apdu.Command) (apdu.Response, *sm.Session) {
	if cmd.P1 != 0 || cmd.P2 != 0 {
		return status(apdu.SWIncorrectP1P2), nil
	}
	v, err := tlv.Unwrap(cmd.Data, tagDynamicAuth)
	if err != nil {
		return status(apdu.SWWrongData), nil
	}
	objs, err := parseObjects(v)
	if err != nil {
		return status(apdu.SWWrongData), nil
	}
	pub, ok := objs[tagGAPublicKey]
	if !ok || len(objs) != 1 {
		return status(apdu.SWWrongData), nil
	}
	if c.cfg.GANoData {
		return c.agree(pub, nil)
	}
	return c.agree(pub, tlv.Encode(tagDynamicAuth, nil))
}

// agree computes K with the terminal's ephemeral key and the new session.
func (c *Chip) agree(pub, answer []byte) (apdu.Response, *sm.Session) {
	k, err := c.key.Agree(pub)
	if err != nil {
		return status(apdu.SWWrongData), nil
	}
	s, err := sm.NewSession(c.cipher, sm.KDF(c.cipher, k, sm.CounterEnc), sm.KDF(c.cipher, k, sm.CounterMAC), nil)
	if err != nil {
		return status(apdu.SWNoPreciseDiagnosis), nil
	}
	return apdu.Response{Data: answer, SW: apdu.SWOK}, s
}

// maxObjects bounds the data objects of one command.
const maxObjects = 8

// parseObjects decodes a sequence of data objects by tag; each tag once.
func parseObjects(data []byte) (map[uint32][]byte, error) {
	out := map[uint32][]byte{}
	for len(data) > 0 {
		o, rest, err := tlv.Decode(data)
		if err != nil {
			return nil, err
		}
		if _, dup := out[o.Tag]; dup || len(out) >= maxObjects {
			return nil, fmt.Errorf("chipauth: tag %X repeated", o.Tag)
		}
		out[o.Tag] = o.Value
		data = rest
	}
	return out, nil
}
