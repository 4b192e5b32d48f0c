package cms

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cert/ber"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignOptions tune Sign.
type SignOptions struct {
	Hash            crypto.Hash // digest and signature hash; SHA-256 when zero
	PSS             bool        // RSA keys sign with RSASSA-PSS
	SigningTime     time.Time   // zero: no signing-time attribute
	OmitCertificate bool        // leave the signer certificate out
	SubjectKeyID    bool        // identify the signer by SKI instead of issuer and serial
	Extra           []*cert.Certificate
}

// Sign makes a ContentInfo with a SignedData over content, signed by key
// (the key of signer, *ec.PrivateKey or *rsa.PrivateKey), with the
// content-type, message-digest and optional signing-time attributes. It is
// for test PKIs and the software chip.
func Sign(contentType asn1.ObjectIdentifier, content []byte, signer *cert.Certificate, key crypto.PrivateKey, o SignOptions) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("cms: no signer certificate")
	}
	h := o.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	alg, err := cert.SignatureAlgorithmFor(key, h, o.PSS)
	if err != nil {
		return nil, err
	}
	attrs, err := signedAttributes(contentType, content, h, o.SigningTime)
	if err != nil {
		return nil, err
	}
	sig, err := cert.SignMessage(key, alg, attrs)
	if err != nil {
		return nil, err
	}
	digestAlg := cert.MarshalAlgorithmIdentifier(cert.AlgorithmIdentifier{OID: cert.HashOID(h)})
	version := int64(3)
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(version)
				b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(digestAlg) })
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(contentType)
					b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(content)
					})
				})
				addCertificates(b, signer, o)
				b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) {
					addSignerInfo(b, signer, o.SubjectKeyID, digestAlg, attrs, alg, sig)
				})
			})
		})
	})
	return b.Bytes()
}

func addCertificates(b *cryptobyte.Builder, signer *cert.Certificate, o SignOptions) {
	certs := o.Extra
	if !o.OmitCertificate {
		certs = append([]*cert.Certificate{signer}, certs...)
	}
	if len(certs) == 0 {
		return
	}
	b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		for _, c := range certs {
			b.AddBytes(c.Raw)
		}
	})
}

func addSignerInfo(b *cryptobyte.Builder, signer *cert.Certificate, bySKI bool, digestAlg, attrs []byte, alg cert.SignatureAlgorithm, sig []byte) {
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if bySKI {
			b.AddASN1Int64(3)
			b.AddASN1(casn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(signer.SubjectKeyID) })
		} else {
			b.AddASN1Int64(1)
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(signer.Issuer.Raw)
				b.AddASN1BigInt(signer.Serial)
			})
		}
		b.AddBytes(digestAlg)
		// The attributes were signed as a SET; they travel as [0] IMPLICIT.
		b.AddBytes(append([]byte{0xA0}, attrs[1:]...))
		b.AddBytes(cert.MarshalAlgorithm(alg))
		b.AddASN1OctetString(sig)
	})
}

// signedAttributes returns the DER SET OF signed attributes.
func signedAttributes(contentType asn1.ObjectIdentifier, content []byte, h crypto.Hash, signingTime time.Time) ([]byte, error) {
	d := h.New()
	d.Write(content)
	attr := func(oid asn1.ObjectIdentifier, value cryptobyte.BuilderContinuation) cryptobyte.BuilderContinuation {
		return func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				b.AddASN1(casn1.SET, value)
			})
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) {
		attr(OIDAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) })(b)
		if !signingTime.IsZero() {
			attr(OIDAttrSigningTime, func(b *cryptobyte.Builder) {
				b.AddASN1UTCTime(signingTime.UTC())
			})(b)
		}
		attr(OIDAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(d.Sum(nil)) })(b)
	})
	set, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return ber.ToDER(set) // DER sorts the SET OF
}
