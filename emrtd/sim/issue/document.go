// Package issue issues the simulator's test documents: a generated
// Vietnamese identity (deterministic per seed), its LDS1 files encoded from
// scratch (EF.COM, DG1, DG2 with a drawn face, DG3, DG11, DG12, DG13, DG14,
// DG15, EF.CardAccess), an EF.SOD (and, for PACE-CAM, an EF.CardSecurity)
// signed by a document signer of the test PKI, and the chip's keys, all
// consistent with the protocols the chip plays (Security), optionally
// forged in one of the tamper kinds.
//
// Everything here is test data: the persons do not exist and the keys are
// public. Nothing is logged.
package issue

import (
	"errors"
	"fmt"
	"slices"
	"time"

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
	IDCard     Kind = iota // TD1 Vietnamese CCCD (2021 generation) with DG13
	Passport               // TD3 Vietnamese passport with DG11 and DG12
	IDCard2024             // TD1 Vietnamese Căn cước card (issued from 1 July 2024) with DG13
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

// ErrTamperNotApplicable is wrapped when a tamper needs what the document
// lacks (dg13-edited on a passport, ca-clone without chip authentication,
// aa-clone without active authentication): a caller's choice to refuse,
// not a failure of the simulator.
var ErrTamperNotApplicable = errors.New("tamper not applicable to this document")

// Tampers lists every tamper kind.
var Tampers = []Tamper{DG13Edited, DG2Swapped, DG1Edited, SODBadSignature, DSCUntrusted, DSCExpired,
	DSCRevoked, DSCWrongCountry, AAClone, CAClone, MRZDG13Mismatch}

// Options says what document to issue.
type Options struct {
	Seed       uint64
	Kind       Kind
	DataGroups []int // the data groups present, listed in EF.COM
	// Security is what the chip plays beyond BAC: EF.CardAccess, DG14,
	// DG15, EF.CardSecurity and the chip's keys follow from it.
	Security Security
	Parents  ParentsNesting
	Tamper   Tamper
	// FacePadding adds this many bytes of JPEG comments to the portrait
	// (a large DG2).
	FacePadding int
	// LDS encodes the data groups as real documents do (L-06, L-07,
	// L-09); the zero value is the plain encoding.
	LDS LDSOptions
	// SOD shapes EF.SOD like real documents do (PKI and LDS security
	// object quirks) or forges it (attacks); the zero value is the plain
	// one.
	SOD SODOptions
}

// Document is an issued document: its holder, the MRZ printed on it (the
// access key source, which dg1-edited leaves as it was), its files, the
// keys its chip holds and the signer of its EF.SOD.
type Document struct {
	Identity Identity
	MRZ      string
	// Files holds EF.CardAccess (when there is one) and the LDS1 files by
	// file identifier.
	Files map[uint16][]byte
	// CardSecurity is EF.CardSecurity, nil when there is none. It lives at
	// the master file under FID 011D, which inside the LDS1 application is
	// EF.SOD's, so it is kept apart from Files.
	CardSecurity []byte
	// Security is what the chip plays (a copy of Options.Security).
	Security Security
	// AAKey is the chip's active authentication key: an *ec.PrivateKey
	// (ECDSA) or an *rsa.PrivateKey (ISO/IEC 9796-2); nil without AA.
	// With the aa-clone tamper it is not DG15's key.
	AAKey any
	// CAKey is the chip's chip authentication key: an *ec.PrivateKey
	// (ECDH) or a *dh.PrivateKey (DH); nil without CA. With the ca-clone
	// tamper it is not the key DG14 and EF.CardSecurity publish.
	CAKey  any
	Signer *testpki.Signer
	// SignedAt is when EF.SOD was signed (SigningTime).
	SignedAt time.Time
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
	if err := opts.Security.check(); err != nil {
		return nil, err
	}
	id := NewIdentityOf(opts.Seed, opts.Kind)
	doc := &Document{Identity: id, Files: map[uint16][]byte{}, Tamper: opts.Tamper, Security: opts.Security,
		SignedAt: SigningTime(opts.Kind, id)}
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
	if doc.Signer, err = signerFor(opts.Tamper, opts.SOD); err != nil {
		return nil, err
	}
	signer := SODSigner{Cert: doc.Signer.Cert, Key: doc.Signer.PrivateKey(), CSCA: doc.Signer.CSCADER}
	sod, err := EncodeSOD(dgs, signer, doc.SignedAt, opts.SOD)
	if err != nil {
		return nil, err
	}
	if opts.Security.CardSecurity {
		if doc.CardSecurity, err = cardSecurity(opts.Security, keys.ca, signer, doc.SignedAt); err != nil {
			return nil, err
		}
	}
	if err := tamperAfterSigning(opts, id, dgs, sod); err != nil {
		return nil, err
	}
	for n, b := range dgs {
		doc.Files[FIDOfDG(n)] = b
	}
	doc.Files[FIDCOM] = EFCOM(opts.DataGroups)
	doc.Files[FIDSOD] = sod.Bytes
	if ca := opts.Security.CardAccess(); ca != nil {
		doc.Files[FIDCardAccess] = ca
	}
	return doc, nil
}

func cardSecurity(s Security, caKey any, signer SODSigner, at time.Time) ([]byte, error) {
	content, err := CardSecurityContent(s, caKey)
	if err != nil {
		return nil, err
	}
	return EncodeCardSecurity(content, signer, at)
}

// SigningTime is when the document's EF.SOD (and EF.CardSecurity) was
// signed: its date of issue at 09:00 UTC, within every valid signer's
// validity and after the expired signer's.
func SigningTime(kind Kind, id Identity) time.Time {
	day := id.DateOfIssue
	if kind == Passport {
		day = id.PassportDateOfIssue
	}
	return day.Add(9 * time.Hour)
}

// keySet holds the keys DG14 and DG15 publish and the keys the chip holds
// (the same unless a clone tamper swaps one).
type keySet struct {
	aa, ca         any
	chipAA, chipCA any
}

func chipKeys(opts Options) (keySet, error) {
	var k keySet
	var err error
	s := opts.Security
	if s.CA != nil {
		if k.ca, err = caKey(opts.Seed, "ca", s.CA); err != nil {
			return k, err
		}
		k.chipCA = k.ca
		if opts.Tamper == CAClone {
			if k.chipCA, err = caKey(opts.Seed, "ca-clone", s.CA); err != nil {
				return k, err
			}
		}
	}
	if s.AA != nil {
		if k.aa, err = aaKey(opts.Seed, false, s.AA); err != nil {
			return k, err
		}
		k.chipAA = k.aa
		if opts.Tamper == AAClone {
			if k.chipAA, err = aaKey(opts.Seed, true, s.AA); err != nil {
				return k, err
			}
		}
	}
	return k, nil
}

// CloneKeys returns the keys a clone of a document holds: chip and active
// authentication keys of its own, never the published ones (those of the
// ca-clone and aa-clone tampers), nil where the document has none. A
// clone cannot extract the document's private keys.
func CloneKeys(seed uint64, s Security) (ca, aa any, err error) {
	if s.CA != nil {
		if ca, err = caKey(seed, "ca-clone", s.CA); err != nil {
			return nil, nil, err
		}
	}
	if s.AA != nil {
		if aa, err = aaKey(seed, true, s.AA); err != nil {
			return nil, nil, err
		}
	}
	return ca, aa, nil
}

// caKey derives the chip authentication key for a purpose ("ca",
// "ca-clone"): ECDH on the curve, or DH in the standardized group.
func caKey(seed uint64, purpose string, ca *ChipAuthentication) (any, error) {
	if ca.Curve != nil {
		return ChipKey(seed, purpose, ca.Curve)
	}
	return ChipDHKey(seed, purpose, ca.Group)
}

// aaKey derives the active authentication key: ECDSA on the curve, or RSA
// from the committed prime pool.
func aaKey(seed uint64, clone bool, aa *ActiveAuthentication) (any, error) {
	if aa.Curve == nil && aa.RSABits == rsaLongBits {
		return ChipRSA2048Key(seed, clone)
	}
	if aa.Curve == nil {
		return ChipRSAKey(seed, clone)
	}
	purpose := "aa"
	if clone {
		purpose = "aa-clone"
	}
	return ChipKey(seed, purpose, aa.Curve)
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
		return opts.LDS.dataGroup2(opts.Seed, id.Sex, opts.FacePadding)
	case 3:
		return DG3(), nil
	case 11:
		return dg11(id, opts.LDS), nil
	case 12:
		return dg12(id, opts.LDS), nil
	case 13:
		if opts.Tamper == MRZDG13Mismatch {
			id.ID12 = id.ID12[:11] + string('0'+(id.ID12[11]-'0'+1)%10)
		}
		return dg13(id, opts.Parents, opts.LDS)
	case 14:
		return DG14(opts.Security, keys.ca)
	case 15:
		if keys.aa == nil {
			return nil, fmt.Errorf("DG15 without active authentication")
		}
		return DG15(keys.aa, opts.Security.ExplicitParams)
	}
	return nil, fmt.Errorf("no encoder for this data group")
}

func faceDG2(seed uint64, sex Sex, padding int) ([]byte, error) {
	img, err := Face(seed, sex)
	if err != nil {
		return nil, err
	}
	return DG2(padJPEG(img, padding), sex, FaceWidth, FaceHeight), nil
}

// padJPEG adds n bytes of JPEG comment segments (COM, FFFE) after the
// start of image: the picture is the same, the file larger (a DG2 above
// 32 KB, read with the odd READ BINARY: real-chips FA-07).
func padJPEG(img []byte, n int) []byte {
	if n <= 0 || len(img) < 2 {
		return img
	}
	out := append([]byte(nil), img[:2]...)
	for n > 0 {
		chunk := min(n, 65533)
		out = append(out, 0xFF, 0xFE, byte((chunk+2)>>8), byte(chunk+2))
		for i := range chunk {
			out = append(out, byte('a'+i%26))
		}
		n -= chunk
	}
	return append(out, img[2:]...)
}

// signerFor picks the document signer: the one a tamper forges with, the
// one an EF.SOD quirk needs, else the valid one.
func signerFor(t Tamper, o SODOptions) (*testpki.Signer, error) {
	kind := map[Tamper]testpki.SignerKind{
		DSCUntrusted: testpki.Untrusted, DSCExpired: testpki.Expired,
		DSCRevoked: testpki.Revoked, DSCWrongCountry: testpki.WrongCountry,
	}[t]
	quirk, err := o.signerKind()
	switch {
	case err != nil:
		return nil, err
	case kind != "" && quirk != "":
		return nil, fmt.Errorf("issue: %w: %s needs its own document signer, and so does the EF.SOD quirk", ErrTamperNotApplicable, t)
	case quirk != "":
		kind = quirk
	case kind == "":
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
		return fmt.Errorf("issue: %w: %s needs DG%d, which this document lacks", ErrTamperNotApplicable, opts.Tamper, n)
	}
	switch {
	case opts.Tamper == AAClone && opts.Security.AA == nil:
		return fmt.Errorf("issue: %w: %s needs active authentication", ErrTamperNotApplicable, opts.Tamper)
	case opts.Tamper == CAClone && opts.Security.CA == nil:
		return fmt.Errorf("issue: %w: %s needs chip authentication", ErrTamperNotApplicable, opts.Tamper)
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
		dgs[13], err = dg13(edited, opts.Parents, opts.LDS)
	case DG2Swapped:
		dgs[2], err = faceDG2(opts.Seed^0x5eed, id.Sex, opts.FacePadding)
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
