package issue

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/crypto/cryptobyte"
)

// Security describes the protocols a document's chip runs beyond BAC, and
// so what its EF.CardAccess, DG14, DG15 and EF.CardSecurity say. Issue
// writes every file from it and derives the chip's keys to match, so the
// files and the chip always agree (a tamper aside).
type Security struct {
	// PACE lists the PACEInfos of EF.CardAccess, in the order written
	// (the SET is DER-sorted anyway). None: no PACE, and no EF.CardAccess
	// unless CardAccessCA or TA put something else there.
	PACE []PACEInfo
	// CA is Chip Authentication: DG14's ChipAuthenticationInfo and
	// ChipAuthenticationPublicKeyInfo (and EF.CardSecurity's). nil: none.
	// PACE-CAM needs it, on the PACE curve.
	CA *ChipAuthentication
	// AA is Active Authentication: the DG15 key, and for ECDSA DG14's
	// ActiveAuthenticationInfo. nil: none.
	AA *ActiveAuthentication
	// TA adds TerminalAuthenticationInfo v1 to EF.CardAccess (when it
	// exists) and DG14, as chips protecting DG3 with Terminal
	// Authentication do.
	TA bool
	// CardAccessCA lists the ChipAuthenticationInfo in EF.CardAccess too,
	// as the CCCD does.
	CardAccessCA bool
	// CardSecurity issues EF.CardSecurity: EF.CardAccess's SecurityInfos
	// with the chip authentication public key, signed like EF.SOD. The
	// chip authentication mapping needs it.
	CardSecurity bool
	// ExplicitParams writes EC domain parameters in full into DG14, DG15
	// and EF.CardSecurity (as eMRTDs often do) rather than the curve's OID.
	ExplicitParams bool
}

// PACEInfo is one PACE configuration EF.CardAccess lists: a protocol
// (id-PACE-{DH,ECDH}-{GM,IM,CAM}-<cipher>) on standardized domain
// parameters (ICAO 9303-11 table 6: 0–2 the RFC 5114 groups, 8–18 the
// NIST and brainpool curves).
type PACEInfo struct {
	Protocol    asn1.ObjectIdentifier
	ParameterID int
}

// ChipAuthentication is the chip's Chip Authentication: its protocol and
// the domain of its static key.
type ChipAuthentication struct {
	// Protocol is id-CA-{DH,ECDH}-{3DES-CBC-CBC,AES-CBC-CMAC-n}.
	Protocol asn1.ObjectIdentifier
	// Curve is the ECDH key's curve; nil for DH.
	Curve *ec.Curve
	// Group is the DH key's standardized group (0–2, RFC 5114) when Curve
	// is nil.
	Group int
	// KeyID, when set, is the key's keyId in the ChipAuthenticationInfo and
	// ChipAuthenticationPublicKeyInfo (C-02: Maltese specimens name their
	// only key).
	KeyID *int
	// NoInfo leaves the ChipAuthenticationInfo out (C-02: French passports):
	// a reader infers the protocol from the key, 3DES. Protocol is then the
	// one the chip runs.
	NoInfo bool
	// PKCS3 encodes a DH key with PKCS #3's dhKeyAgreement {p, g} instead
	// of X9.42's dhpublicnumber {p, g, q} (C-03).
	PKCS3 bool
}

// ActiveAuthentication is the chip's Active Authentication key and
// signature scheme.
type ActiveAuthentication struct {
	// Curve is the ECDSA key's curve; nil for RSA.
	Curve *ec.Curve
	// Signature is ActiveAuthenticationInfo's signatureAlgorithm for ECDSA
	// (ecdsa-plain-SHA256, ecdsa-with-SHA256, ...); its hash is the one
	// the chip signs with.
	Signature asn1.ObjectIdentifier
	// RSABits is the RSA modulus size: 1024 (a pair of the committed test
	// primes) or 2048 (two pairs).
	RSABits int
	// Hash is the ISO/IEC 9796-2 hash of RSA signatures (SHA-1 uses the
	// implicit trailer BC).
	Hash crypto.Hash
	// ExplicitSHA1Trailer makes RSA with SHA-1 use the trailer 33CC
	// instead of BC (real-chips.md C-05).
	ExplicitSHA1Trailer bool
	// Undeclared leaves ActiveAuthenticationInfo out of DG14: the chip
	// still signs with Signature's hash, which the verifier must find
	// (real-chips.md C-06: a P-384 key signing SHA-256 without DG14).
	Undeclared bool
	// DERSignature makes the ECDSA chip answer DER signatures instead of
	// plain r ‖ s (real-chips.md C-06: a Portuguese ID card).
	DERSignature bool
	// MalformedPadding makes the RSA chip (which holds the key) sign
	// representatives whose ISO/IEC 9796-2 padding is invalid: an attack
	// on verifiers that skip padding nibbles, never a real chip (issue 13).
	MalformedPadding bool
}

// SignatureHash is the hash the chip signs with: ECDSA's from Signature,
// RSA's Hash.
func (a *ActiveAuthentication) SignatureHash() crypto.Hash {
	if a.Curve == nil {
		return a.Hash
	}
	return ecdsaHashes[a.Signature.String()]
}

// ecdsaHashes maps the signature algorithms of ActiveAuthenticationInfo to
// their hashes (X9.62 and BSI TR-03111 plain forms).
var ecdsaHashes = map[string]crypto.Hash{
	lds.OIDECDSAWithSHA1.String():    crypto.SHA1,
	lds.OIDECDSAWithSHA224.String():  crypto.SHA224,
	lds.OIDECDSAWithSHA256.String():  crypto.SHA256,
	lds.OIDECDSAWithSHA384.String():  crypto.SHA384,
	lds.OIDECDSAWithSHA512.String():  crypto.SHA512,
	lds.OIDECDSAPlainSHA1.String():   crypto.SHA1,
	lds.OIDECDSAPlainSHA224.String(): crypto.SHA224,
	lds.OIDECDSAPlainSHA256.String(): crypto.SHA256,
	lds.OIDECDSAPlainSHA384.String(): crypto.SHA384,
	lds.OIDECDSAPlainSHA512.String(): crypto.SHA512,
}

// check refuses a description the chip could not play.
func (s Security) check() error {
	if a := s.AA; a != nil {
		switch {
		case a.Curve != nil && a.SignatureHash() == 0:
			return fmt.Errorf("issue: ECDSA active authentication with signature algorithm %s", a.Signature)
		case a.Curve == nil && (a.RSABits != rsaBits && a.RSABits != rsaLongBits || a.Hash == 0):
			return fmt.Errorf("issue: RSA active authentication needs %d or %d bits and a hash", rsaBits, rsaLongBits)
		}
	}
	if c := s.CA; c != nil && c.Curve == nil && (c.Group < 0 || c.Group > 2) {
		return fmt.Errorf("issue: chip authentication DH group %d is not standardized", c.Group)
	}
	if s.CardSecurity && s.CA == nil {
		return fmt.Errorf("issue: EF.CardSecurity without chip authentication")
	}
	return nil
}

// CCCDCardAccess is EF.CardAccess exactly as read from 2021 CCCD cards
// (cccd.md): TerminalAuthenticationInfo v1, ChipAuthenticationInfo
// id-CA-ECDH-AES-CBC-CMAC-128 v1, PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128
// v2 with parameter 13 (brainpoolP256r1). The cccd profiles' Security
// encodes to these bytes.
var CCCDCardAccess = mustHex("3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// CardAccess encodes EF.CardAccess: the PACEInfos (version 2), and with
// them TerminalAuthenticationInfo and ChipAuthenticationInfo as the
// description asks. nil when there is nothing to list.
func (s Security) CardAccess() []byte {
	infos := s.cardAccessInfos()
	if len(infos) == 0 {
		return nil
	}
	return derSet(infos)
}

func (s Security) cardAccessInfos() [][]byte {
	var infos [][]byte
	for _, p := range s.PACE {
		infos = append(infos, seq(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(p.Protocol)
			b.AddASN1Int64(2)
			b.AddASN1Int64(int64(p.ParameterID))
		}))
	}
	if len(infos) == 0 {
		return nil
	}
	if s.TA {
		infos = append(infos, taInfo())
	}
	if s.CardAccessCA && s.CA != nil && !s.CA.NoInfo {
		infos = append(infos, caInfo(s.CA))
	}
	return infos
}

func taInfo() []byte {
	return seq(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(lds.OIDTA); b.AddASN1Int64(1) })
}

func caInfo(ca *ChipAuthentication) []byte {
	return seq(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(ca.Protocol)
		b.AddASN1Int64(1)
		if ca.KeyID != nil {
			b.AddASN1Int64(int64(*ca.KeyID))
		}
	})
}

// caInfos are the ChipAuthenticationInfo DG14 and EF.CardSecurity list
// with the key: none when NoInfo.
func caInfos(ca *ChipAuthentication) [][]byte {
	if ca.NoInfo {
		return nil
	}
	return [][]byte{caInfo(ca)}
}

// caPublicKeyInfo is ChipAuthenticationPublicKeyInfo: id-PK-ECDH or
// id-PK-DH with the key's SubjectPublicKeyInfo.
func caPublicKeyInfo(s Security, key any) ([]byte, error) {
	spki, err := PublicKeyInfo(key, s.ExplicitParams)
	if k, ok := key.(*dh.PrivateKey); ok && s.CA.PKCS3 {
		spki, err = dhPKCS3PublicKeyInfo(k)
	}
	if err != nil {
		return nil, fmt.Errorf("encode CA public key: %w", err)
	}
	oid := lds.OIDPKECDH
	if s.CA.Curve == nil {
		oid = lds.OIDPKDH
	}
	return seq(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddBytes(spki)
		if s.CA.KeyID != nil {
			b.AddASN1Int64(int64(*s.CA.KeyID))
		}
	}), nil
}

// DG14 encodes the SecurityInfos of data group 14: those of EF.CardAccess
// (ICAO 9303-11 §9.2.11: DG14 SHALL contain them, so a reader can check
// the unsigned EF.CardAccess against signed data), the chip
// authentication public key and ChipAuthenticationInfo, the
// TerminalAuthenticationInfo, and for ECDSA active authentication its
// ActiveAuthenticationInfo. The SET is DER-sorted. caKey is the public
// half the file publishes (an *ec.PrivateKey or *dh.PrivateKey, or nil
// without chip authentication).
func DG14(s Security, caKey any) ([]byte, error) {
	infos := s.cardAccessInfos()
	if s.CA != nil {
		pk, err := caPublicKeyInfo(s, caKey)
		if err != nil {
			return nil, err
		}
		infos = append(append(infos, pk), caInfos(s.CA)...)
	}
	if s.TA {
		infos = append(infos, taInfo())
	}
	if a := s.AA; a != nil && a.Curve != nil && !a.Undeclared {
		infos = append(infos, seq(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(lds.OIDAA)
			b.AddASN1Int64(1)
			b.AddASN1ObjectIdentifier(a.Signature)
		}))
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("DG14 with nothing to list")
	}
	return tlv.Encode(0x6E, derSet(distinct(infos))), nil
}

// EncodeSecurityInfos encodes SecurityInfo entries as the DER SET OF that
// EF.CardAccess holds (DG14 wraps it in tag 6E; EF.CardSecurity signs it),
// each entry once.
func EncodeSecurityInfos(infos [][]byte) []byte { return derSet(distinct(infos)) }

// distinct drops repeated encodings (an info that EF.CardAccess lists and
// the file lists again), keeping the first.
func distinct(infos [][]byte) [][]byte {
	var out [][]byte
	for _, info := range infos {
		if !slices.ContainsFunc(out, func(o []byte) bool { return bytes.Equal(o, info) }) {
			out = append(out, info)
		}
	}
	return out
}

// CardSecurityContent is the eContent of EF.CardSecurity: the
// SecurityInfos of EF.CardAccess with the chip authentication public key
// and ChipAuthenticationInfo (ICAO 9303-11 §9.2.x), DER-sorted.
func CardSecurityContent(s Security, caKey any) ([]byte, error) {
	infos := s.cardAccessInfos()
	pk, err := caPublicKeyInfo(s, caKey)
	if err != nil {
		return nil, err
	}
	infos = append(append(infos, pk), caInfos(s.CA)...)
	return derSet(distinct(infos)), nil
}

// DG15 encodes the active authentication public key (SubjectPublicKeyInfo;
// EC domain parameters in full when explicit is set). aaKey is an
// *ec.PrivateKey or an *rsa.PrivateKey.
func DG15(aaKey any, explicit bool) ([]byte, error) {
	spki, err := PublicKeyInfo(aaKey, explicit)
	if err != nil {
		return nil, fmt.Errorf("encode AA public key: %w", err)
	}
	return tlv.Encode(0x6F, spki), nil
}

func seq(f func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(0x30, f)
	return b.BytesOrPanic()
}

// CCCDSecurity is what the chip of a Vietnamese CCCD plays (cccd.md):
// PACE ECDH generic mapping with AES-128 on brainpoolP256r1 (parameter
// 13), Chip Authentication ECDH AES-128 (listed in EF.CardAccess too),
// Terminal Authentication for DG3, and Active Authentication. Its
// EF.CardAccess encodes to CCCDCardAccess.
//
// The AA key type of real cards is not published (cccd.md: DG15 present).
// The simulator signs with ECDSA on brainpoolP256r1, plain r‖s with
// SHA-256 (ecdsa-plain-SHA256 in DG14's ActiveAuthenticationInfo): the
// Vietnamese PKI is ECDSA on brainpool curves throughout, and an EC chip
// key fits the rest of the card. Readers must accept RSA as well.
func CCCDSecurity() Security {
	curve := ec.BrainpoolP256r1()
	return Security{
		PACE:           []PACEInfo{{Protocol: lds.OIDPACEECDHGMAESCBCCMAC128, ParameterID: 13}},
		CA:             &ChipAuthentication{Protocol: lds.OIDCAECDHAESCBCCMAC128, Curve: curve},
		AA:             &ActiveAuthentication{Curve: curve, Signature: lds.OIDECDSAPlainSHA256},
		TA:             true,
		CardAccessCA:   true,
		ExplicitParams: true,
	}
}
