package trust_test

import (
	"testing"

	"github.com/idagent/idagent/emrtd/sim/testpki"
	"github.com/idagent/idagent/emrtd/trust"
)

// CheckIssued confirms a document signer its anchor signed, again and
// again (from the cache), and refuses one another CSCA signed every time:
// failures are never remembered as successes.
func TestCheckIssued(t *testing.T) {
	s := trust.New()
	if _, err := s.ImportBytes(testpki.CSCA(), "test CSCA", trust.ImportOptions{Test: true}); err != nil {
		t.Fatal(err)
	}
	anchor := s.Entries()[0]
	valid, err := testpki.DocumentSigner(testpki.Valid)
	if err != nil {
		t.Fatal(err)
	}
	untrusted, err := testpki.DocumentSigner(testpki.Untrusted)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.CheckIssued(valid.Cert, anchor); err != nil {
			t.Fatalf("genuine signer: %v", err)
		}
		if err := s.CheckIssued(untrusted.Cert, anchor); err == nil {
			t.Fatal("a signer of another CSCA passes")
		}
	}
}
