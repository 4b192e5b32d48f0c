// Package cms parses and verifies the CMS SignedData (RFC 5652) of EF.SOD,
// EF.CardSecurity and ICAO CSCA master lists, in BER as well as DER: the
// content is kept exactly as signed, and the signed attributes are checked
// both as encoded and in their DER form. It also signs SignedData for test
// PKIs and the software chip.
package cms

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
)

// Object identifiers.
var (
	OIDSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// Errors a caller tells apart.
var (
	ErrDigestMismatch      = errors.New("cms: message digest does not match the content")
	ErrContentTypeMismatch = errors.New("cms: signed content type differs from the content")
	ErrNoSigner            = errors.New("cms: no signer certificate")
	// ErrNoSignedAttributes: the signer signed the content itself. CMS
	// allows it; ICAO 9303-10 and TR-03110 do not, and without the
	// content-type attribute the signature would not say what it signs.
	ErrNoSignedAttributes = errors.New("cms: no signed attributes")
	// ErrMissingAttribute: the signed attributes lack the content type or
	// the message digest (RFC 5652 §5.3 requires both).
	ErrMissingAttribute = errors.New("cms: signed attribute missing")
)

// SignedData is a parsed CMS SignedData.
type SignedData struct {
	Raw              []byte // the ContentInfo (or bare SignedData) as given
	Version          int
	DigestAlgorithms []cert.AlgorithmIdentifier
	ContentType      asn1.ObjectIdentifier
	Content          []byte // the eContent octets, joined when BER splits them
	Certificates     []*cert.Certificate
	CertErrors       []error // certificates in the message that did not parse
	CRLs             []*cert.CRL
	Signers          []*SignerInfo
}

// SignerInfo is one signer of a SignedData.
type SignerInfo struct {
	Version int
	// The signer identifier: issuer and serial number, or a subject key
	// identifier.
	Issuer       *cert.Name
	Serial       *big.Int
	SubjectKeyID []byte

	DigestAlgorithm cert.AlgorithmIdentifier
	Digest          crypto.Hash // 0 when unsupported
	SignedAttrsRaw  []byte      // [0] IMPLICIT SignedAttributes as encoded, nil when absent
	Attributes      []Attribute
	ContentType     asn1.ObjectIdentifier // the content-type attribute
	MessageDigest   []byte                // the message-digest attribute
	SigningTime     time.Time             // zero when absent
	SigAlg          cert.SignatureAlgorithm
	Signature       []byte
}

// Attribute is one signed attribute with its raw values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []ber.Value
}

// Limits against hostile input.
const (
	maxMessage      = 32 << 20
	maxCertificates = 4096
	maxSigners      = 16
	maxAttributes   = 64
)

// Parse decodes a ContentInfo holding a SignedData (or a bare SignedData).
func Parse(b []byte) (*SignedData, error) {
	if len(b) > maxMessage {
		return nil, fmt.Errorf("cms: message of %d bytes exceeds %d", len(b), maxMessage)
	}
	v, err := ber.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sdv, err := unwrapContentInfo(v)
	if err != nil {
		return nil, err
	}
	sd := &SignedData{Raw: v.Raw}
	if err := sd.parse(sdv); err != nil {
		return nil, fmt.Errorf("cms signed data: %w", err)
	}
	return sd, nil
}

// unwrapContentInfo returns the SignedData of a ContentInfo, or v itself
// when it already is a SignedData (it starts with an INTEGER version).
func unwrapContentInfo(v ber.Value) (ber.Value, error) {
	if v.Tag != ber.TagSequence {
		return ber.Value{}, fmt.Errorf("%w: content info tag %X", ber.ErrMalformed, v.Tag)
	}
	r := v.Children()
	if r.PeekTag() == ber.TagInteger {
		return v, nil
	}
	ct, err := r.Expect(ber.TagOID, "contentType")
	if err != nil {
		return ber.Value{}, err
	}
	oid, err := ct.OID()
	if err != nil {
		return ber.Value{}, err
	}
	if !oid.Equal(OIDSignedData) {
		return ber.Value{}, fmt.Errorf("cms: content type %s is not signed data", oid)
	}
	wrap, err := r.Expect(ber.ContextConstructed(0), "content")
	if err != nil {
		return ber.Value{}, err
	}
	return wrap.Children().Expect(ber.TagSequence, "signed data")
}

func (sd *SignedData) parse(v ber.Value) error {
	r := v.Children()
	ver, err := r.Expect(ber.TagInteger, "version")
	if err != nil {
		return err
	}
	n, err := ver.Int64()
	if err != nil || n < 0 || n > 5 {
		return fmt.Errorf("%w: version", ber.ErrMalformed)
	}
	sd.Version = int(n)
	set, err := r.Expect(ber.TagSet, "digestAlgorithms")
	if err != nil {
		return err
	}
	if sd.DigestAlgorithms, err = algorithmSet(set); err != nil {
		return err
	}
	eci, err := r.Expect(ber.TagSequence, "encapContentInfo")
	if err != nil {
		return err
	}
	if err := sd.parseContent(eci); err != nil {
		return err
	}
	if certs, ok, err := r.Optional(ber.ContextConstructed(0)); err != nil {
		return fmt.Errorf("certificates: %w", err)
	} else if ok {
		if err := sd.parseCertificates(certs); err != nil {
			return err
		}
	}
	if crls, ok, err := r.Optional(ber.ContextConstructed(1)); err != nil {
		return fmt.Errorf("crls: %w", err)
	} else if ok {
		sd.parseCRLs(crls)
	}
	signers, err := r.Expect(ber.TagSet, "signerInfos")
	if err != nil {
		return err
	}
	return sd.parseSigners(signers)
}

func algorithmSet(set ber.Value) ([]cert.AlgorithmIdentifier, error) {
	var out []cert.AlgorithmIdentifier
	r := set.Children()
	for !r.Empty() && len(out) < maxSigners {
		v, err := r.Expect(ber.TagSequence, "digest algorithm")
		if err != nil {
			return nil, err
		}
		a, err := cert.ParseAlgorithmIdentifier(v)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (sd *SignedData) parseContent(eci ber.Value) error {
	r := eci.Children()
	ct, err := r.Expect(ber.TagOID, "eContentType")
	if err != nil {
		return err
	}
	if sd.ContentType, err = ct.OID(); err != nil {
		return err
	}
	wrap, ok, err := r.Optional(ber.ContextConstructed(0))
	if err != nil {
		return fmt.Errorf("eContent: %w", err)
	}
	if !ok {
		return nil // detached content
	}
	octets, err := wrap.Children().Next()
	if err != nil {
		return fmt.Errorf("eContent: %w", err)
	}
	if sd.Content, err = octets.OctetString(); err != nil {
		return fmt.Errorf("eContent: %w", err)
	}
	return nil
}

func (sd *SignedData) parseCertificates(set ber.Value) error {
	r := set.Children()
	for !r.Empty() {
		if len(sd.Certificates)+len(sd.CertErrors) >= maxCertificates {
			return fmt.Errorf("%w: more than %d certificates", ber.ErrMalformed, maxCertificates)
		}
		v, err := r.Next()
		if err != nil {
			return fmt.Errorf("certificate: %w", err)
		}
		if v.Tag != ber.TagSequence {
			continue // attribute or other certificate formats
		}
		c, err := cert.ParseValue(v)
		if err != nil {
			sd.CertErrors = append(sd.CertErrors, err)
			continue
		}
		sd.Certificates = append(sd.Certificates, c)
	}
	return nil
}

func (sd *SignedData) parseCRLs(set ber.Value) {
	r := set.Children()
	for !r.Empty() && len(sd.CRLs) < maxCertificates {
		v, err := r.Next()
		if err != nil {
			return
		}
		if crl, err := cert.ParseCRL(v.Raw); err == nil {
			sd.CRLs = append(sd.CRLs, crl)
		}
	}
}

func (sd *SignedData) parseSigners(set ber.Value) error {
	r := set.Children()
	for !r.Empty() {
		if len(sd.Signers) >= maxSigners {
			return fmt.Errorf("%w: more than %d signers", ber.ErrMalformed, maxSigners)
		}
		v, err := r.Expect(ber.TagSequence, "signerInfo")
		if err != nil {
			return err
		}
		si, err := parseSignerInfo(v)
		if err != nil {
			return fmt.Errorf("signer %d: %w", len(sd.Signers), err)
		}
		sd.Signers = append(sd.Signers, si)
	}
	if len(sd.Signers) == 0 {
		return fmt.Errorf("%w: no signer", ber.ErrMalformed)
	}
	return nil
}
