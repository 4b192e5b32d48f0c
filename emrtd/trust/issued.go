package trust

import (
	"sync"

	"github.com/idagent/idagent/emrtd/cert"
)

// maxIssued bounds the cache of verified issuances: document signers are
// few (a country issues with tens of them), so a service verifying many
// documents keeps them all; past the bound the cache starts again.
const maxIssued = 4096

// issuedKey names one verified issuance: a certificate's exact bytes and
// the anchor's.
type issuedKey struct{ cert, anchor [32]byte }

// issuedCache remembers which certificates an anchor of this store was
// verified to have signed. A store is replaced, not edited, when a
// service reloads its trust, so the cache never outlives its anchors.
type issuedCache struct {
	mu sync.Mutex
	ok map[issuedKey]bool
}

// CheckIssued verifies that anchor e signed c (c.CheckSignatureFrom),
// remembering successes: every document of a document signer carries the
// same certificate, and checking its signature (a brainpoolP512r1 CSCA's,
// for Vietnam) is most of the cost of verifying a document. The key is
// both certificates' SHA-256 fingerprints, so only the very same bytes
// hit; failures are not remembered.
func (s *Store) CheckIssued(c *cert.Certificate, e *Entry) error {
	k := issuedKey{c.Fingerprint(), e.Cert.Fingerprint()}
	s.issued.mu.Lock()
	hit := s.issued.ok[k]
	s.issued.mu.Unlock()
	if hit {
		return nil
	}
	if err := c.CheckSignatureFrom(e.Cert); err != nil {
		return err
	}
	s.issued.mu.Lock()
	defer s.issued.mu.Unlock()
	if s.issued.ok == nil || len(s.issued.ok) >= maxIssued {
		s.issued.ok = map[issuedKey]bool{}
	}
	s.issued.ok[k] = true
	return nil
}
