package read

import (
	"context"
	"fmt"
	"testing"

	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim"
)

// TestEveryQuirk reads cccd and passport under every quirk; active
// authentication with RSA is on other profiles: every ISO/IEC 9796-2
// trailer (real-chips.md C-05) on the RSA passports reads and passes.
func TestRSATrailers(t *testing.T) {
	for _, profile := range []string{"passport-dh", "passport-bac-only"} {
		for _, trailer := range []string{"bc", "33cc", "38cc", "34cc", "36cc", "35cc"} {
			t.Run(profile+"/"+trailer, func(t *testing.T) {
				res := readQuirky(t, profile, []string{"aa-rsa-trailer-" + trailer}, profileWant[profile])
				if res.ActiveAuth == nil || res.ActiveAuth.Hash == "" {
					t.Errorf("active authentication %+v", res.ActiveAuth)
				}
			})
		}
	}
}

// The LDS quirks (L-06, L-07, L-09) do not only pass: the fields come out
// right.
func TestLDSQuirkFields(t *testing.T) {
	read := func(profile string, quirks ...string) (*sim.Chip, *Result) {
		chip, err := sim.New(profile, sim.Options{Seed: 3, Quirks: quirks})
		if err != nil {
			t.Fatal(err)
		}
		_, conn := insertChip(t, chip)
		res, err := Read(context.Background(), conn, fullOptions(t, deskKey(t, chip)))
		if err != nil {
			t.Fatal(err)
		}
		return chip, res
	}
	plainCard, plain := read("cccd")
	_, card := read("cccd", "dg13-bmp-strings", "dg13-shuffled", "dg13-printable-expiry", "dg13-extra-field", "dg13-no-card-serial", "dg2-raw-jp2")
	got, want := card.DG13, plain.DG13
	if got.FullName != want.FullName || got.PlaceOfResidence != want.PlaceOfResidence || got.IDNumber != plainCard.AccessData().ID12 ||
		fmt.Sprint(got.DateOfExpiry) != fmt.Sprint(want.DateOfExpiry) || got.CardSerial != "" || len(got.Unknown) != 1 {
		t.Errorf("DG13 with quirks differs from the plain one")
	}
	if card.Portrait == nil || card.Portrait.Type != lds.FormatJPEG2000 {
		t.Errorf("raw JPEG 2000 portrait: %+v", card.Portrait)
	}
	_, pass := read("passport")
	_, bcd := read("passport", "dg11-bcd-date", "dg12-bcd-date", "dg11-filler", "dg11-empty-tags", "dg11-other-name-unwrapped")
	if fmt.Sprint(bcd.DG11.DateOfBirth) != fmt.Sprint(pass.DG11.DateOfBirth) || fmt.Sprint(bcd.DG12.DateOfIssue) != fmt.Sprint(pass.DG12.DateOfIssue) ||
		bcd.DG11.Surname == "" || len(bcd.DG11.OtherNames) != 1 {
		t.Errorf("DG11/DG12 with quirks differ from the plain ones")
	}
	_, bad := read("passport", "dg12-bad-issue-date")
	if bad.DG12 == nil || bad.DG12.DateOfIssue == nil || bad.DG12.DateOfIssue.Valid() {
		t.Errorf("a DG12 date of issue that is no date: %+v", bad.DG12)
	}
}
