package files

import (
	"context"
	"encoding/binary"
	"io"
	"testing"

	"github.com/idagent/idagent/nfc"
)

// scriptCard answers each command with the next response of a script.
type scriptCard struct{ script [][]byte }

func (c *scriptCard) Transmit(context.Context, []byte) ([]byte, error) {
	if len(c.script) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	out := c.script[0]
	c.script = c.script[1:]
	return out, nil
}

// frames splits fuzz input into responses: 2-byte length, then that many
// bytes.
func frames(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 {
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		n = min(n, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func frame(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
		out = append(out, p...)
	}
	return out
}

// FuzzReadFile feeds the file reader hostile chip answers. It must not
// panic, must end, and must never return more than the size limit or more
// than the header declares.
func FuzzReadFile(f *testing.F) {
	file := dg(600)
	f.Add(frame(append(append([]byte(nil), file...), 0x90, 0)))
	f.Add(frame([]byte{0x67, 0}, []byte{0x67, 0}, append(append([]byte(nil), file[:256]...), 0x90, 0), append(append([]byte(nil), file[256:]...), 0x62, 0x82)))
	f.Add(frame([]byte{0x6A, 0x86}, []byte{0x90, 0}, append(append([]byte(nil), file[:100]...), 0x90, 0), []byte{0x6B, 0}))
	f.Add(frame([]byte{0x77, 0x80, 0x04, 0x01, 0xFF, 0x90, 0}, []byte{0x00, 0x00, 0x62, 0x82}))
	f.Add(frame([]byte{0x75, 0x84, 0x01, 0, 0, 0, 0x90, 0}))
	f.Add(frame([]byte{0x53, 0x02, 0x01, 0x02, 0x90, 0}))
	f.Fuzz(func(t *testing.T, script []byte) {
		card := &scriptCard{script: frames(script)}
		r := NewReader(nfc.NewTransport(card), Options{MaxFileSize: 4096})
		data, err := r.ReadFile(context.Background(), DataGroup(2))
		if err != nil {
			return
		}
		if len(data) > 4096 {
			t.Fatalf("%d bytes returned", len(data))
		}
	})
}
