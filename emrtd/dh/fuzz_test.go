package dh

import "testing"

// FuzzDecode decodes public values in every standard group: an accepted
// value is always in the prime-order subgroup.
func FuzzDecode(f *testing.F) {
	for id := range 3 {
		g, _ := Standard(id)
		f.Add(g.Encode(g.G()))
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		for id := range 3 {
			g, _ := Standard(id)
			y, err := g.Decode(b)
			if err != nil {
				continue
			}
			if g.Validate(y) != nil {
				t.Fatal("accepted value fails validation")
			}
		}
	})
}
