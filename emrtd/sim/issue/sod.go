package issue

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidLDSSecurityObject = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidSecurityObject    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 3, 2, 1} // EF.CardSecurity (BSI TR-03110)
	oidSHA256            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// SODSigner is what signs an EF.SOD: a document signer certificate and its
// key.
type SODSigner struct {
	Cert *cert.Certificate
	Key  *ec.PrivateKey
}

// SOD is an encoded EF.SOD with the parts a tamper needs to reach.
type SOD struct {
	Bytes     []byte // the whole file: 77 { ContentInfo }
	Signature []byte // the signature value inside Bytes (aliases it)
}

// EncodeSOD builds EF.SOD (ICAO 9303-10 §4.6.2): tag 77 around a CMS
// ContentInfo of SignedData (version 3) whose encapsulated content is an
// LDSSecurityObject v0 with SHA-256 hashes of the given data groups, with
// the signer's certificate, and one SignerInfo (version 1, issuer and
// serial) with signed attributes content type, signing time and message
// digest, signed with ECDSA-SHA-256 on the signer's curve. The signature
// is deterministic (RFC 6979), so the same inputs give the same bytes.
func EncodeSOD(dgs map[int][]byte, signer SODSigner, signingTime time.Time) (*SOD, error) {
	lds, err := ldsSecurityObject(dgs)
	if err != nil {
		return nil, err
	}
	ci, sig, err := signContent(oidLDSSecurityObject, lds, signer, signingTime)
	if err != nil {
		return nil, fmt.Errorf("EF.SOD: %w", err)
	}
	file := tlv.Encode(0x77, ci)
	at := lastIndex(file, sig)
	return &SOD{Bytes: file, Signature: file[at : at+len(sig) : at+len(sig)]}, nil
}

// EncodeCardSecurity builds EF.CardSecurity (ICAO 9303-11 §9.2.x): a CMS
// ContentInfo (no outer tag) of SignedData whose encapsulated content, of
// type id-SecurityObject, is the DER SecurityInfos given, signed like
// EF.SOD.
func EncodeCardSecurity(securityInfos []byte, signer SODSigner, signingTime time.Time) ([]byte, error) {
	ci, _, err := signContent(oidSecurityObject, securityInfos, signer, signingTime)
	if err != nil {
		return nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	return ci, nil
}

// signContent signs content of the given type and returns the ContentInfo
// of the SignedData and the signature value.
func signContent(contentType asn1.ObjectIdentifier, content []byte, signer SODSigner, signingTime time.Time) ([]byte, []byte, error) {
	attrs, err := signedAttributes(contentType, content, signingTime)
	if err != nil {
		return nil, nil, err
	}
	alg, err := cert.SignatureAlgorithmFor(signer.Key, crypto.SHA256, false)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	sig, err := cert.SignMessage(signer.Key, alg, attrs)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	ci, err := signedData(contentType, content, attrs, sig, signer.Cert, cert.MarshalAlgorithm(alg))
	if err != nil {
		return nil, nil, err
	}
	return ci, sig, nil
}

func ldsSecurityObject(dgs map[int][]byte) ([]byte, error) {
	numbers := make([]int, 0, len(dgs))
	for n := range dgs {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, oidSHA256, false)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, n := range numbers {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1Int64(int64(n))
					b.AddASN1OctetString(sha256Sum(dgs[n]))
				})
			}
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode LDSSecurityObject: %w", err)
	}
	return out, nil
}

// signedAttributes returns the DER SET OF attributes (tag 31), which is
// what the signature covers; inside SignerInfo the same bytes carry the
// implicit tag A0.
func signedAttributes(contentType asn1.ObjectIdentifier, content []byte, signingTime time.Time) ([]byte, error) {
	attr := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.BytesOrPanic()
	}
	attrs := [][]byte{
		attr(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) }),
		attr(oidAttrSigningTime, func(b *cryptobyte.Builder) { b.AddASN1UTCTime(signingTime.UTC()) }),
		attr(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(sha256Sum(content)) }),
	}
	return derSet(attrs), nil
}

func signedData(contentType asn1.ObjectIdentifier, content, attrs, sig []byte, signer *cert.Certificate, sigAlg []byte) ([]byte, error) {
	implicitAttrs := append([]byte{0xA0}, attrs[1:]...)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(3)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, oidSHA256, false) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo
					b.AddASN1ObjectIdentifier(contentType)
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(content)
					})
				})
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddBytes(signer.Raw)
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(signer.Issuer.Raw)
							b.AddASN1BigInt(new(big.Int).Set(signer.Serial))
						})
						addAlgorithm(b, oidSHA256, false)
						b.AddBytes(implicitAttrs)
						b.AddBytes(sigAlg)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode SignedData: %w", err)
	}
	return out, nil
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

func lastIndex(haystack, needle []byte) int {
	for i := len(haystack) - len(needle); i >= 0; i-- {
		if string(haystack[i:i+len(needle)]) == string(needle) {
			return i
		}
	}
	return -1
}
