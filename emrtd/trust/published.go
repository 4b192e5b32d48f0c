package trust

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/idagent/idagent/emrtd/cert"
)

// publishedKeys are the public keys of CSCAs whose private keys anyone
// can read: the simulator's TEST PKI commits them (emrtd/sim/testpki), so
// anyone can sign a document, or a new CSCA certificate, with them. A
// store holds a CSCA certificate with such a key as a test anchor however
// it came in (imported without --test, copied into csca/, in a master
// list): a production check never accepts what it signed. Keys are named
// by the SHA-256 of their key material (the EC point uncompressed, the RSA
// modulus), so another encoding of the key or another certificate for it
// is caught as well. TestPublishedKeys checks the list against testpki.
var publishedKeys = map[string]string{
	"4a157f017b10c79f3378f943448a65ad641b61978c03599aaa07b20b850d0ce4": "the simulator's TEST CSCA",
	"529c20d52c0bd88bead7d85afd8d35414e287a3271bc932a12a7f51d62fce33f": "the simulator's untrusted TEST CSCA",
}

// Published reports whether k is a key whose private half is published,
// and names it.
func Published(k *cert.PublicKey) (name string, ok bool) {
	var material []byte
	switch k.Kind() {
	case cert.KeyEC:
		material = k.EC.Bytes()
	case cert.KeyRSA:
		material = k.RSA.N.Bytes()
	default:
		return "", false
	}
	sum := sha256.Sum256(material)
	name, ok = publishedKeys[hex.EncodeToString(sum[:])]
	return name, ok
}

// markPublished makes an anchor with a published key a test anchor, and
// says so (empty when it changed nothing).
func markPublished(e *Entry) string {
	if e.Kind != KindCSCA || e.Test {
		return ""
	}
	name, ok := Published(e.Cert.PublicKey)
	if !ok {
		return ""
	}
	e.Test = true
	return name
}
