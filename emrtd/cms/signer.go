package cms

import (
	"bytes"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
)

func parseSignerInfo(v ber.Value) (*SignerInfo, error) {
	r := v.Children()
	ver, err := r.Expect(ber.TagInteger, "version")
	if err != nil {
		return nil, err
	}
	n, err := ver.Int64()
	if err != nil || n < 0 || n > 5 {
		return nil, fmt.Errorf("%w: signer version", ber.ErrMalformed)
	}
	si := &SignerInfo{Version: int(n)}
	if err := si.parseSID(r); err != nil {
		return nil, err
	}
	da, err := r.Expect(ber.TagSequence, "digestAlgorithm")
	if err != nil {
		return nil, err
	}
	if si.DigestAlgorithm, err = cert.ParseAlgorithmIdentifier(da); err != nil {
		return nil, err
	}
	si.Digest = cert.HashByOID(si.DigestAlgorithm.OID)
	if attrs, ok, err := r.Optional(ber.ContextConstructed(0)); err != nil {
		return nil, fmt.Errorf("signedAttrs: %w", err)
	} else if ok {
		si.SignedAttrsRaw = attrs.Raw
		if err := si.parseAttributes(attrs); err != nil {
			return nil, err
		}
	}
	sa, err := r.Expect(ber.TagSequence, "signatureAlgorithm")
	if err != nil {
		return nil, err
	}
	if si.SigAlg, err = parseSignerAlgorithm(sa); err != nil {
		return nil, err
	}
	sig, err := r.Next()
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if si.Signature, err = sig.OctetString(); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return si, nil
}

// parseSignerAlgorithm resolves the signature algorithm; some SODs name
// the key algorithm (id-ecPublicKey) and leave the hash to digestAlgorithm.
func parseSignerAlgorithm(v ber.Value) (cert.SignatureAlgorithm, error) {
	a, err := cert.ParseAlgorithmIdentifier(v)
	if err != nil {
		return cert.SignatureAlgorithm{}, err
	}
	if a.OID.Equal(cert.OIDECPublicKey) {
		return cert.SignatureAlgorithm{AlgorithmIdentifier: a, Scheme: cert.SchemeECDSA}, nil
	}
	return cert.ParseSignatureAlgorithm(a)
}

func (si *SignerInfo) parseSID(r *ber.Reader) error {
	v, err := r.Next()
	if err != nil {
		return fmt.Errorf("sid: %w", err)
	}
	switch v.Tag {
	case ber.TagSequence:
		f := v.Children()
		nv, err := f.Expect(ber.TagSequence, "issuer")
		if err != nil {
			return err
		}
		name, err := cert.ParseName(nv)
		if err != nil {
			return fmt.Errorf("sid issuer: %w", err)
		}
		sv, err := f.Expect(ber.TagInteger, "serialNumber")
		if err != nil {
			return err
		}
		if si.Serial, err = sv.Int(); err != nil {
			return err
		}
		si.Issuer = &name
	case ber.ContextPrimitive(0), ber.ContextConstructed(0):
		if si.SubjectKeyID, err = v.Bytes(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: sid tag %X", ber.ErrMalformed, v.Tag)
	}
	return nil
}

func (si *SignerInfo) parseAttributes(set ber.Value) error {
	r := set.Children()
	for !r.Empty() {
		if len(si.Attributes) >= maxAttributes {
			return fmt.Errorf("%w: more than %d signed attributes", ber.ErrMalformed, maxAttributes)
		}
		a, err := parseAttribute(r)
		if err != nil {
			return err
		}
		si.Attributes = append(si.Attributes, a)
		if err := si.applyAttribute(a); err != nil {
			return err
		}
	}
	return nil
}

func parseAttribute(r *ber.Reader) (Attribute, error) {
	v, err := r.Expect(ber.TagSequence, "attribute")
	if err != nil {
		return Attribute{}, err
	}
	f := v.Children()
	t, err := f.Expect(ber.TagOID, "attrType")
	if err != nil {
		return Attribute{}, err
	}
	a := Attribute{}
	if a.Type, err = t.OID(); err != nil {
		return Attribute{}, err
	}
	set, err := f.Expect(ber.TagSet, "attrValues")
	if err != nil {
		return Attribute{}, err
	}
	vr := set.Children()
	for !vr.Empty() && len(a.Values) < maxAttributes {
		val, err := vr.Next()
		if err != nil {
			return Attribute{}, err
		}
		a.Values = append(a.Values, val)
	}
	return a, nil
}

// applyAttribute records the attributes CMS verification needs; each must
// have exactly one value (RFC 5652 §11).
func (si *SignerInfo) applyAttribute(a Attribute) error {
	var err error
	switch {
	case a.Type.Equal(OIDAttrContentType):
		if len(a.Values) != 1 || si.ContentType != nil {
			return fmt.Errorf("%w: content-type attribute", ber.ErrMalformed)
		}
		si.ContentType, err = a.Values[0].OID()
	case a.Type.Equal(OIDAttrMessageDigest):
		if len(a.Values) != 1 || si.MessageDigest != nil {
			return fmt.Errorf("%w: message-digest attribute", ber.ErrMalformed)
		}
		si.MessageDigest, err = a.Values[0].OctetString()
	case a.Type.Equal(OIDAttrSigningTime):
		if len(a.Values) == 1 {
			si.SigningTime, err = a.Values[0].Time()
		}
	}
	return err
}

// Identifies reports whether the signer identifier names c: its subject
// key identifier, or its serial number and issuer under name matching
// (string types, case, spacing and RDN order folded; see cert.Name).
func (si *SignerInfo) Identifies(c *cert.Certificate) bool {
	if si.SubjectKeyID != nil {
		return bytes.Equal(si.SubjectKeyID, c.SubjectKeyID)
	}
	return si.Serial != nil && si.Issuer != nil && si.Serial.Cmp(c.Serial) == 0 && si.Issuer.Equal(c.Issuer)
}

// SignerCertificates returns the certificates in the message that the
// signer identifier names (normally one).
func (sd *SignedData) SignerCertificates(si *SignerInfo) []*cert.Certificate {
	var out []*cert.Certificate
	for _, c := range sd.Certificates {
		if si.Identifies(c) {
			out = append(out, c)
		}
	}
	return out
}

// CheckContent checks the signed attributes against the content: both the
// content-type and the message-digest attribute are present, the content
// type equals eContentType, and the message digest is the digest of the
// content with the SignerInfo's digest algorithm.
func (sd *SignedData) CheckContent(si *SignerInfo) error {
	switch {
	case si.SignedAttrsRaw == nil:
		return ErrNoSignedAttributes
	case si.ContentType == nil:
		return fmt.Errorf("%w: content type", ErrMissingAttribute)
	case si.MessageDigest == nil:
		return fmt.Errorf("%w: message digest", ErrMissingAttribute)
	case !si.ContentType.Equal(sd.ContentType):
		return ErrContentTypeMismatch
	case si.Digest == 0:
		return fmt.Errorf("%w: digest algorithm %s", cert.ErrUnsupported, si.DigestAlgorithm.OID)
	}
	h := si.Digest.New()
	h.Write(sd.Content)
	if !bytes.Equal(h.Sum(nil), si.MessageDigest) {
		return ErrDigestMismatch
	}
	return nil
}

// Verify checks one signer's signature with a certificate's key, strictly:
// the signed attributes must be there with content type and message
// digest (CheckContent), and the signature is checked with one hash, the
// SignerInfo's digest algorithm (as OpenSSL and Bouncy Castle do; the
// signature algorithm's own hash, when it names one, is not tried as a
// second chance). An RSASSA-PSS signer must name that same hash in its
// parameters. The signature covers the signed attributes as encoded, or,
// when that encoding is not DER (BER lengths, an unsorted SET), their DER
// form, which is what CMS defines it over: two encodings of the same
// attributes, not two meanings. Errors wrap ErrNoSignedAttributes,
// ErrMissingAttribute, ErrDigestMismatch, ErrContentTypeMismatch,
// cert.ErrAlgorithmMismatch, cert.ErrSignature or cert.ErrUnsupported.
func (sd *SignedData) Verify(si *SignerInfo, signer *cert.Certificate) error {
	if signer == nil {
		return ErrNoSigner
	}
	if signer.PublicKey == nil {
		return fmt.Errorf("%w: %v", cert.ErrNoKey, signer.KeyErr)
	}
	if err := sd.CheckContent(si); err != nil {
		return err
	}
	alg := si.SigAlg
	if alg.Scheme == cert.SchemeRSAPSS {
		if alg.Hash != si.Digest {
			return fmt.Errorf("%w: RSA-PSS with %s, digest algorithm %s", cert.ErrAlgorithmMismatch, alg.Hash, si.Digest)
		}
	} else {
		alg.Hash = si.Digest
	}
	var err error
	for _, signed := range si.signedBytes() {
		if err = signer.PublicKey.Verify(alg, si.Digest, signed, si.Signature); err == nil {
			return nil
		}
	}
	return err
}

// signedBytes returns the encodings of the signed attributes the
// signature may cover: as encoded (tag SET), then DER when that differs.
func (si *SignerInfo) signedBytes() [][]byte {
	asSet := append([]byte{ber.TagSet}, si.SignedAttrsRaw[1:]...)
	out := [][]byte{asSet}
	if der, err := ber.ToDER(asSet); err == nil && !bytes.Equal(der, asSet) {
		out = append(out, der)
	}
	return out
}
