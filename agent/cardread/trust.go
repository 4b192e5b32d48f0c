package cardread

import (
	"fmt"
	"os"

	"github.com/idagent/idagent/agent/protocol"
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
	return s, TrustState(s), nil
}

// TrustState describes a trust store for /v1/health and hello.
func TrustState(s *trust.Store) protocol.TrustState {
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
