package read

import (
	"bytes"
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
)

// insert issues a software chip, puts it into a virtual reader and
// connects to it.
func insert(t testing.TB, profile string, opts sim.Options) (*sim.Chip, *virtual.Manager, nfc.Conn) {
	t.Helper()
	chip, err := sim.New(profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, conn := insertChip(t, chip)
	return chip, m, conn
}

// insertChip puts chip into a virtual reader named "reader" and connects.
func insertChip(t testing.TB, chip *sim.Chip) (*virtual.Manager, nfc.Conn) {
	t.Helper()
	m := virtual.New("reader")
	if err := m.Insert("reader", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "reader")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return m, conn
}

func mrzKey(t testing.TB, chip *sim.Chip) *access.MRZKey {
	t.Helper()
	k, err := access.ParseMRZ(chip.AccessData().MRZ)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func canKey(t testing.TB, chip *sim.Chip) *access.CAN {
	t.Helper()
	k, err := access.NewCAN(chip.AccessData().CAN)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// deskKey is the key a desk has: the CAN of a Vietnamese card (from its
// ID number), the MRZ of a passport.
func deskKey(t testing.TB, chip *sim.Chip) access.Key {
	if chip.Profile().Kind == issue.Passport {
		return mrzKey(t, chip)
	}
	return canKey(t, chip)
}

// testTrust is a store holding the simulator's test CSCA as a test anchor
// and its CRL.
func testTrust(t testing.TB) *trust.Store {
	t.Helper()
	s := trust.New()
	if err := sim.AddTestAnchors(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// trustSignerIfAbsent adds the chip's document signer to the store when
// its EF.SOD does not carry it (quirk sod-without-ds), as a desk holding
// the PKD's signers has it.
func trustSignerIfAbsent(t testing.TB, s *trust.Store, chip *sim.Chip) {
	t.Helper()
	doc := chip.Document()
	if bytes.Contains(doc.Files[issue.FIDSOD], doc.Signer.CertDER) {
		return
	}
	if _, err := s.ImportBytes(doc.Signer.CertDER, "simulator test document signer", trust.ImportOptions{Test: true}); err != nil {
		t.Fatal(err)
	}
}

// fullOptions reads everything a desk reads, verified against the test
// PKI.
func fullOptions(t testing.TB, keys ...access.Key) Options {
	return Options{Keys: keys, DataGroups: []int{11, 12, 13, 14, 15}, Photo: true,
		Verify: true, Trust: testTrust(t), AllowTestAnchors: true}
}

func status(r check.Report, name string) check.Status {
	c, ok := r.Get(name)
	if !ok {
		return ""
	}
	return c.Status
}
