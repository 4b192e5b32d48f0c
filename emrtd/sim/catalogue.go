package sim

import (
	"bytes"
	"slices"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// catalogue is every attack, in the order docs/SIMULATOR.md lists them.
var catalogue = []*Attack{
	{
		Name: "ca-key-planted",
		Description: "a clone adds its own chip authentication key to EF.CardAccess (ChipAuthenticationPublicKeyInfo " +
			"and a ChipAuthenticationInfo with key ID 2 and a stronger cipher) and runs chip authentication with it",
		clone: true, needs: all(needsPACE, needsCA), forge: plantCAKey,
		caught: catches(failOf(check.CardAccessConsistency, 0), failOf(check.ChipAuth, 14)),
	},
	{
		Name:        "dg14-hidden",
		Description: "DG14 is answered 6A82 (protected) though EF.SOD lists it: chip authentication cannot run",
		needs:       needsDG(14), forge: hideFiles(14),
		caught: hiddenCatches([]int{14}, failOf(check.ChipAuth, 14)),
	},
	{
		Name:        "sod-hidden",
		Description: "EF.SOD is answered 6A82 (protected): nothing the chip holds can be verified",
		forge:       func(f *forgery) error { f.hidden = append(f.hidden, issue.FIDSOD); return nil },
		caught:      catches(failOf(check.SODSignature, 0)),
	},
	{
		Name: "sod-extra-signer",
		Description: "EF.SOD carries a second SignerInfo, whose signature does not verify, beside the issuer's " +
			"(a reader that looks at one signer only may pick either)",
		issue:  func(o *issue.Options) { o.SOD.ExtraInvalidSigner = true },
		caught: catches(dgCatch{check.SODSignature, check.Warn, 0}),
	},
	{
		Name: "sod-no-signed-attributes",
		Description: "EF.SOD's signer signed the content directly, without signed attributes (CMS allows it, " +
			"ICAO does not: nothing binds the signature to the content type)",
		issue:  func(o *issue.Options) { o.SOD.NoSignedAttributes = true },
		caught: catches(failOf(check.SODSignature, 0)),
	},
	{
		Name: "aa-bad-padding",
		Description: "the chip (it holds the key) signs INTERNAL AUTHENTICATE over an ISO/IEC 9796-2 representative " +
			"with malformed padding (6B 3A instead of 6A), which a verifier that skips padding nibbles accepts",
		needs: needsRSAAA, forge: malformedPadding,
		caught: catches(failOf(check.ActiveAuth, 15)),
	},
	{
		Name:        "dg15-hidden",
		Description: "DG15 is answered 6A82 (protected) though EF.SOD lists it: active authentication cannot run",
		needs:       needsDG(15), forge: hideFiles(15),
		caught: hiddenCatches([]int{15}, failOf(check.ActiveAuth, 15)),
	},
	{
		Name:        "com-omits-anticlone",
		Description: "EF.COM leaves out DG14 and DG15, which EF.SOD lists and the chip holds",
		needs:       needsDG(14, 15), forge: omitFromCOM(14, 15),
		caught: catches(dgCatch{check.COMConsistency, check.Warn, 0}),
	},
	{
		Name: "text-hidden",
		Description: "the personal data groups (DG11, DG12, DG13) are answered 6A82 (protected) though EF.SOD " +
			"lists them: the identity would lack what the chip's owner hid",
		needs: needsDG(11, 12, 13), forge: hideFiles(11, 12, 13),
		caught: hiddenCatches([]int{11, 12, 13}),
	},
	{
		Name: "hidden-unprotected",
		Description: "a relay answers an unprotected 6A82 for DG14 and DG15 during secure messaging (it cannot " +
			"forge a protected answer)",
		needs: needsDG(14, 15), forge: refusePlain(apdu.SWFileNotFound, 14, 15),
		caught: catches(dgCatch{check.DGHash(14), check.Unknown, 14}, failOf(check.ChipAuth, 14),
			dgCatch{check.DGHash(15), check.Unknown, 15}, failOf(check.ActiveAuth, 15)),
	},
	{
		Name: "refused-unprotected",
		Description: "a relay answers an unprotected 6982 (security status not satisfied) for DG14 and DG15, again " +
			"after the reader opens the chip anew",
		needs: needsDG(14, 15), forge: refusePlain(apdu.SWSecurityStatus, 14, 15),
		caught: catches(dgCatch{check.DGHash(14), check.Unknown, 14}, failOf(check.ChipAuth, 14),
			dgCatch{check.DGHash(15), check.Unknown, 15}, failOf(check.ActiveAuth, 15)),
	},
	{
		Name: "cardaccess-pace-dropped",
		Description: "a relay leaves the strongest PACE configuration out of EF.CardAccess (PACE-CAM, or the one " +
			"a reader ranks first); the genuine chip runs the others",
		needs: needsPACEChoice, forge: dropStrongestPACE,
		caught: catches(failOf(check.CardAccessConsistency, 0)),
	},
	{
		Name: "cardaccess-stripped",
		Description: "a relay answers 6A82 for EF.CardAccess, so a reader that trusts it opens the chip with BAC " +
			"(the chip is genuine); needs the MRZ",
		needs: all(needsPACE, needsBAC), forge: stripCardAccess,
		caught: catches(dgCatch{check.AccessProtocol, check.Warn, 0}, dgCatch{check.CardAccessConsistency, check.Warn, 0}),
	},
	{
		Name: "cardaccess-weaker",
		Description: "a clone's EF.CardAccess lists only a weaker PACE configuration than DG14 (3DES on P-192, " +
			"or on the 1024-bit group), which it runs",
		clone: true, needs: all(needsPACE, needsDG(14)), forge: weakerCardAccess,
		caught: catches(failOf(check.CardAccessConsistency, 0)),
	},
	{
		Name: "pace-blocked",
		Description: "a relay answers 6A80 to PACE's MSE:Set AT (EF.CardAccess and the chip behind are genuine) so that a " +
			"reader that gives up on PACE opens the chip with BAC, which the relay can attack offline; needs the MRZ",
		needs: all(needsPACE, needsBAC), forge: blockPACE,
		caught: catches(dgCatch{check.AccessProtocol, check.Warn, 0}),
	},
	{
		Name: "pace-toy-parameters",
		Description: "EF.CardAccess lists PACE on explicit 16-bit domain parameters, so a fake chip could test " +
			"CAN or MRZ guesses offline against the reader's token; the chip behind is genuine (needs the MRZ)",
		needs: all(needsPACE, needsBAC, needsDG(14)), forge: toyParameters,
		caught: catches(failOf(check.CardAccessConsistency, 0), dgCatch{check.AccessProtocol, check.Warn, 0}),
	},
	{
		Name: "pace-token-bad",
		Description: "a clone that does not know the password sends a wrong PACE authentication token (to " +
			"collect the reader's): the read must end with CHIP_AUTH_TOKEN_INVALID, no next key, no fallback",
		clone: true, needs: needsPACE, forge: badPACEToken,
		caught: catches(antiCloneFails...),
	},
	{
		Name: "cam-omits-ca",
		Description: "a clone lists PACE-CAM but leaves the chip authentication data out of PACE's last step " +
			"(it cannot compute them)",
		clone: true, needs: needsCardSecurity, forge: omitCAMData,
		caught: catches(failOf(check.ChipAuth, 0)),
	},
	{
		Name:        "ca-refused",
		Description: "the chip refuses chip authentication (MSE:Set AT and KAT answered 6A80) though EF.SOD lists DG14",
		needs:       needsCAv1, forge: refuse("CA", apdu.SWWrongData),
		caught: catches(failOf(check.ChipAuth, 14)),
	},
	{
		Name:        "aa-refused",
		Description: "the chip refuses active authentication (INTERNAL AUTHENTICATE answered 6D00) though EF.SOD lists DG15",
		needs:       needsDG(15), forge: refuse("AA", apdu.SWINSNotSupported),
		caught: catches(failOf(check.ActiveAuth, 15)),
	},
	{
		Name: "dg14-second-key",
		Description: "a clone adds its own key to DG14 (key ID 2, a stronger cipher) and proves that one: DG14 no " +
			"longer matches its hash",
		clone: true, needs: needsCA, forge: secondKeyInDG14,
		caught: catches(failOf(check.DGHash(14), 14)),
	},
	{
		Name: "cardsecurity-untrusted",
		Description: "a clone runs PACE-CAM with its own key and an EF.CardSecurity it signed itself (a document " +
			"signer of an untrusted CSCA)",
		clone: true, needs: needsCardSecurity, forge: untrustedCardSecurity,
		caught: catches(failOf(check.ChipAuth, 0)),
	},
	{
		Name: "cardsecurity-other-document",
		Description: "PACE-CAM is relayed to another genuine chip, whose EF.CardSecurity (validly signed) the " +
			"clone serves with this document's files",
		needs: needsCardSecurity, forge: otherDocumentCardSecurity,
		caught: catches(failOf(check.ChipAuth, 0)),
	},
	{
		Name: "chip-swapped",
		Description: "the genuine chip answers until the photo (DG2), then drops its session; a clone with the same " +
			"files answers the session the reader opens again",
		needs: all(needsDG(2), needsDG(14, 15)), forge: swapAtPhoto,
		caught: swappedCaught,
	},
}

func needsBAC(p *Profile) string {
	if p.PACEOnly {
		return "BAC"
	}
	return ""
}

// hideFiles hides the data groups the profile holds (protected 6A82).
func hideFiles(dgs ...int) func(f *forgery) error {
	return func(f *forgery) error {
		f.hidden = append(f.hidden, heldFIDs(f.profile, dgs)...)
		return nil
	}
}

// refusePlain answers an unprotected sw for the data groups the profile
// holds.
func refusePlain(sw apdu.SW, dgs ...int) func(f *forgery) error {
	return func(f *forgery) error {
		for _, fid := range heldFIDs(f.profile, dgs) {
			f.plainRefused[fid] = sw
		}
		return nil
	}
}

// heldFIDs are the file identifiers of the data groups of dgs that the
// profile holds.
func heldFIDs(p *Profile, dgs []int) []uint16 {
	var out []uint16
	for _, n := range dgs {
		if p.has(n) {
			out = append(out, issue.FIDOfDG(n))
		}
	}
	return out
}

func omitFromCOM(dgs ...int) func(f *forgery) error {
	return func(f *forgery) error {
		listed := slices.DeleteFunc(slices.Clone(f.profile.DataGroups), func(n int) bool { return slices.Contains(dgs, n) })
		f.setFile(issue.FIDCOM, issue.EFCOM(listed))
		return nil
	}
}

func stripCardAccess(f *forgery) error {
	f.hidden = append(f.hidden, issue.FIDCardAccess)
	return nil
}

// refuse makes a protocol answer every command with sw.
func refuse(protocol string, sw apdu.SW) func(f *forgery) error {
	return func(f *forgery) error {
		f.filters[protocol] = func(apdu.Command, Result) Result { return answer(sw) }
		return nil
	}
}

// needsPACEChoice: EF.CardAccess lists more than one PACE configuration.
func needsPACEChoice(p *Profile) string {
	if len(p.Security.PACE) < 2 {
		return "several PACE configurations"
	}
	return ""
}

// dropStrongestPACE writes EF.CardAccess without the configuration a
// reader picks first (pace.Select's order); the chip keeps running all.
func dropStrongestPACE(f *forgery) error {
	infos, err := lds.ParseSecurityInfos(f.doc.Files[issue.FIDCardAccess])
	if err != nil {
		return err
	}
	best, err := pace.Select(infos)
	if err != nil {
		return err
	}
	var kept [][]byte
	for _, i := range infos.Infos {
		if p, ok := paceOf(infos, i); ok && p.Protocol.Equal(best.Protocol) && p.ParameterID != nil && *p.ParameterID == best.ParameterID {
			continue
		}
		kept = append(kept, i.Raw)
	}
	f.setFile(issue.FIDCardAccess, issue.EncodeSecurityInfos(kept))
	return nil
}

// paceOf is the PACEInfo of entry i, if it is one.
func paceOf(infos *lds.SecurityInfos, i lds.Info) (lds.PACEInfo, bool) {
	for _, p := range infos.PACE {
		if bytes.Equal(p.Raw, i.Raw) {
			return p, true
		}
	}
	return lds.PACEInfo{}, false
}

// malformedPadding makes the RSA chip sign with malformed ISO/IEC 9796-2
// padding (issue's ActiveAuthentication.MalformedPadding, pki's builder).
func malformedPadding(f *forgery) error {
	aa := *f.doc.Security.AA // the profile's is shared
	aa.MalformedPadding = true
	f.doc.Security.AA = &aa
	return nil
}

// blockPACE answers PACE's MSE:Set AT with 6A80, as a relay can.
func blockPACE(f *forgery) error {
	f.filters["PACE"] = func(cmd apdu.Command, res Result) Result {
		if cmd.INS == apdu.InsManageSecurityEnv {
			return answer(apdu.SWWrongData)
		}
		return res
	}
	return nil
}

// plantedKeyID is the key ID of the keys attacks plant.
const plantedKeyID = 2

// plantedCA is the chip authentication a clone plants beside the
// document's: its own key, key ID 2, and AES-256 so a reader that ranks
// the candidates by cipher picks it first.
func plantedCA(f *forgery) (info, pk []byte, chip Protocol, err error) {
	ca := f.doc.Security.CA
	protocol := chipauth.ProtocolFor(lds.KeyAgreementECDH, 4)
	pkOID := lds.OIDPKECDH
	if ca.Curve == nil {
		protocol, pkOID = chipauth.ProtocolFor(lds.KeyAgreementDH, 4), lds.OIDPKDH
	}
	spki, err := issue.PublicKeyInfo(f.doc.CAKey, false)
	if err != nil {
		return nil, nil, nil, err
	}
	info = der(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(protocol)
		b.AddASN1Int64(1)
		b.AddASN1Int64(plantedKeyID)
	})
	pk = der(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(pkOID)
		b.AddBytes(spki)
		b.AddASN1Int64(plantedKeyID)
	})
	id := plantedKeyID
	chip, err = asProtocol(newCAProtocol(chipauth.ChipConfig{Key: f.doc.CAKey, Protocol: protocol, KeyID: &id}))
	return info, pk, chip, err
}

func plantCAKey(f *forgery) error {
	info, pk, chip, err := plantedCA(f)
	if err != nil {
		return err
	}
	cardAccess, err := withInfos(f.doc.Files[issue.FIDCardAccess], info, pk)
	if err != nil {
		return err
	}
	f.setFile(issue.FIDCardAccess, cardAccess)
	f.replace["CA"] = chip
	return nil
}

func secondKeyInDG14(f *forgery) error {
	info, pk, chip, err := plantedCA(f)
	if err != nil {
		return err
	}
	dg14, err := withInfos(f.doc.Files[issue.FIDOfDG(14)], info, pk)
	if err != nil {
		return err
	}
	f.setFile(issue.FIDOfDG(14), dg14)
	f.replace["CA"] = chip
	return nil
}

// weakerCardAccess lists one weaker PACE configuration in EF.CardAccess
// (3DES on P-192, or on the 1024-bit MODP group) and makes the clone run
// it; DG14 keeps the document's.
func weakerCardAccess(f *forgery) error {
	weak := issue.PACEInfo{Protocol: lds.OIDPACEECDHGM3DESCBCCBC, ParameterID: 8}
	if !slices.ContainsFunc(f.doc.Security.PACE, func(p issue.PACEInfo) bool {
		return p.Protocol[len(p.Protocol)-2] == 2 // ECDH
	}) {
		weak = issue.PACEInfo{Protocol: lds.OIDPACEDHGM3DESCBCCBC, ParameterID: 0}
	}
	s := f.doc.Security
	s.PACE = []issue.PACEInfo{weak}
	f.doc.Security = s
	f.setFile(issue.FIDCardAccess, s.CardAccess())
	return nil
}

// toyCurve is keyagree's 16-bit curve: PACE on it protects nothing.
var toyCurve = keyagree.ToyCurve().Curve

// toyParameterID links the toy PACEInfo to its PACEDomainParameterInfo
// (IDs from 32 are proprietary).
const toyParameterID = 32

func toyParameters(f *forgery) error {
	info := der(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(lds.OIDPACEECDHGMAESCBCCMAC128)
		b.AddASN1Int64(2)
		b.AddASN1Int64(toyParameterID)
	})
	domain := der(func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(lds.OIDPACEECDHGM)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(lds.OIDECPublicKey)
			b.AddBytes(toyCurve.MarshalExplicitParameters())
		})
		b.AddASN1Int64(toyParameterID)
	})
	f.setFile(issue.FIDCardAccess, issue.EncodeSecurityInfos([][]byte{info, domain}))
	return nil
}

// Tags of PACE's last GENERAL AUTHENTICATE answer.
const (
	tagTokenIC = 0x86
	tagCAMData = 0x8A
)

func badPACEToken(f *forgery) error {
	f.filters["PACE"] = func(_ apdu.Command, res Result) Result {
		res.Response.Data = replaceObject(res.Response.Data, func(o tlv.TLV) []byte {
			if o.Tag == tagTokenIC && len(o.Value) > 0 {
				token := slices.Clone(o.Value)
				token[0] ^= 0x01
				return tlv.Encode(o.Tag, token)
			}
			return tlv.Encode(o.Tag, o.Value)
		})
		return res
	}
	return nil
}

func omitCAMData(f *forgery) error {
	f.filters["PACE"] = func(_ apdu.Command, res Result) Result {
		res.Response.Data = replaceObject(res.Response.Data, func(o tlv.TLV) []byte {
			if o.Tag == tagCAMData {
				return nil
			}
			return tlv.Encode(o.Tag, o.Value)
		})
		return res
	}
	return nil
}

// untrustedCardSecurity re-signs EF.CardSecurity, with the clone's key,
// by a document signer of a CSCA no trust store holds.
func untrustedCardSecurity(f *forgery) error {
	signer, err := testpki.DocumentSigner(testpki.Untrusted)
	if err != nil {
		return err
	}
	content, err := issue.CardSecurityContent(f.doc.Security, f.doc.CAKey)
	if err != nil {
		return err
	}
	at := issue.SigningTime(f.profile.Kind, f.doc.Identity)
	f.doc.CardSecurity, err = issue.EncodeCardSecurity(content, issue.SODSigner{Cert: signer.Cert, Key: signer.Key}, at)
	return err
}

// otherDocumentSeed picks the document whose chip a relay uses.
const otherDocumentSeed = 0x07e5

// otherDocumentCardSecurity serves another genuine document's
// EF.CardSecurity and relays PACE-CAM to its chip (its key).
func otherDocumentCardSecurity(f *forgery) error {
	other, err := issue.Issue(issue.Options{Seed: f.seed ^ otherDocumentSeed, Kind: f.profile.Kind,
		DataGroups: f.profile.DataGroups, Security: f.profile.Security})
	if err != nil {
		return err
	}
	f.doc.CardSecurity, f.doc.CAKey = other.CardSecurity, other.CAKey
	return nil
}

func swapAtPhoto(f *forgery) error {
	f.swapAt = issue.FIDOfDG(2)
	return nil
}

// swappedCaught: the anti-clone protocol that runs again (chip
// authentication, else active authentication) fails.
func swappedCaught(p *Profile) []issue.Catch {
	if p.has(14) && p.Security.CA != nil {
		return []issue.Catch{{Check: check.ChipAuth, Status: check.Fail}}
	}
	return []issue.Catch{{Check: check.ActiveAuth, Status: check.Fail}}
}

func der(f func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, f)
	return b.BytesOrPanic()
}
