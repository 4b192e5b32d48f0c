package pa

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/cms"
	"github.com/idagent/idagent/emrtd/trust"
)

// Reason codes of the passive authentication checks.
const (
	ReasonSignatureValid     = "SIGNATURE_VALID"
	ReasonSignatureInvalid   = "SIGNATURE_INVALID"
	ReasonDigestMismatch     = "DIGEST_MISMATCH"
	ReasonContentType        = "CONTENT_TYPE_MISMATCH"
	ReasonSODMalformed       = "SOD_MALFORMED"
	ReasonDSNotFound         = "DS_NOT_FOUND"
	ReasonUnsupported        = "ALGORITHM_UNSUPPORTED"
	ReasonChainValid         = "CHAIN_VALID"
	ReasonCSCANotTrusted     = "CSCA_NOT_TRUSTED"
	ReasonChainBroken        = "CHAIN_BROKEN"
	ReasonTestAnchor         = "TEST_ANCHOR"
	ReasonDSValid            = "DS_VALID"
	ReasonDSExpired          = "DS_EXPIRED"
	ReasonDSNotYetValid      = "DS_NOT_YET_VALID"
	ReasonSignedOutside      = "SIGNED_OUTSIDE_VALIDITY"
	ReasonOutsideKeyUsage    = "SIGNED_OUTSIDE_KEY_USAGE_PERIOD"
	ReasonCSCANotValid       = "CSCA_NOT_VALID_AT_SIGNING"
	ReasonNotRevoked         = "NOT_REVOKED"
	ReasonRevoked            = "DS_REVOKED"
	ReasonNoCRL              = "NO_CRL"
	ReasonCRLOutdated        = "CRL_OUTDATED"
	ReasonCountryMatch       = "COUNTRY_MATCH"
	ReasonCountryMismatch    = "COUNTRY_MISMATCH"
	ReasonNoIssuingState     = "NO_ISSUING_STATE"
	ReasonUnknownCountryCode = "UNKNOWN_COUNTRY_CODE"
	ReasonHashMatch          = "HASH_MATCH"
	ReasonHashMismatch       = "HASH_MISMATCH"
	ReasonHashMissing        = "HASH_MISSING"
	ReasonNoDS               = "NO_DS"
	ReasonNoCSCA             = "NO_CSCA"

	// sod.signature (strict CMS, issue 13).
	ReasonNoSignedAttributes     = "NO_SIGNED_ATTRIBUTES"     // FAIL: the signer signed the content directly
	ReasonSignedAttributeMissing = "SIGNED_ATTRIBUTE_MISSING" // FAIL: no content-type or message-digest attribute
	ReasonAlgorithmMismatch      = "ALGORITHM_MISMATCH"       // FAIL: two algorithm identifiers that must agree do not
	ReasonOtherSignerInvalid     = "OTHER_SIGNER_INVALID"     // WARN: one signer verifies, another does not

	// ds.profile (real-chips.md P-08; see checkProfile for the policy).
	ReasonProfileValid        = "PROFILE_VALID"          // PASS
	ReasonDSIsCSCA            = "DS_IS_CSCA"             // FAIL: the SOD is signed with the CSCA's own key
	ReasonDSKeyUsageInvalid   = "DS_KEY_USAGE_INVALID"   // FAIL: the DS's key usage excludes digital signatures
	ReasonCSCANotCertSigner   = "CSCA_NOT_CERT_SIGNER"   // FAIL: the CSCA's key usage excludes certificate signing
	ReasonDSKeyUsageMissing   = "DS_KEY_USAGE_MISSING"   // WARN: the DS has no key usage extension
	ReasonCSCANotMarkedCA     = "CSCA_NOT_MARKED_CA"     // WARN: the CSCA lacks basicConstraints cA=TRUE
	ReasonCSCAKeyUsageMissing = "CSCA_KEY_USAGE_MISSING" // WARN: the CSCA has no key usage extension
)

// Options are the inputs of Verify besides the SOD.
type Options struct {
	Trust            *trust.Store   // nil: no anchors, trust is UNKNOWN
	AllowTestAnchors bool           // a chain ending at a test anchor passes (marked TEST_ANCHOR)
	IssuingState     string         // ICAO code of the document's issuing state (DG1/MRZ), "" to skip
	DataGroups       map[int][]byte // raw data groups exactly as read, by number
	Now              time.Time      // time.Now() when zero
}

// Result is the outcome of passive authentication.
type Result struct {
	Report     check.Report
	SOD        *SOD            // nil for EF.CardSecurity
	SignedData *cms.SignedData // the verified SignedData
	// Signers is the outcome of every SignerInfo; the document stands on
	// the chosen one, whose SignerInfo, certificate and anchor follow.
	Signers     []*SignerResult
	Signer      *cms.SignerInfo
	DS          *cert.Certificate // the document signer certificate, if found
	DSFromStore bool              // taken from the trust store, not the SOD
	CSCA        *trust.Entry      // the anchor the chain ends at, if any
	SigningTime time.Time         // from the signed attributes, zero when absent
}

// VerifyBytes parses EF.SOD and verifies it; a file that does not parse
// gives a report with sod.signature FAIL (SOD_MALFORMED) and the other
// checks SKIPPED.
func VerifyBytes(raw []byte, o Options) *Result {
	sod, err := ParseSOD(raw)
	if err != nil {
		res := &Result{}
		res.Report.Add(check.SODSignature, check.Fail, ReasonSODMalformed, "The chip's security data (EF.SOD) is malformed and cannot be verified.")
		for _, name := range []string{check.DSChain, check.DSValidity, check.DSRevocation, check.DSCountry} {
			res.Report.Add(name, check.Skipped, ReasonSODMalformed, "Not checked: the security data is malformed.")
		}
		for _, n := range sortedKeys(o.DataGroups) {
			res.Report.Add(check.DGHash(n), check.Fail, ReasonSODMalformed, fmt.Sprintf("DG%d cannot be checked: the security data is malformed.", n))
		}
		return res
	}
	return Verify(sod, o)
}

// Verify runs every passive authentication check on a parsed SOD.
func Verify(sod *SOD, o Options) *Result {
	return verifySigned(sod.SignedData, sod, o)
}

func verifySigned(sd *cms.SignedData, sod *SOD, o Options) *Result {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	res := &Result{SOD: sod, SignedData: sd, Signers: verifySigners(sd, o)}
	chosen := choose(res.Signers)
	s := res.Signers[chosen]
	res.Signer, res.DS, res.DSFromStore = s.Info, s.DS, s.DSFromStore
	res.SigningTime = s.Info.SigningTime
	res.Report = append(res.Report, signatureCheck(res.Signers, chosen))
	res.checkChain(s, o)
	res.checkProfile()
	res.checkValidity(o)
	res.checkRevocation(o)
	res.checkCountry(o)
	res.checkHashes(o)
	return res
}

// checkChain reports ds.chain of the chosen signer's certificate (made
// already when its signature verified).
func (r *Result) checkChain(s *SignerResult, o Options) {
	if s.DS != nil && s.Chain.Name == "" {
		s.Chain, s.CSCA = chainOf(s.DS, signedAt(s.Info, s.DS), o)
	}
	r.CSCA = s.CSCA
	if s.DS == nil {
		r.Report.Add(check.DSChain, check.Skipped, ReasonNoDS, "Not checked: no document signer certificate.")
		return
	}
	r.Report = append(r.Report, s.Chain)
}

// chainOf is the ds.chain check of a document signer certificate and the
// anchor it chains to (nil when none): a trusted CSCA must have signed it,
// with the algorithm its signed part names.
func chainOf(ds *cert.Certificate, at time.Time, o Options) (check.Check, *trust.Entry) {
	c := check.Check{Name: check.DSChain}
	var cands []*trust.Entry
	if o.Trust != nil {
		cands = o.Trust.Issuers(ds)
	}
	if len(cands) == 0 {
		c.Status, c.Reason = check.Unknown, ReasonCSCANotTrusted
		c.Message = fmt.Sprintf("The document signer's country signing CA (%s) is not in the trust store: the document cannot be confirmed as genuine. Import the issuing country's CSCA or a master list.", who(ds.Issuer))
		return c, nil
	}
	var lastErr error
	akiKnown := false
	var verified []*trust.Entry
	for _, e := range cands {
		if len(ds.AuthorityKeyID) > 0 && bytes.Equal(e.Cert.SubjectKeyID, ds.AuthorityKeyID) {
			akiKnown = true
		}
		// Once one key verified, other certificates of the same key (self-
		// signed, link, renewed) verify too: no need to redo the math.
		if len(verified) > 0 {
			if e.Cert.PublicKey != nil && e.Cert.PublicKey.Equal(verified[0].Cert.PublicKey) {
				verified = append(verified, e)
			}
			continue
		}
		if lastErr = o.Trust.CheckIssued(ds, e); lastErr == nil {
			verified = append(verified, e)
		}
	}
	anchor := pickAnchor(verified, at)
	switch {
	case anchor == nil && errors.Is(lastErr, cert.ErrAlgorithmMismatch):
		c.Status, c.Reason = check.Fail, ReasonAlgorithmMismatch
		c.Message = fmt.Sprintf("The document signer certificate names one signature algorithm inside its signed part and another (%s) outside it: it is not the certificate its CSCA signed.", ds.SigAlg)
	case anchor == nil && errors.Is(lastErr, cert.ErrUnsupported):
		c.Status, c.Reason = check.NotSupported, ReasonUnsupported
		c.Message = fmt.Sprintf("The document signer certificate's signature algorithm (%s) is not supported.", ds.SigAlg)
	case anchor == nil && akiKnown:
		// The DS names a trusted CSCA key that did not sign it: forged.
		c.Status, c.Reason = check.Fail, ReasonChainBroken
		c.Message = fmt.Sprintf("The document signer certificate claims to be issued by the trusted CSCA %s, but that CSCA's key did not sign it.", who(ds.Issuer))
	case anchor == nil:
		// Same CSCA name, unknown key: most often a newer CSCA certificate
		// that the trust store lacks, so trust is unknown, not failed.
		c.Status, c.Reason = check.Unknown, ReasonCSCANotTrusted
		c.Message = fmt.Sprintf("The trust store has a CSCA named %s, but not the key that issued this document signer; import a current master list or that country's newest CSCA certificate.", who(ds.Issuer))
	case anchor.Test && !o.AllowTestAnchors:
		c.Status, c.Reason = check.Fail, ReasonTestAnchor
		c.Message = fmt.Sprintf("The document signer chains to TEST anchor %s: this is a test document, not accepted as genuine.", who(anchor.Cert.Subject))
	case anchor.Test:
		c.Status, c.Reason = check.Pass, ReasonTestAnchor
		c.Message = fmt.Sprintf("The document signer chains to TEST anchor %s (test anchors are accepted for this verification).", who(anchor.Cert.Subject))
	default:
		c.Status, c.Reason = check.Pass, ReasonChainValid
		c.Message = fmt.Sprintf("The document signer was issued by the trusted country signing CA %s.", who(anchor.Cert.Subject))
	}
	return c, anchor
}

// checkProfile is ds.profile: are the document signer and its CSCA
// certificates fit for their roles? The policy (real-chips.md P-08: many
// real certificates lack extensions, and real CSCAs in the German master
// list are marked cA=FALSE or lack keyUsage):
//
//   - FAIL when the signer is the CSCA itself (its key signed the SOD:
//     ICAO 9303-12 keeps CSCA keys for certificates and CRLs).
//   - FAIL when an extension that is there forbids the role: a document
//     signer whose keyUsage excludes digitalSignature, a CSCA whose
//     keyUsage excludes keyCertSign.
//   - WARN when a marking is missing or wrong but nothing forbids the
//     role: a document signer without keyUsage, a CSCA without
//     basicConstraints or with cA=FALSE (the trust store holds it as a
//     CSCA because its importer said so), a CSCA without keyUsage.
//   - Not checked: subject and authority key identifiers and path length
//     constraints. Paths are found by key identifier or name and proven
//     by signatures, and a chain here has one level, so they mislead no
//     one.
func (r *Result) checkProfile() {
	if r.DS == nil {
		r.Report.Add(check.DSProfile, check.Skipped, ReasonNoDS, "Not checked: no document signer certificate.")
		return
	}
	type finding struct {
		status       check.Status
		reason, text string
	}
	var found []finding
	ds := r.DS
	if r.CSCA != nil && ds.PublicKey != nil && ds.PublicKey.Equal(r.CSCA.Cert.PublicKey) {
		// The CSCA's key signs certificates and CRLs, never documents
		// (ICAO 9303-12): a document it signed is no document of its
		// PKI, whatever that certificate's markings say.
		found = append(found, finding{check.Fail, ReasonDSIsCSCA, "the security data is signed with the country signing CA's own key, not by a document signer"})
	}
	switch {
	case ds.HasKeyUsage && ds.KeyUsage&cert.KeyUsageDigitalSignature == 0:
		found = append(found, finding{check.Fail, ReasonDSKeyUsageInvalid, "the document signer certificate's key usage does not allow signing"})
	case !ds.HasKeyUsage:
		found = append(found, finding{check.Warn, ReasonDSKeyUsageMissing, "the document signer certificate has no key usage"})
	}
	if r.CSCA != nil {
		ca := r.CSCA.Cert
		if ca.HasKeyUsage && ca.KeyUsage&cert.KeyUsageCertSign == 0 {
			found = append(found, finding{check.Fail, ReasonCSCANotCertSigner, "the CSCA certificate's key usage does not allow signing certificates"})
		}
		if !ca.HasBasicConstraints || !ca.IsCA {
			found = append(found, finding{check.Warn, ReasonCSCANotMarkedCA, "the CSCA certificate is not marked as a CA"})
		}
		if !ca.HasKeyUsage {
			found = append(found, finding{check.Warn, ReasonCSCAKeyUsageMissing, "the CSCA certificate has no key usage"})
		}
	}
	if len(found) == 0 {
		r.Report.Add(check.DSProfile, check.Pass, ReasonProfileValid, "The document signer and CSCA certificates are marked for their roles.")
		return
	}
	failFirst := func(f finding) int {
		if f.status == check.Fail {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(found, func(a, b finding) int { return failFirst(a) - failFirst(b) })
	texts := make([]string, len(found))
	for i, f := range found {
		texts[i] = f.text
	}
	msg := strings.ToUpper(texts[0][:1]) + strings.Join(texts, "; ")[1:] + "."
	if found[0].status == check.Warn {
		msg += " Real certificates often have such defects; the signatures are valid, so this is a warning."
	}
	r.Report.Add(check.DSProfile, found[0].status, found[0].reason, msg)
}

func (r *Result) checkValidity(o Options) {
	if r.DS == nil {
		r.Report.Add(check.DSValidity, check.Skipped, ReasonNoDS, "Not checked: no document signer certificate.")
		return
	}
	ds, st := r.DS, r.SigningTime
	if !st.IsZero() && !ds.ValidAt(st) {
		r.Report.Add(check.DSValidity, check.Fail, ReasonSignedOutside,
			fmt.Sprintf("The document was signed on %s, outside its document signer certificate's validity (%s to %s).", day(st), day(ds.NotBefore), day(ds.NotAfter)))
		return
	}
	if r.CSCA != nil {
		at := st
		if at.IsZero() {
			at = ds.NotBefore
		}
		if c := r.CSCA.Cert; !c.ValidAt(at) {
			r.Report.Add(check.DSValidity, check.Fail, ReasonCSCANotValid,
				fmt.Sprintf("The country signing CA certificate was not valid (%s to %s) when the document was signed (%s).", day(c.NotBefore), day(c.NotAfter), day(at)))
			return
		}
	}
	switch {
	case o.Now.Before(ds.NotBefore):
		r.Report.Add(check.DSValidity, check.Fail, ReasonDSNotYetValid,
			fmt.Sprintf("The document signer certificate is not valid before %s.", day(ds.NotBefore)))
	case o.Now.After(ds.NotAfter) && st.IsZero():
		r.Report.Add(check.DSValidity, check.Warn, ReasonDSExpired,
			fmt.Sprintf("The document signer certificate expired on %s and the security data does not record when it was signed; an older document may still be genuine.", day(ds.NotAfter)))
	case o.Now.After(ds.NotAfter):
		r.Report.Add(check.DSValidity, check.Warn, ReasonDSExpired,
			fmt.Sprintf("The document signer certificate expired on %s; the document was signed on %s, while it was valid.", day(ds.NotAfter), day(st)))
	case !st.IsZero() && outsideKeyUsage(ds, st):
		r.Report.Add(check.DSValidity, check.Warn, ReasonOutsideKeyUsage,
			fmt.Sprintf("The document was signed on %s, outside the signer key's usage period.", day(st)))
	default:
		r.Report.Add(check.DSValidity, check.Pass, ReasonDSValid,
			fmt.Sprintf("The document signer certificate is valid (%s to %s).", day(ds.NotBefore), day(ds.NotAfter)))
	}
}

func outsideKeyUsage(c *cert.Certificate, t time.Time) bool {
	return (!c.PrivateKeyNotBefore.IsZero() && t.Before(c.PrivateKeyNotBefore)) ||
		(!c.PrivateKeyNotAfter.IsZero() && t.After(c.PrivateKeyNotAfter))
}

func (r *Result) checkRevocation(o Options) {
	switch {
	case r.DS == nil:
		r.Report.Add(check.DSRevocation, check.Skipped, ReasonNoDS, "Not checked: no document signer certificate.")
		return
	case r.CSCA == nil:
		r.Report.Add(check.DSRevocation, check.Skipped, ReasonNoCSCA, "Not checked: the country signing CA is not trusted.")
		return
	}
	crls := o.Trust.CRLs(r.CSCA)
	if len(crls) == 0 {
		// Not FAIL and not UNKNOWN: the chain is proven; only the
		// revocation status is unchecked, and most issuers (Vietnam's
		// included) publish no CRL a desk could import. A WARN keeps the
		// caveat visible without making every genuine card look untrusted.
		r.Report.Add(check.DSRevocation, check.Warn, ReasonNoCRL,
			fmt.Sprintf("No revocation list of %s is in the trust store; revocation was not checked.", who(r.CSCA.Cert.Subject)))
		return
	}
	outdated := true
	for _, c := range crls {
		if rc, ok := c.CRL.Lookup(r.DS.Serial); ok {
			r.Report.Add(check.DSRevocation, check.Fail, ReasonRevoked,
				fmt.Sprintf("The document signer certificate was revoked on %s.", day(rc.RevocationTime)))
			return
		}
		if c.CRL.NextUpdate.IsZero() || !c.CRL.NextUpdate.Before(o.Now) {
			outdated = false
		}
	}
	if outdated {
		r.Report.Add(check.DSRevocation, check.Warn, ReasonCRLOutdated,
			"The document signer is not on the revocation list, but the newest list in the trust store is past its next-update date.")
		return
	}
	r.Report.Add(check.DSRevocation, check.Pass, ReasonNotRevoked, "The document signer certificate is not revoked.")
}

func (r *Result) checkCountry(o Options) {
	if r.DS == nil {
		r.Report.Add(check.DSCountry, check.Skipped, ReasonNoDS, "Not checked: no document signer certificate.")
		return
	}
	dsCountry := r.DS.Subject.Country()
	if r.CSCA != nil && r.CSCA.Cert.Subject.Country() != dsCountry {
		r.Report.Add(check.DSCountry, check.Fail, ReasonCountryMismatch,
			fmt.Sprintf("The document signer's country (%s) differs from its country signing CA's (%s).", dsCountry, r.CSCA.Cert.Subject.Country()))
		return
	}
	if o.IssuingState == "" {
		r.Report.Add(check.DSCountry, check.Skipped, ReasonNoIssuingState, "Not checked: the document's issuing state is not known here.")
		return
	}
	want, ok := CountryOf(o.IssuingState)
	if !ok {
		r.Report.Add(check.DSCountry, check.Unknown, ReasonUnknownCountryCode,
			fmt.Sprintf("The issuing state code %q is not a known country code.", o.IssuingState))
		return
	}
	if want != dsCountry {
		r.Report.Add(check.DSCountry, check.Fail, ReasonCountryMismatch,
			fmt.Sprintf("The document says it was issued by %s, but its signer belongs to %s.", o.IssuingState, dsCountry))
		return
	}
	r.Report.Add(check.DSCountry, check.Pass, ReasonCountryMatch,
		fmt.Sprintf("The document signer belongs to the issuing state (%s).", o.IssuingState))
}

func (r *Result) checkHashes(o Options) {
	if r.SOD == nil {
		return
	}
	r.Report = append(r.Report, HashChecks(r.SOD.LDS, o.DataGroups)...)
}

// HashChecks compares the hash of every data group in dgs (raw, as read,
// by number) with the one the security object lists: one dg.hash check
// each, in ascending order. They say nothing of the security object's own
// signature, which Verify checks.
func HashChecks(lds *LDSSecurityObject, dgs map[int][]byte) check.Report {
	var report check.Report
	for _, n := range sortedKeys(dgs) {
		name := check.DGHash(n)
		want, listed := lds.Hashes[n]
		switch {
		case !listed:
			report.Add(name, check.Fail, ReasonHashMissing,
				fmt.Sprintf("DG%d was read from the chip but the security data does not list it, so it is not protected.", n))
		case lds.Hash == 0:
			report.Add(name, check.NotSupported, ReasonUnsupported,
				fmt.Sprintf("DG%d: the security data's hash algorithm (%s) is not supported.", n, lds.HashAlgorithm.OID))
		default:
			h := lds.Hash.New()
			h.Write(dgs[n])
			if bytes.Equal(h.Sum(nil), want) {
				report.Add(name, check.Pass, ReasonHashMatch, fmt.Sprintf("DG%d matches the signed hash.", n))
			} else {
				report.Add(name, check.Fail, ReasonHashMismatch,
					fmt.Sprintf("DG%d does not match the signed hash: its content was changed after the document was issued.", n))
			}
		}
	}
	return report
}

// who names a certificate holder for messages: CN (C), else the whole name.
func who(n cert.Name) string {
	cn, c := n.CommonName(), n.Country()
	switch {
	case cn != "" && c != "":
		return fmt.Sprintf("%q (%s)", cn, c)
	case cn != "":
		return fmt.Sprintf("%q", cn)
	}
	return n.String()
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func sortedKeys(m map[int][]byte) []int { return slices.Sorted(maps.Keys(m)) }

// signedAt is when the document was signed, as far as it is known: the
// signer's signing time, else the DS certificate's start of validity.
func signedAt(si *cms.SignerInfo, ds *cert.Certificate) time.Time {
	if !si.SigningTime.IsZero() {
		return si.SigningTime
	}
	if ds != nil {
		return ds.NotBefore
	}
	return time.Time{}
}

// pickAnchor chooses among the anchors that verify the DS (several
// certificates of one CSCA key: self-signed, link, renewed): a production
// anchor before a test one, and one valid when the document was signed.
func pickAnchor(verified []*trust.Entry, at time.Time) *trust.Entry {
	var best *trust.Entry
	score := func(e *trust.Entry) int {
		s := 0
		if !e.Test {
			s += 2
		}
		if e.Cert.ValidAt(at) {
			s++
		}
		return s
	}
	for _, e := range verified {
		if best == nil || score(e) > score(best) {
			best = e
		}
	}
	return best
}
