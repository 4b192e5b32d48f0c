package issue

import (
	"bytes"
	"crypto/sha256"
	"slices"

	"github.com/idagent/idagent/emrtd/tlv"
)

// derSet encodes a DER SET OF: the elements sorted by their encodings.
func derSet(elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return tlv.Encode(0x31, sorted...)
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
