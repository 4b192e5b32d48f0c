// Package issue issues the simulator's test documents: a generated
// Vietnamese identity (deterministic per seed), its LDS1 files encoded from
// scratch (EF.COM, DG1, DG2 with a drawn face, DG3, DG11, DG12, DG13, DG14,
// DG15, EF.CardAccess) and an EF.SOD signed by a document signer of the
// test PKI, optionally forged in one of the tamper kinds.
//
// Everything here is test data: the persons do not exist and the keys are
// public. Nothing is logged.
package issue

import (
	"fmt"
	"slices"
	"time"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/sim/testpki"
)

// File identifiers of LDS1 (ICAO 9303-10 §4.6).
const (
	FIDCardAccess uint16 = 0x011C
	FIDSOD        uint16 = 0x011D
	FIDCOM        uint16 = 0x011E
)

// FIDOfDG returns the file identifier of data group n (0x0101 for DG1).
func FIDOfDG(n int) uint16 { return 0x0100 + uint16(n) }

// Kind is the document type.
type Kind int

const (
	IDCard   Kind = iota // TD1 Vietnamese CCCD with DG13
	Passport             // TD3 Vietnamese passport with DG11 and DG12
)

// Tamper is a forgery applied at issuing time.
type Tamper string

// The tamper kinds. Each is a faithful forgery of one thing only; see
// docs/SIMULATOR.md for what a verifier must report.
const (
	NoTamper        Tamper = ""
	DG13Edited      Tamper = "dg13-edited"       // a DG13 field changed after signing (SOD untouched)
	DG2Swapped      Tamper = "dg2-swapped"       // another person's face after signing
	DG1Edited       Tamper = "dg1-edited"        // DG1's name line changed after signing (check digits still valid)
	SODBadSignature Tamper = "sod-bad-signature" // one bit of the SOD signature flipped
	DSCUntrusted    Tamper = "dsc-untrusted"     // signed by a signer of an unknown CSCA
	DSCExpired      Tamper = "dsc-expired"       // signed by a signer whose validity had ended
	DSCRevoked      Tamper = "dsc-revoked"       // signed by a signer on the CSCA's CRL
	DSCWrongCountry Tamper = "dsc-wrong-country" // signed by a signer for another country
	AAClone         Tamper = "aa-clone"          // the chip's AA key is not the one in DG15
	CAClone         Tamper = "ca-clone"          // the chip's CA key is not the one in DG14
	MRZDG13Mismatch Tamper = "mrz-dg13-mismatch" // DG13's ID number differs from DG1's, both signed
)

// Tampers lists every tamper kind.
var Tampers = []Tamper{DG13Edited, DG2Swapped, DG1Edited, SODBadSignature, DSCUntrusted, DSCExpired,
	DSCRevoked, DSCWrongCountry, AAClone, CAClone, MRZDG13Mismatch}

// Options says what document to issue.
type Options struct {
	Seed       uint64
	Kind       Kind
	DataGroups []int  // the data groups present, listed in EF.COM
	CardAccess []byte // EF.CardAccess content; nil when the chip has none
	Parents    ParentsNesting
	Tamper     Tamper
	// KeyCurve is the curve of the chip's CA and AA keys (P-256 when nil);
	// ExplicitParams writes its domain parameters into DG14 and DG15
	// instead of its OID.
	KeyCurve       *ec.Curve
	ExplicitParams bool
}

// Document is an issued document: its holder, the MRZ printed on it (the
// access key source, which dg1-edited leaves as it was), its files by file
// identifier, the keys its chip holds and the signer of its EF.SOD.
type Document struct {
	Identity Identity
	MRZ      string
	Files    map[uint16][]byte
	AAKey    *ec.PrivateKey // the chip's active authentication key (ECDSA)
	CAKey    *ec.PrivateKey // the chip's chip authentication key (ECDH)
	Signer   *testpki.Signer
	Tamper   Tamper
}

// Issue builds the document the options describe.
func Issue(opts Options) (*Document, error) {
	if !slices.Contains(opts.DataGroups, 1) {
		return nil, fmt.Errorf("issue: DG1 is mandatory")
	}
	if err := checkTamper(opts); err != nil {
		return nil, err
	}
	id := NewIdentity(opts.Seed)
	doc := &Document{Identity: id, Files: map[uint16][]byte{}, Tamper: opts.Tamper}
	doc.MRZ = id.CardMRZ()
	if opts.Kind == Passport {
		doc.MRZ = id.PassportMRZ()
	}
	keys, err := chipKeys(opts)
	if err != nil {
		return nil, err
	}
	doc.AAKey, doc.CAKey = keys.chipAA, keys.chipCA
	dgs, err := encodeDataGroups(opts, id, doc.MRZ, keys)
	if err != nil {
		return nil, err
	}
	if doc.Signer, err = signerFor(opts.Tamper); err != nil {
		return nil, err
	}
	sod, err := EncodeSOD(dgs, SODSigner{Cert: doc.Signer.Cert, Key: doc.Signer.Key}, signingTime(opts.Kind, id))
	if err != nil {
		return nil, err
	}
	if err := tamperAfterSigning(opts, id, dgs, sod); err != nil {
		return nil, err
	}
	for n, b := range dgs {
		doc.Files[FIDOfDG(n)] = b
	}
	doc.Files[FIDCOM] = EFCOM(opts.DataGroups)
	doc.Files[FIDSOD] = sod.Bytes
	if opts.CardAccess != nil {
		doc.Files[FIDCardAccess] = slices.Clone(opts.CardAccess)
	}
	return doc, nil
}

// signingTime is the document's date of issue at 09:00 UTC: within every
// valid signer's validity and after the expired signer's.
func signingTime(kind Kind, id Identity) time.Time {
	day := id.DateOfIssue
	if kind == Passport {
		day = id.PassportDateOfIssue
	}
	return day.Add(9 * time.Hour)
}

type keySet struct {
	aa, ca         *ec.PrivateKey // the keys DG15 and DG14 publish
	chipAA, chipCA *ec.PrivateKey // the keys the chip holds
}

func chipKeys(opts Options) (keySet, error) {
	var k keySet
	var err error
	curve := opts.KeyCurve
	if curve == nil {
		curve = ec.ByName("P-256")
	}
	derive := func(purpose string) *ec.PrivateKey {
		if err != nil {
			return nil
		}
		var key *ec.PrivateKey
		key, err = ChipKey(opts.Seed, purpose, curve)
		return key
	}
	k.aa, k.ca = derive("aa"), derive("ca")
	k.chipAA, k.chipCA = k.aa, k.ca
	if opts.Tamper == AAClone {
		k.chipAA = derive("aa-clone")
	}
	if opts.Tamper == CAClone {
		k.chipCA = derive("ca-clone")
	}
	return k, err
}

func encodeDataGroups(opts Options, id Identity, mrzText string, keys keySet) (map[int][]byte, error) {
	dgs := map[int][]byte{}
	for _, n := range opts.DataGroups {
		b, err := encodeDataGroup(n, opts, id, mrzText, keys)
		if err != nil {
			return nil, fmt.Errorf("issue DG%d: %w", n, err)
		}
		dgs[n] = b
	}
	return dgs, nil
}

func encodeDataGroup(n int, opts Options, id Identity, mrzText string, keys keySet) ([]byte, error) {
	switch n {
	case 1:
		return DG1(mrzText), nil
	case 2:
		return faceDG2(opts.Seed, id.Sex)
	case 3:
		return DG3(), nil
	case 11:
		return DG11(id), nil
	case 12:
		return DG12(id), nil
	case 13:
		if opts.Tamper == MRZDG13Mismatch {
			id.ID12 = id.ID12[:11] + string('0'+(id.ID12[11]-'0'+1)%10)
		}
		return DG13(id, opts.Parents)
	case 14:
		return DG14(&keys.ca.PublicKey, opts.ExplicitParams, slices.Contains(opts.DataGroups, 15))
	case 15:
		return DG15(&keys.aa.PublicKey, opts.ExplicitParams)
	}
	return nil, fmt.Errorf("no encoder for this data group")
}

func faceDG2(seed uint64, sex Sex) ([]byte, error) {
	img, err := Face(seed, sex)
	if err != nil {
		return nil, err
	}
	return DG2(img, sex, FaceWidth, FaceHeight), nil
}

func signerFor(t Tamper) (*testpki.Signer, error) {
	kind := map[Tamper]testpki.SignerKind{
		DSCUntrusted: testpki.Untrusted, DSCExpired: testpki.Expired,
		DSCRevoked: testpki.Revoked, DSCWrongCountry: testpki.WrongCountry,
	}[t]
	if kind == "" {
		kind = testpki.Valid
	}
	return testpki.DocumentSigner(kind)
}

func checkTamper(opts Options) error {
	if opts.Tamper != NoTamper && !slices.Contains(Tampers, opts.Tamper) {
		return fmt.Errorf("issue: unknown tamper kind %q", opts.Tamper)
	}
	needs := map[Tamper]int{DG13Edited: 13, MRZDG13Mismatch: 13, DG2Swapped: 2, AAClone: 15, CAClone: 14}
	if n, ok := needs[opts.Tamper]; ok && !slices.Contains(opts.DataGroups, n) {
		return fmt.Errorf("issue: tamper %s needs DG%d, which this document lacks", opts.Tamper, n)
	}
	return nil
}

// tamperAfterSigning applies the forgeries that change the document after
// its EF.SOD was signed.
func tamperAfterSigning(opts Options, id Identity, dgs map[int][]byte, sod *SOD) error {
	var err error
	switch opts.Tamper {
	case DG13Edited:
		edited := id
		edited.PlaceOfResidence = NewIdentity(opts.Seed ^ 0x5eed).PlaceOfResidence
		if edited.PlaceOfResidence == id.PlaceOfResidence {
			edited.PlaceOfResidence += " (sửa)"
		}
		dgs[13], err = DG13(edited, opts.Parents)
	case DG2Swapped:
		dgs[2], err = faceDG2(opts.Seed^0x5eed, id.Sex)
	case DG1Edited:
		dgs[1] = DG1(editedNameMRZ(string(dgs[1][5:]), id))
	case SODBadSignature:
		// Flip a bit inside r of the DER ECDSA-Sig-Value: the encoding stays
		// valid, the signature does not.
		sod.Signature[len(sod.Signature)/4] ^= 0x01
	}
	return err
}

// editedNameMRZ replaces the given names in the MRZ's name field with
// another person's: no check digit covers them, so the MRZ stays valid.
func editedNameMRZ(text string, id Identity) string {
	other := NewIdentity(0x5eed ^ uint64(len(text)))
	given := other.MiddleAndGiven
	if mrzName(given) == mrzName(id.MiddleAndGiven) {
		given += " An"
	}
	if len(text) == 90 {
		return text[:60] + nameField(id.Surname, given, 30)
	}
	return text[:5] + nameField(id.Surname, given, 39) + text[44:]
}
