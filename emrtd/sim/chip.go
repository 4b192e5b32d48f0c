// Package sim is idagent's software chip: an eMRTD that answers APDUs like
// a real one, quirks included, for tests, benchmarks and the agent's
// simulate mode.
//
// A Chip plays one profile (Profiles: cccd, cccd2024, passport and one
// passport per other mechanism; Documents: chips modelled on real
// documents), with the behaviours of real chips asked for (Quirks, each
// with its real-chips.md catalogue id), and a document issued from a seed
// (emrtd/sim/issue) consistently with the protocols it runs (BAC, PACE,
// chip and active authentication, each the chip side of its emrtd
// package), optionally forged (a tamper kind), within
// APDU limits and, optionally, as slowly as a contactless link
// (emrtd/sim/link). It implements nfc.Responder, so the in-process virtual
// reader (nfc/virtual) and the vpcd connector into a real pcscd (nfc/vpcd)
// both drive it. Its test trust anchor is TrustAnchor.
//
// Chip behaviour, in brief (docs/SIMULATOR.md has the whole of it):
//   - SELECT by AID, by file identifier (P2=0C, or 00/04 with an FCP), SELECT
//     MF; READ BINARY by offset, by short file identifier, and with the odd
//     INS and DO'54' for large offsets;
//   - EF.CardAccess is readable without access control; every other file
//     only under the secure messaging session an access protocol (BAC,
//     PACE) opened; chip authentication re-keys that session, active
//     authentication signs under it;
//   - a plain command during secure messaging ends the session, as does a
//     secure messaging error (answered 6987/6988 unprotected);
//   - Reset drops the session and the selections.
package sim

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc/apdu"
)

// AID of the eMRTD LDS1 application.
var AID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// Options choose the chip's document and behaviour beyond its profile.
type Options struct {
	Seed   uint64       // the identity and keys; same seed, same person
	Tamper issue.Tamper // a forgery applied at issuing time
	// Attack makes the chip a hostile one (Attacks lists them): a clone,
	// or a relay that changes what the genuine chip answers.
	Attack  string
	Parents issue.ParentsNesting // DG13's layout of the parents' names
	Limits  Limits
	// Link, when set, delays every response by the link's time for the
	// exchange, inside Respond (for the vpcd connector, which has no link
	// of its own). With nfc/virtual, pass Link.Delay to the reader instead.
	Link *link.Model
	// Quirks are behaviours of real chips played on top of the profile's
	// own (Quirks() lists them; docs/SIMULATOR.md, Quirks).
	Quirks []string
	// Sleep is how the chip waits when a quirk makes it slow (the delay
	// after a refused BAC); nil means time.Sleep. Tests pass a recorder, so
	// they do not depend on the wall clock.
	Sleep func(time.Duration)
}

// Chip is a software eMRTD. It is safe for concurrent use; commands are
// answered one at a time, like a card.
type Chip struct {
	profile   *Profile
	doc       *issue.Document
	files     fileTree
	protocols []Protocol
	limits    Limits
	link      *link.Model
	hostile   *hostile // the attack's behaviour, nil for an honest chip
	quirks    []string
	behaviour Behaviour
	sleep     func(time.Duration)

	mu        sync.Mutex
	appSelect bool // the LDS1 application is selected
	current   *file
	session   *sm.Session
	blockSize int    // of the session's cipher
	pending   []byte // the rest of an answer GET RESPONSE fetches (T-05)
	// paceTouched: a PACE command was taken since the last reset (AC-03).
	paceTouched bool
	// bacRefused: the last EXTERNAL AUTHENTICATE was refused; the next is
	// delayed (T-08). A reset does not clear it.
	bacRefused bool
	// lastReadExact: the last READ BINARY asked, with an explicit short
	// Le, for exactly the bytes left in the file (SM-04).
	lastReadExact bool
}

// TrustAnchor returns the DER certificate of the TEST CSCA that signs
// every simulated document. It is a test anchor: load it only in simulate
// mode, flagged as such, never into a production trust store.
func TrustAnchor() []byte { return testpki.CSCA() }

// New issues a document for the named profile and returns its chip.
func New(profile string, opts Options) (*Chip, error) {
	base, err := LookupProfile(profile)
	if err != nil {
		return nil, err
	}
	b := &Build{
		Profile:   base.clone(),
		Issue:     &issue.Options{Seed: opts.Seed, Parents: opts.Parents, Tamper: opts.Tamper},
		Behaviour: &Behaviour{},
	}
	if err := applyQuirks(b, base.Quirks, opts.Quirks); err != nil {
		return nil, err
	}
	attack, err := attackOn(b, opts.Attack)
	if err != nil {
		return nil, err
	}
	p := b.Profile
	b.Issue.Kind, b.Issue.DataGroups, b.Issue.Security = p.Kind, p.DataGroups, p.Security
	doc, err := issue.Issue(*b.Issue)
	if err != nil {
		return nil, fmt.Errorf("sim: issue %s document: %w", p.Name, err)
	}
	for _, hook := range b.afterIssue {
		if err := hook(doc); err != nil {
			return nil, fmt.Errorf("sim: %s document: %w", p.Name, err)
		}
	}
	c := &Chip{profile: p, doc: doc, files: buildFiles(doc, p.TAProtected), limits: opts.Limits, link: opts.Link,
		quirks: slices.Concat(base.Quirks, opts.Quirks), behaviour: *b.Behaviour, sleep: opts.Sleep}
	if c.sleep == nil {
		c.sleep = time.Sleep
	}
	if !p.Extended {
		c.limits.NoExtended = true
	}
	for _, factory := range p.Protocols {
		proto, err := factory(doc)
		if err != nil {
			return nil, err
		}
		if proto == nil { // a quirk took the protocol away
			continue
		}
		for _, wrap := range b.wrap {
			proto = wrap(proto)
		}
		c.protocols = append(c.protocols, proto)
	}
	if attack != nil {
		if err := c.arm(attack); err != nil {
			return nil, fmt.Errorf("sim: attack %s: %w", opts.Attack, err)
		}
	}
	return c, nil
}

// Quirks names the quirks the chip plays: its profile's, then the ones of
// Options.Quirks.
func (c *Chip) Quirks() []string { return slices.Clone(c.quirks) }

// Protocols names the security protocols the chip runs, in the order it
// tries them ("PACE", "BAC", "CA", "AA"; "BAC refused" on a PACE-only
// chip).
func (c *Chip) Protocols() []string {
	names := make([]string, len(c.protocols))
	for i, p := range c.protocols {
		names[i] = p.Name()
	}
	return names
}

// Profile returns the chip's profile.
func (c *Chip) Profile() *Profile { return c.profile }

// Document returns the issued document (files, keys, signer). Tests use it
// to compare what a reader got with what was issued.
func (c *Chip) Document() *issue.Document { return c.doc }

// AccessData returns what opens the chip: the printed MRZ and the numbers
// derived from it. Reader is empty; whoever inserts the card fills it in.
func (c *Chip) AccessData() AccessData { return accessDataOf(c.doc, c.profile.Kind) }

// ATR is the chip's answer to reset.
func (c *Chip) ATR() []byte { return append([]byte(nil), c.profile.ATR...) }

// Reset is a power cycle: the session, the selections and any protocol
// exchange in progress are forgotten.
func (c *Chip) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropSession()
	c.appSelect, c.current = false, nil
	c.pending, c.paceTouched = nil, false
}

// Respond answers one command APDU. With a link model it returns after the
// link's time for the exchange.
func (c *Chip) Respond(command []byte) []byte {
	start := time.Now()
	c.mu.Lock()
	out := c.respond(command).Bytes()
	c.mu.Unlock()
	if c.link != nil {
		if wait := c.link.Delay(command, out) - time.Since(start); wait > 0 {
			time.Sleep(wait)
		}
	}
	return out
}

func (c *Chip) respond(raw []byte) apdu.Response {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return status(apdu.SWWrongLength)
	}
	if cmd.INS == apdu.InsGetResponse && c.pending != nil {
		return c.getResponse(cmd)
	}
	c.pending = nil
	return c.deferAnswer(cmd, c.answer(cmd))
}

// answer answers one command (GET RESPONSE aside).
func (c *Chip) answer(cmd apdu.Command) apdu.Response {
	if cmd.ForceExtended && c.limits.NoExtended {
		return status(apdu.SWWrongLength)
	}
	if cmd.CLA&^(claChaining|claSM) != 0x00 {
		return status(apdu.SWCLANotSupported)
	}
	if sw, reject := c.overLimit(cmd); reject {
		return status(sw)
	}
	if cmd.CLA&claSM == 0 {
		return c.respondPlain(cmd)
	}
	return c.respondSecured(cmd)
}

// respondPlain answers an unprotected command. A plain command during
// secure messaging ends the session first (the chip forgets its access
// rights), so a plain READ after access control answers 6982.
func (c *Chip) respondPlain(cmd apdu.Command) apdu.Response {
	if c.session != nil {
		c.abortSession()
	}
	res := c.dispatch(cmd, false, c.readCap(cmd, 0))
	if res.Session != nil {
		c.openSession(res.Session)
	}
	return res.Response
}

// respondSecured unwraps a protected command, answers it and wraps the
// answer. Length checks come first and answer unprotected without counting
// the command; a secure messaging error ends the session.
func (c *Chip) respondSecured(cmd apdu.Command) apdu.Response {
	if c.session == nil {
		return status(apdu.SWSMDataObjectsIncorrect)
	}
	plain, err := c.session.UnwrapCommand(cmd)
	if err != nil {
		c.abortSession()
		return status(sm.ChipStatus(err))
	}
	if resp, ok := c.intercept(plain); ok {
		return resp
	}
	res, abort := c.dispatchSecured(plain, c.readCap(cmd, c.blockSize))
	res = c.rewrite(plain, res)
	session := c.session
	if session == nil { // a protocol reset the chip's state
		return res.Response
	}
	if abort || isError(res.Response.SW) && c.behaviour.SMErrors != SMErrorProtected {
		return c.plainError(res.Response.SW, abort)
	}
	wrapped, err := session.WrapResponse(res.Response)
	if err != nil {
		c.dropSession()
		return status(apdu.SWNoPreciseDiagnosis)
	}
	if res.Session != nil {
		c.openSession(res.Session)
	}
	if c.behaviour.SODLastBlockMAC && c.lastReadExact && c.current != nil && c.current.fid == issue.FIDSOD && plain.INS == apdu.InsReadBinary {
		wrapped.Data[len(wrapped.Data)-1] ^= 0x01 // SM-04: a wrong MAC on the last short block
	}
	return wrapped
}

func (c *Chip) openSession(s *sm.Session) {
	c.session = s
	c.blockSize = s.Cipher().BlockSize()
}

// abortSession ends secure messaging after an error, as the chip's
// quirks say (SM-01: the master file selected).
func (c *Chip) abortSession() {
	c.dropSession()
	if c.behaviour.AbortSelectsMF {
		c.appSelect, c.current = false, nil
	}
}

// dropSession ends secure messaging and resets every protocol.
func (c *Chip) dropSession() {
	if c.session != nil {
		c.session.Close()
	}
	c.session = nil
	for _, p := range c.protocols {
		p.Reset()
	}
}

// dispatch answers a plain (or unwrapped) command. readCap is the most
// plain data a READ BINARY may return. A protocol command that the chip
// takes only under secure messaging (chip and active authentication)
// answers 6982 when it comes plain.
func (c *Chip) dispatch(cmd apdu.Command, secured bool, readCap int) Result {
	if sw, refused := c.refuseByQuirk(cmd); refused {
		return answer(sw)
	}
	for _, p := range c.protocols {
		if p.Accepts(cmd, secured) {
			return c.runProtocol(p, cmd)
		}
	}
	if !secured {
		for _, p := range c.protocols {
			if p.Accepts(cmd, true) {
				return answer(apdu.SWSecurityStatus)
			}
		}
	}
	if cmd.CLA&claChaining != 0 {
		return answer(swChainingNotSupported) // only PACE chains its commands
	}
	switch cmd.INS {
	case apdu.InsSelect:
		return Result{Response: c.selectFile(cmd, secured)}
	case apdu.InsReadBinary:
		return Result{Response: c.readBinary(cmd, secured, readCap)}
	case apdu.InsReadBinaryOdd:
		return Result{Response: c.readBinaryOdd(cmd, secured, readCap)}
	}
	return answer(apdu.SWINSNotSupported)
}

// Class byte bits the chip knows: command chaining (PACE's GENERAL
// AUTHENTICATE steps) and secure messaging.
const (
	claChaining = 0x10
	claSM       = 0x0C
)

// swChainingNotSupported answers a chained command outside PACE.
const swChainingNotSupported apdu.SW = 0x6884

func status(sw apdu.SW) apdu.Response { return apdu.Response{SW: sw} }
