package chipauth

import (
	"cmp"
	"encoding/asn1"
	"fmt"
	"slices"

	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sm"
)

// Params is one Chip Authentication configuration: the chip's static
// public key and the protocol to run with it.
type Params struct {
	// Protocol is id-CA-{DH,ECDH}-{3DES-CBC-CBC,AES-CBC-CMAC-n}.
	Protocol     asn1.ObjectIdentifier
	KeyAgreement lds.KeyAgreement
	Cipher       sm.Cipher
	// KeyID is the key reference (tag 84), nil when the chip has one key
	// and names none.
	KeyID *int
	// Domain is the static domain parameters of the chip's key.
	Domain keyagree.Domain
	// PublicKey is PK_IC, encoded (uncompressed point or DH value).
	PublicKey []byte
	// Inferred is true when no ChipAuthenticationInfo names the protocol:
	// it is then 3DES by the key's type, as BSI TR-03110 says and French
	// passports need.
	Inferred bool
	// SetAT runs 3DES with MSE:Set AT and GENERAL AUTHENTICATE instead of
	// MSE:Set KAT. Authenticate sets it in Result.Params when a chip
	// refused MSE:Set KAT (C-01: some 3DES chips implement only the
	// former); keep it for the next run.
	SetAT bool
}

func (p Params) String() string {
	s := lds.ProtocolName(p.Protocol) + " on " + p.Domain.String()
	if p.KeyID != nil {
		s += fmt.Sprintf(" (key %d)", *p.KeyID)
	}
	if p.Inferred {
		s += " (inferred)"
	}
	return s
}

// ProtocolFor returns id-CA-<key agreement>-<cipher>.
func ProtocolFor(ka lds.KeyAgreement, c sm.Cipher) asn1.ObjectIdentifier {
	arc := 2
	if ka == lds.KeyAgreementDH {
		arc = 1
	}
	return append(append(asn1.ObjectIdentifier(nil), lds.OIDCA...), arc, int(c))
}

// protocolKind decodes the key agreement and cipher of id-CA-*-*.
func protocolKind(oid asn1.ObjectIdentifier) (lds.KeyAgreement, sm.Cipher, error) {
	n := len(lds.OIDCA)
	if len(oid) != n+2 || !oid[:n].Equal(lds.OIDCA) {
		return "", 0, fmt.Errorf("%w: %s is not a chip authentication protocol", ErrUnsupported, oid)
	}
	var ka lds.KeyAgreement
	switch oid[n] {
	case 1:
		ka = lds.KeyAgreementDH
	case 2:
		ka = lds.KeyAgreementECDH
	default:
		return "", 0, fmt.Errorf("%w: key agreement %d", ErrUnsupported, oid[n])
	}
	c := sm.Cipher(oid[n+1])
	if c < sm.TDES || c > sm.AES256 {
		return "", 0, fmt.Errorf("%w: cipher %d", ErrUnsupported, oid[n+1])
	}
	return ka, c, nil
}

// ParamsOf pairs a ChipAuthenticationPublicKeyInfo with the
// ChipAuthenticationInfo that names its protocol; info may be nil, and
// the protocol is then inferred: 3DES with the key's agreement.
func ParamsOf(info *lds.ChipAuthenticationInfo, pk lds.ChipAuthenticationPublicKeyInfo) (Params, error) {
	d, err := keyagree.DomainOfKey(pk.PublicKey)
	if err != nil {
		return Params{}, fmt.Errorf("%w: chip authentication public key: %v", ErrUnsupported, err)
	}
	value, err := d.PublicValue(pk.PublicKey)
	if err != nil {
		return Params{}, fmt.Errorf("%w: chip authentication public key: %v", ErrUnsupported, err)
	}
	p := Params{KeyAgreement: d.KeyAgreement(), KeyID: pk.KeyID, Domain: d, PublicKey: value}
	if info == nil {
		p.Protocol, p.Cipher, p.Inferred = ProtocolFor(p.KeyAgreement, sm.TDES), sm.TDES, true
		return p, nil
	}
	ka, c, err := protocolKind(info.Protocol)
	if err != nil {
		return Params{}, err
	}
	if ka != p.KeyAgreement {
		return Params{}, fmt.Errorf("%w: %s protocol for a %s key", ErrUnsupported, ka, p.KeyAgreement)
	}
	p.Protocol, p.Cipher = append(asn1.ObjectIdentifier(nil), info.Protocol...), c
	if p.KeyID == nil {
		p.KeyID = info.KeyID
	}
	return p, nil
}

// matches reports whether a ChipAuthenticationInfo describes a key: same
// key agreement and the same key ID (or no ID on either side when the
// chip has one key).
func matches(info lds.ChipAuthenticationInfo, pk lds.ChipAuthenticationPublicKeyInfo, keys int) bool {
	if info.KeyAgreement != pk.KeyAgreement || info.Version != 1 {
		return false
	}
	switch {
	case info.KeyID != nil && pk.KeyID != nil:
		return *info.KeyID == *pk.KeyID
	case info.KeyID == nil && pk.KeyID == nil:
		return true
	}
	return keys == 1
}

// Candidates returns every Chip Authentication configuration of the
// SecurityInfos (DG14, and EF.CardAccess or EF.CardSecurity when given
// too), best first: configurations named by a ChipAuthenticationInfo
// before inferred ones, then the stronger cipher, then ECDH before DH,
// then file order.
func Candidates(infos ...*lds.SecurityInfos) []Params {
	var cas []lds.ChipAuthenticationInfo
	var pks []lds.ChipAuthenticationPublicKeyInfo
	for _, s := range infos {
		if s != nil {
			cas = append(cas, s.ChipAuthentication...)
			pks = append(pks, s.ChipAuthenticationPublicKeys...)
		}
	}
	var out []Params
	for _, pk := range pks {
		named := false
		for i := range cas {
			if !matches(cas[i], pk, len(pks)) {
				continue
			}
			if p, err := ParamsOf(&cas[i], pk); err == nil {
				out, named = append(out, p), true
			}
		}
		if !named {
			if p, err := ParamsOf(nil, pk); err == nil {
				out = append(out, p)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Params) int { return -compare(a, b) })
	return out
}

func compare(a, b Params) int {
	named := func(p Params) int { return boolInt(!p.Inferred) }
	ecdh := func(p Params) int { return boolInt(p.KeyAgreement == lds.KeyAgreementECDH) }
	bits := func(p Params) int {
		if p.Cipher == sm.TDES {
			return 112
		}
		return 8 * p.Cipher.KeySize()
	}
	return cmp.Or(cmp.Compare(named(a), named(b)), cmp.Compare(bits(a), bits(b)), cmp.Compare(ecdh(a), ecdh(b)))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Select returns the best Chip Authentication configuration (see
// Candidates for the order).
func Select(infos ...*lds.SecurityInfos) (Params, error) {
	c := Candidates(infos...)
	if len(c) == 0 {
		return Params{}, fmt.Errorf("%w: no usable ChipAuthenticationPublicKeyInfo", ErrUnsupported)
	}
	return c[0], nil
}
