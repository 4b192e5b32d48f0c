package sim

import (
	"bytes"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

var mfID = []byte{0x3F, 0x00}

// selectFile answers SELECT: by DF name (P1=04, the LDS1 AID), the master
// file (P1=00 with no data or 3F00), or an EF by file identifier (P1=00 or
// 02). P2=0C asks for no response data; P2=00 or 04 for the FCI/FCP.
func (c *Chip) selectFile(cmd apdu.Command, secured bool) apdu.Response {
	if cmd.P2 != 0x0C && cmd.P2 != 0x00 && cmd.P2 != 0x04 {
		return status(apdu.SWIncorrectP1P2)
	}
	switch cmd.P1 {
	case 0x04:
		if !bytes.Equal(cmd.Data, AID) {
			return status(apdu.SWFileNotFound)
		}
		c.appSelect, c.current = true, nil
		if cmd.P2 == 0x0C {
			return status(apdu.SWOK)
		}
		return apdu.Response{Data: tlv.Encode(0x6F, tlv.Encode(0x84, AID)), SW: apdu.SWOK}
	case 0x00:
		if len(cmd.Data) == 0 || bytes.Equal(cmd.Data, mfID) {
			return c.selectMF()
		}
		fallthrough
	case 0x02:
		if len(cmd.Data) != 2 {
			return status(apdu.SWWrongLength)
		}
		return c.selectEF(uint16(cmd.Data[0])<<8|uint16(cmd.Data[1]), cmd.P2, secured)
	}
	return status(apdu.SWIncorrectP1P2)
}

// selectMF selects the master file, or answers the profile's quirk (6D00
// on the Vietnamese card) leaving the selection as it was.
func (c *Chip) selectMF() apdu.Response {
	if c.profile.SelectMF != apdu.SWOK {
		return status(c.profile.SelectMF)
	}
	c.appSelect, c.current = false, nil
	return status(apdu.SWOK)
}

func (c *Chip) selectEF(fid uint16, p2 byte, secured bool) apdu.Response {
	f := c.files.byFID(fid, c.appSelect)
	b := &c.behaviour
	if f == nil || fid == issue.FIDCardAccess && b.CardAccess == CardAccessSFIOnly {
		return status(apdu.SWFileNotFound)
	}
	if f.access != accessFree && !secured && !b.SelectBeforeAccess {
		return status(apdu.SWSecurityStatus)
	}
	c.current = f
	sw := apdu.SWOK
	if fid == issue.FIDCardAccess && b.CardAccessSelectSW != 0 {
		sw = b.CardAccessSelectSW
	}
	if p2 == 0x0C {
		return status(sw)
	}
	size := len(f.data)
	fcp := tlv.Encode(0x62,
		tlv.Encode(0x80, []byte{byte(size >> 8), byte(size)}),
		tlv.Encode(0x82, []byte{0x01}), // transparent working EF
		tlv.Encode(0x83, []byte{byte(fid >> 8), byte(fid)}))
	return apdu.Response{Data: fcp, SW: apdu.SWOK}
}

// readBinary answers READ BINARY (B0): from the current EF at a 15-bit
// offset, or (P1 bit 8 set) from the EF of a short file identifier at an
// offset up to 255, which also selects it.
func (c *Chip) readBinary(cmd apdu.Command, secured bool, readCap int) apdu.Response {
	if cmd.Ne == 0 || len(cmd.Data) != 0 {
		return status(apdu.SWWrongLength)
	}
	f, offset := c.current, int(cmd.P1)<<8|int(cmd.P2)
	if cmd.P1&0x80 != 0 {
		if cmd.P1&0x60 != 0 {
			return status(apdu.SWIncorrectP1P2)
		}
		if f = c.files.bySFI(cmd.P1&0x1F, c.appSelect); f == nil || !c.sfiWorks(f) {
			return status(apdu.SWFileNotFound)
		}
		offset = int(cmd.P2)
	} else if f == nil {
		return status(apdu.SWNoCurrentEF)
	}
	n, sw := c.readLimit(cmd.Ne, readCap)
	if sw != apdu.SWOK {
		return status(sw)
	}
	wildcard := cmd.Ne == apdu.MaxShortNe || cmd.Ne == apdu.MaxExtendedNe
	data, sw := c.read(f, offset, n, cmd.Ne, wildcard, secured)
	return apdu.Response{Data: data, SW: sw}
}

// sfiWorks reports whether the chip serves f by short file identifier
// (FA-02, FA-03).
func (c *Chip) sfiWorks(f *file) bool {
	if c.behaviour.NoSFI || c.behaviour.NoSFIInApplication && c.files.inApplication(f) {
		return false
	}
	return f.fid != issue.FIDCardAccess || c.behaviour.CardAccess != CardAccessSelectOnly
}

// readLimit is the most plain data a READ BINARY asking for ne bytes
// returns (readCap: what fits the response), or the status word refusing
// it when ne is above the chip's MaxRead (T-02).
func (c *Chip) readLimit(ne, readCap int) (int, apdu.SW) {
	n := min(ne, readCap)
	if max := c.behaviour.MaxRead; max > 0 && ne > max {
		if c.behaviour.MaxReadOver == WrongLength {
			return 0, apdu.SWWrongLength
		}
		n = min(n, max)
	}
	return n, apdu.SWOK
}

// readBinaryOdd answers READ BINARY with the odd INS (B1): the offset in
// DO'54' (any size, for files beyond 32 KB), the file in P1-P2 (0000: the
// current EF; 00xx: a short file identifier; else a file identifier), the
// data returned in DO'53'.
func (c *Chip) readBinaryOdd(cmd apdu.Command, secured bool, readCap int) apdu.Response {
	if cmd.Ne == 0 {
		return status(apdu.SWWrongLength)
	}
	offsetDO, err := tlv.Unwrap(cmd.Data, 0x54)
	if err != nil || len(offsetDO) == 0 || len(offsetDO) > 3 {
		return status(apdu.SWWrongData)
	}
	offset := 0
	for _, b := range offsetDO {
		offset = offset<<8 | int(b)
	}
	f, sw := c.oddTarget(cmd.P1, cmd.P2, secured)
	if f == nil {
		return status(sw)
	}
	room, sw := c.readLimit(cmd.Ne, readCap)
	if sw != apdu.SWOK {
		return status(sw)
	}
	n := room - 2
	for n > 0 && n+1+len(tlv.EncodeLength(n)) > room {
		n--
	}
	if n <= 0 {
		return status(apdu.SWWrongLength)
	}
	data, sw := c.read(f, offset, n, n, false, secured)
	if data == nil && sw != apdu.SWOK && sw != apdu.SWEndOfFile {
		return status(sw)
	}
	return apdu.Response{Data: tlv.Encode(0x53, data), SW: sw}
}

func (c *Chip) oddTarget(p1, p2 byte, secured bool) (*file, apdu.SW) {
	fid := uint16(p1)<<8 | uint16(p2)
	switch {
	case fid == 0:
		if c.current == nil {
			return nil, apdu.SWNoCurrentEF
		}
		return c.current, apdu.SWOK
	case p1 == 0 && p2 < 0x1F:
		if f := c.files.bySFI(p2, c.appSelect); f != nil && c.sfiWorks(f) {
			return f, apdu.SWOK
		}
		return nil, apdu.SWFileNotFound
	}
	if resp := c.selectEF(fid, 0x0C, secured); resp.SW != apdu.SWOK {
		return nil, resp.SW
	}
	return c.current, apdu.SWOK
}

// read returns up to n bytes of f from offset after checking access. asked
// is the data the reader asked for (wildcard: Le = 00 or 0000, "all
// available"); when the file ends before it, the answer is the chip's
// end-of-file signal (FA-06).
func (c *Chip) read(f *file, offset, n, asked int, wildcard, secured bool) ([]byte, apdu.SW) {
	switch {
	case f.access == accessTerminalAuth, f.access == accessAfterAuth && !secured:
		return nil, apdu.SWSecurityStatus
	}
	c.current = f
	left := len(f.data) - offset
	c.lastReadExact = !wildcard && asked == left && asked < apdu.MaxShortNe
	if left <= 0 {
		return nil, c.pastEnd()
	}
	data := bytes.Clone(f.data[offset : offset+min(n, left)])
	if left >= asked {
		return data, apdu.SWOK
	}
	switch c.behaviour.EndOfFile {
	case EOFWarning:
		return data, apdu.SWEndOfFile
	case EOFWarningEmpty:
		return nil, apdu.SWEndOfFile
	case EOFWrongLength:
		return nil, apdu.SWWrongLength
	case EOFWrongP1P2:
		return nil, apdu.SWWrongP1P2
	case EOFExactLength:
		if left > apdu.MaxShortNe {
			return nil, apdu.SWWrongLength // 6Cxx cannot say more than 256
		}
		return nil, apdu.SW(0x6C00 | left&0xFF)
	}
	if !wildcard && len(data) < n {
		return data, apdu.SWEndOfFile
	}
	return data, apdu.SWOK
}

// pastEnd answers a read at or beyond the end of a file.
func (c *Chip) pastEnd() apdu.SW {
	switch c.behaviour.EndOfFile {
	case EOFWarningEmpty:
		return apdu.SWEndOfFile
	case EOFWrongLength:
		return apdu.SWWrongLength
	}
	return apdu.SWWrongP1P2
}
