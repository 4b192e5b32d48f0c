package cms

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/tlv"
)

const shared = "../../../shared/"

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(shared + name)
	if err != nil {
		t.Skipf("shared reference data not available (%v); skipping", err)
	}
	return b
}

func TestGermanMasterList(t *testing.T) {
	ml, err := ParseMasterList(readShared(t, "pki/DE_masterlist_2026-05-28.ml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ml.Certificates) != 588 || len(ml.Errors) != 0 {
		t.Fatalf("%d certificates, %d errors: %v", len(ml.Certificates), len(ml.Errors), ml.Errors)
	}
	signer, err := ml.VerifySignature()
	if err != nil {
		t.Fatal(err)
	}
	if signer.Subject.Country() != "DE" || signer.Subject.CommonName() != "CSCA Master List Signer" {
		t.Errorf("signer %s", signer.Subject)
	}
	// The signer chains to a German CSCA carried in the list.
	ok := false
	for _, c := range append(ml.SignedData.Certificates, ml.Certificates...) {
		if c != signer && c.Subject.Equal(signer.Issuer) && signer.CheckSignatureFrom(c) == nil {
			ok = true
		}
	}
	if !ok {
		t.Error("master list signer does not chain to a CSCA of the list")
	}
}

func TestRealSODSignatures(t *testing.T) {
	files, _ := filepath.Glob(shared + "realworld/*.sod")
	if len(files) == 0 {
		t.Skip("shared real-world SODs not available; skipping")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, _ := os.ReadFile(f)
			inner, err := tlv.Unwrap(b, 0x77)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(inner)
			if err != nil {
				t.Fatal(err)
			}
			si := sd.Signers[0]
			signer := firstSigner(sd, si)
			if signer == nil {
				t.Fatal("no signer certificate in the SOD")
			}
			if err := sd.Verify(si, signer); err != nil {
				t.Fatalf("signature: %v", err)
			}
		})
	}
	// EF.CardSecurity is a bare ContentInfo.
	for _, name := range []string{"DE.cardsecurity", "FI.cardsecurity"} {
		b, err := os.ReadFile(shared + "realworld/" + name)
		if err != nil {
			continue
		}
		sd, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sd.Verify(sd.Signers[0], firstSigner(sd, sd.Signers[0])); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

type pki struct {
	ca, ds       *cert.Certificate
	caKey, dsKey crypto.PrivateKey
}

func newPKI(t testing.TB, dsKey crypto.PrivateKey, dsPub crypto.PublicKey) pki {
	t.Helper()
	caKey, _ := ec.GenerateKey(ec.BrainpoolP384r1(), rand.Reader)
	now := time.Now()
	ct := cert.Template{Serial: big.NewInt(1), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "Test CSCA"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0), IsCA: true, KeyUsage: cert.KeyUsageCertSign, ExplicitParams: true, Hash: crypto.SHA384}
	der, err := cert.Create(&ct, &caKey.PublicKey, nil, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := cert.Parse(der)
	dt := cert.Template{Serial: big.NewInt(2), Subject: []cert.Attribute{{Type: cert.OIDCountry, Value: "VN"}, {Type: cert.OIDCommonName, Value: "Test DS"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: cert.KeyUsageDigitalSignature}
	der, err = cert.Create(&dt, dsPub, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := cert.Parse(der)
	return pki{ca, ds, caKey, dsKey}
}

func TestSignAndVerify(t *testing.T) {
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	content := []byte("LDS security object stand-in")
	ctype := []int{2, 23, 136, 1, 1, 1}
	for _, tc := range []struct {
		name string
		key  crypto.PrivateKey
		pub  crypto.PublicKey
		o    SignOptions
	}{
		{"ECDSA issuer-serial", bp, &bp.PublicKey, SignOptions{Hash: crypto.SHA256, SigningTime: time.Now()}},
		{"ECDSA SKI SHA-512", bp, &bp.PublicKey, SignOptions{Hash: crypto.SHA512, SubjectKeyID: true}},
		{"RSA PKCS#1", rk, &rk.PublicKey, SignOptions{Hash: crypto.SHA384}},
		{"RSA-PSS", rk, &rk.PublicKey, SignOptions{Hash: crypto.SHA256, PSS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPKI(t, tc.key, tc.pub)
			msg, err := Sign(ctype, content, p.ds, p.dsKey, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(msg)
			if err != nil {
				t.Fatal(err)
			}
			si := sd.Signers[0]
			signer := firstSigner(sd, si)
			if signer == nil || !bytes.Equal(sd.Content, content) || !sd.ContentType.Equal(ctype) {
				t.Fatal("parsed message differs")
			}
			if err := sd.Verify(si, signer); err != nil {
				t.Fatal(err)
			}
			if !tc.o.SigningTime.IsZero() && si.SigningTime.Unix() != tc.o.SigningTime.Unix() {
				t.Error("signing time")
			}
			if err := sd.Verify(si, p.ca); !errors.Is(err, cert.ErrSignature) {
				t.Errorf("verified with the wrong key: %v", err)
			}
			// The same message in BER with indefinite lengths and a
			// fragmented eContent still verifies.
			bmsg := toBER(t, msg)
			bsd, err := Parse(bmsg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bsd.Content, content) {
				t.Fatal("BER content differs")
			}
			if err := bsd.Verify(bsd.Signers[0], firstSigner(bsd, bsd.Signers[0])); err != nil {
				t.Fatalf("BER form: %v", err)
			}
		})
	}
}

func TestTamper(t *testing.T) {
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p := newPKI(t, bp, &bp.PublicKey)
	msg, _ := Sign([]int{2, 23, 136, 1, 1, 1}, []byte("content"), p.ds, p.dsKey, SignOptions{})
	sd, _ := Parse(msg)
	si := sd.Signers[0]
	signer := firstSigner(sd, si)

	sd.Content = []byte("contenT")
	if err := sd.Verify(si, signer); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("changed content: %v", err)
	}
	sd.Content = []byte("content")
	sd.ContentType = []int{1, 2, 3}
	if err := sd.Verify(si, signer); !errors.Is(err, ErrContentTypeMismatch) {
		t.Errorf("changed content type: %v", err)
	}
	sd.ContentType = []int{2, 23, 136, 1, 1, 1}
	si.Signature = append([]byte{}, si.Signature...)
	si.Signature[len(si.Signature)-1] ^= 1
	if err := sd.Verify(si, signer); !errors.Is(err, cert.ErrSignature) {
		t.Errorf("changed signature: %v", err)
	}
	if err := sd.Verify(si, nil); !errors.Is(err, ErrNoSigner) {
		t.Errorf("no signer: %v", err)
	}
	// Without the certificate, the signer is not found in the message.
	msg, _ = Sign([]int{2, 23, 136, 1, 1, 1}, []byte("content"), p.ds, p.dsKey, SignOptions{OmitCertificate: true})
	sd, _ = Parse(msg)
	if firstSigner(sd, sd.Signers[0]) != nil || !sd.Signers[0].Identifies(p.ds) {
		t.Error("signer identification")
	}
}

// toBER rewrites a DER message with indefinite lengths everywhere except
// inside certificates, and splits the eContent OCTET STRING into pieces.
func toBER(t *testing.T, der []byte) []byte {
	t.Helper()
	v, err := ber.Decode(der)
	if err != nil {
		t.Fatal(err)
	}
	return indefinite(t, v, 0)
}

func indefinite(t *testing.T, v ber.Value, depth int) []byte {
	if v.Tag == ber.TagOctetString && len(v.Content) > 8 && depth == 5 {
		// eContent: ContentInfo > [0] > SignedData > EncapContentInfo > [0] > OCTET STRING
		out := []byte{0x24, 0x80}
		for c := v.Content; len(c) > 0; {
			n := min(5, len(c))
			out = append(out, tlv.Encode(ber.TagOctetString, c[:n])...)
			c = c[n:]
		}
		return append(out, 0, 0)
	}
	if !v.Constructed() || v.Tag == ber.ContextConstructed(0) && depth == 3 {
		return v.Raw // primitive, or the certificates field
	}
	out := append(tlv.EncodeTag(v.Tag), 0x80)
	r := v.Children()
	for !r.Empty() {
		c, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, indefinite(t, c, depth+1)...)
	}
	return append(out, 0, 0)
}

// firstSigner is the first certificate the signer identifier names.
func firstSigner(sd *SignedData, si *SignerInfo) *cert.Certificate {
	if c := sd.SignerCertificates(si); len(c) > 0 {
		return c[0]
	}
	return nil
}
