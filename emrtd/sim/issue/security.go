package issue

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/crypto/cryptobyte"
)

// Object identifiers of ICAO 9303-11 and BSI TR-03110.
var (
	oidPKECDH           = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}
	oidCAECDHAES128     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}
	oidAAProtocol       = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}
	oidECDSAPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}
	oidTA               = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 2}
	oidPACEECDHGMAES128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}
)

// CCCDCardAccess is EF.CardAccess exactly as read from 2021 CCCD cards
// (cccd.md): TerminalAuthenticationInfo v1, ChipAuthenticationInfo
// id-CA-ECDH-AES-CBC-CMAC-128 v1, PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128
// v2 with parameter 13 (brainpoolP256r1).
var CCCDCardAccess = mustHex("3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// DG14 encodes the SecurityInfos of data group 14: the chip authentication
// public key (ChipAuthenticationPublicKeyInfo), ChipAuthenticationInfo for
// ECDH with AES-128, TerminalAuthenticationInfo, and, when withAA is set,
// ActiveAuthenticationInfo for ECDSA with SHA-256. The SET is DER-sorted.
func DG14(caPublic *ec.PublicKey, explicit, withAA bool) ([]byte, error) {
	spki, err := ECPublicKeyInfo(caPublic, explicit)
	if err != nil {
		return nil, fmt.Errorf("encode CA public key: %w", err)
	}
	infos := [][]byte{
		seq(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidPKECDH); b.AddBytes(spki) }),
		seq(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidCAECDHAES128); b.AddASN1Int64(1) }),
		seq(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTA); b.AddASN1Int64(1) }),
	}
	if withAA {
		infos = append(infos, seq(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidAAProtocol)
			b.AddASN1Int64(1)
			b.AddASN1ObjectIdentifier(oidECDSAPlainSHA256)
		}))
	}
	return tlv.Encode(0x6E, derSet(infos)), nil
}

// PACECardAccess builds an EF.CardAccess with a PACEInfo for ECDH generic
// mapping with AES-128 on the given standard parameter ID, for profiles
// that do not copy the CCCD bytes.
func PACECardAccess(paramID int) []byte {
	return derSet([][]byte{seq(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPACEECDHGMAES128)
		b.AddASN1Int64(2)
		b.AddASN1Int64(int64(paramID))
	})})
}

// DG15 encodes the active authentication public key (SubjectPublicKeyInfo,
// explicit domain parameters when explicit is set).
func DG15(aaPublic *ec.PublicKey, explicit bool) ([]byte, error) {
	spki, err := ECPublicKeyInfo(aaPublic, explicit)
	if err != nil {
		return nil, fmt.Errorf("encode AA public key: %w", err)
	}
	return tlv.Encode(0x6F, spki), nil
}

func seq(f func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(0x30, f)
	return b.BytesOrPanic()
}
