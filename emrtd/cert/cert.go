// Package cert parses X.509 certificates and CRLs of eMRTD PKIs where Go's
// crypto/x509 refuses them: brainpool and explicit-parameter EC keys (via
// emrtd/ec), RSA-PSS with parameters, ECDSA AlgorithmIdentifiers with NULL
// parameters, BER length forms, string types outside RFC 5280. It keeps the
// raw bytes of everything a signature covers and verifies certificate and
// CRL signatures with an issuer's key.
//
// Parsing is lenient where real CSCA certificates need it and strict where
// security needs it: every length is checked against the bytes present,
// and a key that is malformed or not on its curve is reported, never used.
// create.go builds certificates and CRLs for test PKIs.
package cert

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/idagent/idagent/emrtd/cert/ber"
)

// Extension OIDs.
var (
	OIDSubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	OIDKeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	OIDPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	OIDSubjectAltName        = asn1.ObjectIdentifier{2, 5, 29, 17}
	OIDBasicConstraints      = asn1.ObjectIdentifier{2, 5, 29, 19}
	OIDCRLNumber             = asn1.ObjectIdentifier{2, 5, 29, 20}
	OIDCRLReason             = asn1.ObjectIdentifier{2, 5, 29, 21}
	OIDCRLDistribution       = asn1.ObjectIdentifier{2, 5, 29, 31}
	OIDAuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	OIDExtKeyUsage           = asn1.ObjectIdentifier{2, 5, 29, 37}
	// ICAO 9303-12: the document types a document signer may sign.
	OIDDocumentTypeList = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 6, 2}
	// ICAO 9303-12: extended key usage of a master list signer.
	OIDMasterListSigning = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 3}
)

// KeyUsage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature.
type KeyUsage int

const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageNonRepudiation
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
	KeyUsageEncipherOnly
	KeyUsageDecipherOnly
)

// Extension is one certificate or CRL extension.
type Extension struct {
	OID      asn1.ObjectIdentifier
	Critical bool
	Value    []byte // the contents of the extnValue OCTET STRING
}

// Certificate is a parsed X.509 certificate.
type Certificate struct {
	Raw        []byte // the whole certificate
	RawTBS     []byte // the signed TBSCertificate, exactly as encoded
	Version    int    // 1, 2 or 3
	Serial     *big.Int
	Issuer     Name
	Subject    Name
	NotBefore  time.Time
	NotAfter   time.Time
	PublicKey  *PublicKey
	KeyErr     error // why the key is unusable (PublicKey is then nil)
	Signature  []byte
	SigAlg     SignatureAlgorithm // outer signatureAlgorithm
	TBSSigAlg  AlgorithmIdentifier
	Extensions []Extension

	SubjectKeyID        []byte
	AuthorityKeyID      []byte
	KeyUsage            KeyUsage
	HasKeyUsage         bool
	IsCA                bool
	HasBasicConstraints bool
	MaxPathLen          int // −1 when absent
	ExtKeyUsage         []asn1.ObjectIdentifier
	// PrivateKeyUsage bounds when the key may sign (zero when absent); ICAO
	// document signer certificates carry it.
	PrivateKeyNotBefore, PrivateKeyNotAfter time.Time
	DocumentTypes                           []string
}

// maxCertSize bounds one certificate (master list certificates are < 10 KB).
const maxCertSize = 64 << 10

// Parse decodes a DER (or BER) certificate, or a PEM one.
func Parse(b []byte) (*Certificate, error) {
	v, err := certificateForm.decode(b)
	if err != nil {
		return nil, err
	}
	return parseCertificate(v)
}

// ParseValue decodes a certificate already split out of a larger structure
// (a CMS certificates field, a master list).
func ParseValue(v ber.Value) (*Certificate, error) { return parseCertificate(v) }

func parseCertificate(v ber.Value) (*Certificate, error) {
	p, err := certificateForm.split(v)
	if err != nil {
		return nil, err
	}
	c := &Certificate{Raw: v.Raw, RawTBS: p.tbs.Raw, SigAlg: p.sigAlg, Signature: p.signature, MaxPathLen: -1}
	if err := c.parseTBS(p.tbs); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Certificate) parseTBS(tbs ber.Value) error {
	r := tbs.Children()
	c.Version = 1
	if v, ok, err := r.Optional(ber.ContextConstructed(0)); err != nil {
		return fmt.Errorf("version: %w", err)
	} else if ok {
		n, err := explicitInt(v)
		if err != nil || n < 0 || n > 2 {
			return fmt.Errorf("version: %w", ber.ErrMalformed)
		}
		c.Version = int(n) + 1
	}
	serial, err := r.Expect(ber.TagInteger, "serialNumber")
	if err != nil {
		return err
	}
	if c.Serial, err = serial.Int(); err != nil {
		return fmt.Errorf("serialNumber: %w", err)
	}
	algV, err := r.Expect(ber.TagSequence, "signature")
	if err != nil {
		return err
	}
	if c.TBSSigAlg, err = ParseAlgorithmIdentifier(algV); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if c.Issuer, err = readName(r, "issuer"); err != nil {
		return err
	}
	if err := c.parseValidity(r); err != nil {
		return err
	}
	if c.Subject, err = readName(r, "subject"); err != nil {
		return err
	}
	spki, err := r.Expect(ber.TagSequence, "subjectPublicKeyInfo")
	if err != nil {
		return err
	}
	if c.PublicKey, err = parsePublicKey(spki); err != nil {
		c.PublicKey, c.KeyErr = nil, err
	}
	for _, skip := range []uint32{ber.ContextPrimitive(1), ber.ContextConstructed(1), ber.ContextPrimitive(2), ber.ContextConstructed(2)} {
		if _, _, err := r.Optional(skip); err != nil {
			return fmt.Errorf("unique identifier: %w", err)
		}
	}
	if ext, ok, err := r.Optional(ber.ContextConstructed(3)); err != nil {
		return fmt.Errorf("extensions: %w", err)
	} else if ok {
		if err := c.parseExtensions(ext); err != nil {
			return err
		}
	}
	if !r.Empty() {
		return fmt.Errorf("%w: data after the extensions", ber.ErrMalformed)
	}
	return nil
}

func readName(r *ber.Reader, what string) (Name, error) {
	v, err := r.Expect(ber.TagSequence, what)
	if err != nil {
		return Name{}, err
	}
	n, err := parseName(v)
	if err != nil {
		return Name{}, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

func (c *Certificate) parseValidity(r *ber.Reader) error {
	v, err := r.Expect(ber.TagSequence, "validity")
	if err != nil {
		return err
	}
	f := v.Children()
	nb, err := f.Next()
	if err != nil {
		return fmt.Errorf("notBefore: %w", err)
	}
	na, err := f.Next()
	if err != nil {
		return fmt.Errorf("notAfter: %w", err)
	}
	if c.NotBefore, err = nb.Time(); err != nil {
		return fmt.Errorf("notBefore: %w", err)
	}
	if c.NotAfter, err = na.Time(); err != nil {
		return fmt.Errorf("notAfter: %w", err)
	}
	return nil
}

// maxExtensions bounds the extensions of one certificate or CRL.
const maxExtensions = 64

// parseExtensionList decodes [n] EXPLICIT Extensions.
func parseExtensionList(wrapper ber.Value) ([]Extension, error) {
	seq, err := wrapper.Children().Expect(ber.TagSequence, "extensions")
	if err != nil {
		return nil, err
	}
	var out []Extension
	r := seq.Children()
	for !r.Empty() {
		if len(out) >= maxExtensions {
			return nil, fmt.Errorf("%w: more than %d extensions", ber.ErrMalformed, maxExtensions)
		}
		e, err := parseExtension(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func parseExtension(r *ber.Reader) (Extension, error) {
	oid, f, err := readOIDSequence(r, "extension", "extnID")
	if err != nil {
		return Extension{}, err
	}
	e := Extension{OID: oid}
	if b, ok, err := f.Optional(ber.TagBoolean); err != nil {
		return Extension{}, err
	} else if ok {
		if e.Critical, err = b.Bool(); err != nil {
			return Extension{}, err
		}
	}
	val, err := f.Next()
	if err != nil {
		return Extension{}, fmt.Errorf("extension %s value: %w", e.OID, err)
	}
	if e.Value, err = val.OctetString(); err != nil {
		return Extension{}, fmt.Errorf("extension %s value: %w", e.OID, err)
	}
	return e, nil
}

func (c *Certificate) parseExtensions(wrapper ber.Value) error {
	exts, err := parseExtensionList(wrapper)
	if err != nil {
		return err
	}
	c.Extensions = exts
	for _, e := range exts {
		if err := c.applyExtension(e); err != nil {
			return fmt.Errorf("extension %s: %w", e.OID, err)
		}
	}
	return nil
}

func (c *Certificate) applyExtension(e Extension) error {
	var err error
	switch {
	case e.OID.Equal(OIDSubjectKeyID):
		c.SubjectKeyID, err = decodeOctetString(e.Value)
	case e.OID.Equal(OIDAuthorityKeyID):
		c.AuthorityKeyID, err = decodeAuthorityKeyID(e.Value)
	case e.OID.Equal(OIDKeyUsage):
		c.KeyUsage, err = decodeKeyUsage(e.Value)
		c.HasKeyUsage = err == nil
	case e.OID.Equal(OIDBasicConstraints):
		err = c.decodeBasicConstraints(e.Value)
	case e.OID.Equal(OIDExtKeyUsage):
		c.ExtKeyUsage, err = decodeOIDSequence(e.Value)
	case e.OID.Equal(OIDPrivateKeyUsagePeriod):
		err = c.decodePrivateKeyUsage(e.Value)
	case e.OID.Equal(OIDDocumentTypeList):
		c.DocumentTypes, err = decodeDocumentTypes(e.Value)
	}
	// A malformed non-critical extension that is not needed for chaining
	// does not make the certificate unusable.
	if err != nil && !e.Critical && !e.OID.Equal(OIDAuthorityKeyID) && !e.OID.Equal(OIDSubjectKeyID) {
		return nil
	}
	return err
}

func decodeOctetString(b []byte) ([]byte, error) {
	v, err := ber.Decode(b)
	if err != nil {
		return nil, err
	}
	return v.OctetString()
}

// decodeAuthorityKeyID returns the keyIdentifier [0] of
// AuthorityKeyIdentifier (nil when only issuer and serial are given).
func decodeAuthorityKeyID(b []byte) ([]byte, error) {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("authority key identifier: %w", ber.ErrMalformed)
	}
	r := v.Children()
	for !r.Empty() {
		f, err := r.Next()
		if err != nil {
			return nil, err
		}
		if f.Tag == ber.ContextPrimitive(0) || f.Tag == ber.ContextConstructed(0) {
			return f.Bytes()
		}
	}
	return nil, nil
}

func decodeKeyUsage(b []byte) (KeyUsage, error) {
	v, err := ber.Decode(b)
	if err != nil {
		return 0, err
	}
	bits, _, err := v.BitString()
	if err != nil {
		return 0, err
	}
	var ku KeyUsage
	for i := 0; i < 9 && i/8 < len(bits); i++ {
		if bits[i/8]&(0x80>>(i%8)) != 0 {
			ku |= 1 << i
		}
	}
	return ku, nil
}

func (c *Certificate) decodeBasicConstraints(b []byte) error {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return fmt.Errorf("basic constraints: %w", ber.ErrMalformed)
	}
	c.HasBasicConstraints = true
	r := v.Children()
	if f, ok, err := r.Optional(ber.TagBoolean); err != nil {
		return err
	} else if ok {
		if c.IsCA, err = f.Bool(); err != nil {
			return err
		}
	}
	if f, ok, err := r.Optional(ber.TagInteger); err != nil {
		return err
	} else if ok {
		n, err := f.Int64()
		if err != nil || n < 0 || n > 1<<16 {
			return fmt.Errorf("path length: %w", ber.ErrMalformed)
		}
		c.MaxPathLen = int(n)
	}
	return nil
}

func decodeOIDSequence(b []byte) ([]asn1.ObjectIdentifier, error) {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("%w: OID list", ber.ErrMalformed)
	}
	var out []asn1.ObjectIdentifier
	r := v.Children()
	for !r.Empty() && len(out) < maxExtensions {
		o, err := r.Expect(ber.TagOID, "key purpose")
		if err != nil {
			return nil, err
		}
		oid, err := o.OID()
		if err != nil {
			return nil, err
		}
		out = append(out, oid)
	}
	return out, nil
}

func (c *Certificate) decodePrivateKeyUsage(b []byte) error {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return fmt.Errorf("private key usage period: %w", ber.ErrMalformed)
	}
	r := v.Children()
	for !r.Empty() {
		f, err := r.Next()
		if err != nil {
			return err
		}
		t, err := ber.Value{Tag: ber.TagGeneralizedTime, Content: f.Content}.Time()
		if err != nil {
			return fmt.Errorf("private key usage period: %w", err)
		}
		switch f.Tag {
		case ber.ContextPrimitive(0):
			c.PrivateKeyNotBefore = t
		case ber.ContextPrimitive(1):
			c.PrivateKeyNotAfter = t
		}
	}
	return nil
}

// decodeDocumentTypes reads DocumentTypeListSyntax ::= SEQUENCE { version
// INTEGER, docTypeList SET OF PrintableString }.
func decodeDocumentTypes(b []byte) ([]string, error) {
	v, err := ber.Decode(b)
	if err != nil || v.Tag != ber.TagSequence {
		return nil, fmt.Errorf("document type list: %w", ber.ErrMalformed)
	}
	r := v.Children()
	if _, err := r.Expect(ber.TagInteger, "document type list version"); err != nil {
		return nil, err
	}
	set, err := r.Expect(ber.TagSet, "document types")
	if err != nil {
		return nil, err
	}
	var out []string
	sr := set.Children()
	for !sr.Empty() && len(out) < maxExtensions {
		s, err := sr.Next()
		if err != nil {
			return nil, err
		}
		str, err := s.String()
		if err != nil {
			return nil, err
		}
		out = append(out, str)
	}
	return out, nil
}

// Extension returns the extension with the given OID.
func (c *Certificate) Extension(oid asn1.ObjectIdentifier) (Extension, bool) {
	for _, e := range c.Extensions {
		if e.OID.Equal(oid) {
			return e, true
		}
	}
	return Extension{}, false
}

// SelfIssued reports whether issuer and subject are the same name.
func (c *Certificate) SelfIssued() bool { return c.Issuer.Equal(c.Subject) }

// ValidAt reports whether t lies within the validity period.
func (c *Certificate) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// Fingerprint is the SHA-256 of the certificate's encoding.
func (c *Certificate) Fingerprint() [32]byte { return sha256Sum(c.Raw) }

// Equal reports whether two certificates have the same encoding.
func (c *Certificate) Equal(o *Certificate) bool { return bytes.Equal(c.Raw, o.Raw) }

// ErrNoKey reports an issuer whose key could not be parsed.
var ErrNoKey = errors.New("cert: issuer key unusable")

// CheckSignatureFrom verifies that issuer's key signed c, with the
// algorithm both the signed part and the outer signatureAlgorithm name.
// Errors wrap ErrSignature (a bad signature), ErrAlgorithmMismatch, or
// ErrUnsupported/ErrNoKey (cannot tell).
func (c *Certificate) CheckSignatureFrom(issuer *Certificate) error {
	return checkSigned(issuer, c.TBSSigAlg, c.SigAlg, c.RawTBS, c.Signature)
}

// ErrAlgorithmMismatch reports a certificate or CRL whose outer
// signatureAlgorithm is not the one its signed part names (RFC 5280
// §4.1.1.2, §5.1.1.2): the unsigned copy was changed, so the structure is
// not what was signed.
var ErrAlgorithmMismatch = errors.New("cert: the signature algorithm differs from the one the signed part names")

// checkSigned verifies a signed structure (certificate or CRL) with
// issuer's key after checking that its two algorithm identifiers agree.
// Absent and NULL parameters count as the same: both say "none".
func checkSigned(issuer *Certificate, inner AlgorithmIdentifier, outer SignatureAlgorithm, tbs, sig []byte) error {
	if !inner.OID.Equal(outer.OID) || (!bytes.Equal(inner.Params, outer.Params) && !(inner.hasNoParams() && outer.hasNoParams())) {
		return fmt.Errorf("%w: %s, and %s outside it", ErrAlgorithmMismatch, inner.OID, outer.OID)
	}
	if issuer.PublicKey == nil {
		return fmt.Errorf("%w: %v", ErrNoKey, issuer.KeyErr)
	}
	return issuer.PublicKey.Verify(outer, 0, tbs, sig)
}
