package sim

import (
	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc/apdu"
)

// responseRoom is the largest response data field the chip sends for a
// command: 256 bytes for a short APDU, 65536 for an extended one, and no
// more than Limits.MaxResponse.
func (c *Chip) responseRoom(cmd apdu.Command) int {
	room := apdu.MaxShortNe
	if cmd.ForceExtended {
		room = apdu.MaxExtendedNe
	}
	if c.limits.MaxResponse > 0 {
		room = min(room, c.limits.MaxResponse)
	}
	return room
}

// readCap is the most plain data a READ BINARY may return so that the
// response to cmd (protected with a cipher of blockSize bytes, or plain
// when blockSize is 0) fits responseRoom: a short read beyond it.
func (c *Chip) readCap(cmd apdu.Command, blockSize int) int {
	room := c.responseRoom(cmd)
	if blockSize == 0 {
		return room
	}
	n := room
	for n > 0 && protectedLen(n, blockSize) > room {
		n--
	}
	return n
}

// protectedLen is the length of a protected response carrying n plain data
// bytes: DO'87' (padding indicator and padded cryptogram), DO'99' (4 bytes)
// and DO'8E' (10 bytes).
func protectedLen(n, blockSize int) int {
	const sw, mac = 4, 10
	if n == 0 {
		return sw + mac
	}
	content := 1 + (n/blockSize+1)*blockSize
	return 1 + len(tlv.EncodeLength(content)) + content + sw + mac
}

// overLimit implements OverLimit = WrongLength: a READ BINARY asking for
// more than the chip sends is answered 6700 before secure messaging
// processes it (the send sequence counter is not advanced, the session
// stays open). Ne is read from DO'97', which is not encrypted.
func (c *Chip) overLimit(cmd apdu.Command) (apdu.SW, bool) {
	if c.limits.MaxResponse <= 0 || c.limits.OverLimit != WrongLength {
		return 0, false
	}
	if cmd.INS != apdu.InsReadBinary && cmd.INS != apdu.InsReadBinaryOdd {
		return 0, false
	}
	ne, size := cmd.Ne, cmd.Ne
	if cmd.CLA&0x0C != 0 {
		ne = protectedNe(cmd.Data)
		size = protectedLen(ne, max(c.blockSize, 8))
	}
	if ne > 0 && size > c.limits.MaxResponse {
		return apdu.SWWrongLength, true
	}
	return 0, false
}

// protectedNe reads the expected length from DO'97' of a protected
// command's data objects (0 when absent or malformed; the secure messaging
// layer reports those).
func protectedNe(data []byte) int {
	objs, err := tlv.DecodeAll(data)
	if err != nil {
		return 0
	}
	for _, o := range objs {
		if o.Tag != 0x97 {
			continue
		}
		switch len(o.Value) {
		case 1:
			if o.Value[0] == 0 {
				return apdu.MaxShortNe
			}
			return int(o.Value[0])
		case 2:
			if n := int(o.Value[0])<<8 | int(o.Value[1]); n != 0 {
				return n
			}
			return apdu.MaxExtendedNe
		}
	}
	return 0
}
