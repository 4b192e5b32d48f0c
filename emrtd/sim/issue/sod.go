package issue

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/tlv"
)

var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidLDSSecurityObject = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidSecurityObject    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 3, 2, 1} // EF.CardSecurity (BSI TR-03110)
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// The eContentType variants real EF.SODs carry (real-chips.md L-03).
var (
	ContentTypeBelgium     = asn1.ObjectIdentifier{1, 3, 27, 1, 1, 1}            // Belgium, France
	ContentTypeNetherlands = asn1.ObjectIdentifier{1, 2, 528, 1, 1006, 1, 20, 1} // the Netherlands
	ContentTypeData        = oidData                                             // id-data (a Chinese passport)
)

// SODSigner is what signs an EF.SOD: a document signer certificate and its
// key (*ec.PrivateKey or *rsa.PrivateKey).
type SODSigner struct {
	Cert *cert.Certificate
	Key  crypto.PrivateKey
	CSCA []byte // the issuing CSCA's certificate (SODOptions.WithCSCA)
}

// SOD is an encoded EF.SOD with the parts a tamper needs to reach.
type SOD struct {
	Bytes     []byte // the whole file: 77 { ContentInfo }
	Signature []byte // the (first) signer's signature value inside Bytes (aliases it)
}

// SignerID is how a SignerInfo names its document signer (real-chips.md
// P-03).
type SignerID string

const (
	// ByIssuerAndSerial names the certificate's issuer exactly as the
	// certificate encodes it, and its serial number.
	ByIssuerAndSerial SignerID = ""
	// BySubjectKeyID names the certificate's subject key identifier
	// (SignerInfo version 3).
	BySubjectKeyID SignerID = "ski"
	// ByReorderedIssuer names the issuer with its RDNs in the opposite
	// order (seen on Malaysian SODs, gmrtd #353).
	ByReorderedIssuer SignerID = "issuer-reordered"
	// ByRetypedIssuer names the issuer with other string types, letter
	// case and spacing (seen on Ukrainian SODs, gmrtd #440).
	ByRetypedIssuer SignerID = "issuer-retyped"
)

// SODAlgorithm is the document signer and the algorithms of an EF.SOD
// (real-chips.md P-04, P-07).
type SODAlgorithm string

const (
	// ECDSASHA256 is the plain SOD: the committed brainpoolP256r1
	// signer, SHA-256 hashes, digest and ecdsa-with-SHA256.
	ECDSASHA256 SODAlgorithm = ""
	// RSAPSS: an RSA document signer, RSASSA-PSS with SHA-256 (Philippines).
	RSAPSS SODAlgorithm = "rsa-pss"
	// RSAPSSKey: the signer's key is published under id-RSASSA-PSS but
	// signs sha256WithRSAEncryption (PKCS#1 v1.5; Turkey).
	RSAPSSKey SODAlgorithm = "rsa-pss-key"
	// RSAKeyOnly: the signature algorithm is rsaEncryption; its hash is
	// the SignerInfo's digest algorithm (United States).
	RSAKeyOnly SODAlgorithm = "rsa-key-only"
	// ECKeyOnly: the signature algorithm is id-ecPublicKey; its hash is
	// the SignerInfo's digest algorithm.
	ECKeyOnly SODAlgorithm = "ec-key-only"
	// MixedHashes: the data groups hashed with SHA-256, the SignerInfo
	// with SHA-384 and ecdsa-with-SHA384, the certificate signed with
	// SHA-512: every algorithm different and every one valid (Lithuania).
	MixedHashes SODAlgorithm = "mixed-hashes"
	// SHA1: SHA-1 everywhere: the certificate's signature, the data group
	// hashes and the SOD's signature (BSI TR-03105 5.1's SHA-1 profile).
	SHA1 SODAlgorithm = "sha1"
)

// SODOptions are the ways real EF.SODs differ from the plain one
// (../shared/reference/real-chips.md L-02 to P-08) and the forged
// SignedData of the attack catalogue (issue 13). The zero value is the
// plain EF.SOD: DER, LDSSecurityObject v0, one SignerInfo naming its
// signer by issuer and serial, the signer's certificate inside.
type SODOptions struct {
	// Indefinite (L-02) writes the SignedData's structure with BER
	// indefinite lengths and the eContent as a constructed OCTET STRING,
	// as US and New Zealand passports do; the EF.SOD tag keeps a definite
	// length and the certificate its DER.
	Indefinite bool
	// ContentType (L-03) replaces id-icao-mrtd-security-ldsSecurityObject
	// as eContentType and in the content-type attribute.
	ContentType asn1.ObjectIdentifier
	// LDSVersion1 (L-04) writes LDSSecurityObject version 1 with its
	// LDSVersionInfo.
	LDSVersion1 bool
	// NullDigestParams (L-04) gives digest AlgorithmIdentifiers NULL
	// parameters instead of none.
	NullDigestParams bool
	// LongLengths (L-04) writes every length outside the signed
	// attributes and the certificates in the long form (82 hh ll).
	LongLengths bool
	// SignerID (P-03) is how the SignerInfo names its signer.
	SignerID SignerID
	// WithCSCA puts the CSCA certificate in the SOD beside the signer's,
	// as some issuers do (so "the one certificate in the SOD" does not
	// name the signer).
	WithCSCA bool
	// OmitDS (P-02) leaves the signer's certificate out: a verifier needs
	// it in its trust store.
	OmitDS bool
	// UnsortedAttributes (P-05) writes the signed attributes out of DER
	// order (message digest first) and signs them as written.
	UnsortedAttributes bool
	// Algorithm (P-04, P-07) is the signer and the algorithms.
	Algorithm SODAlgorithm
	// NoKeyUsage (P-08) signs with a document signer whose certificate
	// lacks the keyUsage extension.
	NoKeyUsage bool

	// ExtraInvalidSigner (attack) adds a second SignerInfo whose
	// signature does not verify.
	ExtraInvalidSigner bool
	// NoSignedAttributes (attack) signs the content directly, without
	// signed attributes (CMS allows it, ICAO does not).
	NoSignedAttributes bool
}

// signerKind is the test PKI signer the algorithm and NoKeyUsage call for,
// "" for the committed one the tamper picks.
func (o SODOptions) signerKind() (testpki.SignerKind, error) {
	kinds := map[SODAlgorithm]testpki.SignerKind{
		RSAPSS: testpki.RSASigner, RSAKeyOnly: testpki.RSASigner,
		RSAPSSKey: testpki.RSAPSSKeySigner, SHA1: testpki.SHA1Signer,
	}
	kind := kinds[o.Algorithm]
	if o.NoKeyUsage {
		if kind != "" {
			return "", fmt.Errorf("issue: EF.SOD algorithm %s needs its own signer, which has a keyUsage", o.Algorithm)
		}
		kind = testpki.NoKeyUsageSigner
	}
	return kind, nil
}

// check refuses options that contradict each other.
func (o SODOptions) check() error {
	switch {
	case !slices.Contains([]SODAlgorithm{ECDSASHA256, RSAPSS, RSAPSSKey, RSAKeyOnly, ECKeyOnly, MixedHashes, SHA1}, o.Algorithm):
		return fmt.Errorf("issue: unknown EF.SOD algorithm %q", o.Algorithm)
	case !slices.Contains([]SignerID{ByIssuerAndSerial, BySubjectKeyID, ByReorderedIssuer, ByRetypedIssuer}, o.SignerID):
		return fmt.Errorf("issue: unknown signer identifier %q", o.SignerID)
	case o.NoSignedAttributes && o.UnsortedAttributes:
		return errors.New("issue: unsorted signed attributes need signed attributes")
	}
	_, err := o.signerKind()
	return err
}

// algorithms are the hashes and signature algorithm of one EF.SOD.
type algorithms struct {
	ldsHash, digest crypto.Hash
	sig             cert.SignatureAlgorithm
}

func (o SODOptions) algorithms(key crypto.PrivateKey) (algorithms, error) {
	a := algorithms{ldsHash: crypto.SHA256, digest: crypto.SHA256}
	var err error
	switch o.Algorithm {
	case MixedHashes:
		a.digest = crypto.SHA384
	case SHA1:
		a.ldsHash, a.digest = crypto.SHA1, crypto.SHA1
	}
	if a.sig, err = cert.SignatureAlgorithmFor(key, a.digest, o.Algorithm == RSAPSS); err != nil {
		return a, err
	}
	switch o.Algorithm {
	case RSAKeyOnly:
		a.sig.AlgorithmIdentifier = cert.AlgorithmIdentifier{OID: cert.OIDRSAEncryption, Params: []byte{ber.TagNull, 0}}
	case ECKeyOnly:
		a.sig.AlgorithmIdentifier = cert.AlgorithmIdentifier{OID: cert.OIDECPublicKey}
	}
	return a, nil
}

// EncodeSOD builds EF.SOD (ICAO 9303-10 §4.6.2): tag 77 around a CMS
// ContentInfo of SignedData whose encapsulated content is an
// LDSSecurityObject with the hashes of the given data groups, signed by
// signer with signed attributes content type, signing time and message
// digest, shaped by o. ECDSA and PKCS#1 v1.5 signatures are deterministic
// (RFC 6979), RSA-PSS salts come from a fixed stream, so the same inputs
// give the same bytes.
func EncodeSOD(dgs map[int][]byte, signer SODSigner, signingTime time.Time, o SODOptions) (*SOD, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	algs, err := o.algorithms(signer.Key)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	w := berWriter{indefinite: o.Indefinite, long: o.LongLengths}
	content := ldsSecurityObject(w, dgs, algs.ldsHash, o)
	contentType := oidLDSSecurityObject
	if o.ContentType != nil {
		contentType = o.ContentType
	}
	ci, sig, err := signedData{w: w, o: o, algs: algs, signer: signer}.encode(contentType, content, signingTime)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	file := tlv.Encode(0x77, ci)
	sigValue := w.prim(ber.TagOctetString, sig)
	at := bytes.Index(file, sigValue)
	if at < 0 {
		return nil, errors.New("EF.SOD: signature not found in the file")
	}
	at += len(sigValue) - len(sig)
	return &SOD{Bytes: file, Signature: file[at : at+len(sig) : at+len(sig)]}, nil
}

// EncodeCardSecurity builds EF.CardSecurity (BSI TR-03110): a CMS
// ContentInfo (no outer tag) of SignedData whose encapsulated content, of
// type id-SecurityObject, is the DER SecurityInfos given, signed like a
// plain EF.SOD.
func EncodeCardSecurity(securityInfos []byte, signer SODSigner, signingTime time.Time) ([]byte, error) {
	algs, err := SODOptions{}.algorithms(signer.Key)
	if err != nil {
		return nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	ci, _, err := signedData{algs: algs, signer: signer}.encode(oidSecurityObject, securityInfos, signingTime)
	if err != nil {
		return nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	return ci, nil
}

// ldsSecurityObject encodes LDSSecurityObject ::= SEQUENCE { version,
// hashAlgorithm, dataGroupHashValues, ldsVersionInfo OPTIONAL }.
func ldsSecurityObject(w berWriter, dgs map[int][]byte, h crypto.Hash, o SODOptions) []byte {
	numbers := make([]int, 0, len(dgs))
	for n := range dgs {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	hashes := make([][]byte, 0, len(numbers))
	for _, n := range numbers {
		d := h.New()
		d.Write(dgs[n])
		hashes = append(hashes, w.cons(ber.TagSequence, w.integer(int64(n)), w.prim(ber.TagOctetString, d.Sum(nil))))
	}
	version := int64(0)
	var info []byte
	if o.LDSVersion1 {
		version = 1
		info = w.cons(ber.TagSequence, w.prim(ber.TagPrintableString, []byte("0108")), w.prim(ber.TagPrintableString, []byte("040000")))
	}
	return w.cons(ber.TagSequence, w.integer(version), w.algorithm(cert.HashOID(h), o.NullDigestParams),
		w.cons(ber.TagSequence, hashes...), info)
}

// signedData builds one CMS SignedData.
type signedData struct {
	w      berWriter
	o      SODOptions
	algs   algorithms
	signer SODSigner
}

// encode returns the ContentInfo and the first signer's signature.
func (s signedData) encode(contentType asn1.ObjectIdentifier, content []byte, signingTime time.Time) ([]byte, []byte, error) {
	w := s.w
	info, sig, err := s.signerInfo(contentType, content, signingTime)
	if err != nil {
		return nil, nil, err
	}
	infos := [][]byte{info}
	if s.o.ExtraInvalidSigner {
		bad, _, err := s.signerInfoWith(contentType, content, signingTime, func(sig []byte) { sig[len(sig)/3] ^= 0x40 })
		if err != nil {
			return nil, nil, err
		}
		infos = append(infos, bad)
	}
	version := int64(1)
	if s.o.SignerID == BySubjectKeyID || !contentType.Equal(oidData) {
		version = 3 // RFC 5652 §5.1
	}
	digestAlg := w.algorithm(cert.HashOID(s.algs.digest), s.o.NullDigestParams)
	sd := w.cons(ber.TagSequence,
		w.integer(version),
		w.cons(ber.TagSet, digestAlg),
		w.cons(ber.TagSequence, w.oid(contentType), w.cons(0xA0, w.octets(content))),
		s.certificates(),
		w.cons(ber.TagSet, infos...))
	return w.cons(ber.TagSequence, w.oid(oidSignedData), w.cons(0xA0, sd)), sig, nil
}

// certificates is the [0] IMPLICIT certificates field, nil when empty.
func (s signedData) certificates() []byte {
	var certs [][]byte
	if !s.o.OmitDS {
		certs = append(certs, s.signer.Cert.Raw)
	}
	if s.o.WithCSCA {
		certs = append(certs, s.signer.CSCA)
	}
	if len(certs) == 0 {
		return nil
	}
	return s.w.cons(0xA0, certs...)
}

func (s signedData) signerInfo(contentType asn1.ObjectIdentifier, content []byte, signingTime time.Time) ([]byte, []byte, error) {
	return s.signerInfoWith(contentType, content, signingTime, nil)
}

// signerInfoWith encodes a SignerInfo; spoil, when set, changes the
// signature after signing (an invalid signer).
func (s signedData) signerInfoWith(contentType asn1.ObjectIdentifier, content []byte, signingTime time.Time, spoil func([]byte)) ([]byte, []byte, error) {
	w := s.w
	sid, version := s.signerIdentifier()
	var attrs, signed []byte
	if s.o.NoSignedAttributes {
		signed = content
	} else {
		signed = s.signedAttributes(contentType, content, signingTime)
		attrs = w.cons(0xA0, elements(signed)...)
		if s.o.UnsortedAttributes || !w.indefinite {
			attrs = append([]byte{0xA0}, signed[1:]...) // exactly the bytes signed
		}
	}
	sig, err := sign(s.signer.Key, s.algs, signed)
	if err != nil {
		return nil, nil, err
	}
	if spoil != nil {
		spoil(sig)
	}
	return w.cons(ber.TagSequence,
		w.integer(version), sid,
		w.algorithm(cert.HashOID(s.algs.digest), s.o.NullDigestParams),
		attrs,
		cert.MarshalAlgorithm(s.algs.sig),
		w.prim(ber.TagOctetString, sig)), sig, nil
}

// signerIdentifier is the SignerInfo's sid and the SignerInfo version.
func (s signedData) signerIdentifier() ([]byte, int64) {
	c := s.signer.Cert
	serial, _ := asn1.Marshal(c.Serial) // a parsed serial always marshals
	switch s.o.SignerID {
	case BySubjectKeyID:
		return tlv.Encode(0x80, c.SubjectKeyID), 3
	case ByReorderedIssuer:
		return s.w.cons(ber.TagSequence, reorderedName(c.Issuer), serial), 1
	case ByRetypedIssuer:
		return s.w.cons(ber.TagSequence, retypedName(c.Issuer), serial), 1
	}
	return s.w.cons(ber.TagSequence, c.Issuer.Raw, serial), 1
}

// signedAttributes returns the SET OF attributes (tag 31) the signature
// covers: DER-sorted, or message digest first when unsorted.
func (s signedData) signedAttributes(contentType asn1.ObjectIdentifier, content []byte, signingTime time.Time) []byte {
	d := s.algs.digest.New()
	d.Write(content)
	attr := func(oid asn1.ObjectIdentifier, value []byte) []byte {
		return tlv.Encode(ber.TagSequence, tlv.Encode(ber.TagOID, ber.MustOIDContents(oid)), tlv.Encode(ber.TagSet, value))
	}
	ct := attr(oidAttrContentType, tlv.Encode(ber.TagOID, ber.MustOIDContents(contentType)))
	st := attr(oidAttrSigningTime, tlv.Encode(ber.TagUTCTime, []byte(signingTime.UTC().Format("060102150405Z"))))
	md := attr(oidAttrMessageDigest, tlv.Encode(ber.TagOctetString, d.Sum(nil)))
	if s.o.UnsortedAttributes {
		return tlv.Encode(ber.TagSet, md, ct, st)
	}
	return derSet([][]byte{ct, st, md})
}

// elements returns the encodings inside a DER constructed value.
func elements(der []byte) [][]byte {
	t, _, err := tlv.Decode(der)
	if err != nil {
		return nil
	}
	kids, err := t.Children()
	if err != nil {
		return nil
	}
	out := make([][]byte, len(kids))
	for i, k := range kids {
		out[i] = k.Raw
	}
	return out
}

// sign signs data with the algorithm: ECDSA (RFC 6979), PKCS#1 v1.5 or
// RSASSA-PSS with a salt from a fixed stream. The hash is always the
// digest algorithm's, which decides when the signature algorithm names
// none (rsaEncryption, id-ecPublicKey).
func sign(key crypto.PrivateKey, algs algorithms, data []byte) ([]byte, error) {
	h := algs.digest.New()
	h.Write(data)
	digest := h.Sum(nil)
	switch k := key.(type) {
	case *ec.PrivateKey:
		return ec.SignASN1(nil, k, digest)
	case *rsa.PrivateKey:
		if algs.sig.Scheme == cert.SchemeRSAPSS {
			salt := bytes.NewReader(keyStream(0, "sod-pss-salt", algs.digest.Size()))
			return rsa.SignPSS(salt, k, algs.digest, digest, &rsa.PSSOptions{SaltLength: algs.digest.Size(), Hash: algs.digest})
		}
		return rsa.SignPKCS1v15(nil, k, algs.digest, digest)
	}
	return nil, fmt.Errorf("signer key of type %T", key)
}

// reorderedName encodes a name with its RDNs in the opposite order, each
// attribute with the type cert.MarshalName gives it.
func reorderedName(n cert.Name) []byte {
	attrs := slices.Clone(n.Attributes)
	slices.Reverse(attrs)
	return cert.MarshalName(attrs)
}

// retypedName encodes a name in its order with other string types (C as
// UTF8String, O as PrintableString, the rest as BMPString), other letter
// case and doubled inner spaces: the same name under RFC 5280 §7.1
// matching, other bytes.
func retypedName(n cert.Name) []byte {
	var rdns [][]byte
	for _, a := range n.Attributes {
		var value []byte
		switch {
		case a.Type.Equal(cert.OIDCountry):
			value = tlv.Encode(ber.TagUTF8String, []byte(strings.ToLower(a.Value)))
		case a.Type.Equal(cert.OIDOrganization):
			value = tlv.Encode(ber.TagPrintableString, []byte(strings.ReplaceAll(strings.ToUpper(a.Value), " ", "  ")))
		default:
			value = tlv.Encode(ber.TagBMPString, bmp(strings.ToUpper(a.Value)))
		}
		rdns = append(rdns, tlv.Encode(ber.TagSet, tlv.Encode(ber.TagSequence, tlv.Encode(ber.TagOID, ber.MustOIDContents(a.Type)), value)))
	}
	return tlv.Encode(ber.TagSequence, rdns...)
}

func bmp(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// berWriter writes the SignedData's structure: DER, or with indefinite
// lengths on constructed values, or with long-form lengths.
type berWriter struct {
	indefinite bool // constructed values end with 00 00
	long       bool // every definite length in the long form
}

// cons encodes a constructed value; nil parts are left out.
func (w berWriter) cons(tag uint32, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	if w.indefinite {
		out := append(tlv.EncodeTag(tag), 0x80)
		return append(append(out, body...), 0, 0)
	}
	return w.prim(tag, body)
}

// prim encodes a value with a definite length.
func (w berWriter) prim(tag uint32, v []byte) []byte {
	if !w.long || len(v) > 0xFFFF {
		return tlv.Encode(tag, v)
	}
	out := append(tlv.EncodeTag(tag), 0x82, byte(len(v)>>8), byte(len(v)))
	return append(out, v...)
}

// integer encodes a small INTEGER (versions, data group numbers).
func (w berWriter) integer(n int64) []byte {
	der, _ := asn1.Marshal(n)
	return w.prim(ber.TagInteger, der[2:])
}

func (w berWriter) oid(oid asn1.ObjectIdentifier) []byte {
	return w.prim(ber.TagOID, ber.MustOIDContents(oid))
}

// algorithm is an AlgorithmIdentifier without parameters or with NULL.
func (w berWriter) algorithm(oid asn1.ObjectIdentifier, null bool) []byte {
	var params []byte
	if null {
		params = []byte{ber.TagNull, 0}
	}
	return w.cons(ber.TagSequence, w.oid(oid), params)
}

// octets is the eContent OCTET STRING: constructed, in pieces, when
// indefinite lengths are asked for.
func (w berWriter) octets(content []byte) []byte {
	if !w.indefinite {
		return w.prim(ber.TagOctetString, content)
	}
	var pieces [][]byte
	for rest := content; len(rest) > 0; {
		n := min(len(rest), 512)
		pieces = append(pieces, tlv.Encode(ber.TagOctetString, rest[:n]))
		rest = rest[n:]
	}
	return w.cons(ber.TagOctetString|0x20, pieces...)
}
