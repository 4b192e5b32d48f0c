package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/chipauth"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// counter counts the exchanges through a transport.
type counter struct {
	nfc.Card
	n int
}

func (c *counter) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	c.n++
	return c.Card.Transmit(ctx, cmd)
}

// readerRun is a reader-side run against a chip in-process, with the
// protocol packages' reader sides: what a read pipeline does, step by step.
type readerRun struct {
	t     testing.TB
	chip  *Chip
	ctx   context.Context
	cnt   *counter
	plain nfc.Transport
	ch    *sm.Channel
	chunk int // READ BINARY chunk: 65536 (extended) or 223

	cardAccess *lds.SecurityInfos
	paceResult *pace.Result
	mechanism  string // "PACE-GM", "PACE-IM", "PACE-CAM" or "BAC"
}

func newRun(t testing.TB, c *Chip) *readerRun { return newRunOn(t, c, card{c}) }

// newRunOn runs against c through another card connection (a real pcscd).
func newRunOn(t testing.TB, c *Chip, through nfc.Card) *readerRun {
	cnt := &counter{Card: through}
	chunk := 65536
	if c.limits.NoExtended {
		chunk = 223
	}
	return &readerRun{t: t, chip: c, ctx: context.Background(), cnt: cnt, plain: nfc.NewTransport(cnt), chunk: chunk}
}

// readCardAccess reads EF.CardAccess unprotected by its short file
// identifier; false when the chip has none.
func (r *readerRun) readCardAccess() bool {
	r.t.Helper()
	resp, err := r.plain.Exchange(r.ctx, readSFI(0x1C, 0, min(r.chunk, 256)))
	if err != nil {
		r.t.Fatal(err)
	}
	if resp.SW == apdu.SWFileNotFound {
		return false
	}
	if !resp.OK() && resp.SW != apdu.SWEndOfFile {
		r.t.Fatalf("EF.CardAccess: %v", resp.SW)
	}
	if r.cardAccess, err = lds.ParseSecurityInfos(resp.Data); err != nil {
		r.t.Fatalf("EF.CardAccess: %v", err)
	}
	return true
}

// pace runs PACE with key and, on success, opens the channel.
func (r *readerRun) pace(key access.Key) error {
	r.t.Helper()
	session, res, err := pace.Establish(r.ctx, r.plain, key, r.cardAccess, nil)
	if err != nil {
		return err
	}
	r.paceResult, r.mechanism = res, "PACE-"+string(res.Params.Mapping)
	r.ch = sm.NewChannel(r.plain, session)
	return nil
}

// bac selects the application and runs BAC with the printed MRZ.
func (r *readerRun) bac() error {
	r.t.Helper()
	if resp, err := r.plain.Exchange(r.ctx, selectAID()); err != nil || !resp.OK() {
		r.t.Fatalf("SELECT AID: %v %v", resp.SW, err)
	}
	session, err := bac.Authenticate(r.ctx, r.plain, mrzKey(r.t, r.chip), nil)
	if err != nil {
		return err
	}
	r.mechanism, r.ch = "BAC", sm.NewChannel(r.plain, session)
	return nil
}

// selectApp selects the LDS1 application under secure messaging.
func (r *readerRun) selectApp() {
	r.t.Helper()
	if resp, err := r.ch.Exchange(r.ctx, selectAID()); err != nil || !resp.OK() {
		r.t.Fatalf("SELECT AID under SM: %v %v", resp.SW, err)
	}
}

func (r *readerRun) read(sfi byte) []byte {
	r.t.Helper()
	data, sw := readFile(r.t, r.ch, sfi, r.chunk)
	if sw != apdu.SWOK {
		r.t.Fatalf("read SFI %02X: %v", sfi, sw)
	}
	return data
}

// cam reads EF.CardSecurity (at the master file, before the application
// is selected), verifies its signature against the TEST CSCA, and checks
// the chip authentication mapping with its key.
func (r *readerRun) cam() error {
	r.t.Helper()
	raw := r.read(0x1D)
	_, res, err := pa.VerifyCardSecurity(raw, pa.Options{Trust: testTrust(r.t), AllowTestAnchors: true})
	if err != nil {
		r.t.Fatalf("EF.CardSecurity: %v", err)
	}
	if v := verify.Verdict(res.Report); v != "PASS" {
		r.t.Fatalf("EF.CardSecurity verdict %v: %+v", v, res.Report)
	}
	infos, err := lds.ParseSecurityInfos(res.SignedData.Content)
	if err != nil || len(infos.ChipAuthenticationPublicKeys) != 1 {
		r.t.Fatalf("EF.CardSecurity content: %v", err)
	}
	return r.paceResult.CAM.Verify(infos.ChipAuthenticationPublicKeys[0].PublicKey)
}

// chipAuth runs Chip Authentication with DG14's key and moves to the new
// session.
func (r *readerRun) chipAuth(dg14 *lds.SecurityInfos) (chipauth.Params, error) {
	r.t.Helper()
	p, err := chipauth.Select(dg14, r.cardAccess)
	if err != nil {
		r.t.Fatalf("chip authentication parameters: %v", err)
	}
	session, _, err := chipauth.Authenticate(r.ctx, r.plain, r.ch.Session(), p, nil)
	if err != nil {
		return p, err
	}
	r.ch = sm.NewChannel(r.plain, session)
	return p, nil
}

// activeAuth runs Active Authentication with DG15's key.
func (r *readerRun) activeAuth(dg14 *lds.SecurityInfos) (*activeauth.Result, error) {
	r.t.Helper()
	dg15, err := lds.ParseDG15(r.read(15))
	if err != nil {
		r.t.Fatalf("DG15: %v", err)
	}
	var info *lds.ActiveAuthenticationInfo
	if dg14 != nil && len(dg14.ActiveAuthentication) > 0 {
		info = &dg14.ActiveAuthentication[0]
	}
	return activeauth.Verify(r.ctx, r.ch, dg15.PublicKey, info, nil, nil)
}

// outcome is what a full run established.
type outcome struct {
	mechanism        string
	cam, ca, aa      error
	caRun, aaRun     bool
	caParams         chipauth.Params
	aaResult         *activeauth.Result
	dg1              []byte
	accessExchanges  int // exchanges of PACE or BAC alone
	paceConfigurated pace.Params
}

// fullRun opens the chip the way a reader would (PACE with the CAN on
// cards, with the MRZ on passports, when EF.CardAccess lists it; BAC
// otherwise), then runs CAM, CA and AA as the chip offers them, and reads
// DG1.
func fullRun(t testing.TB, c *Chip) outcome { return fullRunOn(t, newRun(t, c)) }

func fullRunOn(t testing.TB, r *readerRun) outcome {
	t.Helper()
	c := r.chip
	var out outcome
	if r.readCardAccess() && len(r.cardAccess.PACE) > 0 {
		before := r.cnt.n
		if err := r.pace(paceKey(t, c)); err != nil {
			t.Fatalf("PACE: %v", err)
		}
		out.accessExchanges, out.paceConfigurated = r.cnt.n-before, r.paceResult.Params
		if r.paceResult.CAM != nil {
			out.cam = r.cam()
		}
		r.selectApp()
	} else {
		before := r.cnt.n
		if err := r.bac(); err != nil {
			t.Fatalf("BAC: %v", err)
		}
		out.accessExchanges = r.cnt.n - before - 1
	}
	out.mechanism = r.mechanism
	var dg14 *lds.SecurityInfos
	if c.Profile().has(14) {
		var err error
		if dg14, err = lds.ParseDG14(r.read(14)); err != nil {
			t.Fatalf("DG14: %v", err)
		}
		out.caRun = true
		out.caParams, out.ca = r.chipAuth(dg14)
		if out.ca != nil {
			return out // the chip dropped secure messaging
		}
	}
	if c.Profile().has(15) {
		out.aaRun = true
		out.aaResult, out.aa = r.activeAuth(dg14)
	}
	out.dg1 = r.read(1)
	return out
}

func paceKey(t testing.TB, c *Chip) access.Key {
	t.Helper()
	if c.Profile().Kind == issue.Passport {
		return mrzKey(t, c)
	}
	can, err := access.NewCAN(c.AccessData().CAN)
	if err != nil {
		t.Fatal(err)
	}
	return can
}

func mrzKey(t testing.TB, c *Chip) *access.MRZKey {
	t.Helper()
	key, err := access.ParseMRZ(c.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func testTrust(t testing.TB) *trust.Store {
	t.Helper()
	s := trust.New()
	if err := AddTestAnchors(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// want is what each profile plays.
var want = map[string]struct {
	mechanism string
	pace      []byte // the PACE protocol the reader selects, nil without PACE
	ca        []byte // the chip authentication protocol, nil without
	aa        activeauth.Algorithm
}{
	"cccd":              {"PACE-GM", oidBytes(lds.OIDPACEECDHGMAESCBCCMAC128), oidBytes(lds.OIDCAECDHAESCBCCMAC128), activeauth.ECDSA},
	"cccd2024":          {"PACE-GM", oidBytes(lds.OIDPACEECDHGMAESCBCCMAC128), oidBytes(lds.OIDCAECDHAESCBCCMAC128), activeauth.ECDSA},
	"passport":          {"PACE-GM", oidBytes(lds.OIDPACEECDHGMAESCBCCMAC128), oidBytes(lds.OIDCAECDHAESCBCCMAC128), activeauth.ECDSA},
	"passport-im":       {"PACE-IM", oidBytes(lds.OIDPACEECDHIMAESCBCCMAC256), oidBytes(lds.OIDCAECDHAESCBCCMAC256), activeauth.ECDSA},
	"passport-dh":       {"PACE-GM", oidBytes(lds.OIDPACEDHGMAESCBCCMAC128), oidBytes(lds.OIDCADHAESCBCCMAC128), activeauth.RSA9796},
	"passport-cam":      {"PACE-CAM", oidBytes(lds.OIDPACEECDHCAMAESCBCCMAC128), oidBytes(lds.OIDCAECDHAESCBCCMAC128), ""},
	"passport-3des":     {"PACE-GM", oidBytes(lds.OIDPACEECDHGM3DESCBCCBC), oidBytes(lds.OIDCAECDH3DESCBCCBC), activeauth.ECDSA},
	"passport-bac-only": {"BAC", nil, nil, activeauth.RSA9796},
}

func oidBytes(o fmt.Stringer) []byte { return []byte(o.String()) }

func TestEveryProfilePlaysItsProtocols(t *testing.T) {
	if got := Profiles(); len(got) != len(want) {
		t.Fatalf("profiles %v, the test knows %d", got, len(want))
	}
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			w := want[name]
			c := newChip(t, name, Options{Seed: 21})
			out := fullRun(t, c)
			if out.mechanism != w.mechanism {
				t.Errorf("mechanism %s, want %s", out.mechanism, w.mechanism)
			}
			if w.pace != nil && !bytes.Equal(oidBytes(out.paceConfigurated.Protocol), w.pace) {
				t.Errorf("PACE ran %s", out.paceConfigurated.Protocol)
			}
			if w.mechanism != "BAC" && out.accessExchanges != 5 {
				t.Errorf("PACE took %d exchanges, want 5", out.accessExchanges)
			}
			if out.cam != nil {
				t.Errorf("CAM: %v", out.cam)
			}
			if out.caRun != (w.ca != nil) || (out.caRun && !bytes.Equal(oidBytes(out.caParams.Protocol), w.ca)) {
				t.Errorf("CA run %v with %s", out.caRun, out.caParams.Protocol)
			}
			if out.ca != nil {
				t.Fatalf("CA: %v", out.ca)
			}
			if out.aaRun != (w.aa != "") || out.aa != nil || (out.aaRun && out.aaResult.Algorithm != w.aa) {
				t.Errorf("AA run %v: %v", out.aaRun, out.aa)
			}
			if !bytes.Equal(out.dg1, c.Document().Files[issue.FIDOfDG(1)]) {
				t.Error("DG1 differs from the issued one")
			}
		})
	}
}

// TestBACOnEveryProfileThatHasIt: BAC opens every chip but the Căn cước
// card, and CA and AA work under a BAC session too.
func TestBACOnEveryProfileThatHasIt(t *testing.T) {
	for _, name := range Profiles() {
		if name == "cccd2024" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 22})
			r := newRun(t, c)
			r.readCardAccess()
			if err := r.bac(); err != nil {
				t.Fatalf("BAC: %v", err)
			}
			var dg14 *lds.SecurityInfos
			if c.Profile().has(14) {
				dg14, _ = lds.ParseDG14(r.read(14))
				if _, err := r.chipAuth(dg14); err != nil {
					t.Fatalf("CA after BAC: %v", err)
				}
			}
			if c.Profile().has(15) {
				if _, err := r.activeAuth(dg14); err != nil {
					t.Errorf("AA after BAC: %v", err)
				}
			}
			r.read(2)
		})
	}
}

func TestWrongPasswordDeniedWithoutRetry(t *testing.T) {
	other := newChip(t, "cccd", Options{Seed: 99})
	wrongCAN, _ := access.NewCAN(other.AccessData().CAN)
	for _, tc := range []struct {
		profile string
		key     access.Key
		sw      apdu.SW
	}{
		{"cccd", wrongCAN, apdu.SWSecurityStatus},
		{"cccd", mrzKey(t, other), apdu.SWSecurityStatus},
		{"cccd2024", wrongCAN, apdu.SWSecurityStatus},
		{"passport", mrzKey(t, other), apdu.SWVerifyFailed},
		{"passport-im", mrzKey(t, other), apdu.SWVerifyFailed},
		{"passport-cam", wrongCAN, apdu.SWVerifyFailed},
		{"passport-3des", mrzKey(t, other), apdu.SWVerifyFailed},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			c := newChip(t, tc.profile, Options{Seed: 23})
			r := newRun(t, c)
			r.readCardAccess()
			before := r.cnt.n
			err := r.pace(tc.key)
			if !errors.Is(err, access.ErrDenied) {
				t.Fatalf("wrong password: %v", err)
			}
			if n := r.cnt.n - before; n != 5 {
				t.Errorf("a wrong password took %d exchanges, want 5 (no retry)", n)
			}
			if !bytes.Contains([]byte(err.Error()), fmt.Appendf(nil, "%04X", uint16(tc.sw))) {
				t.Errorf("error does not name %04X: %v", uint16(tc.sw), err)
			}
		})
	}
	t.Run("BAC", func(t *testing.T) {
		c := newChip(t, "passport-bac-only", Options{Seed: 23})
		r := newRun(t, c)
		r.plain.Exchange(r.ctx, selectAID())
		_, err := bac.Authenticate(r.ctx, r.plain, mrzKey(t, other), nil)
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("wrong MRZ: %v", err)
		}
	})
}

// TestFailedPACEThenBAC: a CCCD answers a wrong PACE password with 6982,
// and BAC with the MRZ still opens it afterwards.
func TestFailedPACEThenBAC(t *testing.T) {
	c := newChip(t, "cccd", Options{Seed: 24})
	r := newRun(t, c)
	r.readCardAccess()
	wrong, _ := access.NewCAN("000000")
	if c.AccessData().CAN == "000000" {
		wrong, _ = access.NewCAN("000001")
	}
	if err := r.pace(wrong); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("wrong CAN: %v", err)
	}
	if err := r.bac(); err != nil {
		t.Fatalf("BAC after a failed PACE: %v", err)
	}
	r.read(13)
}

func TestCCCD2024RefusesBAC(t *testing.T) {
	c := newChip(t, "cccd2024", Options{Seed: 25})
	r := newRun(t, c)
	if sw := raw(t, c, selectAID()).SW; sw != apdu.SWOK {
		t.Fatalf("SELECT AID: %v", sw)
	}
	for _, cmd := range []apdu.Command{
		{INS: apdu.InsGetChallenge, Ne: 8},
		{INS: apdu.InsExternalAuthenticate, Data: make([]byte, 40), Ne: 40},
	} {
		if sw := raw(t, c, cmd).SW; sw != apdu.SWSecurityStatus {
			t.Errorf("%v answered %v, want 6982", cmd, sw)
		}
	}
	_, err := bac.Authenticate(r.ctx, r.plain, mrzKey(t, c), nil)
	if err == nil || errors.Is(err, access.ErrDenied) {
		t.Errorf("BAC on a PACE-only card: %v (want a refusal that is not a wrong key)", err)
	}
	r.readCardAccess()
	if err := r.pace(mrzKey(t, c)); err != nil {
		t.Errorf("PACE with the MRZ: %v", err)
	}
	if id := c.Document().Identity; id.DateOfIssue.Before(issueDate(2024, 7, 1)) {
		t.Errorf("a Căn cước card issued %v", id.DateOfIssue)
	}
}

func TestCloneTampersFail(t *testing.T) {
	for _, name := range Profiles() {
		p, _ := LookupProfile(name)
		if p.Security.CA != nil {
			t.Run(name+"/ca-clone", func(t *testing.T) {
				out := fullRun(t, newChip(t, name, Options{Seed: 26, Tamper: issue.CAClone}))
				if out.paceConfigurated.Mapping == "CAM" && !errors.Is(out.cam, pace.ErrChipAuthentication) {
					t.Errorf("CAM of a clone: %v", out.cam)
				}
				if !errors.Is(out.ca, chipauth.ErrFailed) {
					t.Errorf("CA of a clone: %v", out.ca)
				}
			})
		}
		if p.Security.AA != nil {
			t.Run(name+"/aa-clone", func(t *testing.T) {
				out := fullRun(t, newChip(t, name, Options{Seed: 26, Tamper: issue.AAClone}))
				if out.ca != nil || out.cam != nil {
					t.Errorf("aa-clone broke CA: %v %v", out.ca, out.cam)
				}
				if !errors.Is(out.aa, activeauth.ErrFailed) {
					t.Errorf("AA of a clone: %v", out.aa)
				}
			})
		}
	}
	if _, err := New("passport-bac-only", Options{Tamper: issue.CAClone}); !errors.Is(err, issue.ErrTamperNotApplicable) {
		t.Errorf("passport-bac-only with ca-clone: %v", err)
	}
	if _, err := New("passport-cam", Options{Tamper: issue.AAClone}); !errors.Is(err, issue.ErrTamperNotApplicable) {
		t.Errorf("passport-cam with aa-clone: %v", err)
	}
}

// TestFilesMatchProtocols: what EF.CardAccess, DG14, DG15 and
// EF.CardSecurity say is what the chip plays, and every document passes
// passive authentication against the TEST CSCA.
func TestFilesMatchProtocols(t *testing.T) {
	store := testTrust(t)
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 27})
			p, doc := c.Profile(), c.Document()
			checkCardAccess(t, p, doc)
			checkDG14(t, p, doc)
			if p.has(15) {
				dg15, err := lds.ParseDG15(doc.Files[issue.FIDOfDG(15)])
				if err != nil || (dg15.PublicKey.RSA != nil) != (p.Security.AA.Curve == nil) {
					t.Errorf("DG15: %v", err)
				}
			}
			if (doc.CardSecurity != nil) != p.Security.CardSecurity {
				t.Error("EF.CardSecurity presence")
			}
			dgs := map[int][]byte{}
			for _, n := range p.DataGroups {
				dgs[n] = doc.Files[issue.FIDOfDG(n)]
			}
			res := pa.VerifyBytes(doc.Files[issue.FIDSOD], pa.Options{Trust: store, AllowTestAnchors: true, DataGroups: dgs, IssuingState: "VNM"})
			if v := verify.Verdict(res.Report); v != "PASS" {
				t.Errorf("passive authentication %v: %+v", v, res.Report)
			}
		})
	}
}

func checkCardAccess(t *testing.T, p *Profile, doc *issue.Document) {
	t.Helper()
	raw, ok := doc.Files[issue.FIDCardAccess]
	if ok != (len(p.Security.PACE) > 0) {
		t.Fatalf("EF.CardAccess present %v with %d PACEInfos", ok, len(p.Security.PACE))
	}
	if !ok {
		return
	}
	if p.Kind != issue.Passport && !bytes.Equal(raw, issue.CCCDCardAccess) {
		t.Error("the card's EF.CardAccess differs from cccd.md")
	}
	infos, err := lds.ParseSecurityInfos(raw)
	if err != nil || len(infos.Unknown) > 0 || len(pace.Candidates(infos)) != len(p.Security.PACE) {
		t.Fatalf("EF.CardAccess: %v, %d unknown, %d runnable of %d", err, len(infos.Unknown), len(pace.Candidates(infos)), len(p.Security.PACE))
	}
	for i, info := range p.Security.PACE {
		if pi := infos.PACE[i]; !slices.ContainsFunc(infos.PACE, func(x lds.PACEInfo) bool {
			return x.Protocol.Equal(info.Protocol) && x.ParameterID != nil && *x.ParameterID == info.ParameterID && x.Version == 2
		}) {
			t.Errorf("PACEInfo %s missing (have %s)", info.Protocol, pi.Protocol)
		}
	}
}

func checkDG14(t *testing.T, p *Profile, doc *issue.Document) {
	t.Helper()
	if !p.has(14) {
		if p.Security.CA != nil {
			t.Error("chip authentication without DG14")
		}
		return
	}
	dg14, err := lds.ParseDG14(doc.Files[issue.FIDOfDG(14)])
	if err != nil || len(dg14.Unknown) > 0 {
		t.Fatalf("DG14: %v", err)
	}
	ca, err := chipauth.Select(dg14)
	if err != nil || !ca.Protocol.Equal(p.Security.CA.Protocol) || ca.Inferred {
		t.Errorf("DG14 chip authentication: %v %s", err, ca.Protocol)
	}
	wantAA := p.Security.AA != nil && p.Security.AA.Curve != nil
	if got := len(dg14.ActiveAuthentication) == 1; got != wantAA {
		t.Errorf("ActiveAuthenticationInfo present %v, want %v", got, wantAA)
	} else if wantAA && !dg14.ActiveAuthentication[0].SignatureAlgorithm.Equal(p.Security.AA.Signature) {
		t.Error("ActiveAuthenticationInfo algorithm")
	}
	if got := len(dg14.TerminalAuthentication) == 1; got != p.Security.TA {
		t.Errorf("TerminalAuthenticationInfo present %v", got)
	}
}

func TestDeterministicPerSeed(t *testing.T) {
	for _, name := range Profiles() {
		a, b := newChip(t, name, Options{Seed: 28}), newChip(t, name, Options{Seed: 28})
		da, db := a.Document(), b.Document()
		if len(da.Files) != len(db.Files) || !bytes.Equal(da.CardSecurity, db.CardSecurity) {
			t.Errorf("%s: files differ", name)
		}
		for fid, f := range da.Files {
			if !bytes.Equal(f, db.Files[fid]) {
				t.Errorf("%s: file %04X differs between two chips of one seed", name, fid)
			}
		}
		if a.AccessData() != b.AccessData() {
			t.Errorf("%s: access data differ", name)
		}
		c := newChip(t, name, Options{Seed: 29})
		if bytes.Equal(c.Document().Files[issue.FIDSOD], da.Files[issue.FIDSOD]) {
			t.Errorf("%s: two seeds, one EF.SOD", name)
		}
	}
}

// TestLimitsOnEveryProfile: --no-extended and --max-response work with
// every access protocol. A DH chip's 2048-bit PACE needs extended length:
// without it PACE fails (not as a wrong password) and BAC opens the chip.
func TestLimitsOnEveryProfile(t *testing.T) {
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 30, Limits: Limits{NoExtended: true, MaxResponse: 200}})
			r := newRun(t, c)
			r.chunk = 160
			switch {
			case !r.readCardAccess():
				if err := r.bac(); err != nil {
					t.Fatal(err)
				}
			case name == "passport-dh":
				if err := r.pace(paceKey(t, c)); err == nil || errors.Is(err, access.ErrDenied) {
					t.Fatalf("DH PACE without extended length: %v", err)
				}
				if err := r.bac(); err != nil {
					t.Fatal(err)
				}
			default:
				if err := r.pace(paceKey(t, c)); err != nil {
					t.Fatal(err)
				}
				r.selectApp()
			}
			if got := r.read(2); !bytes.Equal(got, c.Document().Files[issue.FIDOfDG(2)]) {
				t.Error("DG2 differs")
			}
		})
	}
}

func TestPlainSecurityCommandsAnswer6982(t *testing.T) {
	c := newChip(t, "passport", Options{Seed: 31})
	raw(t, c, selectAID())
	for _, cmd := range []apdu.Command{
		{INS: apdu.InsInternalAuthenticate, Data: make([]byte, 8), Ne: 256},
		{INS: apdu.InsManageSecurityEnv, P1: 0x41, P2: 0xA4, Data: []byte{0x80, 0x01, 0x00}},
	} {
		if sw := raw(t, c, cmd).SW; sw != apdu.SWSecurityStatus {
			t.Errorf("plain %v answered %v, want 6982", cmd, sw)
		}
	}
}

func TestCardSecurityOnlyAtTheMasterFile(t *testing.T) {
	c := newChip(t, "passport-cam", Options{Seed: 32})
	r := newRun(t, c)
	r.readCardAccess()
	if err := r.pace(paceKey(t, c)); err != nil {
		t.Fatal(err)
	}
	if got := r.read(0x1D); !bytes.Equal(got, c.Document().CardSecurity) {
		t.Error("SFI 1D at the master file is not EF.CardSecurity")
	}
	r.selectApp()
	if got := r.read(0x1D); !bytes.Equal(got, c.Document().Files[issue.FIDSOD]) {
		t.Error("SFI 1D in the application is not EF.SOD")
	}
	if got := r.read(0x1C); !bytes.Equal(got, c.Document().Files[issue.FIDCardAccess]) {
		t.Error("EF.CardAccess not reachable from the application")
	}
}

func issueDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
