package cert

import (
	"crypto"
	"encoding/asn1"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
)

// Object identifiers of the algorithms eMRTD PKI uses.
var (
	OIDRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	OIDRSASSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	OIDMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	OIDSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	OIDSHA224WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	OIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	OIDSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	OIDSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	OIDECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	OIDECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	// BSI TR-03111 ecdsa-plain-signatures (r ‖ s instead of DER).
	OIDECDSAPlainSHA1   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}
	OIDECDSAPlainSHA224 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}
	OIDECDSAPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}
	OIDECDSAPlainSHA384 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}
	OIDECDSAPlainSHA512 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}

	OIDSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	OIDSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	OIDSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Scheme is a signature scheme.
type Scheme int

const (
	SchemeUnknown    Scheme = iota
	SchemeRSAPKCS1          // RSASSA-PKCS1-v1_5
	SchemeRSAPSS            // RSASSA-PSS
	SchemeECDSA             // ECDSA with a DER signature
	SchemeECDSAPlain        // ECDSA with an r ‖ s signature (BSI TR-03111)
)

func (s Scheme) String() string {
	switch s {
	case SchemeRSAPKCS1:
		return "RSA PKCS#1 v1.5"
	case SchemeRSAPSS:
		return "RSA-PSS"
	case SchemeECDSA:
		return "ECDSA"
	case SchemeECDSAPlain:
		return "ECDSA (plain)"
	}
	return "unknown"
}

// AlgorithmIdentifier is an algorithm OID with its raw parameters.
type AlgorithmIdentifier struct {
	OID    asn1.ObjectIdentifier
	Params []byte // the whole encoding of the parameters, nil when absent
}

// ParseAlgorithmIdentifier decodes SEQUENCE { algorithm OID, parameters ANY
// OPTIONAL }.
func ParseAlgorithmIdentifier(v ber.Value) (AlgorithmIdentifier, error) {
	if v.Tag != ber.TagSequence {
		return AlgorithmIdentifier{}, fmt.Errorf("%w: algorithm identifier tag %X", ber.ErrMalformed, v.Tag)
	}
	r := v.Children()
	o, err := r.Expect(ber.TagOID, "algorithm")
	if err != nil {
		return AlgorithmIdentifier{}, err
	}
	oid, err := o.OID()
	if err != nil {
		return AlgorithmIdentifier{}, err
	}
	a := AlgorithmIdentifier{OID: oid}
	if !r.Empty() {
		p, err := r.Next()
		if err != nil {
			return AlgorithmIdentifier{}, fmt.Errorf("algorithm parameters: %w", err)
		}
		a.Params = p.Raw
	}
	return a, nil
}

// hasNoParams reports absent or NULL parameters.
func (a AlgorithmIdentifier) hasNoParams() bool {
	return len(a.Params) == 0 || (len(a.Params) == 2 && a.Params[0] == ber.TagNull && a.Params[1] == 0)
}

// PSSParams are the RSASSA-PSS-params of RFC 4055 §3.1.
type PSSParams struct {
	Hash       crypto.Hash
	MGFHash    crypto.Hash
	SaltLength int
	Trailer    int
}

// SignatureAlgorithm is a signature algorithm resolved to a scheme and hash.
type SignatureAlgorithm struct {
	AlgorithmIdentifier
	Scheme Scheme
	Hash   crypto.Hash // 0 for rsaEncryption alone: the hash comes from elsewhere (CMS digestAlgorithm)
	PSS    *PSSParams
}

// String names the algorithm for people ("ECDSA with SHA-256").
func (s SignatureAlgorithm) String() string {
	if s.Scheme == SchemeUnknown {
		return "unsupported algorithm " + s.OID.String()
	}
	if s.Hash == 0 {
		return s.Scheme.String()
	}
	return fmt.Sprintf("%s with %s", s.Scheme, s.Hash)
}

type sigEntry struct {
	oid    asn1.ObjectIdentifier
	scheme Scheme
	hash   crypto.Hash
}

var sigTable = []sigEntry{
	{OIDSHA1WithRSA, SchemeRSAPKCS1, crypto.SHA1},
	{OIDSHA224WithRSA, SchemeRSAPKCS1, crypto.SHA224},
	{OIDSHA256WithRSA, SchemeRSAPKCS1, crypto.SHA256},
	{OIDSHA384WithRSA, SchemeRSAPKCS1, crypto.SHA384},
	{OIDSHA512WithRSA, SchemeRSAPKCS1, crypto.SHA512},
	{OIDRSAEncryption, SchemeRSAPKCS1, 0},
	{OIDECDSAWithSHA1, SchemeECDSA, crypto.SHA1},
	{OIDECDSAWithSHA224, SchemeECDSA, crypto.SHA224},
	{OIDECDSAWithSHA256, SchemeECDSA, crypto.SHA256},
	{OIDECDSAWithSHA384, SchemeECDSA, crypto.SHA384},
	{OIDECDSAWithSHA512, SchemeECDSA, crypto.SHA512},
	{OIDECDSAPlainSHA1, SchemeECDSAPlain, crypto.SHA1},
	{OIDECDSAPlainSHA224, SchemeECDSAPlain, crypto.SHA224},
	{OIDECDSAPlainSHA256, SchemeECDSAPlain, crypto.SHA256},
	{OIDECDSAPlainSHA384, SchemeECDSAPlain, crypto.SHA384},
	{OIDECDSAPlainSHA512, SchemeECDSAPlain, crypto.SHA512},
}

var hashTable = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{OIDSHA1, crypto.SHA1}, {OIDSHA224, crypto.SHA224}, {OIDSHA256, crypto.SHA256},
	{OIDSHA384, crypto.SHA384}, {OIDSHA512, crypto.SHA512},
}

// HashByOID returns the hash function an OID names, or 0.
func HashByOID(oid asn1.ObjectIdentifier) crypto.Hash {
	for _, h := range hashTable {
		if h.oid.Equal(oid) {
			return h.hash
		}
	}
	return 0
}

// HashOID returns the OID of a hash function, or nil.
func HashOID(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range hashTable {
		if e.hash == h {
			return e.oid
		}
	}
	return nil
}

// ParseHashAlgorithm resolves a DigestAlgorithmIdentifier.
func ParseHashAlgorithm(a AlgorithmIdentifier) (crypto.Hash, error) {
	h := HashByOID(a.OID)
	if h == 0 {
		return 0, fmt.Errorf("unsupported digest algorithm %s", a.OID)
	}
	return h, nil
}

// ParseSignatureAlgorithm resolves a signature AlgorithmIdentifier. An
// unknown OID is not an error: the result has SchemeUnknown, so a
// certificate still parses and only its verification is unsupported.
func ParseSignatureAlgorithm(a AlgorithmIdentifier) (SignatureAlgorithm, error) {
	s := SignatureAlgorithm{AlgorithmIdentifier: a}
	if a.OID.Equal(OIDRSASSAPSS) {
		p, err := parsePSSParams(a.Params)
		if err != nil {
			return s, err
		}
		s.Scheme, s.Hash, s.PSS = SchemeRSAPSS, p.Hash, p
		return s, nil
	}
	for _, e := range sigTable {
		if e.oid.Equal(a.OID) {
			s.Scheme, s.Hash = e.scheme, e.hash
			return s, nil
		}
	}
	return s, nil
}

// parsePSSParams decodes RSASSA-PSS-params; absent fields take the RFC 4055
// defaults (SHA-1, MGF1 with SHA-1, salt 20, trailer 1).
func parsePSSParams(raw []byte) (*PSSParams, error) {
	p := &PSSParams{Hash: crypto.SHA1, MGFHash: crypto.SHA1, SaltLength: 20, Trailer: 1}
	if len(raw) == 0 {
		return p, nil
	}
	v, err := ber.Decode(raw)
	if err != nil || v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("RSASSA-PSS parameters: %w", ber.ErrMalformed)
	}
	r := v.Children()
	if f, ok, err := r.Optional(ber.ContextConstructed(0)); err != nil {
		return nil, fmt.Errorf("PSS hash: %w", err)
	} else if ok {
		if p.Hash, err = explicitHash(f); err != nil {
			return nil, fmt.Errorf("PSS hash: %w", err)
		}
	}
	if f, ok, err := r.Optional(ber.ContextConstructed(1)); err != nil {
		return nil, fmt.Errorf("PSS mask generation: %w", err)
	} else if ok {
		if p.MGFHash, err = mgf1Hash(f); err != nil {
			return nil, err
		}
	}
	if f, ok, err := r.Optional(ber.ContextConstructed(2)); err != nil {
		return nil, fmt.Errorf("PSS salt length: %w", err)
	} else if ok {
		n, err := explicitInt(f)
		if err != nil || n < 0 || n > 1024 {
			return nil, fmt.Errorf("PSS salt length: %w", ber.ErrMalformed)
		}
		p.SaltLength = int(n)
	}
	if f, ok, err := r.Optional(ber.ContextConstructed(3)); err != nil {
		return nil, fmt.Errorf("PSS trailer: %w", err)
	} else if ok {
		n, err := explicitInt(f)
		if err != nil || n != 1 {
			return nil, fmt.Errorf("PSS trailer field must be 1: %w", ber.ErrMalformed)
		}
	}
	return p, nil
}

func explicitHash(f ber.Value) (crypto.Hash, error) {
	inner, err := f.Children().Next()
	if err != nil {
		return 0, err
	}
	a, err := ParseAlgorithmIdentifier(inner)
	if err != nil {
		return 0, err
	}
	return ParseHashAlgorithm(a)
}

func mgf1Hash(f ber.Value) (crypto.Hash, error) {
	inner, err := f.Children().Next()
	if err != nil {
		return 0, fmt.Errorf("PSS mask generation: %w", err)
	}
	a, err := ParseAlgorithmIdentifier(inner)
	if err != nil {
		return 0, fmt.Errorf("PSS mask generation: %w", err)
	}
	if !a.OID.Equal(OIDMGF1) {
		return 0, fmt.Errorf("unsupported PSS mask generation function %s", a.OID)
	}
	hv, err := ber.Decode(a.Params)
	if err != nil {
		return 0, fmt.Errorf("MGF1 hash: %w", err)
	}
	ha, err := ParseAlgorithmIdentifier(hv)
	if err != nil {
		return 0, fmt.Errorf("MGF1 hash: %w", err)
	}
	return ParseHashAlgorithm(ha)
}

func explicitInt(f ber.Value) (int64, error) {
	inner, err := f.Children().Next()
	if err != nil {
		return 0, err
	}
	return inner.Int64()
}
