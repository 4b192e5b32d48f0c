package issue

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/mrz"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/tlv"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var cccdGroups = []int{1, 2, 3, 13, 14, 15}

func issueCCCD(t testing.TB, seed uint64, tamper Tamper) *Document {
	t.Helper()
	doc, err := Issue(Options{Seed: seed, Kind: IDCard, DataGroups: cccdGroups, Security: CCCDSecurity(), Tamper: tamper})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// parsedSOD is what a minimal passive authentication needs from EF.SOD.
type parsedSOD struct {
	hashes      map[int][]byte
	attrs       []byte // DER SET (tag 31) as signed
	sig         []byte
	cert        *cert.Certificate
	signingTime time.Time
	digestAttr  []byte
	content     []byte
}

func parseSOD(t *testing.T, file []byte) parsedSOD {
	t.Helper()
	ci, err := tlv.Unwrap(file, 0x77)
	if err != nil {
		t.Fatal(err)
	}
	var p parsedSOD
	s := cryptobyte.String(ci)
	var contentInfo, sd, encap, content, certs, signerInfos, si, attrs cryptobyte.String
	var oid asn1.ObjectIdentifier
	var version int
	ok := s.ReadASN1(&contentInfo, cbasn1.SEQUENCE) && contentInfo.ReadASN1ObjectIdentifier(&oid) &&
		contentInfo.ReadASN1(&sd, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
		sd.ReadASN1(&sd, cbasn1.SEQUENCE) && sd.ReadASN1Integer(&version) && version == 3 &&
		sd.SkipASN1(cbasn1.SET) && sd.ReadASN1(&encap, cbasn1.SEQUENCE) &&
		encap.ReadASN1ObjectIdentifier(&oid) && oid.Equal(oidLDSSecurityObject) &&
		encap.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
		content.ReadASN1(&content, cbasn1.OCTET_STRING) &&
		sd.ReadASN1(&certs, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
		sd.ReadASN1(&signerInfos, cbasn1.SET) && signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) &&
		si.SkipASN1(cbasn1.INTEGER) && si.SkipASN1(cbasn1.SEQUENCE) && si.SkipASN1(cbasn1.SEQUENCE) &&
		si.ReadASN1(&attrs, cbasn1.Tag(0).ContextSpecific().Constructed()) && si.SkipASN1(cbasn1.SEQUENCE) &&
		si.ReadASN1Bytes(&p.sig, cbasn1.OCTET_STRING) && sd.Empty() && si.Empty()
	if !ok {
		t.Fatal("EF.SOD does not parse")
	}
	p.content = content
	p.attrs = tlv.Encode(0x31, attrs)
	if p.cert, err = cert.Parse(certs); err != nil {
		t.Fatal(err)
	}
	for !attrs.Empty() {
		var a, set cryptobyte.String
		if !attrs.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) || !a.ReadASN1(&set, cbasn1.SET) {
			t.Fatal("attribute")
		}
		switch {
		case oid.Equal(oidAttrMessageDigest):
			set.ReadASN1Bytes(&p.digestAttr, cbasn1.OCTET_STRING)
		case oid.Equal(oidAttrSigningTime):
			set.ReadASN1UTCTime(&p.signingTime)
		}
	}
	var lds, hashes cryptobyte.String
	if !content.ReadASN1(&lds, cbasn1.SEQUENCE) || !lds.SkipASN1(cbasn1.INTEGER) || !lds.SkipASN1(cbasn1.SEQUENCE) || !lds.ReadASN1(&hashes, cbasn1.SEQUENCE) {
		t.Fatal("LDSSecurityObject")
	}
	p.hashes = map[int][]byte{}
	for !hashes.Empty() {
		var h cryptobyte.String
		var n int
		var sum []byte
		if !hashes.ReadASN1(&h, cbasn1.SEQUENCE) || !h.ReadASN1Integer(&n) || !h.ReadASN1Bytes(&sum, cbasn1.OCTET_STRING) {
			t.Fatal("DataGroupHash")
		}
		p.hashes[n] = sum
	}
	return p
}

// verify runs a minimal passive authentication and the consistency checks
// and returns the names of the checks that failed.
func verify(t *testing.T, doc *Document) []string {
	t.Helper()
	var failed []string
	p := parseSOD(t, doc.Files[FIDSOD])
	d := sha256.Sum256(p.attrs)
	c := sha256.Sum256(p.content)
	if !bytes.Equal(p.digestAttr, c[:]) || !ec.VerifyASN1(p.cert.PublicKey.EC, d[:], p.sig) {
		failed = append(failed, "sod.signature")
	}
	csca, _ := cert.Parse(testpki.CSCA())
	if p.cert.CheckSignatureFrom(csca) != nil {
		failed = append(failed, "ds.chain")
	}
	if !p.cert.ValidAt(p.signingTime) {
		failed = append(failed, "ds.validity")
	}
	crl, _ := cert.ParseCRL(testpki.CRL())
	for _, e := range crl.Revoked {
		if e.Serial.Cmp(p.cert.Serial) == 0 {
			failed = append(failed, "ds.revocation")
		}
	}
	for _, a := range p.cert.Subject.Attributes {
		if a.Type.Equal(cert.OIDCountry) && a.Value != "VN" {
			failed = append(failed, "ds.country")
		}
	}
	for n := 1; n <= 16; n++ {
		b, ok := doc.Files[FIDOfDG(n)]
		if !ok {
			continue
		}
		sum := sha256.Sum256(b)
		if !bytes.Equal(sum[:], p.hashes[n]) {
			failed = append(failed, fmt.Sprintf("dg.hash.DG%d", n))
		}
	}
	if !bytes.Contains(doc.Files[FIDOfDG(15)], doc.AAKey.(*ec.PrivateKey).PublicKey.Bytes()) {
		failed = append(failed, "active.authentication")
	}
	if !bytes.Contains(doc.Files[FIDOfDG(14)], doc.CAKey.(*ec.PrivateKey).PublicKey.Bytes()) {
		failed = append(failed, "chip.authentication")
	}
	dg1 := mrzOf(t, doc.Files[FIDOfDG(1)])
	m, err := mrz.Parse(dg1)
	if err != nil {
		t.Fatalf("DG1 MRZ: %v", err)
	}
	if !bytes.Contains(doc.Files[FIDOfDG(13)], []byte(m.OptionalData1[:12])) {
		failed = append(failed, "mrz.dg13.consistency")
	}
	if dg1 != doc.MRZ {
		failed = append(failed, "dg1.printed")
	}
	return failed
}

func TestUntamperedPasses(t *testing.T) {
	for seed := uint64(0); seed < 5; seed++ {
		if failed := verify(t, issueCCCD(t, seed, NoTamper)); len(failed) > 0 {
			t.Errorf("seed %d: failed %v", seed, failed)
		}
	}
}

func TestEveryTamperFailsItsCheck(t *testing.T) {
	for _, tamper := range Tampers {
		want := []string{tamper.Caught().Check}
		if tamper == DG1Edited {
			want = append(want, "dg1.printed") // this test's own check of the printed MRZ
		}
		got := verify(t, issueCCCD(t, 11, tamper))
		if !slices.Equal(got, want) {
			t.Errorf("%s: failed checks %v, want %v", tamper, got, want)
		}
	}
}

func TestTamperKeepsSOD(t *testing.T) {
	clean := issueCCCD(t, 5, NoTamper)
	for _, tamper := range []Tamper{DG13Edited, DG2Swapped, DG1Edited, AAClone, CAClone} {
		doc := issueCCCD(t, 5, tamper)
		if !bytes.Equal(doc.Files[FIDSOD], clean.Files[FIDSOD]) {
			t.Errorf("%s changed EF.SOD", tamper)
		}
	}
}

func TestDeterministicDocument(t *testing.T) {
	a, b := issueCCCD(t, 9, NoTamper), issueCCCD(t, 9, NoTamper)
	for fid, f := range a.Files {
		if !bytes.Equal(f, b.Files[fid]) {
			t.Errorf("file %04X differs between two issues of one seed", fid)
		}
	}
}

func TestFilesOfCCCD(t *testing.T) {
	doc := issueCCCD(t, 1, NoTamper)
	if !bytes.Equal(doc.Files[FIDCardAccess], CCCDCardAccess) {
		t.Error("EF.CardAccess differs from cccd.md")
	}
	com, err := tlv.Unwrap(doc.Files[FIDCOM], 0x60)
	if err != nil {
		t.Fatal(err)
	}
	list, _, _ := tlv.Find(com, 0x5C)
	if !bytes.Equal(list.Value, []byte{0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F}) {
		t.Errorf("EF.COM tag list % X", list.Value)
	}
	for _, n := range []int{11, 12} {
		if _, ok := doc.Files[FIDOfDG(n)]; ok {
			t.Errorf("cccd has DG%d", n)
		}
	}
	// DG2: the JPEG is at offset 46 of the facial record.
	dg2 := doc.Files[FIDOfDG(2)]
	at := bytes.Index(dg2, []byte{0xFF, 0xD8, 0xFF})
	rec := bytes.Index(dg2, []byte("FAC\x00"))
	if rec < 0 || at-rec != 46 {
		t.Errorf("JPEG at %d of the facial record, want 46", at-rec)
	}
}

func TestPassport(t *testing.T) {
	doc, err := Issue(Options{Seed: 3, Kind: Passport, DataGroups: []int{1, 2, 11, 12, 14, 15}, Security: CCCDSecurity()})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := mrz.Parse(mrzOf(t, doc.Files[FIDOfDG(1)])); err != nil || m.Format != mrz.TD3 {
		t.Fatalf("passport DG1: %v", err)
	}
	if _, err := Issue(Options{Seed: 3, Kind: Passport, DataGroups: []int{1, 2}, Tamper: DG13Edited}); err == nil {
		t.Error("dg13-edited accepted without DG13")
	}
}

func BenchmarkIssueCCCD(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		issueCCCD(b, uint64(i), NoTamper)
	}
}

func mrzOf(t *testing.T, dg1 []byte) string {
	t.Helper()
	v, err := tlv.Unwrap(dg1, 0x61)
	if err == nil {
		v, err = tlv.Unwrap(v, 0x5F1F)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}
