package sim

import (
	"fmt"
	"slices"
	"sort"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// Profile is a kind of chip the simulator plays: the document it carries,
// the protocols it runs and its quirks. Adding a profile is adding an entry
// to the profiles table.
type Profile struct {
	Name        string
	Description string
	Kind        issue.Kind
	DataGroups  []int  // present on the chip and listed in EF.COM
	CardAccess  []byte // nil: no EF.CardAccess
	// KeyCurve is the curve of the chip's CA and AA keys; ExplicitParams
	// writes its domain parameters (rather than its OID) into DG14 and DG15.
	KeyCurve       *ec.Curve
	ExplicitParams bool
	// Protocols are the security protocols in the order the chip tries
	// them for a command (access control first).
	Protocols []ProtocolFactory
	// TAProtected data groups exist but answer 6982 (Terminal
	// Authentication, which the simulator does not run).
	TAProtected []int
	// SelectMF is the status word SELECT MF answers (9000 on most chips).
	SelectMF apdu.SW
	// Extended: the chip takes extended-length APDUs.
	Extended bool
	// ATR is the answer to reset the chip presents through a reader.
	ATR []byte
}

// profiles is the table of profiles by name.
var profiles = map[string]*Profile{}

func register(p *Profile) {
	if _, dup := profiles[p.Name]; dup {
		panic("sim: duplicate profile " + p.Name)
	}
	profiles[p.Name] = p
}

// Profiles lists the profile names, sorted.
func Profiles() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupProfile returns the named profile.
func LookupProfile(name string) (*Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return nil, fmt.Errorf("sim: unknown profile %q (have %v)", name, Profiles())
	}
	return p, nil
}

// contactlessATR builds the PC/SC answer to reset of an ISO 14443-4 Type A
// card (PC/SC part 3): 3B 8n 80 01, the historical bytes, and TCK.
func contactlessATR(historical []byte) []byte {
	atr := []byte{0x3B, 0x80 | byte(len(historical)), 0x80, 0x01}
	atr = append(atr, historical...)
	var tck byte
	for _, b := range atr[1:] {
		tck ^= b
	}
	return append(atr, tck)
}

func init() {
	register(&Profile{
		Name: "cccd",
		Description: "Vietnamese CCCD (2021): TD1 MRZ with ID12, DG1 DG2 DG3 DG13 DG14 DG15, " +
			"EF.CardAccess as on real cards, BAC with the MRZ; SELECT MF answers 6D00, DG3 6982, DG11/DG12 6A82",
		Kind:           issue.IDCard,
		DataGroups:     []int{1, 2, 3, 13, 14, 15},
		CardAccess:     issue.CCCDCardAccess,
		KeyCurve:       ec.BrainpoolP256r1(),
		ExplicitParams: true,
		Protocols:      []ProtocolFactory{NewBAC},
		TAProtected:    []int{3},
		SelectMF:       apdu.SWINSNotSupported,
		Extended:       true,
		ATR:            contactlessATR([]byte("idagent-sim-VN")),
	})
	register(&Profile{
		Name:        "passport",
		Description: "Vietnamese passport: TD3 MRZ, DG1 DG2 DG11 DG12 DG14 DG15, BAC with the MRZ",
		Kind:        issue.Passport,
		DataGroups:  []int{1, 2, 11, 12, 14, 15},
		KeyCurve:    ec.ByName("P-256"),
		Protocols:   []ProtocolFactory{NewBAC},
		SelectMF:    apdu.SWOK,
		Extended:    true,
		ATR:         contactlessATR([]byte("idagent-sim-P")),
	})
}

func (p *Profile) has(dg int) bool { return slices.Contains(p.DataGroups, dg) }
