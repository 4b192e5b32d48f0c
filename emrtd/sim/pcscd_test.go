package sim

import (
	"bytes"
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/vpcd"
)

// TestEveryProfileThroughPCSCD inserts a chip of every profile into the
// real pcscd's vpcd reader and runs its access and anti-clone protocols
// through PC/SC (extended-length APDUs of DH PACE included), as
// TestEveryProfilePlaysItsProtocols does in-process, then reads it with
// emrtd/read's pipeline as TestReadPipelineOnEveryProfile does.
func TestEveryProfileThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	ctx := context.Background()
	m := pcsc.New()
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			c := newChip(t, name, Options{Seed: 33})
			in := pcsctest.Insert(t, vpcd.Reader0Addr, pcsctest.Reader0, c, vpcd.Config{})
			defer func() {
				in.Remove()
				pcsctest.WaitCard(t, pcsctest.Reader0, false)
			}()
			conn, err := m.Connect(ctx, pcsctest.Reader0)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			out := fullRunOn(t, newRunOn(t, c, conn))
			w := want[name]
			if out.mechanism != w.mechanism || out.cam != nil || out.ca != nil || out.aa != nil {
				t.Errorf("%s: CAM %v, CA %v, AA %v", out.mechanism, out.cam, out.ca, out.aa)
			}
			if !bytes.Equal(out.dg1, c.Document().Files[issue.FIDOfDG(1)]) {
				t.Error("DG1 differs")
			}
			res, err := readChip(t, c, conn)
			if err != nil {
				t.Fatalf("emrtd/read: %v", err)
			}
			checkReadResult(t, c, res)
		})
	}
}
