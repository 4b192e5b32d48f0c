package sim

import (
	"github.com/idagent/idagent/nfc/apdu"
)

// This file is the chip side of the Behaviour knobs that act on whole
// commands: how refused protected commands are answered (SM-01, SM-02),
// Le = 00 refused (T-01), extended Le answered empty (T-03), AA
// signatures cut (T-04), GET RESPONSE (T-05), strict case-3 commands
// (T-07), the delay after a refused BAC (T-08) and BAC refused after PACE
// (AC-03). File access knobs are in fileops.go.

// dispatchSecured answers an unwrapped protected command. abort reports a
// refusal that ends secure messaging whatever SMErrors says (T-01's
// Russian passport).
func (c *Chip) dispatchSecured(cmd apdu.Command, readCap int) (res Result, abort bool) {
	b := &c.behaviour
	isRead := cmd.INS == apdu.InsReadBinary || cmd.INS == apdu.InsReadBinaryOdd
	if isRead && b.Le00 != 0 && cmd.Ne == apdu.MaxShortNe && !cmd.ForceExtended {
		return answer(b.Le00), b.Le00Aborts
	}
	res = c.dispatch(cmd, true, readCap)
	if b.CAFailureEndsSession && isCACommand(cmd) && isError(res.Response.SW) {
		return res, true
	}
	if b.AACut && cmd.INS == apdu.InsInternalAuthenticate && cmd.Ne <= apdu.MaxShortNe && len(res.Response.Data) > readCap {
		res.Response.Data = res.Response.Data[:readCap]
	}
	return res, false
}

// isCACommand reports a chip authentication command: MSE:Set KAT or Set
// AT for internal authentication (P1 41), or GENERAL AUTHENTICATE under
// secure messaging (PACE's comes plain).
func isCACommand(cmd apdu.Command) bool {
	return cmd.INS == apdu.InsManageSecurityEnv && cmd.P1 == 0x41 || cmd.INS == apdu.InsGeneralAuthenticate
}

// refuseByQuirk answers the commands a quirk refuses before the chip
// looks at them: an extended Le answered empty (T-03), an Le on a case-3
// command (T-07).
func (c *Chip) refuseByQuirk(cmd apdu.Command) (apdu.SW, bool) {
	b := &c.behaviour
	if b.ExtendedEmpty && cmd.Ne > apdu.MaxShortNe {
		return apdu.SWOK, true
	}
	if b.StrictCase3 && cmd.Ne > 0 && (cmd.INS == apdu.InsSelect && cmd.P2 == 0x0C || cmd.INS == apdu.InsManageSecurityEnv) {
		return apdu.SWWrongLength, true
	}
	return 0, false
}

// runProtocol answers a protocol's command, with the quirks around access
// control: BAC refused after PACE until a reset (AC-03), and the delay of
// EXTERNAL AUTHENTICATE after a refused one (T-08), which a reset does not
// lift (a card lifted and laid down again still waits).
func (c *Chip) runProtocol(p Protocol, cmd apdu.Command) Result {
	b := &c.behaviour
	switch p.Name() {
	case "PACE":
		c.paceTouched = true
	case "BAC":
		if b.NoBACAfterPACE && c.paceTouched {
			return answer(apdu.SWConditionsNotSatisfied)
		}
		if cmd.INS == apdu.InsExternalAuthenticate {
			if c.bacRefused && b.BACDelay > 0 {
				c.sleep(b.BACDelay)
			}
			res := p.Respond(cmd)
			c.bacRefused = res.Response.SW != apdu.SWOK
			return res
		}
	}
	return p.Respond(cmd)
}

// plainError answers a refused protected command with its status word
// unprotected, as SMErrors says (abort: whatever it says, the session
// ends).
func (c *Chip) plainError(sw apdu.SW, abort bool) apdu.Response {
	switch {
	case abort || c.behaviour.SMErrors == SMErrorPlainAbort:
		c.abortSession()
	case c.behaviour.SMErrors == SMErrorPlainUncounted:
		c.session.Uncount()
	}
	return status(sw)
}

// deferAnswer holds back an answer with data that the chip gives through
// GET RESPONSE (T-05): it answers 61xx, xx the bytes waiting (00: 256 or
// more). An extended command gets its answer at once.
func (c *Chip) deferAnswer(cmd apdu.Command, resp apdu.Response) apdu.Response {
	get := c.behaviour.GetResponse
	if get == nil || len(resp.Data) == 0 || cmd.ForceExtended || !get(cmd.INS) {
		return resp
	}
	c.pending = resp.Bytes()
	return status(moreData(len(resp.Data)))
}

// getResponse answers GET RESPONSE with the next bytes of the held
// answer; the last part carries the answer's own status word.
func (c *Chip) getResponse(cmd apdu.Command) apdu.Response {
	held, err := apdu.ParseResponse(c.pending)
	if err != nil || cmd.P1 != 0 || cmd.P2 != 0 {
		c.pending = nil
		return status(apdu.SWIncorrectP1P2)
	}
	n := cmd.Ne
	if n == 0 || n > len(held.Data) {
		n = len(held.Data)
	}
	out := apdu.Response{Data: held.Data[:n], SW: held.SW}
	if rest := held.Data[n:]; len(rest) > 0 {
		out.SW = moreData(len(rest))
		c.pending = apdu.Response{Data: rest, SW: held.SW}.Bytes()
	} else {
		c.pending = nil
	}
	return out
}

// moreData is the status word 61xx for n bytes waiting.
func moreData(n int) apdu.SW { return apdu.SW(0x6100 | min(n, 256)&0xFF) }
