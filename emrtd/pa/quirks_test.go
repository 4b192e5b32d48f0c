package pa

import (
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/testpki"
)

// quirkyDocument issues a passport whose EF.SOD has the given shape and
// returns EF.SOD, the data groups and the document.
func quirkyDocument(t testing.TB, o issue.SODOptions) ([]byte, map[int][]byte, *issue.Document) {
	t.Helper()
	doc, err := issue.Issue(issue.Options{Seed: 7, Kind: issue.Passport, DataGroups: []int{1, 11, 12}, SOD: o})
	if err != nil {
		t.Fatal(err)
	}
	dgs := map[int][]byte{}
	for _, n := range []int{1, 11, 12} {
		dgs[n] = doc.Files[issue.FIDOfDG(n)]
	}
	return doc.Files[issue.FIDSOD], dgs, doc
}

// simStore is the simulator's trust: its test CSCA and CRL, and the
// document signers given (for SODs without their signer).
func simStore(t testing.TB, signers ...[]byte) Options {
	store := storeWith(t, true, append([][]byte{testpki.CSCA(), testpki.CRL()}, signers...)...)
	return Options{Trust: store, AllowTestAnchors: true, IssuingState: "VNM"}
}

// Every PKI quirk of real EF.SODs (real-chips.md L-02 to P-07), built by
// the simulator's issuer, verifies against the test CSCA: signature,
// chain, validity, revocation, country and every hash.
func TestSODQuirksVerify(t *testing.T) {
	for name, o := range sodQuirks {
		t.Run(name, func(t *testing.T) {
			sod, dgs, _ := quirkyDocument(t, o)
			opts := simStore(t)
			opts.DataGroups = dgs
			r := VerifyBytes(sod, opts)
			expectPass(t, r)
		})
	}
}

// sodQuirks are the EF.SOD shapes of real documents, by catalogue id.
var sodQuirks = map[string]issue.SODOptions{
	"plain":                       {},
	"L-02 indefinite lengths":     {Indefinite: true},
	"L-03 Belgian content type":   {ContentType: issue.ContentTypeBelgium},
	"L-03 Dutch content type":     {ContentType: issue.ContentTypeNetherlands},
	"L-03 id-data":                {ContentType: issue.ContentTypeData},
	"L-04 v1, NULL, long":         {LDSVersion1: true, NullDigestParams: true, LongLengths: true},
	"P-03 SKI":                    {SignerID: issue.BySubjectKeyID},
	"P-03 reordered issuer":       {SignerID: issue.ByReorderedIssuer, WithCSCA: true},
	"P-03 retyped issuer":         {SignerID: issue.ByRetypedIssuer, WithCSCA: true},
	"P-03 reordered, only cert":   {SignerID: issue.ByReorderedIssuer},
	"P-05 unsorted attributes":    {UnsortedAttributes: true},
	"P-04 RSA-PSS":                {Algorithm: issue.RSAPSS},
	"P-04 PSS key, PKCS#1":        {Algorithm: issue.RSAPSSKey},
	"P-04 rsaEncryption":          {Algorithm: issue.RSAKeyOnly},
	"P-04 id-ecPublicKey":         {Algorithm: issue.ECKeyOnly},
	"P-04 mixed hashes":           {Algorithm: issue.MixedHashes},
	"P-07 SHA-1":                  {Algorithm: issue.SHA1},
	"L-02 + P-03 SKI + P-05 + v1": {Indefinite: true, SignerID: issue.BySubjectKeyID, LDSVersion1: true},
}

// FuzzVerifyQuirkySOD runs passive authentication on mutations of the
// simulator's quirky and forged SODs (BER, several signers, every
// algorithm), trusting the test CSCA. Everything is deterministic: the
// SODs, the store and the time.
func FuzzVerifyQuirkySOD(f *testing.F) {
	var dgs map[int][]byte
	for _, o := range sodQuirks {
		sod, d, _ := quirkyDocument(f, o)
		f.Add(sod)
		dgs = d
	}
	for _, o := range []issue.SODOptions{{ExtraInvalidSigner: true}, {NoSignedAttributes: true}, {OmitDS: true}} {
		sod, _, _ := quirkyDocument(f, o)
		f.Add(sod)
	}
	opts := simStore(f)
	opts.DataGroups, opts.Now = dgs, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		if r := VerifyBytes(b, opts); len(r.Report) == 0 {
			t.Fatal("empty report")
		}
	})
}

// P-02: a SOD without its document signer verifies with the signer from
// the trust store, found by issuer and serial or by key identifier.
func TestSODWithoutSignerVerifiesFromTheStore(t *testing.T) {
	ds, _ := testpki.DocumentSigner(testpki.Valid)
	for _, id := range []issue.SignerID{issue.ByIssuerAndSerial, issue.BySubjectKeyID, issue.ByRetypedIssuer} {
		sod, dgs, _ := quirkyDocument(t, issue.SODOptions{OmitDS: true, SignerID: id})
		opts := simStore(t, ds.CertDER)
		opts.DataGroups = dgs
		r := VerifyBytes(sod, opts)
		expectPass(t, r)
		if !r.DSFromStore {
			t.Errorf("%s: signer not taken from the store", id)
		}
		// Without it in the store, the signature cannot be checked.
		r = VerifyBytes(sod, simStore(t))
		expect(t, r, map[string]string{check.SODSignature: "UNKNOWN/DS_NOT_FOUND"})
	}
	// The SOD carries only its CSCA's certificate, which does not verify
	// the signature: the signer is not found (not a forgery).
	sod, _, _ := quirkyDocument(t, issue.SODOptions{OmitDS: true, WithCSCA: true})
	expect(t, VerifyBytes(sod, simStore(t)), map[string]string{check.SODSignature: "UNKNOWN/DS_NOT_FOUND", check.DSChain: "SKIPPED/NO_DS"})
	r := VerifyBytes(sod, simStore(t, ds.CertDER))
	expect(t, r, map[string]string{check.SODSignature: "PASS/SIGNATURE_VALID"})
}

func expectPass(t *testing.T, r *Result) {
	t.Helper()
	for _, c := range r.Report {
		ok := c.Status == check.Pass || (c.Name == check.DSChain && c.Reason == ReasonTestAnchor && c.Status == check.Pass)
		if !ok {
			t.Errorf("%s = %s/%s: %s", c.Name, c.Status, c.Reason, c.Message)
		}
	}
	if len(r.Report) < 8 {
		t.Errorf("only %d checks", len(r.Report))
	}
}
