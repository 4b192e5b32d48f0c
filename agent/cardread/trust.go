package cardread

import (
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/trust"
)

// OpenTrust loads the trust store directory and describes it for
// /v1/health and hello. A store that cannot be opened is reported as
// "error" and reads verify as UNKNOWN; the agent still runs.
func OpenTrust(dir string) (*trust.Store, protocol.TrustState, error) {
	s, err := trust.Open(dir)
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
