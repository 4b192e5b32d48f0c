package lds

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/idagent/idagent/emrtd/cert/ber"
	"github.com/idagent/idagent/emrtd/tlv"
)

// encodeOID is an object identifier's contents octets.
func encodeOID(oid asn1.ObjectIdentifier) []byte { return ber.MustOIDContents(oid) }

func intDER(n int) []byte {
	b, _ := asn1.Marshal(n)
	return b
}

func secInfo(oid asn1.ObjectIdentifier, data ...[]byte) []byte {
	return tlv.Encode(tagSequence, append([][]byte{tlv.Encode(tagOID, encodeOID(oid))}, data...)...)
}

func algID(oid asn1.ObjectIdentifier, params ...[]byte) []byte {
	return tlv.Encode(tagSequence, append([][]byte{tlv.Encode(tagOID, encodeOID(oid))}, params...)...)
}

func ecSPKI(t testing.TB) []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rsaSPKI(t testing.TB) []byte {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	b, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
