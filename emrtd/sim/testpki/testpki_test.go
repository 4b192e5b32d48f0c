package testpki

import (
	"bytes"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
)

func TestSignersChain(t *testing.T) {
	csca, err := cert.Parse(CSCA())
	if err != nil {
		t.Fatal(err)
	}
	if err := csca.CheckSignatureFrom(csca); err != nil {
		t.Errorf("CSCA self-signature: %v", err)
	}
	if csca.PublicKey.EC == nil || csca.PublicKey.EC.Curve.Name() != "brainpoolP512r1" {
		t.Errorf("CSCA key %v", csca.PublicKey)
	}
	untrusted, err := cert.Parse(UntrustedCSCA())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range SignerKinds {
		s, err := DocumentSigner(kind)
		if err != nil {
			t.Fatal(err)
		}
		issuer := csca
		if kind == Untrusted {
			issuer = untrusted
		}
		if err := s.Cert.CheckSignatureFrom(issuer); err != nil {
			t.Errorf("%s: not signed by its CSCA: %v", kind, err)
		}
		if !s.Key.PublicKey.Equal(s.Cert.PublicKey.EC) {
			t.Errorf("%s: key does not match certificate", kind)
		}
		if !bytes.Equal(s.CSCADER, issuer.Raw) {
			t.Errorf("%s: wrong CSCADER", kind)
		}
	}
	if _, err := DocumentSigner("nope"); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestSignerStates(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp, _ := DocumentSigner(Expired)
	if exp.Cert.ValidAt(now) || exp.Cert.ValidAt(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("expired signer still valid")
	}
	wc, _ := DocumentSigner(WrongCountry)
	if country(wc.Cert.Subject) != "LA" {
		t.Error("wrong-country signer is not LA")
	}
	crl, err := cert.ParseCRL(CRL())
	if err != nil {
		t.Fatal(err)
	}
	csca, _ := cert.Parse(CSCA())
	if err := crl.CheckSignatureFrom(csca); err != nil {
		t.Fatal(err)
	}
	rev, _ := DocumentSigner(Revoked)
	valid, _ := DocumentSigner(Valid)
	listed := map[string]bool{}
	for _, e := range crl.Revoked {
		listed[e.Serial.String()] = true
	}
	if !listed[rev.Cert.Serial.String()] || listed[valid.Cert.Serial.String()] {
		t.Error("CRL does not list exactly the revoked signer")
	}
}

func TestKeyRoundTrip(t *testing.T) {
	s, _ := DocumentSigner(Valid)
	b, err := MarshalKey(s.Key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(b)
	if err != nil || k.D.Cmp(s.Key.D) != 0 {
		t.Errorf("round trip: %v", err)
	}
}

func country(n cert.Name) string {
	for _, a := range n.Attributes {
		if a.Type.Equal(cert.OIDCountry) {
			return a.Value
		}
	}
	return ""
}

// The signers issued at run time chain to the test CSCA, hold the key
// they publish, have the property their kind names, and come out the
// same every time.
func TestQuirkSigners(t *testing.T) {
	csca, err := cert.Parse(CSCA())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range QuirkSignerKinds {
		s, err := DocumentSigner(kind)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if err := s.Cert.CheckSignatureFrom(csca); err != nil {
			t.Errorf("%s: not signed by the test CSCA: %v", kind, err)
		}
		if s.PrivateKey() == nil {
			t.Errorf("%s: no key", kind)
		}
		again, err := issueQuirkSigner(kind)
		if err != nil || !bytes.Equal(again.CertDER, s.CertDER) {
			t.Errorf("%s: not deterministic (%v)", kind, err)
		}
	}
	rsaSigner, _ := DocumentSigner(RSASigner)
	pssKey, _ := DocumentSigner(RSAPSSKeySigner)
	sha1Signer, _ := DocumentSigner(SHA1Signer)
	noKU, _ := DocumentSigner(NoKeyUsageSigner)
	switch {
	case rsaSigner.Cert.PublicKey.RSA == nil || rsaSigner.Cert.PublicKey.RSA.N.Cmp(rsaSigner.RSA.N) != 0:
		t.Error("rsa: certificate key is not the RSA key")
	case !pssKey.Cert.PublicKey.Algorithm.OID.Equal(cert.OIDRSASSAPSS) || pssKey.Cert.PublicKey.PSS != nil:
		t.Errorf("rsa-pss-key: key algorithm %v", pssKey.Cert.PublicKey.Algorithm.OID)
	case sha1Signer.Cert.SigAlg.Hash.String() != "SHA-1":
		t.Errorf("sha1: certificate signed with %v", sha1Signer.Cert.SigAlg)
	case noKU.Cert.HasKeyUsage || !sha1Signer.Cert.HasKeyUsage:
		t.Error("no-key-usage: keyUsage present, or missing elsewhere")
	case !noKU.Key.PublicKey.Equal(noKU.Cert.PublicKey.EC):
		t.Error("no-key-usage: key does not match")
	}
}
