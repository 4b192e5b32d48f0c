package read

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/nfc/virtual"
)

// accessQuirkCase is one read of a genuine chip with access control or
// chip authentication quirks: it must pass with the profile's mechanism
// and cost extra exchanges beyond the same read without the quirks.
type accessQuirkCase struct {
	profile string
	quirks  []string
	extra   int                             // exchanges beyond the read without the quirks
	check   func(t *testing.T, res *Result) // what the quirk must change, nil for nothing
}

// accessQuirkCases cover issue 14's access control and chip
// authentication quirks (AC-04, AC-05, AC-06, C-01 to C-04, SM-05), each
// once, on a profile it concerns (TestEveryQuirk leaves them to this
// test, which also checks their cost).
var accessQuirkCases = []accessQuirkCase{
	{"cccd", []string{"pace-parameter-id-required"}, 0, parameterID(13)},
	{"passport", []string{"pace-several-infos"}, 0, parameterID(12)},
	{"cccd", []string{"pace-leading-zeros"}, 0, nil},
	{"passport-dh", []string{"pace-leading-zeros"}, 0, nil},
	{"passport-3des", []string{"pace-nonce-32"}, 0, nil},
	{"cccd", []string{"pace-parameter-id-12"}, 0, parameterID(12)},
	// C-01: KAT only costs nothing; Set AT only, MSE:Set KAT refused
	// under secure messaging, then MSE:Set AT and GENERAL AUTHENTICATE.
	{"passport-3des", []string{"ca-kat-only"}, 0, chipAuthProtocol("id-CA-ECDH-3DES-CBC-CBC")},
	{"passport-3des", []string{"ca-set-at-only"}, 2, chipAuthProtocol("id-CA-ECDH-3DES-CBC-CBC")},
	// SM-05: the refused MSE:Set KAT ends the session: the chip is opened
	// again (PACE, SELECT) before MSE:Set AT.
	{"passport-3des", []string{"ca-set-at-only", "ca-failure-ends-session"}, 8, chipAuthProtocol("id-CA-ECDH-3DES-CBC-CBC")},
	// C-02: the protocol inferred from the key (3DES: one MSE:Set KAT
	// instead of MSE:Set AT and GENERAL AUTHENTICATE); the key ID sent
	// minimal.
	{"cccd", []string{"ca-no-info"}, -1, chipAuthProtocol("id-CA-ECDH-3DES-CBC-CBC")},
	{"passport-3des", []string{"ca-key-id", "ca-set-at-only"}, 2, nil},
	// C-03, C-04.
	{"passport-dh", []string{"ca-dh-pkcs3"}, 0, chipAuthProtocol("id-CA-DH-AES-CBC-CMAC-128")},
	{"passport", []string{"ca-ga-no-data"}, 0, nil},
}

func parameterID(want int) func(t *testing.T, res *Result) {
	return func(t *testing.T, res *Result) {
		t.Helper()
		if id := res.Access.ParameterID; id == nil || *id != want {
			t.Errorf("PACE ran with parameter ID %v, want %d (%s)", id, want, res.Access.Domain)
		}
	}
}

func TestAccessQuirks(t *testing.T) {
	type cost struct {
		exchanges int
		bound     time.Duration
	}
	baseline := map[string]cost{} // each profile's read without quirks
	for _, tc := range accessQuirkCases {
		t.Run(tc.profile+"/"+strings.Join(tc.quirks, ","), func(t *testing.T) {
			if _, ok := baseline[tc.profile]; !ok {
				res, bound := readAtLink(t, tc.profile, nil)
				baseline[tc.profile] = cost{res.Stats.Exchanges, bound}
			}
			res, bound := readAtLink(t, tc.profile, tc.quirks)
			base := baseline[tc.profile]
			if got := res.Stats.Exchanges - base.exchanges; got != tc.extra {
				t.Errorf("%d exchanges more than without the quirks, want %d", got, tc.extra)
			}
			t.Logf("%+d exchanges, %+.1f ms at 424 kbit/s (link lower bound)", res.Stats.Exchanges-base.exchanges,
				float64((bound-base.bound).Microseconds())/1000)
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// readAtLink is readQuirky with the exchanges recorded: it returns the
// read and the ISO 14443 link model's lower bound at 424 kbit/s for them
// (no waiting: the cost of a quirk in link time).
func readAtLink(t *testing.T, profile string, quirks []string) (*Result, time.Duration) {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: 3, Quirks: quirks, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingChip{Chip: chip}
	m := virtual.New("recorded")
	if err := m.Insert("recorded", rec); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "recorded")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
	if err != nil {
		t.Fatalf("%v (%d exchanges)", err, res.Stats.Exchanges)
	}
	assertGenuine(t, chip, res, profileWant[profile])
	model, err := link.New("iso14443-424")
	if err != nil {
		t.Fatal(err)
	}
	return res, model.LowerBound(rec.exchanges)
}

// recordingChip records the sizes of each exchange.
type recordingChip struct {
	*sim.Chip
	exchanges []link.Exchange
}

func (c *recordingChip) Respond(cmd []byte) []byte {
	resp := c.Chip.Respond(cmd)
	c.exchanges = append(c.exchanges, link.Exchange{Command: len(cmd), Response: len(resp)})
	return resp
}

// Every access control and chip authentication quirk is read in
// accessQuirkCases, on a profile it fits.
func TestAccessQuirksCovered(t *testing.T) {
	for _, q := range sim.Quirks() {
		if !isAccessQuirk(q) {
			continue
		}
		if !slices.ContainsFunc(accessQuirkCases, func(c accessQuirkCase) bool { return slices.Contains(c.quirks, q.Name) }) {
			t.Errorf("quirk %s (%s) is not read by TestAccessQuirks", q.Name, q.ID)
		}
	}
}

func isAccessQuirk(q sim.Quirk) bool {
	return slices.Contains([]string{"AC-04", "AC-05", "AC-06", "SM-05"}, q.ID) || strings.HasPrefix(q.ID, "C-0") && q.ID <= "C-04"
}

// quirkFits reports whether the quirk applies to the profile.
func quirkFits(profile, quirk string) bool { return sim.QuirksFit(profile, quirk) == nil }

func chipAuthProtocol(want string) func(t *testing.T, res *Result) {
	return func(t *testing.T, res *Result) {
		t.Helper()
		if res.ChipAuth == nil || res.ChipAuth.Protocol != want {
			t.Errorf("chip authentication %+v, want %s", res.ChipAuth, want)
		}
	}
}
