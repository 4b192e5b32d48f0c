package sim

import (
	"bytes"
	"fmt"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// Attacks of the red team (issue 13: "close the class, not the list"):
// a relay or a clone that changes what a read returns without changing
// what is signed. Each must end FAIL by the check that names it; the
// file layer must hash and show the same bytes, whatever the chip does
// between two reads of a file.
func init() { catalogue = append(catalogue, redteamAttacks...) }

var redteamAttacks = []*Attack{
	{
		Name: "reread-differs",
		Description: "the chip gives the first 32 bytes of DG11 and DG13 as issued, then drops its session; once the " +
			"reader has opened it again it gives the rest from an edited copy (a relay that learnt where the name is): " +
			"the bytes shown must be the bytes hashed, so the hash fails",
		needs: needsDG(11, 13), forge: rereadDiffers(11, 13),
		caught: catches(failOf(check.DGHash(11), 11), failOf(check.DGHash(13), 13)),
	},
	{
		Name: "overlong-answer",
		Description: "every READ BINARY of DG2 answers 16 bytes more than the file holds there (112 bytes of the " +
			"file, then 16 of the relay's): the reader must not take them for the file",
		needs: needsDG(2), forge: overlongAnswers(2),
		caught: catches(failOf(check.DGHash(2), 2)),
	},
	{
		Name: "ca-unconfirmed",
		Description: "the chip completes chip authentication's commands (9000), then answers the first command " +
			"under the new keys unprotected (9000) and drops its session: it claims success and proves nothing, as a " +
			"clone that cannot derive the new keys would",
		needs: needsCAv1, forge: caUnconfirmed,
		caught: catches(failOf(check.ChipAuth, 14)),
	},
	{
		Name: "aa-replayed",
		Description: "INTERNAL AUTHENTICATE is answered with the genuine chip's signature over another challenge " +
			"(one recorded earlier): it does not sign the reader's challenge",
		needs: needsDG(15), forge: replayAASignature,
		caught: catches(failOf(check.ActiveAuth, 15)),
	},
}

// rewrite changes the chip's answer to a protected command (cmd as
// unwrapped) before it is protected. It may end the session
// (c.dropSession): the answer then goes out unprotected.
type rewrite func(c *Chip, cmd apdu.Command, res Result) Result

// rewrite applies the attack's rewrites to an answer.
func (c *Chip) rewrite(cmd apdu.Command, res Result) Result {
	if c.hostile == nil {
		return res
	}
	for _, rw := range c.hostile.rewrites {
		res = rw(c, cmd, res)
	}
	return res
}

// readAnswer reports the file and offset of a READ BINARY (B0) answered
// with data (9000, or 6282 at the end of the file); ok is false for any
// other answer.
func (c *Chip) readAnswer(cmd apdu.Command, res Result) (fid uint16, offset int, ok bool) {
	sw := res.Response.SW
	if cmd.INS != apdu.InsReadBinary || sw != apdu.SWOK && sw != apdu.SWEndOfFile || len(res.Response.Data) == 0 {
		return 0, 0, false
	}
	fid, ok = c.target(cmd)
	offset = int(cmd.P1)<<8 | int(cmd.P2)
	if cmd.P1&0x80 != 0 {
		offset = int(cmd.P2)
	}
	return fid, offset, ok
}

// rereadPrefix is how much of a file reread-differs gives as issued.
const rereadPrefix = 32

// rereadDiffers gives the first bytes of each data group as issued, drops
// the session at the next read of it, and from then on answers from an
// edited copy.
func rereadDiffers(dgs ...int) func(f *forgery) error {
	return func(f *forgery) error {
		edited := map[uint16][]byte{}
		for _, n := range dgs {
			if data, ok := f.doc.Files[issue.FIDOfDG(n)]; ok {
				edited[issue.FIDOfDG(n)] = editLastLetter(data, rereadPrefix)
			}
		}
		phase := map[uint16]int{}
		f.rewrites = append(f.rewrites, func(c *Chip, cmd apdu.Command, res Result) Result {
			fid, offset, ok := c.readAnswer(cmd, res)
			alt, target := edited[fid]
			if !ok || !target {
				return res
			}
			switch phase[fid] {
			case 0: // as issued, cut short: the reader asks for the rest
				phase[fid] = 1
				res.Response = apdu.Response{Data: res.Response.Data[:min(len(res.Response.Data), rereadPrefix)], SW: apdu.SWOK}
			case 1: // the session ends; the reader opens it again
				phase[fid] = 2
				c.dropSession()
				return answer(apdu.SWSMDataObjectsIncorrect)
			default:
				res.Response.Data = bytes.Clone(alt[offset:min(len(alt), offset+len(res.Response.Data))])
			}
			return res
		})
		return nil
	}
}

// editLastLetter returns data with the case of its last ASCII letter at
// or after from changed (a name still reads as one).
func editLastLetter(data []byte, from int) []byte {
	out := bytes.Clone(data)
	for i := len(out) - 1; i >= from; i-- {
		if b := out[i] | 0x20; b >= 'a' && b <= 'z' {
			out[i] ^= 0x20
			break
		}
	}
	return out
}

// overlongAnswers cuts every READ BINARY answer of the data groups to
// overlongFile bytes and adds overlongJunk bytes of the relay's own.
func overlongAnswers(dgs ...int) func(f *forgery) error {
	const overlongFile, overlongJunk = 112, 16
	return func(f *forgery) error {
		f.rewrites = append(f.rewrites, func(c *Chip, cmd apdu.Command, res Result) Result {
			fid, _, ok := c.readAnswer(cmd, res)
			if !ok || !isDataGroupOf(fid, dgs) {
				return res
			}
			data := res.Response.Data[:min(len(res.Response.Data), overlongFile)]
			res.Response.Data = append(bytes.Clone(data), bytes.Repeat([]byte{0xEE}, overlongJunk)...)
			return res
		})
		return nil
	}
}

func isDataGroupOf(fid uint16, dgs []int) bool {
	for _, n := range dgs {
		if fid == issue.FIDOfDG(n) {
			return true
		}
	}
	return false
}

// caUnconfirmed answers the first command after chip authentication
// unprotected, with 9000, and drops the session.
func caUnconfirmed(f *forgery) error {
	rekeyed := false
	f.filters["CA"] = func(_ apdu.Command, res Result) Result {
		rekeyed = rekeyed || res.Session != nil
		return res
	}
	f.rewrites = append(f.rewrites, func(c *Chip, cmd apdu.Command, res Result) Result {
		if !rekeyed || isCACommand(cmd) {
			return res
		}
		rekeyed = false
		c.dropSession()
		return answer(apdu.SWOK)
	})
	return nil
}

// recordedChallenge is the challenge aa-replayed's signature was made over.
var recordedChallenge = []byte("recorded")

// replayAASignature makes INTERNAL AUTHENTICATE sign recordedChallenge,
// whatever the reader sent.
func replayAASignature(f *forgery) error {
	aa, err := NewAA(f.doc)
	if err != nil {
		return fmt.Errorf("active authentication: %w", err)
	}
	f.replace["AA"] = &replayingAA{Protocol: aa}
	return nil
}

// replayingAA signs a recorded challenge instead of the reader's.
type replayingAA struct{ Protocol }

func (p *replayingAA) Respond(cmd apdu.Command) Result {
	if cmd.INS == apdu.InsInternalAuthenticate {
		cmd.Data = recordedChallenge
	}
	return p.Protocol.Respond(cmd)
}
