package sim

import (
	"bytes"
	"fmt"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// forgery is an attack being built on an issued document: its files and
// the keys its chip holds may change, and the chip may behave otherwise
// than the protocols say. It works through the quirk framework's Build
// (the document changes after issuing, the protocols wrapped), plus what
// only a hostile chip does while it runs (hostile).
type forgery struct {
	profile *Profile
	seed    uint64
	doc     *issue.Document
	// hidden files are left out of the chip: under secure messaging it
	// answers 6A82 for them, protected like any other answer.
	hidden []uint16
	// plainRefused files are answered with an unprotected status word
	// (6A82, 6982) during secure messaging: what a relay can inject.
	plainRefused map[uint16]apdu.SW
	// filters change a protocol's answers, by protocol name.
	filters map[string]filter
	// replace swaps a protocol for another, by name.
	replace map[string]Protocol
	// swapAt: the first command that reaches this file ends the session
	// (unprotected 6988) and from then on a clone answers (0: never).
	swapAt uint16
	// rewrites change the chip's answers to protected commands before
	// they are protected (attacks_redteam.go).
	rewrites []rewrite
}

// filter changes one protocol's answer to cmd.
type filter func(cmd apdu.Command, res Result) Result

// hostile is the chip-side behaviour of an attack while the chip runs.
type hostile struct {
	plainRefused map[uint16]apdu.SW
	swapAt       uint16
	swapped      bool
	clone        []Protocol // the protocols of the chip swapped in
	rewrites     []rewrite
}

// attackOn checks that the named attack exists and fits the chip being
// built, before anything is issued, and registers it with the build: once
// the document is issued it is forged (files and keys), and the protocols
// are filtered or replaced as the attack says. The forgery returned holds
// what the running chip does besides (arm). Nil for no attack.
func attackOn(b *Build, name string) (*forgery, error) {
	if name == "" {
		return nil, nil
	}
	a, err := LookupAttack(name)
	if err != nil {
		return nil, err
	}
	if err := a.Fits(b.Profile); err != nil {
		return nil, err
	}
	f := &forgery{profile: b.Profile, seed: b.Issue.Seed, filters: map[string]filter{}, replace: map[string]Protocol{},
		plainRefused: map[uint16]apdu.SW{}}
	if a.issue != nil {
		a.issue(b.Issue)
	}
	b.AfterIssue(func(doc *issue.Document) error {
		f.doc = doc
		if a.clone {
			if err := f.cloneKeys(); err != nil {
				return err
			}
		}
		if a.forge == nil {
			return nil
		}
		if err := a.forge(f); err != nil {
			return fmt.Errorf("attack %s: %w", name, err)
		}
		for _, fid := range f.hidden {
			delete(doc.Files, fid)
		}
		return nil
	})
	b.WrapProtocol(func(p Protocol) Protocol {
		if r, ok := f.replace[p.Name()]; ok {
			p = r
		}
		if fl, ok := f.filters[p.Name()]; ok {
			p = &filtered{Protocol: p, filter: fl}
		}
		return p
	})
	return f, nil
}

// cloneKeys gives the chip keys of its own: a clone cannot extract the
// document's.
func (f *forgery) cloneKeys() error {
	ca, aa, err := issue.CloneKeys(f.seed, f.doc.Security)
	if err != nil {
		return err
	}
	if ca != nil {
		f.doc.CAKey = ca
	}
	if aa != nil {
		f.doc.AAKey = aa
	}
	return nil
}

// setFile replaces a file of the document (nil removes it).
func (f *forgery) setFile(fid uint16, data []byte) {
	if data == nil {
		delete(f.doc.Files, fid)
		return
	}
	f.doc.Files[fid] = data
}

// withInfos returns a SecurityInfos SET (bare, as in EF.CardAccess, or in
// DG14's tag 6E) with more entries.
func withInfos(file []byte, more ...[]byte) ([]byte, error) {
	set, wrapped := file, false
	if t, _, err := tlv.Decode(file); err == nil && t.Tag == 0x6E {
		set, wrapped = t.Value, true
	}
	outer, _, err := tlv.Decode(set)
	if err != nil {
		return nil, fmt.Errorf("SecurityInfos: %w", err)
	}
	kids, err := outer.Children()
	if err != nil {
		return nil, fmt.Errorf("SecurityInfos: %w", err)
	}
	var infos [][]byte
	for _, k := range kids {
		infos = append(infos, tlv.Encode(k.Tag, k.Value))
	}
	out := issue.EncodeSecurityInfos(append(infos, more...))
	if wrapped {
		out = tlv.Encode(0x6E, out)
	}
	return out, nil
}

// arm gives the running chip the attack's behaviour: unprotected refusals,
// and the clone's protocols for a swap.
func (c *Chip) arm(f *forgery) error {
	c.hostile = &hostile{plainRefused: f.plainRefused, swapAt: f.swapAt, rewrites: f.rewrites}
	if f.swapAt == 0 {
		return nil
	}
	clone := *f.doc
	var err error
	if clone.CAKey, clone.AAKey, err = issue.CloneKeys(f.seed, f.doc.Security); err != nil {
		return err
	}
	for _, factory := range c.profile.Protocols {
		proto, err := factory(&clone)
		if err != nil {
			return err
		}
		c.hostile.clone = append(c.hostile.clone, proto)
	}
	return nil
}

// intercept answers an unwrapped command the attack's way instead of the
// chip's (ok false: the chip answers). The answer is unprotected.
func (c *Chip) intercept(cmd apdu.Command) (resp apdu.Response, ok bool) {
	h := c.hostile
	if h == nil {
		return apdu.Response{}, false
	}
	fid, targets := c.target(cmd)
	switch {
	case !targets:
	case h.plainRefused[fid] != 0:
		return status(h.plainRefused[fid]), true
	case fid == h.swapAt && !h.swapped:
		// The chip drops its session as if the card had left the field,
		// and another chip (a clone with the same files) answers the
		// reader's next session.
		h.swapped = true
		c.dropSession()
		c.protocols = h.clone
		return status(apdu.SWSMDataObjectsIncorrect), true
	}
	return apdu.Response{}, false
}

// target is the file a SELECT or READ BINARY reaches: by file identifier,
// by short file identifier, or the current file.
func (c *Chip) target(cmd apdu.Command) (uint16, bool) {
	switch cmd.INS {
	case apdu.InsSelect:
		if (cmd.P1 == 0x00 || cmd.P1 == 0x02) && len(cmd.Data) == 2 {
			return uint16(cmd.Data[0])<<8 | uint16(cmd.Data[1]), true
		}
	case apdu.InsReadBinary:
		if cmd.P1&0x80 != 0 {
			return c.sfiTarget(cmd.P1 & 0x1F)
		}
		if c.current != nil {
			return c.current.fid, true
		}
	case apdu.InsReadBinaryOdd:
		switch fid := uint16(cmd.P1)<<8 | uint16(cmd.P2); {
		case fid == 0 && c.current != nil:
			return c.current.fid, true
		case cmd.P1 == 0 && cmd.P2 < 0x1F:
			return c.sfiTarget(cmd.P2)
		case fid != 0:
			return fid, true
		}
	}
	return 0, false
}

// sfiTarget maps a short file identifier to the file identifier it names
// in the LDS1 application (files the attack hid included).
func (c *Chip) sfiTarget(sfi byte) (uint16, bool) {
	if sfi == 0 {
		return 0, false
	}
	return 0x0100 | uint16(sfi), true
}

// filtered is a protocol whose answers an attack changes.
type filtered struct {
	Protocol
	filter filter
}

func (p *filtered) Respond(cmd apdu.Command) Result { return p.filter(cmd, p.Protocol.Respond(cmd)) }

// replaceObject rewrites the data objects inside a dynamic authentication
// data template (7C) of a GENERAL AUTHENTICATE answer: edit gets each
// object and returns it changed, or nil to leave it out.
func replaceObject(data []byte, edit func(tlv.TLV) []byte) []byte {
	inner, err := tlv.Unwrap(data, 0x7C)
	if err != nil {
		return data
	}
	objs, err := tlv.DecodeAll(inner)
	if err != nil {
		return data
	}
	var out [][]byte
	for _, o := range objs {
		if b := edit(o); b != nil {
			out = append(out, b)
		}
	}
	return tlv.Encode(0x7C, bytes.Join(out, nil))
}
