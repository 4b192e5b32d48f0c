package pa

import (
	"errors"
	"fmt"
	"strings"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/trust"
)

// How a signer's certificate was found (SignerResult.Found).
const (
	FoundBySubjectKeyID  = "subject key identifier"
	FoundByIssuerSerial  = "issuer and serial number"
	FoundOnlyCertificate = "the only certificate in the security data"
)

// SignerResult is the outcome for one SignerInfo: the certificate whose
// key verified its signature (or the first one it names, when none did),
// the verification error, and the chain of that certificate.
type SignerResult struct {
	Info        *cms.SignerInfo
	DS          *cert.Certificate // nil: no certificate found
	DSFromStore bool              // taken from the trust store, not the SOD
	Found       string            // how DS was found (Found* constants), "" when not found
	Err         error             // nil: the signature verifies with DS's key
	Chain       check.Check       // ds.chain of DS (made only when the signature verifies, and for the chosen signer)
	CSCA        *trust.Entry      // the anchor DS chains to, if any
}

// good reports a signer that verifies and chains to an accepted anchor.
func (s *SignerResult) good() bool {
	return s.Err == nil && s.DS != nil && s.Chain.Status == check.Pass
}

// verifySigners verifies every SignerInfo (real-chips.md P-06: CMS allows
// several) and chains each signer that verifies.
func verifySigners(sd *cms.SignedData, o Options) []*SignerResult {
	out := make([]*SignerResult, len(sd.Signers))
	for i, si := range sd.Signers {
		s := verifySigner(sd, si, o)
		if s.Err == nil {
			s.Chain, s.CSCA = chainOf(s.DS, signedAt(si, s.DS), o)
		}
		out[i] = s
	}
	return out
}

// choose picks the signer the document stands on: the first that
// verifies and chains to an accepted anchor, else the first that
// verifies, else the first; its certificate is checked further (chain,
// validity, revocation, country).
func choose(signers []*SignerResult) int {
	for i, s := range signers {
		if s.good() {
			return i
		}
	}
	for i, s := range signers {
		if s.Err == nil {
			return i
		}
	}
	return 0
}

// verifySigner finds the certificates the SignerInfo names and verifies
// the signature with each until one verifies (real-chips.md P-02, P-03):
// those in the SOD it names by subject key identifier or by serial and
// issuer (names compared with string types, case, spacing and RDN order
// folded), then those in the trust store, and, when it names none of
// them, the only certificate the SOD carries. Finding never trusts: the
// signature is always verified.
func verifySigner(sd *cms.SignedData, si *cms.SignerInfo, o Options) *SignerResult {
	type candidate struct {
		c         *cert.Certificate
		fromStore bool
		found     string
	}
	how := FoundByIssuerSerial
	if si.SubjectKeyID != nil {
		how = FoundBySubjectKeyID
	}
	var cands []candidate
	for _, c := range sd.SignerCertificates(si) {
		cands = append(cands, candidate{c, false, how})
	}
	if o.Trust != nil {
		for _, c := range o.Trust.DocumentSigners(si.Issuer, si.Serial, si.SubjectKeyID) {
			cands = append(cands, candidate{c, true, how})
		}
	}
	if len(cands) == 0 && len(sd.Certificates) == 1 {
		cands = append(cands, candidate{sd.Certificates[0], false, FoundOnlyCertificate})
	}
	res := &SignerResult{Info: si, Err: cms.ErrNoSigner}
	for i, cand := range cands {
		err := sd.Verify(si, cand.c)
		if i == 0 || err == nil {
			res.DS, res.DSFromStore, res.Found, res.Err = cand.c, cand.fromStore, cand.found, err
		}
		if err == nil {
			break
		}
	}
	if res.Found == FoundOnlyCertificate && errors.Is(res.Err, cert.ErrSignature) {
		// The SOD's only certificate, which the signer does not name
		// (its CSCA, say), is not the signer: the signer was not found,
		// which is not a forgery. Content errors (digest, content type,
		// attributes) do not depend on the certificate and stay.
		res.DS, res.Found, res.Err = nil, "", cms.ErrNoSigner
	}
	return res
}

// signatureCheck is sod.signature for the chosen signer, lowered to WARN
// when another SignerInfo does not verify to an accepted anchor: the
// document stands, but someone added a signer that does not.
func signatureCheck(signers []*SignerResult, chosen int) check.Check {
	s := signers[chosen]
	c := signerCheck(s)
	var others []string
	for i, o := range signers {
		if i != chosen && !o.good() {
			others = append(others, fmt.Sprintf("signer %d: %s", i+1, signerProblem(o)))
		}
	}
	if len(others) == 0 {
		return c
	}
	list := strings.Join(others, "; ")
	if c.Status == check.Pass {
		c.Status, c.Reason = check.Warn, ReasonOtherSignerInvalid
		c.Message = fmt.Sprintf("%s It also carries %d more signer(s) that do not verify to a trusted CSCA (%s): someone added them after issuing.", c.Message, len(others), list)
		return c
	}
	c.Message = fmt.Sprintf("%s Other signers: %s.", c.Message, list)
	return c
}

// signerCheck is the sod.signature check of one signer.
func signerCheck(s *SignerResult) check.Check {
	c := check.Check{Name: check.SODSignature}
	if s.DS == nil {
		c.Status, c.Reason = check.Unknown, ReasonDSNotFound
		c.Message = "The document signer certificate is neither in the chip's security data nor in the trust store, so its signature cannot be checked."
		return c
	}
	from := ""
	switch {
	case s.DSFromStore:
		from = " (certificate taken from the trust store)"
	case s.Found == FoundOnlyCertificate:
		from = " (the signer does not name its certificate; it is the only one in the security data)"
	}
	switch err := s.Err; {
	case err == nil:
		c.Status, c.Reason = check.Pass, ReasonSignatureValid
		c.Message = fmt.Sprintf("The chip's security data is correctly signed by its document signer %s%s.", who(s.DS.Subject), from)
	case errors.Is(err, cert.ErrUnsupported), errors.Is(err, cert.ErrNoKey):
		c.Status, c.Reason = check.NotSupported, ReasonUnsupported
		c.Message = fmt.Sprintf("The security data's signature algorithm (%s) or the signer's key (%s) is not supported.", s.Info.SigAlg, s.DS.PublicKey)
	default:
		c.Status, c.Reason = check.Fail, ReasonSignatureInvalid
		c.Message = fmt.Sprintf("The security data's signature is not valid for the document signer %s%s.", who(s.DS.Subject), from)
		for _, f := range signerFailures {
			if errors.Is(err, f.err) {
				c.Reason, c.Message = f.reason, f.message
				break
			}
		}
	}
	return c
}

// signerFailures are the reasons a signer fails before its signature is
// even checked, by the error that says so.
var signerFailures = []struct {
	err             error
	reason, message string
}{
	{cms.ErrNoSignedAttributes, ReasonNoSignedAttributes, "The security data's signer signed without signed attributes, which ICAO requires: the signature does not say what it signs."},
	{cms.ErrMissingAttribute, ReasonSignedAttributeMissing, "The security data's signed attributes lack the content type or the message digest."},
	{cms.ErrDigestMismatch, ReasonDigestMismatch, "The list of data-group hashes does not match what the document signer signed: the security data was altered."},
	{cms.ErrContentTypeMismatch, ReasonContentType, "The signed content type does not match the security data."},
	{cert.ErrAlgorithmMismatch, ReasonAlgorithmMismatch, "The security data's signer names one hash for its digest and another for its RSA-PSS signature."},
}

// signerProblem says in a few words why a signer is not good.
func signerProblem(s *SignerResult) string {
	switch {
	case s.DS == nil:
		return "certificate not found"
	case s.Err != nil:
		return signerCheck(s).Reason
	}
	return s.Chain.Reason
}
