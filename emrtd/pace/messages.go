package pace

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// Header values of the PACE commands.
const (
	claChaining    = 0x10 // command chaining: GENERAL AUTHENTICATE steps 1–3
	p1SetATMutual  = 0xC1 // MSE:Set AT for mutual authentication (PACE)
	p2SetAT        = 0xA4 // authentication template
	tagDynamicAuth = 0x7C
	tagPublicKey   = 0x7F49
	tagOID         = 0x06
	tagCHAT        = 0x7F4C
)

// Tags of the public value in a public key data object (ICAO 9303-11
// §9.4.5, BSI TR-03110-3 D.3.4): the point of an EC key, the value of a DH
// key.
const (
	tagECPoint  = 0x86
	tagDHPublic = 0x84
)

// Tags of MSE:Set AT (§4.4.4.1) and of the dynamic authentication data of
// GENERAL AUTHENTICATE (§4.4.5, table 4).
const (
	tagMechanism   = 0x80 // MSE: protocol OID value; GA step 1 response: encrypted nonce
	tagPasswordRef = 0x83 // MSE: password reference
	tagParameterID = 0x84 // MSE: domain parameter ID
	tagMapIFD      = 0x81 // step 2 command: mapping data
	tagMapIC       = 0x82 // step 2 response: mapping data
	tagEphIFD      = 0x83 // step 3 command: ephemeral public key
	tagEphIC       = 0x84 // step 3 response: ephemeral public key
	tagTokenIFD    = 0x85 // step 4 command: authentication token
	tagTokenIC     = 0x86 // step 4 response: authentication token
	tagCAR         = 0x87 // step 4 response: certification authority reference
	tagPrevCAR     = 0x88 // step 4 response: previous CAR
	tagCAMData     = 0x8A // step 4 response: encrypted chip authentication data
	tagEncNonce    = 0x80
)

// Status words beyond those apdu names.
const (
	swLastCommandExpected apdu.SW = 0x6883 // chaining bit on the last command of a chain
	swChainingNotSupp     apdu.SW = 0x6884 // a chained step where none is expected
)

// errMalformed is wrapped when a data field cannot be decoded.
var errMalformed = errors.New("malformed data")

// parseOIDValue decodes the content octets of an OBJECT IDENTIFIER (MSE
// tag 80 and the public key template omit tag 06).
func parseOIDValue(v []byte) (asn1.ObjectIdentifier, error) {
	oid, err := ber.ParseOID(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	return oid, nil
}

// setATCommand is MSE:Set AT for PACE: the protocol (80), the password
// reference (83) and, always when the chip names one, the domain parameter
// ID (84): some chips refuse the command without it (6A87).
func setATCommand(p Params, ref byte) apdu.Command {
	data := tlv.Encode(tagMechanism, ber.MustOIDContents(p.Protocol))
	data = append(data, tlv.Encode(tagPasswordRef, []byte{ref})...)
	if p.ParameterID != NoParameterID {
		data = append(data, tlv.Encode(tagParameterID, intBytes(p.ParameterID))...)
	}
	return apdu.Command{INS: apdu.InsManageSecurityEnv, P1: p1SetATMutual, P2: p2SetAT, Data: data}
}

// intBytes encodes a small non-negative integer in the fewest bytes.
func intBytes(n int) []byte {
	if n < 0x100 {
		return []byte{byte(n)}
	}
	return []byte{byte(n >> 8), byte(n)}
}

// setAT is a parsed MSE:Set AT (chip side).
type setAT struct {
	protocol    asn1.ObjectIdentifier
	passwordRef byte
	parameterID int // NoParameterID when absent
	chat        bool
}

// parseSetAT decodes the data of MSE:Set AT. Unknown tags are ignored, as
// §4.4.4.1 note 2 asks of chips.
func parseSetAT(data []byte) (setAT, error) {
	objs, err := tlv.DecodeAll(data)
	if err != nil {
		return setAT{}, fmt.Errorf("%w: %v", errMalformed, err)
	}
	m := setAT{parameterID: NoParameterID}
	seen := map[uint32]bool{}
	for _, o := range objs {
		if seen[o.Tag] {
			return setAT{}, fmt.Errorf("%w: tag %X twice", errMalformed, o.Tag)
		}
		seen[o.Tag] = true
		switch o.Tag {
		case tagMechanism:
			if m.protocol, err = parseOIDValue(o.Value); err != nil {
				return setAT{}, err
			}
		case tagPasswordRef:
			if len(o.Value) != 1 {
				return setAT{}, fmt.Errorf("%w: password reference of %d bytes", errMalformed, len(o.Value))
			}
			m.passwordRef = o.Value[0]
		case tagParameterID:
			if len(o.Value) == 0 || len(o.Value) > 2 {
				return setAT{}, fmt.Errorf("%w: parameter ID of %d bytes", errMalformed, len(o.Value))
			}
			m.parameterID = 0
			for _, b := range o.Value {
				m.parameterID = m.parameterID<<8 | int(b)
			}
		case tagCHAT:
			m.chat = true
		}
	}
	if m.protocol == nil || !seen[tagPasswordRef] {
		return setAT{}, fmt.Errorf("%w: MSE:Set AT without protocol or password reference", errMalformed)
	}
	return m, nil
}

// dynamicAuthData encodes a dynamic authentication data object (7C) with
// the given data objects; none gives 7C 00.
func dynamicAuthData(objects ...[]byte) []byte {
	return tlv.Encode(tagDynamicAuth, objects...)
}

// maxDataObjects bounds the objects of one dynamic authentication data
// object; PACE uses at most four.
const maxDataObjects = 8

// parseDynamicAuthData decodes a dynamic authentication data object into
// its context-specific data objects by tag. Each tag may appear once.
func parseDynamicAuthData(data []byte) (map[uint32][]byte, error) {
	v, err := tlv.Unwrap(data, tagDynamicAuth)
	if err != nil {
		return nil, fmt.Errorf("%w: dynamic authentication data: %v", errMalformed, err)
	}
	out := map[uint32][]byte{}
	for len(v) > 0 {
		o, rest, err := tlv.Decode(v)
		if err != nil {
			return nil, fmt.Errorf("%w: dynamic authentication data: %v", errMalformed, err)
		}
		if o.Tag < 0x80 || o.Tag > 0x9F {
			return nil, fmt.Errorf("%w: tag %X in dynamic authentication data", errMalformed, o.Tag)
		}
		if _, dup := out[o.Tag]; dup || len(out) >= maxDataObjects {
			return nil, fmt.Errorf("%w: tag %X repeated in dynamic authentication data", errMalformed, o.Tag)
		}
		out[o.Tag] = o.Value
		v = rest
	}
	return out, nil
}

// publicKeyObject is the public key data object the authentication tokens
// are computed over (§4.4.3.4, §9.4.5): 7F49 { 06 protocol, 86 point | 84
// value }, without domain parameters.
func publicKeyObject(protocol asn1.ObjectIdentifier, d keyagree.Domain, pub []byte) []byte {
	tag := uint32(tagDHPublic)
	if d.Curve != nil {
		tag = tagECPoint
	}
	return tlv.Encode(tagPublicKey, tlv.Encode(tagOID, ber.MustOIDContents(protocol)), tlv.Encode(tag, pub))
}
