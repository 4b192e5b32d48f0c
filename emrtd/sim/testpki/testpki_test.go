package testpki

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"
)

func TestSignersChain(t *testing.T) {
	csca, err := x509.ParseCertificate(CSCA())
	if err != nil {
		t.Fatal(err)
	}
	untrusted, err := x509.ParseCertificate(UntrustedCSCA())
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
		if !s.Key.PublicKey.Equal(s.Cert.PublicKey) {
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
	if !now.After(exp.Cert.NotAfter) {
		t.Error("expired signer still valid")
	}
	wc, _ := DocumentSigner(WrongCountry)
	if wc.Cert.Subject.Country[0] == "VN" {
		t.Error("wrong-country signer has country VN")
	}
	crl, err := x509.ParseRevocationList(CRL())
	if err != nil {
		t.Fatal(err)
	}
	csca, _ := x509.ParseCertificate(CSCA())
	if err := crl.CheckSignatureFrom(csca); err != nil {
		t.Fatal(err)
	}
	rev, _ := DocumentSigner(Revoked)
	valid, _ := DocumentSigner(Valid)
	listed := map[string]bool{}
	for _, e := range crl.RevokedCertificateEntries {
		listed[e.SerialNumber.String()] = true
	}
	if !listed[rev.Cert.SerialNumber.String()] || listed[valid.Cert.SerialNumber.String()] {
		t.Error("CRL does not list exactly the revoked signer")
	}
}
