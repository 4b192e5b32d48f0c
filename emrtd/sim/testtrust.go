package sim

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/trust"
)

// AddTestAnchors imports the simulator's TEST CSCA, flagged as a test
// anchor, and its CRL (so that revocation is decided and dsc-revoked
// fails) into s: what a store needs to verify simulated documents. A
// chain that ends there passes only where test anchors are allowed.
func AddTestAnchors(s *trust.Store) error {
	if _, err := s.ImportBytes(TrustAnchor(), "simulator test CSCA", trust.ImportOptions{Test: true}); err != nil {
		return fmt.Errorf("simulator test CSCA: %w", err)
	}
	if _, err := s.ImportBytes(testpki.CRL(), "simulator test CRL", trust.ImportOptions{Test: true}); err != nil {
		return fmt.Errorf("simulator test CRL: %w", err)
	}
	return nil
}

// AddTestSigners imports the simulator's document signers into s, as a
// desk holding the PKD's signers has them: an EF.SOD without its
// certificate (quirk sod-without-ds) then verifies.
func AddTestSigners(s *trust.Store) error {
	signers, err := TrustedDocumentSigners()
	if err != nil {
		return err
	}
	for _, der := range signers {
		if _, err := s.ImportBytes(der, "simulator test document signer", trust.ImportOptions{Test: true}); err != nil {
			return fmt.Errorf("simulator test document signer: %w", err)
		}
	}
	return nil
}
