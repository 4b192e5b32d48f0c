package cardread

import (
	"fmt"
	"os"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/trust"
)

// OpenTrust loads the trust store the configuration names (trustStore)
// and describes it for /v1/health and hello. The path is a store directory
// (`idagent trust import` writes one; a directory that does not exist yet
// is an empty store) or one file: a CSCA master list, an LDIF, a
// certificate or a CRL. Files of a directory that fail to load are
// skipped (trust.Store.Problems); a path that is neither a directory nor a
// file, or a file that is no trust data, is an error, which the agent
// reports at start naming the key.
func OpenTrust(path string) (*trust.Store, protocol.TrustState, error) {
	if info, err := os.Stat(path); err == nil && !info.IsDir() && !info.Mode().IsRegular() {
		return trust.New(), protocol.TrustState{State: "error"}, fmt.Errorf("%s is neither a directory nor a file", path)
	}
	s, _, err := trust.Load(path)
	if err != nil {
		return trust.New(), protocol.TrustState{State: "error"}, err
	}
	return s, stateOf(s), nil
}

// SimTrust is the trust store of simulate mode: the simulator's test CSCA,
// flagged as a test anchor, and its CRL.
func SimTrust() (*trust.Store, protocol.TrustState, error) {
	s := trust.New()
	if _, err := s.ImportBytes(sim.TrustAnchor(), "simulator test CSCA", trust.ImportOptions{Test: true}); err != nil {
		return s, protocol.TrustState{State: "error", Test: true}, err
	}
	// Its CRL, so that revocation is decided (and dsc-revoked fails).
	if _, err := s.ImportBytes(testpki.CRL(), "simulator test CRL", trust.ImportOptions{Test: true}); err != nil {
		return s, protocol.TrustState{State: "error", Test: true}, err
	}
	st := stateOf(s)
	st.State, st.Test = "test", true
	return s, st, nil
}

func stateOf(s *trust.Store) protocol.TrustState {
	anchors, _ := s.Len()
	st := protocol.TrustState{State: "loaded", Anchors: anchors}
	if anchors == 0 {
		st.State = "empty"
	}
	for _, e := range s.Entries() {
		if e.Test {
			st.Test = true
		}
	}
	return st
}

// TestAnchorUsed reports whether a report's chain ended at a test anchor.
func TestAnchorUsed(r check.Report) bool {
	for _, c := range r {
		if c.Reason == pa.ReasonTestAnchor {
			return true
		}
	}
	return false
}
