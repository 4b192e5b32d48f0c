package pcsctest_test

import (
	"testing"

	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual/testcard"
	"github.com/idagent/idagent/nfc/vpcd"
)

func TestRestart(t *testing.T) {
	pcsctest.Require(t)
	before, err := pcsctest.PID()
	if err != nil {
		t.Fatal(err)
	}
	pcsctest.Restart(t) // SIGTERM: a clean stop
	after, err := pcsctest.PID()
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Fatalf("pcscd pid %d unchanged after Restart", after)
	}
	pcsctest.WaitReaders(t, pcsctest.Reader0, pcsctest.Reader1)
	// The second reader takes cards too.
	pcsctest.Insert(t, vpcd.Reader1Addr, pcsctest.Reader1, testcard.New(), vpcd.Config{})
}
