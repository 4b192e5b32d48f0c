package sim

import (
	"crypto"
	"encoding/asn1"
	"fmt"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/testpki"
)

// The quirks of EF.SOD and the PKI (L-02 to P-08), of the data groups'
// encoding (L-06, L-07, L-09) and of active authentication (C-05, C-06):
// how real documents sign and encode their data. Each changes what the document is issued with, so the
// files are signed as the quirk has them: a genuine document, which a
// reader must verify (PASS; ds-no-key-usage WARN, by the policy of
// docs/TRUST.md).
func init() {
	RegisterQuirks(sodQuirks()...)
	RegisterQuirks(aaQuirks()...)
	RegisterQuirks(ldsQuirks()...)
}

// Groups of the quirks in this file that exclude one another.
const (
	groupContentType = "SOD content type"
	groupSignerID    = "signer identifier"
	groupSODAlg      = "SOD algorithm"
	groupAATrailer   = "AA RSA trailer"
	groupDG2         = "DG2 record"
	groupDG12Date    = "DG12 date of issue"
)

// sod changes the EF.SOD options the document is issued with.
func sod(f func(*issue.SODOptions)) func(*Build) error {
	return func(b *Build) error {
		f(&b.Issue.SOD)
		return nil
	}
}

func sodQuirks() []Quirk {
	qs := []Quirk{
		{Name: "sod-indefinite", ID: "L-02", Apply: sod(func(o *issue.SODOptions) { o.Indefinite = true }),
			Summary: "EF.SOD's SignedData in BER with indefinite lengths and the content as a constructed OCTET STRING (US, New Zealand)"},
		{Name: "sod-lds-v1", ID: "L-04", Apply: sod(func(o *issue.SODOptions) { o.LDSVersion1 = true }),
			Summary: "LDSSecurityObject version 1 with LDSVersionInfo (LDS 1.8, Unicode 4.0.0)"},
		{Name: "sod-digest-null", ID: "L-04", Apply: sod(func(o *issue.SODOptions) { o.NullDigestParams = true }),
			Summary: "digest AlgorithmIdentifiers with NULL parameters"},
		{Name: "sod-long-lengths", ID: "L-04", Apply: sod(func(o *issue.SODOptions) { o.LongLengths = true }),
			Summary: "non-minimal (long-form) lengths throughout EF.SOD's structure and the LDS security object"},
		{Name: "signer-ski", ID: "P-03", Group: groupSignerID, Apply: sod(func(o *issue.SODOptions) { o.SignerID = issue.BySubjectKeyID }),
			Summary: "the SignerInfo names its signer by subject key identifier (version 3)"},
		{Name: "signer-issuer-reordered", ID: "P-03", Group: groupSignerID, Apply: sod(func(o *issue.SODOptions) { o.SignerID = issue.ByReorderedIssuer }),
			Summary: "the SignerInfo names the signer's issuer with its RDNs in the other order (Malaysia, gmrtd #353)"},
		{Name: "signer-issuer-retyped", ID: "P-03", Group: groupSignerID, Apply: sod(func(o *issue.SODOptions) { o.SignerID = issue.ByRetypedIssuer }),
			Summary: "the SignerInfo names the signer's issuer with other string types, case and spacing (Ukraine, gmrtd #440)"},
		{Name: "sod-with-csca", ID: "P-03", Apply: sod(func(o *issue.SODOptions) { o.WithCSCA = true }),
			Summary: "EF.SOD carries the CSCA certificate beside the document signer's"},
		{Name: "sod-without-ds", ID: "P-02", Apply: sod(func(o *issue.SODOptions) { o.OmitDS = true }),
			Summary: "EF.SOD without its document signer certificate: the verifier needs it in its trust store (TrustedDocumentSigners)"},
		{Name: "signed-attrs-unsorted", ID: "P-05", Apply: sod(func(o *issue.SODOptions) { o.UnsortedAttributes = true }),
			Summary: "signed attributes out of DER order (message digest first), signed as written (Indonesia)"},
		{Name: "ds-no-key-usage", ID: "P-08", Apply: sod(func(o *issue.SODOptions) { o.NoKeyUsage = true }), Warns: []string{check.DSProfile},
			Summary: "a document signer certificate without keyUsage: ds.profile WARN by policy"},
	}
	for _, c := range []struct {
		name, where string
		oid         asn1.ObjectIdentifier
	}{
		{"belgium", "Belgium, France", issue.ContentTypeBelgium},
		{"netherlands", "the Netherlands", issue.ContentTypeNetherlands},
		{"data", "id-data, a Chinese passport", issue.ContentTypeData},
	} {
		qs = append(qs, Quirk{Name: "sod-content-type-" + c.name, ID: "L-03", Group: groupContentType,
			Apply:   sod(func(o *issue.SODOptions) { o.ContentType = c.oid }),
			Summary: fmt.Sprintf("EF.SOD's eContentType is %s (%s)", c.oid, c.where)})
	}
	for _, c := range []struct {
		alg     issue.SODAlgorithm
		id, sum string
	}{
		{issue.RSAPSS, "P-04", "an RSA document signer signing EF.SOD with RSASSA-PSS (Philippines)"},
		{issue.RSAPSSKey, "P-04", "a document signer key under id-RSASSA-PSS signing PKCS#1 v1.5 (Turkey)"},
		{issue.RSAKeyOnly, "P-04", "signature algorithm rsaEncryption, its hash the digest algorithm's (United States)"},
		{issue.ECKeyOnly, "P-04", "signature algorithm id-ecPublicKey, its hash the digest algorithm's"},
		{issue.MixedHashes, "P-04", "data groups hashed with SHA-256, EF.SOD signed with SHA-384, the certificate with SHA-512 (Lithuania)"},
		{issue.SHA1, "P-07", "SHA-1 throughout: data group hashes, EF.SOD's signature, the certificate's (BSI TR-03105 SHA-1 profile)"},
	} {
		qs = append(qs, Quirk{Name: "sod-" + string(c.alg), ID: c.id, Group: groupSODAlg,
			Apply: sod(func(o *issue.SODOptions) { o.Algorithm = c.alg }), Summary: c.sum})
	}
	return qs
}

// encodedAs changes how the document's data group dg is encoded; the profile
// must hold it.
func encodedAs(dg int, f func(*issue.LDSOptions)) func(*Build) error {
	return func(b *Build) error {
		if !b.Profile.has(dg) {
			return notApplicable(fmt.Sprintf("the chip has no DG%d", dg))
		}
		f(&b.Issue.LDS)
		return nil
	}
}

func ldsQuirks() []Quirk {
	type L = issue.LDSOptions
	return []Quirk{
		{Name: "dg2-length-plus-8", ID: "L-06", Group: groupDG2, Apply: encodedAs(2, func(o *L) { o.DG2Miscount = 8 }),
			Summary: "DG2's ISO/IEC 19794-5 record declares 8 bytes more than it holds (New Zealand, gmrtd #102)"},
		{Name: "dg2-length-minus-1", ID: "L-06", Group: groupDG2, Apply: encodedAs(2, func(o *L) { o.DG2Miscount = -1 }),
			Summary: "DG2's ISO/IEC 19794-5 record declares one byte less than it holds (United Kingdom, gmrtd #102)"},
		{Name: "dg2-raw-jp2", ID: "L-06", Group: groupDG2, Apply: encodedAs(2, func(o *L) { o.DG2RawJP2 = true }),
			Summary: "DG2's biometric data block is a JPEG 2000 file with no ISO/IEC 19794-5 header"},
		{Name: "dg11-empty-tags", ID: "L-07", Apply: encodedAs(11, func(o *L) { o.DG11EmptyTags = true }),
			Summary: "DG11 holds zero-length elements (telephone, profession; Belgium)"},
		{Name: "dg11-other-name-unwrapped", ID: "L-07", Apply: encodedAs(11, func(o *L) { o.DG11OtherNameUnwrapped = true }),
			Summary: "DG11 holds an other name as a bare 5F0F, outside its counted A0 list (China)"},
		{Name: "dg11-filler", ID: "L-07", Apply: encodedAs(11, func(o *L) { o.DG11Filler = true }),
			Summary: "DG11's name and place of birth are written with '<' fillers"},
		{Name: "dg11-bcd-date", ID: "L-07", Apply: encodedAs(11, func(o *L) { o.DG11BCDDate = true }),
			Summary: "DG11's date of birth is four BCD bytes (Malaysia)"},
		{Name: "dg12-bcd-date", ID: "L-07", Group: groupDG12Date, Apply: encodedAs(12, func(o *L) { o.DG12BCDDate = true }),
			Summary: "DG12's date of issue is four BCD bytes (Taiwan)"},
		{Name: "dg12-bad-issue-date", ID: "L-07", Group: groupDG12Date, Apply: encodedAs(12, func(o *L) { o.DG12BadIssueDate = true }),
			Summary: "DG12's date of issue is no date (month 13; Italian ID cards with wrong issue dates): kept, never a failed read"},
		{Name: "dg13-printable-expiry", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13PrintableExpiry = true }),
			Summary: "DG13 field 12 (expiry) is a PrintableString, not a UTF8String"},
		{Name: "dg13-bmp-strings", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13BMPStrings = true }),
			Summary: "DG13's text fields are BMPStrings"},
		{Name: "dg13-shuffled", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13Shuffled = true }),
			Summary: "DG13's fields come in reverse order (read by number, not position)"},
		{Name: "dg13-empty-fields", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13EmptyFields = true }),
			Summary: "DG13's religion and identifying marks are empty strings"},
		{Name: "dg13-extra-field", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13ExtraField = true }),
			Summary: "DG13 holds a field 17 no parser knows (kept raw)"},
		{Name: "dg13-no-card-serial", ID: "L-09", Apply: encodedAs(13, func(o *L) { o.DG13NoCardSerial = true }),
			Summary: "DG13 has no field 16"},
		{Name: "dg13-parents-together", ID: "L-09", Apply: func(b *Build) error {
			if !b.Profile.has(13) {
				return notApplicable("the chip has no DG13")
			}
			b.Issue.Parents = issue.ParentsTogether
			return nil
		}, Summary: "DG13 field 13 holds both parents' names in one SEQUENCE"},
	}
}

// rsaAA and ecdsaAA apply f to the document's active authentication when
// it is of that kind.
func rsaAA(f func(*issue.ActiveAuthentication)) func(*Build) error { return activeAuthOf(false, f) }

func ecdsaAA(f func(*issue.ActiveAuthentication)) func(*Build) error { return activeAuthOf(true, f) }

func activeAuthOf(ecdsa bool, f func(*issue.ActiveAuthentication)) func(*Build) error {
	return func(b *Build) error {
		aa := b.Profile.Security.AA
		if aa == nil || (aa.Curve != nil) != ecdsa {
			kind := map[bool]string{false: "RSA", true: "ECDSA"}[ecdsa]
			return notApplicable("the chip has no " + kind + " active authentication")
		}
		f(aa)
		return nil
	}
}

func aaQuirks() []Quirk {
	qs := []Quirk{
		{Name: "aa-ecdsa-der", ID: "C-06", Apply: ecdsaAA(func(a *issue.ActiveAuthentication) { a.DERSignature = true }),
			Summary: "active authentication answers a DER ECDSA signature instead of plain r‖s (a Portuguese ID card, gmrtd #188)"},
		{Name: "aa-hash-undeclared", ID: "C-06", Apply: ecdsaAA(undeclaredAAHash),
			Summary: "DG14 declares no ActiveAuthenticationInfo and the chip signs with a hash shorter than its key's (P-384 with SHA-256, gmrtd #477)"},
	}
	for _, c := range []struct {
		trailer  string
		hash     crypto.Hash
		explicit bool
	}{
		{"bc", crypto.SHA1, false}, {"33cc", crypto.SHA1, true}, {"38cc", crypto.SHA224, false},
		{"34cc", crypto.SHA256, false}, {"36cc", crypto.SHA384, false}, {"35cc", crypto.SHA512, false},
	} {
		qs = append(qs, Quirk{Name: "aa-rsa-trailer-" + c.trailer, ID: "C-05", Group: groupAATrailer,
			Apply:   rsaAA(func(a *issue.ActiveAuthentication) { a.Hash, a.ExplicitSHA1Trailer = c.hash, c.explicit }),
			Summary: fmt.Sprintf("RSA active authentication with ISO/IEC 9796-2 trailer %s (%v)", c.trailer, c.hash)})
	}
	return qs
}

// undeclaredAAHash drops ActiveAuthenticationInfo from DG14 and signs with
// a SHA-2 hash shorter than the one the key size suggests (SHA-224 up to
// 383 bits, SHA-256 for 384, SHA-384 for 512 and 521), so a verifier must
// search the allowed ones.
func undeclaredAAHash(a *issue.ActiveAuthentication) {
	a.Undeclared = true
	switch bits := a.Curve.N().BitLen(); {
	case bits < 384:
		a.Signature = lds.OIDECDSAPlainSHA224
	case bits < 512:
		a.Signature = lds.OIDECDSAPlainSHA256
	default:
		a.Signature = lds.OIDECDSAPlainSHA384
	}
}

// TrustedDocumentSigners are the DER certificates of the test PKI's
// document signers that a verifier of simulated documents holds in its
// trust store, as desks hold those of the ICAO PKD: an EF.SOD without its
// certificate (sod-without-ds) verifies with them. Test certificates: load
// them only beside the test CSCA, in simulate mode.
func TrustedDocumentSigners() ([][]byte, error) {
	var out [][]byte
	for _, kind := range append([]testpki.SignerKind{testpki.Valid}, testpki.QuirkSignerKinds...) {
		s, err := testpki.DocumentSigner(kind)
		if err != nil {
			return nil, err
		}
		out = append(out, s.CertDER)
	}
	return out, nil
}
