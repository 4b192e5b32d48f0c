package sim

import (
	"crypto"
	"fmt"
	"time"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// The quirks of the transport (T-), secure messaging (SM-), file access
// (FA-), access control sequencing (AC-03) and EF.COM (L-01): what real
// chips do with APDUs, status words and files. Each sets Behaviour knobs
// (behaviour.go) or changes the profile or the document.
func init() {
	RegisterQuirks(smQuirks()...)
	RegisterQuirks(transportQuirks()...)
	RegisterQuirks(fileQuirks()...)
	RegisterQuirks(selectMFQuirks()...)
	RegisterQuirks(endOfFileQuirks()...)
}

// Groups of quirks that exclude one another.
const (
	groupSMErrors   = "secure messaging errors"
	groupEndOfFile  = "end of file"
	groupSelectMF   = "SELECT MF"
	groupCardAccess = "EF.CardAccess route"
	groupEFCOM      = "EF.COM"
	groupLe00       = "Le=00"
	groupMaxRead    = "largest read"
	groupExtended   = "extended length"
)

func behave(f func(*Behaviour)) func(*Build) error {
	return func(b *Build) error {
		f(b.Behaviour)
		return nil
	}
}

func smQuirks() []Quirk {
	mode := func(m SMErrorMode) func(*Build) error {
		return behave(func(bh *Behaviour) { bh.SMErrors = m })
	}
	return []Quirk{
		{Name: "sm-error-protected", ID: "SM-02a", Group: groupSMErrors, Apply: mode(SMErrorProtected),
			Summary: "a refused protected command answers its status word protected (DO'99', DO'8E'); session kept (Norway: 99 02 6C 80); the default"},
		{Name: "sm-error-plain-abort", ID: "SM-02b", Group: groupSMErrors, Apply: mode(SMErrorPlainAbort),
			Summary: "a refused protected command answers its status word plain and ends secure messaging: the next protected command gets 6988 (Russia)"},
		{Name: "sm-error-plain-counted", ID: "SM-02c", Group: groupSMErrors, Apply: mode(SMErrorPlainCounted),
			Summary: "a refused protected command answers plain, session kept, the command counted in the SSC but not the answer: a reader that rolls its SSC back loses the session (a Chinese passport; issue 14's BAC passport)"},
		{Name: "sm-error-plain-uncounted", ID: "SM-02", Group: groupSMErrors, Apply: mode(SMErrorPlainUncounted),
			Summary: "a refused protected command answers plain, session kept, SSC as before the command (refused before secure messaging: gmrtd #457, JMRTD's roll-back)"},
		{Name: "sod-last-block-mac", ID: "SM-04",
			Apply:   behave(func(bh *Behaviour) { bh.SODLastBlockMAC = true }),
			Summary: "the last READ BINARY of EF.SOD, asking with a short Le for exactly the bytes left, is answered with a wrong MAC (a US passport, gmrtd #6)"},
		{Name: "sm-abort-selects-mf", ID: "SM-01",
			Apply:   behave(func(bh *Behaviour) { bh.AbortSelectsMF = true }),
			Summary: "ending secure messaging (an error, a plain command) also selects the master file: a re-opened session must SELECT the application again (ICAO 9303-11 §9.8)"},
	}
}

func transportQuirks() []Quirk {
	return []Quirk{
		{Name: "le00-6b00", ID: "T-01", Group: groupLe00,
			Apply:   behave(func(bh *Behaviour) { bh.Le00, bh.Le00Aborts = apdu.SWWrongP1P2, true }),
			Summary: "a protected READ BINARY with Le=00 (256 bytes) answers a plain 6B00 and ends secure messaging (Russian passport, NFCPassportReader #89)"},
		{Name: "le00-6282", ID: "T-01", Group: groupLe00,
			Apply:   behave(func(bh *Behaviour) { bh.Le00 = apdu.SWEndOfFile }),
			Summary: "a protected READ BINARY with Le=00 (256 bytes) answers 6282 without data (Spanish DNIe, NFCPassportReader #91)"},
		{Name: "read-max-192", ID: "T-02", Group: groupMaxRead,
			Apply:   behave(func(bh *Behaviour) { bh.MaxRead, bh.MaxReadOver = 192, WrongLength }),
			Summary: "READ BINARY asking for more than 192 bytes answers 6700 (Ukrainian passport, gmrtd #410)"},
		{Name: "read-max-160", ID: "T-02", Group: groupMaxRead,
			Apply:   behave(func(bh *Behaviour) { bh.MaxRead, bh.MaxReadOver = 160, ShortRead }),
			Summary: "READ BINARY returns at most 160 bytes with 9000, whatever the Le (old Dutch passports)"},
		{Name: "no-extended", ID: "T-03", Group: groupExtended,
			Apply: func(b *Build) error {
				b.Profile.Extended = false
				return nil
			},
			Summary: "short APDUs only: an extended command answers a plain 6700 before secure messaging (not counted) (Canada 2023, China 2018, US 2021)"},
		{Name: "extended-empty", ID: "T-03", Group: groupExtended,
			Apply:   behave(func(bh *Behaviour) { bh.ExtendedEmpty = true }),
			Summary: "a command with an extended Le (more than 256 bytes expected) answers 9000 without data (Chinese passports' INTERNAL AUTHENTICATE, NFCPassportReader #223)"},
		{Name: "aa-rsa2048", ID: "T-04", Apply: aaRSA2048,
			Summary: "active authentication with an RSA-2048 key (ISO/IEC 9796-2, SHA-256): its signature does not fit a short protected answer"},
		{Name: "aa-cut-231", ID: "T-04", Apply: aaCut,
			Summary: "active authentication with an RSA-2048 key; INTERNAL AUTHENTICATE with a short Le answers the signature cut to what fits a short response (231 bytes under 3DES, 223 under AES) and 9000; an extended Le gets it whole (Australian passport, NFCPassportReader #194)"},
		{Name: "aa-get-response", ID: "T-05",
			Apply:   behave(func(bh *Behaviour) { bh.GetResponse = onlyINS(apdu.InsInternalAuthenticate) }),
			Summary: "INTERNAL AUTHENTICATE answers 61xx; the signature comes with GET RESPONSE (Finnish passport, NFCPassportReader #174)"},
		{Name: "get-response", ID: "T-05",
			Apply:   behave(func(bh *Behaviour) { bh.GetResponse = func(byte) bool { return true } }),
			Summary: "every answer with data comes as 61xx and GET RESPONSE"},
		{Name: "strict-case3", ID: "T-07",
			Apply:   behave(func(bh *Behaviour) { bh.StrictCase3 = true }),
			Summary: "SELECT with P2=0C and MSE (Set AT, Set KAT) sent with an Le answer 6700 (German documents, NFCPassportReader PR #153)"},
		{Name: "bac-delay", ID: "T-08",
			Apply:   behave(func(bh *Behaviour) { bh.BACDelay = 10 * time.Second }),
			Summary: "after a refused EXTERNAL AUTHENTICATE the next one (even correct, even after the card was lifted) waits 10 s (anti-brute-force)"},
		{Name: "no-bac-after-pace", ID: "AC-03", Apply: noBACAfterPACE,
			Summary: "once a PACE command was taken, GET CHALLENGE and EXTERNAL AUTHENTICATE answer 6985 until the card is reset (ICAO 9303-11 §4.1)"},
	}
}

func fileQuirks() []Quirk {
	route := func(r CardAccessRoute, sw apdu.SW) func(*Build) error {
		return func(b *Build) error {
			if len(b.Profile.Security.PACE) == 0 && !b.Profile.Security.CardAccessCA {
				return notApplicable("the profile has no EF.CardAccess")
			}
			b.Behaviour.CardAccess, b.Behaviour.CardAccessSelectSW = r, sw
			return nil
		}
	}
	return []Quirk{
		{Name: "no-sfi", ID: "FA-03", Apply: behave(func(bh *Behaviour) { bh.NoSFI = true }),
			Summary: "READ BINARY by short file identifier answers 6A82 for every file (some passports; JMRTD disables SFI at the MF)"},
		{Name: "no-sfi-lds", ID: "FA-03", Apply: behave(func(bh *Behaviour) { bh.NoSFIInApplication = true }),
			Summary: "READ BINARY by short file identifier answers 6A82 inside the LDS application (EF.COM, EF.SOD, the data groups); EF.CardAccess still reads by SFI (issue 14's passport)"},
		{Name: "cardaccess-sfi-only", ID: "FA-02", Group: groupCardAccess, Apply: route(CardAccessSFIOnly, 0),
			Summary: "EF.CardAccess is read by short file identifier only: SELECT 011C answers 6A82"},
		{Name: "cardaccess-select-only", ID: "FA-02", Group: groupCardAccess, Apply: route(CardAccessSelectOnly, 0),
			Summary: "EF.CardAccess is reached by SELECT 011C only: READ BINARY by short file identifier 1C answers 6A82"},
		{Name: "cardaccess-6283", ID: "FA-02", Group: groupCardAccess, Apply: route(CardAccessSelectOnly, apdu.SWSelectedFileInvalidated),
			Summary: "EF.CardAccess by SELECT only, which answers the warning 6283 and selects it (Malaysian passports, gmrtd)"},
		{Name: "select-before-access", ID: "FA-05",
			Apply:   behave(func(bh *Behaviour) { bh.SelectBeforeAccess = true }),
			Summary: "SELECT of an LDS file before access control answers 9000 (the read still answers 6982); the default answers 6982 (both comply, ICAO 9303-11 §4.3.2)"},
		{Name: "large-dg2", ID: "FA-07", Apply: largeDG2,
			Summary: "a portrait of about 40 KB (JPEG comments): DG2 reaches past offset 32767, read with READ BINARY B1 and DO'54' (ISO 39794 portraits)"},
		{Name: "no-ef-com", ID: "L-01", Group: groupEFCOM, Apply: afterIssue(removeCOM),
			Summary: "no EF.COM: SELECT and READ answer 6A82"},
		{Name: "ef-com-wrong", ID: "L-01", Group: groupEFCOM, Apply: afterIssue(wrongCOM), Warns: []string{"com.consistency"},
			Summary: "EF.COM lists DG1 DG2 DG3 DG4 only: it omits groups the chip holds and names ones it does not (EF.SOD is the authority)"},
	}
}

func selectMFQuirks() []Quirk {
	answer := func(sw apdu.SW) func(*Build) error {
		return func(b *Build) error {
			b.Profile.SelectMF = sw
			return nil
		}
	}
	var qs []Quirk
	for _, c := range []struct {
		sw    apdu.SW
		where string
	}{
		{apdu.SWOK, "most chips"}, {apdu.SWSecurityStatus, "New Zealand"}, {apdu.SWFunctionNotSupported, "China"},
		{apdu.SWIncorrectP1P2, "Australia, French and Latvian IDs"}, {apdu.SWLcInconsistentWithP1P2, "Ukraine"},
		{apdu.SWINSNotSupported, "the Vietnamese CCCD"}, {apdu.SWConditionsNotSatisfied, "French, Latvian, Omani IDs"},
	} {
		qs = append(qs, Quirk{
			Name: fmt.Sprintf("select-mf-%04x", uint16(c.sw)), ID: "FA-01", Group: groupSelectMF, Apply: answer(c.sw),
			Summary: fmt.Sprintf("SELECT MF (00 A4 00 0C 3F00) answers %04X and leaves the selection as it was (%s)", uint16(c.sw), c.where),
		})
	}
	return qs
}

func endOfFileQuirks() []Quirk {
	eof := func(e EndOfFile) func(*Build) error {
		return behave(func(bh *Behaviour) { bh.EndOfFile = e })
	}
	return []Quirk{
		{Name: "eof-6282", ID: "FA-06", Group: groupEndOfFile, Apply: eof(EOFWarning),
			Summary: "a READ BINARY reaching past the end answers the bytes left with 6282, even for Le=00"},
		{Name: "eof-6282-empty", ID: "FA-06", Group: groupEndOfFile, Apply: eof(EOFWarningEmpty),
			Summary: "a READ BINARY reaching past the end answers 6282 without data"},
		{Name: "eof-6700", ID: "FA-06", Group: groupEndOfFile, Apply: eof(EOFWrongLength),
			Summary: "a READ BINARY reaching past the end answers 6700"},
		{Name: "eof-6b00", ID: "FA-06", Group: groupEndOfFile, Apply: eof(EOFWrongP1P2),
			Summary: "a READ BINARY reaching past the end answers 6B00"},
		{Name: "eof-6cxx", ID: "FA-06", Group: groupEndOfFile, Apply: eof(EOFExactLength),
			Summary: "a READ BINARY reaching past the end answers 6Cxx, xx the bytes left (6700 when more than 256 are left)"},
	}
}

// onlyINS is a GetResponse predicate for one instruction.
func onlyINS(ins byte) func(byte) bool { return func(i byte) bool { return i == ins } }

// aaRSA2048 gives the chip an RSA-2048 active authentication key.
func aaRSA2048(b *Build) error {
	aa := b.Profile.Security.AA
	if aa == nil {
		return notApplicable("the profile has no active authentication")
	}
	if aa.Curve != nil || aa.RSABits < 2048 {
		*aa = issue.ActiveAuthentication{RSABits: 2048, Hash: crypto.SHA256}
	}
	return nil
}

// aaCut gives the chip an RSA-2048 active authentication key and cuts its
// short-Le signatures.
func aaCut(b *Build) error {
	if err := aaRSA2048(b); err != nil {
		return err
	}
	b.Behaviour.AACut = true
	return nil
}

// largeDG2 pads the portrait so that DG2 passes 32 KB.
func largeDG2(b *Build) error {
	if !b.Profile.has(2) {
		return notApplicable("the profile has no DG2")
	}
	b.Issue.FacePadding = 40 << 10
	return nil
}

// noBACAfterPACE needs a chip that runs both.
func noBACAfterPACE(b *Build) error {
	if len(b.Profile.Security.PACE) == 0 {
		return notApplicable("the profile has no PACE")
	}
	b.Behaviour.NoBACAfterPACE = true
	return nil
}

func afterIssue(f func(*issue.Document) error) func(*Build) error {
	return func(b *Build) error {
		b.AfterIssue(f)
		return nil
	}
}

func removeCOM(doc *issue.Document) error {
	delete(doc.Files, issue.FIDCOM)
	return nil
}

func wrongCOM(doc *issue.Document) error {
	doc.Files[issue.FIDCOM] = issue.EFCOM([]int{1, 2, 3, 4})
	return nil
}
