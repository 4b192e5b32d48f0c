// Package apdu encodes and decodes ISO/IEC 7816-4 command and response
// APDUs: the four cases, short and extended length, and status words with
// their names.
//
// It is pure data handling with no I/O, so both the reader side (nfc, emrtd)
// and the software chip side (emrtd/sim) share it.
package apdu

import (
	"errors"
	"fmt"
)

// Length limits of ISO/IEC 7816-4.
const (
	MaxShortNc    = 255   // largest command data field in a short APDU
	MaxShortNe    = 256   // largest expected response length in a short APDU (Le = 00)
	MaxExtendedNc = 65535 // largest command data field in an extended APDU
	MaxExtendedNe = 65536 // largest expected response length in an extended APDU (Le = 0000)
)

// Command is a command APDU. Ne is the number of response data bytes
// expected: 0 means no response data is expected (no Le field); 256 in a
// short APDU and 65536 in an extended one mean "as many as available".
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Ne               int
	// ForceExtended encodes the command with extended length fields even when
	// short ones would do (some chips need extended length to send long
	// answers).
	ForceExtended bool
}

// Extended reports whether the command needs extended length fields.
func (c Command) Extended() bool {
	return c.ForceExtended || len(c.Data) > MaxShortNc || c.Ne > MaxShortNe
}

// Case returns the ISO 7816-4 case of the command: 1 (no data, no Le),
// 2 (Le only), 3 (data only) or 4 (data and Le).
func (c Command) Case() int {
	switch {
	case len(c.Data) == 0 && c.Ne == 0:
		return 1
	case len(c.Data) == 0:
		return 2
	case c.Ne == 0:
		return 3
	default:
		return 4
	}
}

// ErrTooLong is returned when a command's data or Ne exceeds the extended
// length limits.
var ErrTooLong = errors.New("apdu: length exceeds ISO 7816-4 limits")

// Bytes encodes the command, using short length fields when they suffice.
func (c Command) Bytes() ([]byte, error) {
	if len(c.Data) > MaxExtendedNc || c.Ne > MaxExtendedNe || c.Ne < 0 {
		return nil, ErrTooLong
	}
	out := make([]byte, 4, 4+3+len(c.Data)+3)
	out[0], out[1], out[2], out[3] = c.CLA, c.INS, c.P1, c.P2
	if !c.Extended() {
		if len(c.Data) > 0 {
			out = append(out, byte(len(c.Data)))
			out = append(out, c.Data...)
		}
		if c.Ne > 0 {
			out = append(out, byte(c.Ne)) // 256 encodes as 00
		}
		return out, nil
	}
	if len(c.Data) > 0 {
		out = append(out, 0, byte(len(c.Data)>>8), byte(len(c.Data)))
		out = append(out, c.Data...)
	}
	if c.Ne > 0 {
		ne := c.Ne
		if ne == MaxExtendedNe {
			ne = 0
		}
		if len(c.Data) == 0 {
			out = append(out, 0) // case 2E: Le is 3 bytes
		}
		out = append(out, byte(ne>>8), byte(ne))
	}
	return out, nil
}

// MustBytes is Bytes for commands whose lengths are known to be valid.
func (c Command) MustBytes() []byte {
	b, err := c.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}

// String describes the command header and lengths without its data, so that
// it is safe to log (command data can carry keys or personal data).
func (c Command) String() string {
	return fmt.Sprintf("%s (%02X %02X %02X %02X Nc=%d Ne=%d)", InsName(c.INS), c.CLA, c.INS, c.P1, c.P2, len(c.Data), c.Ne)
}

// Instructions an eMRTD reader sends.
const (
	InsSelect               = 0xA4
	InsReadBinary           = 0xB0
	InsReadBinaryOdd        = 0xB1
	InsGetChallenge         = 0x84
	InsExternalAuthenticate = 0x82
	InsInternalAuthenticate = 0x88
	InsManageSecurityEnv    = 0x22
	InsGeneralAuthenticate  = 0x86
	InsGetResponse          = 0xC0
	InsPerformSecurityOp    = 0x2A
	InsVerify               = 0x20
	InsReadRecord           = 0xB2
	InsGetData              = 0xCA
)

var insNames = map[byte]string{
	InsSelect:               "SELECT",
	InsReadBinary:           "READ BINARY",
	InsReadBinaryOdd:        "READ BINARY (odd)",
	InsGetChallenge:         "GET CHALLENGE",
	InsExternalAuthenticate: "EXTERNAL AUTHENTICATE",
	InsInternalAuthenticate: "INTERNAL AUTHENTICATE",
	InsManageSecurityEnv:    "MANAGE SECURITY ENVIRONMENT",
	InsGeneralAuthenticate:  "GENERAL AUTHENTICATE",
	InsGetResponse:          "GET RESPONSE",
	InsPerformSecurityOp:    "PERFORM SECURITY OPERATION",
	InsVerify:               "VERIFY",
	InsReadRecord:           "READ RECORD",
	InsGetData:              "GET DATA",
}

// InsName names an instruction byte, or formats it in hex when unknown.
func InsName(ins byte) string {
	if n, ok := insNames[ins]; ok {
		return n
	}
	return fmt.Sprintf("INS %02X", ins)
}

// ParseCommand decodes a command APDU, short or extended. It is the chip
// side's parser, so it rejects every malformed length encoding.
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, fmt.Errorf("apdu: command of %d bytes is shorter than its header", len(b))
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
		return c, nil
	case len(body) == 1: // case 2S
		c.Ne = int(body[0])
		if c.Ne == 0 {
			c.Ne = MaxShortNe
		}
		return c, nil
	case body[0] != 0: // case 3S or 4S
		nc := int(body[0])
		switch len(body) {
		case 1 + nc:
		case 2 + nc:
			c.Ne = int(body[1+nc])
			if c.Ne == 0 {
				c.Ne = MaxShortNe
			}
		default:
			return Command{}, fmt.Errorf("apdu: short command body of %d bytes does not match Lc=%d", len(body), nc)
		}
		c.Data = body[1 : 1+nc]
		return c, nil
	}
	// Extended: body starts with 00.
	c.ForceExtended = true
	if len(body) == 3 { // case 2E
		c.Ne = int(body[1])<<8 | int(body[2])
		if c.Ne == 0 {
			c.Ne = MaxExtendedNe
		}
		return c, nil
	}
	if len(body) < 3 {
		return Command{}, fmt.Errorf("apdu: extended command body of %d bytes is malformed", len(body))
	}
	nc := int(body[1])<<8 | int(body[2])
	if nc == 0 {
		return Command{}, errors.New("apdu: extended command with Lc=0")
	}
	switch len(body) {
	case 3 + nc:
	case 5 + nc:
		c.Ne = int(body[3+nc])<<8 | int(body[4+nc])
		if c.Ne == 0 {
			c.Ne = MaxExtendedNe
		}
	default:
		return Command{}, fmt.Errorf("apdu: extended command body of %d bytes does not match Lc=%d", len(body), nc)
	}
	c.Data = body[3 : 3+nc]
	return c, nil
}

// Response is a response APDU: data and status word.
type Response struct {
	Data []byte
	SW   SW
}

// ParseResponse splits a response APDU into data and status word.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 2 {
		return Response{}, fmt.Errorf("apdu: response of %d bytes has no status word", len(b))
	}
	n := len(b) - 2
	return Response{Data: b[:n:n], SW: SW(uint16(b[n])<<8 | uint16(b[n+1]))}, nil
}

// Bytes encodes the response: data followed by the status word.
func (r Response) Bytes() []byte {
	out := make([]byte, 0, len(r.Data)+2)
	out = append(out, r.Data...)
	return append(out, byte(r.SW>>8), byte(r.SW))
}

// OK reports whether the status word is 9000.
func (r Response) OK() bool { return r.SW == SWOK }
