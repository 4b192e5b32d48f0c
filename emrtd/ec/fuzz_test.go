package ec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnmarshal decodes points on every named curve: never a panic, and a
// decoded point is always valid and re-encodes to an equal point.
func FuzzUnmarshal(f *testing.F) {
	for _, c := range NamedCurves() {
		g := c.G()
		f.Add(c.Marshal(g))
		f.Add(c.MarshalCompressed(g))
	}
	f.Add([]byte{4})
	f.Add([]byte{2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range NamedCurves() {
			p, err := c.Unmarshal(b)
			if err != nil {
				continue
			}
			if c.Validate(p) != nil {
				t.Fatalf("%s: decoded point is invalid", c)
			}
			q, err := c.Unmarshal(c.Marshal(p))
			if err != nil || !q.Equal(p) {
				t.Fatalf("%s: round trip", c)
			}
		}
	})
}

// FuzzParseParameters decodes EcpkParameters (named or explicit).
func FuzzParseParameters(f *testing.F) {
	files, _ := filepath.Glob("testdata/explicit-*.der")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(BrainpoolP256r1().MarshalParameters())
	f.Add([]byte{0x05, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseParameters(b)
		if err != nil {
			return
		}
		if err := c.Validate(c.G()); err != nil {
			t.Fatalf("accepted curve with an invalid base point: %v", err)
		}
	})
}
