package agenttest

import (
	"context"
	"testing"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// Connect lays card (a software chip) on a reader of its own and returns
// the connection to it, closed when the test ends.
func Connect(tb testing.TB, card nfc.Responder) nfc.Conn {
	tb.Helper()
	m := virtual.New("R")
	if err := m.Insert("R", card); err != nil {
		tb.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "R")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}
