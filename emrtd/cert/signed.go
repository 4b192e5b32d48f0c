package cert

import (
	"encoding/pem"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert/ber"
)

// signedForm describes a signed X.509 structure, a certificate or a CRL.
// Both are SEQUENCE { tbs, signatureAlgorithm, signatureValue } (RFC 5280
// §4.1, §5.1) and are read by the same steps; only names and bounds differ.
type signedForm struct {
	name    string // how errors call it: "certificate", "CRL"
	pemType string // the PEM block type it may come in
	maxSize int    // bytes
	tbsName string // the field name of the signed part
	// fieldPrefix starts errors about the signature fields: "CRL " for a
	// CRL, nothing for a certificate, as these errors have always read.
	fieldPrefix string
}

var (
	certificateForm = signedForm{name: "certificate", pemType: "CERTIFICATE", maxSize: maxCertSize, tbsName: "tbsCertificate"}
	crlForm         = signedForm{name: "CRL", pemType: "X509 CRL", maxSize: maxCRLSize, tbsName: "tbsCertList", fieldPrefix: "CRL "}
)

// decode reads PEM, DER or BER bytes into the structure's outer value,
// refusing more than maxSize bytes before decoding anything.
func (f signedForm) decode(b []byte) (ber.Value, error) {
	if blk, _ := pem.Decode(b); blk != nil && blk.Type == f.pemType {
		b = blk.Bytes
	}
	if len(b) > f.maxSize {
		return ber.Value{}, fmt.Errorf("%s of %d bytes exceeds %d", f.name, len(b), f.maxSize)
	}
	v, err := ber.Decode(b)
	if err != nil {
		return ber.Value{}, fmt.Errorf("%s: %w", f.name, err)
	}
	return v, nil
}

// signedParts is a signed structure split up: the signed part, exactly as
// encoded, and the signature over it.
type signedParts struct {
	tbs       ber.Value
	sigAlg    SignatureAlgorithm
	signature []byte
}

// split checks v's tag and reads its three fields; the signed part is left
// for the caller to parse.
func (f signedForm) split(v ber.Value) (signedParts, error) {
	if v.Tag != ber.TagSequence {
		return signedParts{}, fmt.Errorf("%w: %s tag %X", ber.ErrMalformed, f.name, v.Tag)
	}
	r := v.Children()
	tbs, err := r.Expect(ber.TagSequence, f.tbsName)
	if err != nil {
		return signedParts{}, err
	}
	algV, err := r.Expect(ber.TagSequence, "signatureAlgorithm")
	if err != nil {
		return signedParts{}, err
	}
	sigV, err := r.Expect(ber.TagBitString, "signatureValue")
	if err != nil {
		return signedParts{}, err
	}
	alg, err := ParseAlgorithmIdentifier(algV)
	if err != nil {
		return signedParts{}, fmt.Errorf("%ssignatureAlgorithm: %w", f.fieldPrefix, err)
	}
	p := signedParts{tbs: tbs}
	if p.sigAlg, err = ParseSignatureAlgorithm(alg); err != nil {
		return signedParts{}, err
	}
	if p.signature, _, err = sigV.BitString(); err != nil {
		return signedParts{}, fmt.Errorf("%ssignatureValue: %w", f.fieldPrefix, err)
	}
	return p, nil
}
