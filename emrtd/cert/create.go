package cert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/idagent/idagent/emrtd/ec"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// This file builds certificates and CRLs for test PKIs (the software
// chip, tests): brainpool and NIST EC keys, with named or explicit
// parameters, RSA and RSA-PSS. Keys are *ec.PrivateKey or *rsa.PrivateKey.

// Template describes a certificate to create.
type Template struct {
	Serial              *big.Int
	Subject             []Attribute // in encoding order; C is written as PrintableString, the rest as UTF8String
	NotBefore, NotAfter time.Time
	KeyUsage            KeyUsage
	IsCA                bool
	MaxPathLen          int       // for a CA: −1 for no limit
	SubjectKeyID        []byte    // nil: SHA-1 of the public key bits
	PrivateKeyNotBefore time.Time // both zero: no PrivateKeyUsagePeriod
	PrivateKeyNotAfter  time.Time
	DocumentTypes       []string // non-empty: a DocumentTypeList extension
	ExtKeyUsage         []asn1.ObjectIdentifier
	Hash                crypto.Hash // signature hash; SHA-256 when zero
	PSS                 bool        // RSA issuer keys sign with RSASSA-PSS
	ExplicitParams      bool        // an EC subject key is written with explicit domain parameters
	// RSAPSSKey writes an RSA subject key under id-RSASSA-PSS without
	// parameters instead of rsaEncryption (as some issuers do for keys
	// that then sign PKCS#1 v1.5).
	RSAPSSKey bool
}

// Create makes a certificate for pub (*ec.PublicKey, *ecdsa.PublicKey or
// *rsa.PublicKey) signed by issuerKey (*ec.PrivateKey, *ecdsa.PrivateKey or
// *rsa.PrivateKey). issuer is nil for a self-signed certificate.
func Create(t *Template, pub crypto.PublicKey, issuer *Certificate, issuerKey crypto.PrivateKey) ([]byte, error) {
	pub, issuerKey, err := convertKeys(pub, issuerKey)
	if err != nil {
		return nil, err
	}
	spki, keyBits, err := MarshalPublicKey(pub, t.ExplicitParams)
	if err != nil {
		return nil, err
	}
	if t.RSAPSSKey {
		if spki, err = rsaPSSKeyInfo(pub, keyBits); err != nil {
			return nil, err
		}
	}
	alg, err := SignatureAlgorithmFor(issuerKey, t.Hash, t.PSS)
	if err != nil {
		return nil, err
	}
	ski := t.SubjectKeyID
	if ski == nil {
		s := sha1.Sum(keyBits)
		ski = s[:]
	}
	subject := MarshalName(t.Subject)
	issuerName, aki := subject, ski
	if issuer != nil {
		issuerName, aki = issuer.Subject.Raw, issuer.SubjectKeyID
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(t.Serial)
		b.AddBytes(MarshalAlgorithm(alg))
		b.AddBytes(issuerName)
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, t.NotBefore)
			addTime(b, t.NotAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(casn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { t.addExtensions(b, ski, aki) })
		})
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode certificate: %w", err)
	}
	return signAndWrap(tbs, alg, issuerKey)
}

func signAndWrap(tbs []byte, alg SignatureAlgorithm, key crypto.PrivateKey) ([]byte, error) {
	sig, err := SignMessage(key, alg, tbs)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(MarshalAlgorithm(alg))
		b.AddASN1BitString(sig)
	})
	return b.Bytes()
}

func (t *Template) addExtensions(b *cryptobyte.Builder, ski, aki []byte) {
	addExt(b, OIDSubjectKeyID, false, func(b *cryptobyte.Builder) { b.AddASN1OctetString(ski) })
	addExt(b, OIDAuthorityKeyID, false, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(aki) })
		})
	})
	if t.KeyUsage != 0 {
		addExt(b, OIDKeyUsage, true, func(b *cryptobyte.Builder) { b.AddASN1BitString(keyUsageBits(t.KeyUsage)) })
	}
	if t.IsCA {
		addExt(b, OIDBasicConstraints, true, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Boolean(true)
				if t.MaxPathLen >= 0 {
					b.AddASN1Int64(int64(t.MaxPathLen))
				}
			})
		})
	}
	if !t.PrivateKeyNotBefore.IsZero() || !t.PrivateKeyNotAfter.IsZero() {
		addExt(b, OIDPrivateKeyUsagePeriod, false, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addGeneralized(b, casn1.Tag(0).ContextSpecific(), t.PrivateKeyNotBefore)
				addGeneralized(b, casn1.Tag(1).ContextSpecific(), t.PrivateKeyNotAfter)
			})
		})
	}
	if len(t.ExtKeyUsage) > 0 {
		addExt(b, OIDExtKeyUsage, true, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, o := range t.ExtKeyUsage {
					b.AddASN1ObjectIdentifier(o)
				}
			})
		})
	}
	if len(t.DocumentTypes) > 0 {
		addExt(b, OIDDocumentTypeList, false, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(0)
				b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) {
					for _, d := range t.DocumentTypes {
						b.AddASN1(casn1.PrintableString, func(b *cryptobyte.Builder) { b.AddBytes([]byte(d)) })
					}
				})
			})
		})
	}
}

func addGeneralized(b *cryptobyte.Builder, tag casn1.Tag, t time.Time) {
	if t.IsZero() {
		return
	}
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.UTC().Format("20060102150405Z"))) })
}

func addExt(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value cryptobyte.BuilderContinuation) {
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(casn1.OCTET_STRING, value)
	})
}

func keyUsageBits(ku KeyUsage) []byte {
	var out [2]byte
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	if out[1] == 0 {
		return out[:1]
	}
	return out[:]
}

// addTime writes UTCTime up to 2049 and GeneralizedTime after (RFC 5280).
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC()
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1(casn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.Format("060102150405Z"))) })
		return
	}
	b.AddASN1(casn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.Format("20060102150405Z"))) })
}

// MarshalName encodes a distinguished name, one attribute per RDN.
func MarshalName(attrs []Attribute) []byte {
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddASN1(casn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.Type)
					tag := casn1.UTF8String
					if a.Type.Equal(OIDCountry) || a.Type.Equal(OIDSerialNumber) {
						tag = casn1.PrintableString
					}
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.Value)) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

// MarshalPublicKey encodes a SubjectPublicKeyInfo for an *ec.PublicKey
// (named curve OID, or explicit parameters when explicit is set or the
// curve has no name) or an *rsa.PublicKey. It also returns the key bits.
func MarshalPublicKey(pub crypto.PublicKey, explicit bool) (spki, keyBits []byte, err error) {
	if p, _, cerr := convertKeys(pub, nil); cerr == nil {
		pub = p
	}
	var b cryptobyte.Builder
	switch k := pub.(type) {
	case *ec.PublicKey:
		params := k.Curve.MarshalParameters()
		if explicit {
			params = k.Curve.MarshalExplicitParameters()
		}
		keyBits = k.Bytes()
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDECPublicKey)
				b.AddBytes(params)
			})
			b.AddASN1BitString(keyBits)
		})
	case *rsa.PublicKey:
		var kb cryptobyte.Builder
		kb.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(k.N)
			b.AddASN1Int64(int64(k.E))
		})
		keyBits = kb.BytesOrPanic()
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDRSAEncryption)
				b.AddASN1NULL()
			})
			b.AddASN1BitString(keyBits)
		})
	default:
		return nil, nil, fmt.Errorf("%w: public key type %T", ErrUnsupported, pub)
	}
	spki, err = b.Bytes()
	return spki, keyBits, err
}

// rsaPSSKeyInfo is the SubjectPublicKeyInfo of an RSA key under
// id-RSASSA-PSS with absent parameters (no restriction on its use).
func rsaPSSKeyInfo(pub crypto.PublicKey, keyBits []byte) ([]byte, error) {
	if _, ok := pub.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("%w: an RSA-PSS key OID for a %T", ErrUnsupported, pub)
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(OIDRSASSAPSS) })
		b.AddASN1BitString(keyBits)
	})
	return b.Bytes()
}

// SignatureAlgorithmFor picks the signature algorithm a key signs with:
// ecdsa-with-SHAx for EC keys, shaxWithRSAEncryption or RSASSA-PSS (salt
// length = hash length) for RSA keys.
func SignatureAlgorithmFor(key crypto.PrivateKey, h crypto.Hash, pss bool) (SignatureAlgorithm, error) {
	if _, k, err := convertKeys(nil, key); err == nil {
		key = k
	}
	if h == 0 {
		h = crypto.SHA256
	}
	switch key.(type) {
	case *ec.PrivateKey:
		for _, e := range sigTable {
			if e.scheme == SchemeECDSA && e.hash == h {
				return SignatureAlgorithm{AlgorithmIdentifier: AlgorithmIdentifier{OID: e.oid}, Scheme: SchemeECDSA, Hash: h}, nil
			}
		}
	case *rsa.PrivateKey:
		if pss {
			p := &PSSParams{Hash: h, MGFHash: h, SaltLength: h.Size(), Trailer: 1}
			return SignatureAlgorithm{AlgorithmIdentifier: AlgorithmIdentifier{OID: OIDRSASSAPSS, Params: marshalPSSParams(p)}, Scheme: SchemeRSAPSS, Hash: h, PSS: p}, nil
		}
		for _, e := range sigTable {
			if e.scheme == SchemeRSAPKCS1 && e.hash == h {
				return SignatureAlgorithm{AlgorithmIdentifier: AlgorithmIdentifier{OID: e.oid, Params: []byte{5, 0}}, Scheme: SchemeRSAPKCS1, Hash: h}, nil
			}
		}
	default:
		return SignatureAlgorithm{}, fmt.Errorf("%w: private key type %T", ErrUnsupported, key)
	}
	return SignatureAlgorithm{}, fmt.Errorf("%w: hash %s", ErrUnsupported, h)
}

func marshalPSSParams(p *PSSParams) []byte {
	hashAlg := func(b *cryptobyte.Builder, h crypto.Hash) {
		b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(HashOID(h))
			b.AddASN1NULL()
		})
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { hashAlg(b, p.Hash) })
		b.AddASN1(casn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDMGF1)
				hashAlg(b, p.MGFHash)
			})
		})
		b.AddASN1(casn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(p.SaltLength)) })
	})
	return b.BytesOrPanic()
}

// MarshalAlgorithm encodes an AlgorithmIdentifier.
func MarshalAlgorithm(a SignatureAlgorithm) []byte {
	return MarshalAlgorithmIdentifier(a.AlgorithmIdentifier)
}

// MarshalAlgorithmIdentifier encodes an AlgorithmIdentifier.
func MarshalAlgorithmIdentifier(a AlgorithmIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.OID)
		if len(a.Params) > 0 {
			b.AddBytes(a.Params)
		}
	})
	return b.BytesOrPanic()
}

// SignMessage hashes data with the algorithm's hash and signs it. ECDSA
// signatures are deterministic (RFC 6979), so test PKIs are reproducible.
func SignMessage(key crypto.PrivateKey, alg SignatureAlgorithm, data []byte) ([]byte, error) {
	if _, k, err := convertKeys(nil, key); err == nil {
		key = k
	}
	if alg.Hash == 0 || !alg.Hash.Available() {
		return nil, fmt.Errorf("%w: hash of %s", ErrUnsupported, alg)
	}
	h := alg.Hash.New()
	h.Write(data)
	digest := h.Sum(nil)
	switch k := key.(type) {
	case *ec.PrivateKey:
		switch alg.Scheme {
		case SchemeECDSA:
			return ec.SignASN1(nil, k, digest)
		case SchemeECDSAPlain:
			return ec.SignPlain(nil, k, digest)
		}
	case *rsa.PrivateKey:
		switch alg.Scheme {
		case SchemeRSAPKCS1:
			return rsa.SignPKCS1v15(nil, k, alg.Hash, digest)
		case SchemeRSAPSS:
			return rsa.SignPSS(randReader, k, alg.Hash, digest, &rsa.PSSOptions{SaltLength: alg.PSS.SaltLength, Hash: alg.Hash})
		}
	}
	return nil, fmt.Errorf("%w: %s with key type %T", ErrUnsupported, alg, key)
}

var randReader io.Reader = rand.Reader

// CreateCRL makes a CRL signed by issuerKey, the key of issuer.
func CreateCRL(issuer *Certificate, issuerKey crypto.PrivateKey, revoked []RevokedCertificate, thisUpdate, nextUpdate time.Time, number *big.Int, h crypto.Hash) ([]byte, error) {
	if issuer == nil {
		return nil, errors.New("CRL without an issuer certificate")
	}
	alg, err := SignatureAlgorithmFor(issuerKey, h, false)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(MarshalAlgorithm(alg))
		b.AddBytes(issuer.Subject.Raw)
		addTime(b, thisUpdate)
		addTime(b, nextUpdate)
		if len(revoked) > 0 {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, rc := range revoked {
					b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(rc.Serial)
						addTime(b, rc.RevocationTime)
					})
				}
			})
		}
		b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addExt(b, OIDAuthorityKeyID, false, func(b *cryptobyte.Builder) {
					b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(casn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(issuer.SubjectKeyID) })
					})
				})
				if number != nil {
					addExt(b, OIDCRLNumber, false, func(b *cryptobyte.Builder) { b.AddASN1BigInt(number) })
				}
			})
		})
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode CRL: %w", err)
	}
	return signAndWrap(tbs, alg, issuerKey)
}

// convertKeys turns crypto/ecdsa keys into emrtd/ec keys (same curve by
// name), so test PKIs built with crypto/ecdsa can use this package.
func convertKeys(pub crypto.PublicKey, priv crypto.PrivateKey) (crypto.PublicKey, crypto.PrivateKey, error) {
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		c := ec.ByName(k.Curve.Params().Name)
		if c == nil {
			return nil, nil, fmt.Errorf("%w: curve %s", ErrUnsupported, k.Curve.Params().Name)
		}
		p, err := ec.NewPublicKey(c, ec.Point{X: k.X, Y: k.Y}) //nolint:staticcheck // X and Y are the portable form
		if err != nil {
			return nil, nil, err
		}
		pub = p
	}
	if k, ok := priv.(*ecdsa.PrivateKey); ok {
		c := ec.ByName(k.Curve.Params().Name)
		if c == nil {
			return nil, nil, fmt.Errorf("%w: curve %s", ErrUnsupported, k.Curve.Params().Name)
		}
		p, err := ec.NewPrivateKey(c, k.D.FillBytes(make([]byte, c.OrderByteLen()))) //nolint:staticcheck // D is the portable form
		if err != nil {
			return nil, nil, err
		}
		priv = p
	}
	return pub, priv, nil
}
