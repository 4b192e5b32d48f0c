package cms

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/tlv"
)

// OIDCSCAMasterList is id-icao-cscaMasterList (ICAO 9303-12 §9).
var OIDCSCAMasterList = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 2}

// MasterList is an ICAO CSCA master list: CscaMasterList ::= SEQUENCE {
// version CscaMasterListVersion, certList SET OF Certificate } inside a
// CMS SignedData.
type MasterList struct {
	SignedData   *SignedData
	Version      int
	Certificates []*cert.Certificate
	Errors       []CertError // certificates of the list that did not parse
}

// CertError is a certificate of a list that could not be parsed.
type CertError struct {
	Index int
	Err   error
}

func (e CertError) Error() string { return fmt.Sprintf("certificate %d: %v", e.Index, e.Err) }

// ParseMasterList decodes a master list. The list's own signature is not
// checked here: see VerifySignature.
func ParseMasterList(b []byte) (*MasterList, error) {
	sd, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("master list: %w", err)
	}
	if !sd.ContentType.Equal(OIDCSCAMasterList) {
		return nil, fmt.Errorf("master list: content type %s is not id-icao-cscaMasterList", sd.ContentType)
	}
	ml := &MasterList{SignedData: sd}
	if err := ml.parseContent(sd.Content); err != nil {
		return nil, fmt.Errorf("master list: %w", err)
	}
	return ml, nil
}

func (ml *MasterList) parseContent(b []byte) error {
	v, err := ber.Decode(b)
	if err != nil {
		return err
	}
	if v.Tag != ber.TagSequence {
		return fmt.Errorf("%w: CscaMasterList tag %X", ber.ErrMalformed, v.Tag)
	}
	r := v.Children()
	ver, err := r.Expect(ber.TagInteger, "version")
	if err != nil {
		return err
	}
	n, err := ver.Int64()
	if err != nil || n < 0 || n > 16 {
		return fmt.Errorf("%w: master list version", ber.ErrMalformed)
	}
	ml.Version = int(n)
	set, err := r.Expect(ber.TagSet, "certList")
	if err != nil {
		return err
	}
	cr := set.Children()
	for i := 0; !cr.Empty(); i++ {
		if i >= maxCertificates*4 {
			return fmt.Errorf("%w: more than %d certificates", ber.ErrMalformed, maxCertificates*4)
		}
		cv, err := cr.Next()
		if err != nil {
			return fmt.Errorf("certificate %d: %w", i, err)
		}
		c, err := cert.ParseValue(cv)
		if err != nil {
			ml.Errors = append(ml.Errors, CertError{Index: i, Err: err})
			continue
		}
		ml.Certificates = append(ml.Certificates, c)
	}
	return nil
}

// VerifySignature checks the list's CMS signature with the signer
// certificate carried in the list and returns that certificate. It does not
// decide whether the signer is trusted: the caller chains it to a CSCA.
func (ml *MasterList) VerifySignature() (*cert.Certificate, error) {
	sd := ml.SignedData
	var errs []error
	for _, si := range sd.Signers {
		signers := sd.SignerCertificates(si)
		if len(signers) == 0 {
			errs = append(errs, ErrNoSigner)
		}
		for _, signer := range signers {
			err := sd.Verify(si, signer)
			if err == nil {
				return signer, nil
			}
			errs = append(errs, err)
		}
	}
	return nil, fmt.Errorf("master list signature: %w", errors.Join(errs...))
}

// MarshalMasterList encodes CscaMasterList content (version 0) for the
// given certificates; sign it with Sign(OIDCSCAMasterList, ...) to make a
// master list (test PKIs).
func MarshalMasterList(certs []*cert.Certificate) []byte {
	var parts [][]byte
	for _, c := range certs {
		parts = append(parts, c.Raw)
	}
	set, _ := ber.ToDER(tlv.Encode(ber.TagSet, parts...))
	return tlv.Encode(ber.TagSequence, []byte{ber.TagInteger, 1, 0}, set)
}
