// Package verifytest makes evidence for tests of emrtd/verify and its
// users (`idagent verify evidence`, the verification service): it reads a
// simulator chip as the desk does and returns the read and its evidence as
// read.result carries it.
package verifytest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/read"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc/virtual"
)

// Read is one desk read of a simulator chip.
type Read struct {
	Chip   *sim.Chip
	Key    access.Key // the key that opened it: the CAN of a card, the MRZ of a passport
	Result *read.Result
	// JSON is the evidence object of read.result for this read.
	JSON []byte
}

// Desk reads a chip of profile as the desk does (every data group, the
// photo, verified against the simulator's test PKI) with challenge for
// active authentication (nil: a random one).
func Desk(t testing.TB, profile string, opts sim.Options, challenge []byte) *Read {
	t.Helper()
	chip, err := sim.New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	return DeskChip(t, chip, challenge)
}

// DeskChip reads chip as Desk does.
func DeskChip(t testing.TB, chip *sim.Chip, challenge []byte) *Read {
	t.Helper()
	m := virtual.New("reader")
	if err := m.Insert("reader", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "reader")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := DeskKey(t, chip)
	res, err := read.Read(context.Background(), conn, read.Options{Keys: []access.Key{key},
		DataGroups: []int{11, 12, 13, 14, 15}, Photo: true, AAChallenge: challenge,
		Verify: true, Trust: Trust(t), AllowTestAnchors: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res.Evidence())
	if err != nil {
		t.Fatal(err)
	}
	return &Read{Chip: chip, Key: key, Result: res, JSON: raw}
}

// DeskKey is the key a desk has: the CAN of a Vietnamese card, the MRZ of
// a passport.
func DeskKey(t testing.TB, chip *sim.Chip) access.Key {
	t.Helper()
	var k access.Key
	var err error
	if chip.Profile().Kind == issue.Passport {
		k, err = access.ParseMRZ(chip.AccessData().MRZ)
	} else {
		k, err = access.NewCAN(chip.AccessData().CAN)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Trust is a store holding the simulator's test CSCA (a test anchor) and
// its CRL.
func Trust(t testing.TB) *trust.Store {
	t.Helper()
	s := trust.New()
	if err := sim.AddTestAnchors(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// ReportCPU reports a benchmark's CPU time per iteration and what it
// makes on one core: "cpu-ms/op" and "per-core/s" (1000 / cpu-ms), the
// numbers that hold on a loaded machine.
func ReportCPU(b *testing.B, cpu time.Duration) {
	if cpu <= 0 || b.N == 0 {
		return
	}
	per := cpu.Seconds() * 1000 / float64(b.N)
	b.ReportMetric(per, "cpu-ms/op")
	b.ReportMetric(1000/per, "per-core/s")
}
