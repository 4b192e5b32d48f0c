package lds

import (
	"encoding/asn1"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
)

// Object identifiers of ICAO 9303-11 §9.2 and BSI TR-03110-3 Appendix A,
// shared by the PACE, chip authentication and active authentication code.
var (
	// bsi-de: 0.4.0.127.0.7
	OIDBSI = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7}

	OIDPKDH   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 1} // id-PK-DH
	OIDPKECDH = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2} // id-PK-ECDH

	OIDTA = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 2} // id-TA

	OIDCA     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3}
	OIDCADH   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1} // id-CA-DH
	OIDCAECDH = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2} // id-CA-ECDH

	OIDCADH3DESCBCCBC      = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, 1}
	OIDCADHAESCBCCMAC128   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, 2}
	OIDCADHAESCBCCMAC192   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, 3}
	OIDCADHAESCBCCMAC256   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 1, 4}
	OIDCAECDH3DESCBCCBC    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 1}
	OIDCAECDHAESCBCCMAC128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}
	OIDCAECDHAESCBCCMAC192 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 3}
	OIDCAECDHAESCBCCMAC256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 4}

	OIDPACE        = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4}
	OIDPACEDHGM    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 1}
	OIDPACEECDHGM  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2}
	OIDPACEDHIM    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 3}
	OIDPACEECDHIM  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 4}
	OIDPACEECDHCAM = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 6}

	OIDPACEDHGM3DESCBCCBC       = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 1, 1}
	OIDPACEDHGMAESCBCCMAC128    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 1, 2}
	OIDPACEDHGMAESCBCCMAC192    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 1, 3}
	OIDPACEDHGMAESCBCCMAC256    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 1, 4}
	OIDPACEECDHGM3DESCBCCBC     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 1}
	OIDPACEECDHGMAESCBCCMAC128  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}
	OIDPACEECDHGMAESCBCCMAC192  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 3}
	OIDPACEECDHGMAESCBCCMAC256  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 4}
	OIDPACEDHIM3DESCBCCBC       = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 3, 1}
	OIDPACEDHIMAESCBCCMAC128    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 3, 2}
	OIDPACEDHIMAESCBCCMAC192    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 3, 3}
	OIDPACEDHIMAESCBCCMAC256    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 3, 4}
	OIDPACEECDHIM3DESCBCCBC     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 4, 1}
	OIDPACEECDHIMAESCBCCMAC128  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 4, 2}
	OIDPACEECDHIMAESCBCCMAC192  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 4, 3}
	OIDPACEECDHIMAESCBCCMAC256  = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 4, 4}
	OIDPACEECDHCAMAESCBCCMAC128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 6, 2}
	OIDPACEECDHCAMAESCBCCMAC192 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 6, 3}
	OIDPACEECDHCAMAESCBCCMAC256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 6, 4}

	OIDRI            = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 5} // id-RI (restricted identification)
	OIDCardInfo      = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 6} // id-CI (CardInfoLocator)
	OIDEIDSecurity   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 7}
	OIDPrivilegedTer = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 8} // id-PT

	// Standardized domain parameters (BSI TR-03110-3 A.1.1.1) are given by
	// parameterId; id-ecPublicKey and dhpublicnumber name explicit ones.
	OIDStandardizedDomainParameters = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 2}
	OIDECPublicKey                  = cert.OIDECPublicKey
	OIDDHPublicNumber               = asn1.ObjectIdentifier{1, 2, 840, 10046, 2, 1}
	// PKCS #3 dhKeyAgreement: a DH key with {prime, base} and no subgroup
	// order, as some chips' DG14 carries it (C-03).
	OIDDHKeyAgreement = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 3, 1}
	OIDRSAEncryption  = cert.OIDRSAEncryption

	// Active authentication (ICAO 9303-11 §9.2.10): id-icao-mrtd-security-aaProtocolObject.
	OIDAA = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}

	// Signature algorithms an ActiveAuthenticationInfo names for ECDSA AA:
	// X.509's and BSI's plain (r ‖ s) ones, defined once in emrtd/cert.
	OIDECDSAWithSHA1    = cert.OIDECDSAWithSHA1
	OIDECDSAWithSHA224  = cert.OIDECDSAWithSHA224
	OIDECDSAWithSHA256  = cert.OIDECDSAWithSHA256
	OIDECDSAWithSHA384  = cert.OIDECDSAWithSHA384
	OIDECDSAWithSHA512  = cert.OIDECDSAWithSHA512
	OIDECDSAPlainSHA1   = cert.OIDECDSAPlainSHA1
	OIDECDSAPlainSHA224 = cert.OIDECDSAPlainSHA224
	OIDECDSAPlainSHA256 = cert.OIDECDSAPlainSHA256
	OIDECDSAPlainSHA384 = cert.OIDECDSAPlainSHA384
	OIDECDSAPlainSHA512 = cert.OIDECDSAPlainSHA512

	// Named curves (SEC 2 / RFC 5639): emrtd/ec's.
	OIDCurveP224            = ec.OIDP224
	OIDCurveP256            = ec.OIDP256
	OIDCurveP384            = ec.OIDP384
	OIDCurveP521            = ec.OIDP521
	OIDCurveBrainpoolP192r1 = ec.OIDBrainpoolP192r1
	OIDCurveBrainpoolP224r1 = ec.OIDBrainpoolP224r1
	OIDCurveBrainpoolP256r1 = ec.OIDBrainpoolP256r1
	OIDCurveBrainpoolP320r1 = ec.OIDBrainpoolP320r1
	OIDCurveBrainpoolP384r1 = ec.OIDBrainpoolP384r1
	OIDCurveBrainpoolP512r1 = ec.OIDBrainpoolP512r1
)

// CurveName names a curve identifier, "" when unknown.
func CurveName(oid asn1.ObjectIdentifier) string {
	if c := ec.ByOID(oid); c != nil {
		return c.Name()
	}
	return ""
}

// StandardizedDomainParameter describes a PACE parameterId of ICAO 9303-11
// §9.5.1 (table 6).
type StandardizedDomainParameter struct {
	ID   int
	Name string // "brainpoolP256r1", "1024-bit MODP group with 160-bit prime order subgroup", ...
	EC   bool   // elliptic curve (else a MODP group)
	Bits int    // field size
}

var standardizedParameters = []StandardizedDomainParameter{
	{0, "1024-bit MODP group with 160-bit prime order subgroup", false, 1024},
	{1, "2048-bit MODP group with 224-bit prime order subgroup", false, 2048},
	{2, "2048-bit MODP group with 256-bit prime order subgroup", false, 2048},
	{8, "P-192", true, 192},
	{9, "brainpoolP192r1", true, 192},
	{10, "P-224", true, 224},
	{11, "brainpoolP224r1", true, 224},
	{12, "P-256", true, 256},
	{13, "brainpoolP256r1", true, 256},
	{14, "brainpoolP320r1", true, 320},
	{15, "P-384", true, 384},
	{16, "brainpoolP384r1", true, 384},
	{17, "brainpoolP512r1", true, 512},
	{18, "P-521", true, 521},
}

// StandardizedDomainParameterByID returns the standardized domain parameters
// with the given parameterId.
func StandardizedDomainParameterByID(id int) (StandardizedDomainParameter, bool) {
	for _, p := range standardizedParameters {
		if p.ID == id {
			return p, true
		}
	}
	return StandardizedDomainParameter{}, false
}
