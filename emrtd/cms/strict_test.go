package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
)

// signed returns a parsed SignedData signed by a fresh EC document signer
// with SHA-256, its signer and key.
func signed(t *testing.T, o SignOptions) (*SignedData, *SignerInfo, pki) {
	t.Helper()
	bp, _ := ec.GenerateKey(ec.BrainpoolP256r1(), rand.Reader)
	p := newPKI(t, bp, &bp.PublicKey)
	msg, err := Sign([]int{2, 23, 136, 1, 1, 1}, []byte("content"), p.ds, p.dsKey, o)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(msg)
	if err != nil {
		t.Fatal(err)
	}
	return sd, sd.Signers[0], p
}

// Both the content-type and the message-digest attribute are required.
func TestSignedAttributesRequired(t *testing.T) {
	sd, si, p := signed(t, SignOptions{})
	if err := sd.Verify(si, p.ds); err != nil {
		t.Fatal(err)
	}
	ct, md, raw := si.ContentType, si.MessageDigest, si.SignedAttrsRaw
	si.ContentType = nil
	if err := sd.Verify(si, p.ds); !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("no content type: %v", err)
	}
	si.ContentType, si.MessageDigest = ct, nil
	if err := sd.Verify(si, p.ds); !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("no message digest: %v", err)
	}
	si.MessageDigest, si.SignedAttrsRaw = md, nil
	// A signature straight over the content, as CMS allows without
	// signed attributes, is refused even when it verifies.
	alg := si.SigAlg
	alg.Hash = crypto.SHA256
	if si.Signature, _ = cert.SignMessage(p.dsKey, alg, sd.Content); si.Signature == nil {
		t.Fatal("sign")
	}
	if err := sd.Verify(si, p.ds); !errors.Is(err, ErrNoSignedAttributes) {
		t.Errorf("no signed attributes: %v", err)
	}
	si.SignedAttrsRaw = raw
}

// The SignerInfo's digest algorithm is the one hash: a signature algorithm
// naming another hash changes nothing, and a signature made with that
// other hash does not verify (it used to, as a second try).
func TestDigestAlgorithmDecides(t *testing.T) {
	sd, si, p := signed(t, SignOptions{Hash: crypto.SHA256})
	si.SigAlg = cert.SignatureAlgorithm{AlgorithmIdentifier: cert.AlgorithmIdentifier{OID: cert.OIDECDSAWithSHA512}, Scheme: cert.SchemeECDSA, Hash: crypto.SHA512}
	if err := sd.Verify(si, p.ds); err != nil {
		t.Errorf("ecdsa-with-SHA512 beside a SHA-256 digest, signed with SHA-256: %v", err)
	}
	sig, err := cert.SignMessage(p.dsKey, si.SigAlg, si.signedBytes()[0])
	if err != nil {
		t.Fatal(err)
	}
	si.Signature = sig
	if err := sd.Verify(si, p.ds); !errors.Is(err, cert.ErrSignature) {
		t.Errorf("signed with the signature algorithm's SHA-512 instead of the digest's SHA-256: %v", err)
	}
}

// An RSA-PSS signer must name its digest algorithm's hash.
func TestPSSHashMustBeTheDigest(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	p := newPKI(t, rk, &rk.PublicKey)
	msg, err := Sign([]int{2, 23, 136, 1, 1, 1}, []byte("content"), p.ds, p.dsKey, SignOptions{Hash: crypto.SHA256, PSS: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := Parse(msg)
	si := sd.Signers[0]
	if err := sd.Verify(si, p.ds); err != nil {
		t.Fatal(err)
	}
	pss := *si.SigAlg.PSS
	pss.Hash, pss.MGFHash = crypto.SHA384, crypto.SHA384
	si.SigAlg.Hash, si.SigAlg.PSS = crypto.SHA384, &pss
	if err := sd.Verify(si, p.ds); !errors.Is(err, cert.ErrAlgorithmMismatch) {
		t.Errorf("PSS with SHA-384 beside a SHA-256 digest: %v", err)
	}
}
