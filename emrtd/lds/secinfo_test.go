package lds

import (
	"crypto"
	"encoding/hex"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
)

// The EF.CardAccess of the Vietnamese CCCD (cccd.md).
const cccdCardAccessHex = "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D"

func TestCCCDCardAccess(t *testing.T) {
	b, _ := hex.DecodeString(cccdCardAccessHex)
	s, err := ParseSecurityInfos(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 || len(s.TerminalAuthentication) != 1 || len(s.ChipAuthentication) != 1 || len(s.PACE) != 1 || len(s.Unknown) != 0 {
		t.Fatalf("infos: %d total, TA %d, CA %d, PACE %d, unknown %d", s.Len(), len(s.TerminalAuthentication), len(s.ChipAuthentication), len(s.PACE), len(s.Unknown))
	}
	if ta := s.TerminalAuthentication[0]; ta.Version != 1 || ta.Name != "id-TA" {
		t.Errorf("TA: %+v", ta)
	}
	ca := s.ChipAuthentication[0]
	if !ca.Protocol.Equal(OIDCAECDHAESCBCCMAC128) || ca.Version != 1 || ca.KeyAgreement != KeyAgreementECDH || ca.Cipher != CipherAES128 || ca.KeyID != nil {
		t.Errorf("CA: %+v", ca)
	}
	if ca.Name != "id-CA-ECDH-AES-CBC-CMAC-128" {
		t.Errorf("CA name %q", ca.Name)
	}
	p := s.PACE[0]
	if !p.Protocol.Equal(OIDPACEECDHGMAESCBCCMAC128) || p.Version != 2 || p.Mapping != MappingGM || p.KeyAgreement != KeyAgreementECDH || p.Cipher != CipherAES128 {
		t.Errorf("PACE: %+v", p)
	}
	if p.ParameterID == nil || *p.ParameterID != 13 {
		t.Fatalf("PACE parameterId %v", p.ParameterID)
	}
	if sp, ok := p.StandardizedParameters(); !ok || sp.Name != "brainpoolP256r1" {
		t.Errorf("standardized parameters %+v", sp)
	}
	if p.Name != "id-PACE-ECDH-GM-AES-CBC-CMAC-128" {
		t.Errorf("PACE name %q", p.Name)
	}
}

func TestSecurityInfosAllKinds(t *testing.T) {
	spki := ecSPKI(t)
	infos := [][]byte{
		secInfo(OIDPACEDHIMAESCBCCMAC256, intDER(2), intDER(1)),
		secInfo(OIDPACEECDHCAMAESCBCCMAC192, intDER(2), intDER(12)),
		secInfo(OIDPACEECDHGM, algID(OIDStandardizedDomainParameters, intDER(13)), intDER(13)),
		secInfo(OIDCADH3DESCBCCBC, intDER(1), intDER(7)),
		secInfo(OIDCAECDH, algID(OIDECPublicKey, tlv.Encode(tagOID, encodeOID(OIDCurveBrainpoolP256r1)))),
		secInfo(OIDPKECDH, spki, intDER(7)),
		secInfo(OIDAA, intDER(1), tlv.Encode(tagOID, encodeOID(OIDECDSAWithSHA256))),
		secInfo(OIDTA, intDER(1), tlv.Encode(tagOctetString, []byte{0x01, 0x1C})),
		secInfo(OIDRI, intDER(1)),
		secInfo(OIDPACEDHGMAESCBCCMAC128, tlv.Encode(tagOctetString, []byte{1})), // malformed: kept as unknown
	}
	b := tlv.Encode(tagSet, infos...)
	s, err := ParseSecurityInfos(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != len(infos) {
		t.Fatalf("%d infos, want %d", s.Len(), len(infos))
	}
	if len(s.PACE) != 2 || s.PACE[0].Mapping != MappingIM || s.PACE[0].KeyAgreement != KeyAgreementDH || s.PACE[0].Cipher != CipherAES256 {
		t.Errorf("PACE: %+v", s.PACE)
	}
	if s.PACE[1].Mapping != MappingCAM || s.PACE[1].Cipher != CipherAES192 {
		t.Errorf("PACE CAM: %+v", s.PACE[1])
	}
	if len(s.PACEDomainParameters) != 1 || s.PACEDomainParameters[0].DomainParameter.OID != "0.4.0.127.0.7.1.2" || *s.PACEDomainParameters[0].ParameterID != 13 {
		t.Errorf("PACE domain: %+v", s.PACEDomainParameters)
	}
	if len(s.ChipAuthentication) != 1 || s.ChipAuthentication[0].Cipher != Cipher3DES || *s.ChipAuthentication[0].KeyID != 7 {
		t.Errorf("CA: %+v", s.ChipAuthentication)
	}
	if len(s.ChipAuthenticationDomain) != 1 || s.ChipAuthenticationDomain[0].KeyAgreement != KeyAgreementECDH {
		t.Errorf("CA domain: %+v", s.ChipAuthenticationDomain)
	}
	pk := s.ChipAuthenticationPublicKeys
	if len(pk) != 1 || *pk[0].KeyID != 7 || pk[0].PublicKey.Curve != "P-256" || pk[0].PublicKey.ECDSA == nil || string(pk[0].PublicKey.SPKI) != string(spki) {
		t.Errorf("CA public key: %+v", pk)
	}
	if len(s.ActiveAuthentication) != 1 || s.ActiveAuthentication[0].Hash != crypto.SHA256 {
		t.Errorf("AA: %+v", s.ActiveAuthentication)
	}
	if len(s.TerminalAuthentication) != 1 || len(s.TerminalAuthentication[0].EFCVCA) != 4 {
		t.Errorf("TA: %+v", s.TerminalAuthentication)
	}
	if len(s.Unknown) != 2 || s.Unknown[0].Name != "id-RI" || s.Unknown[1].Error == "" {
		t.Errorf("unknown: %+v", s.Unknown)
	}
	dg14 := tlv.Encode(0x6E, b)
	if s2, err := ParseDG14(dg14); err != nil || s2.Len() != len(infos) {
		t.Errorf("DG14: %v", err)
	}
}

func TestSecurityInfosRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":         {},
		"not a set":     tlv.Encode(0x04, []byte{1}),
		"child not seq": tlv.Encode(tagSet, intDER(1)),
		"no oid":        tlv.Encode(tagSet, tlv.Encode(tagSequence, intDER(1))),
		"trailing":      append(tlv.Encode(tagSet), 1),
		"bad oid":       tlv.Encode(tagSet, tlv.Encode(tagSequence, tlv.Encode(tagOID, []byte{0x80}))),
	} {
		if _, err := ParseSecurityInfos(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Zero padding after the SET is tolerated (files read to their allocated size).
	b, _ := hex.DecodeString(cccdCardAccessHex)
	if _, err := ParseSecurityInfos(append(b, 0, 0, 0)); err != nil {
		t.Errorf("padding: %v", err)
	}
}

func TestDG15(t *testing.T) {
	d, err := ParseDG15(tlv.Encode(0x6F, rsaSPKI(t)))
	if err != nil {
		t.Fatal(err)
	}
	if k := d.PublicKey; k.Algorithm != "RSA" || k.Bits != 1024 || k.RSA == nil || k.RSA.E != 65537 || len(k.SPKI) == 0 {
		t.Errorf("RSA %+v", k)
	}
	d, err = ParseDG15(tlv.Encode(0x6F, ecSPKI(t)))
	if err != nil {
		t.Fatal(err)
	}
	if k := d.PublicKey; k.Algorithm != "EC" || k.Curve != "P-256" || k.Bits != 256 || k.ECDSA == nil || len(k.Key) != 65 {
		t.Errorf("EC %+v", k)
	}
	// A brainpool key: parsed to its curve, no crypto/ecdsa key.
	point := append([]byte{4}, make([]byte, 64)...)
	bp := tlv.Encode(tagSequence, algID(OIDECPublicKey, tlv.Encode(tagOID, encodeOID(OIDCurveBrainpoolP256r1))), tlv.Encode(tagBitString, append([]byte{0}, point...)))
	d, err = ParseDG15(tlv.Encode(0x6F, bp))
	if err != nil || d.PublicKey.Curve != "brainpoolP256r1" || d.PublicKey.ECDSA != nil {
		t.Errorf("brainpool: %v", err)
	}
	// Explicit parameters: the field prime gives the size.
	p := append([]byte{0}, make([]byte, 32)...)
	p[1] = 0xA9
	explicit := tlv.Encode(tagSequence, intDER(1), tlv.Encode(tagSequence, tlv.Encode(tagOID, encodeOID([]int{1, 2, 840, 10045, 1, 1})), tlv.Encode(tagInteger, p)),
		tlv.Encode(tagSequence, tlv.Encode(tagOctetString, []byte{1}), tlv.Encode(tagOctetString, []byte{2})), tlv.Encode(tagOctetString, point), intDER(7), intDER(1))
	ex := tlv.Encode(tagSequence, algID(OIDECPublicKey, explicit), tlv.Encode(tagBitString, append([]byte{0}, point...)))
	d, err = ParseDG15(tlv.Encode(0x6F, ex))
	if err != nil || !d.PublicKey.ExplicitParameters || d.PublicKey.Bits != 256 {
		t.Errorf("explicit: %v %+v", err, d)
	}
	for name, b := range map[string][]byte{
		"not SPKI":    tlv.Encode(0x6F, intDER(1)),
		"unused bits": tlv.Encode(0x6F, tlv.Encode(tagSequence, algID(OIDRSAEncryption), tlv.Encode(tagBitString, []byte{1, 0}))),
		"bad RSA":     tlv.Encode(0x6F, tlv.Encode(tagSequence, algID(OIDRSAEncryption), tlv.Encode(tagBitString, []byte{0, 0x30, 0}))),
	} {
		if _, err := ParseDG15(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
