package lds

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
)

// Every parser of chip data has a fuzz target. Seeds are the samples of
// the tests; the property is the same everywhere: no panic, no hang, and
// a result that marshals to JSON when there is no error.

func fuzzJSON(t *testing.T, v any, err error) {
	if err != nil {
		return
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("JSON: %v", err)
	}
}

func FuzzCOM(f *testing.F) {
	f.Add(EncodeCOM("0107", "040000", []int{1, 2, 3, 13, 14, 15}))
	f.Add(tlv.Encode(0x60, tlv.Encode(0x5C, []byte{0x5F, 0x1F, 0x7F})))
	f.Fuzz(func(t *testing.T, b []byte) { v, err := ParseCOM(b); fuzzJSON(t, v, err) })
}

func FuzzDG1(f *testing.F) {
	f.Add(EncodeDG1(vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "NGUYEN<<THI<LAN<ANH")))
	f.Add(EncodeDG1(td3("UTO", "ERIKSSON<<ANNA<MARIA", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B")))
	f.Add(EncodeDG1("I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDG1(b)
		fuzzJSON(t, d, err)
		if err == nil {
			_ = CheckDG1(d)
		}
	})
}

func FuzzDG13(f *testing.F) {
	f.Add(sampleDG13(true))
	f.Add(sampleDG13(false))
	f.Add(dg13(field(3, printable("00/00/1945")), field(12, utf8s("Không thời hạn")), field(13, utf8s("a"), utf8s("b")), field(99, utf8s("x"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDG13(b)
		fuzzJSON(t, d, err)
		if err == nil {
			dg1, _ := ParseDG1(EncodeDG1(vnTD1(sampleID12, sampleDOB, "F", sampleDOE, "A")))
			_ = CheckMRZAgainstDG13(dg1, d)
		}
	})
}

// FuzzSecurityInfos parses each input as EF.CardAccess's content (a bare
// SET) and as DG14 (the same SET inside tag 6E): every seed is given in
// both forms, so that the DG14 parser is reached past its wrapper.
func FuzzSecurityInfos(f *testing.F) {
	cardAccess, _ := hex.DecodeString(cccdCardAccessHex)
	dg14 := tlv.Encode(tagSet,
		secInfo(OIDPACEECDHGM, algID(OIDStandardizedDomainParameters, intDER(13)), intDER(13)),
		secInfo(OIDPKECDH, ecSPKI(f), intDER(7)),
		secInfo(OIDAA, intDER(1), tlv.Encode(tagOID, encodeOID(OIDECDSAWithSHA256))),
		secInfo(OIDCAECDH, algID(OIDECPublicKey, tlv.Encode(tagOID, encodeOID(OIDCurveBrainpoolP256r1)))))
	for _, set := range [][]byte{cardAccess, dg14} {
		f.Add(set)
		f.Add(tlv.Encode(0x6E, set))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseSecurityInfos(b)
		fuzzJSON(t, v, err)
		v, err = ParseDG14(b)
		fuzzJSON(t, v, err)
	})
}

func FuzzPublicKey(f *testing.F) {
	f.Add(tlv.Encode(0x6F, ecSPKI(f)))
	f.Add(tlv.Encode(0x6F, rsaSPKI(f)))
	f.Add(tlv.Encode(0x6F, tlv.Encode(tagSequence, algID(OIDDHPublicNumber, tlv.Encode(tagSequence, intDER(23), intDER(5))), tlv.Encode(tagBitString, []byte{0, 2, 1, 3}))))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseDG15(b)
		fuzzJSON(t, v, err)
	})
}

func FuzzDG2(f *testing.F) {
	f.Add(EncodeDG2(tlv.Encode(0x5F2E, Encode19794(testJPEG(f, 8, 8), false, 8, 8))))
	tiny, _ := os.ReadFile("jpeg2000/testdata/fuzz_grey.j2k")
	f.Add(EncodeDG2(tlv.Encode(0x5F2E, Encode19794(tiny, true, 24, 20))))
	f.Add(EncodeDG2(tlv.Encode(0x7F2E, tlv.Encode(0xA1, tlv.Encode(0x30, tlv.Encode(0xA1, tlv.Encode(0xA0, tlv.Encode(0x80, tiny))))))))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDG2(b)
		fuzzJSON(t, d, err)
		if err == nil {
			if im := d.Portrait(); im != nil {
				_, _, _ = im.Displayable(false)
			}
		}
	})
}

func FuzzDG7DG11DG12(f *testing.F) {
	f.Add(EncodeDG7(testJPEG(f, 4, 4)))
	f.Add(tlv.Encode(0x6B, encodeText(0x5F0E, "ERIKSSON<<ANNA"), tlv.Encode(0xA0, tlv.Encode(tagInteger, []byte{1}), encodeText(0x5F0F, "X")), tlv.Encode(0x5F2B, []byte{0x19, 0x74, 0x08, 0x12})))
	f.Add(tlv.Encode(0x6C, encodeText(0x5F19, "UTOPIA"), encodeText(0x5F26, "20020531"), tlv.Encode(0x5F55, []byte{0x20, 0x02, 0x05, 0x31, 0x14, 0x21, 0x00})))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, n := range []int{7, 11, 12} {
			v, err := Parse(mustDG(n), b)
			fuzzJSON(t, v, err)
		}
	})
}
