package cardread

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc"
)

// observer records what the adapter reports.
type observer struct {
	phases   []string
	identity protocol.Fields
	mime     string
	photo    []byte
}

func (o *observer) Progress(phase string, _ int)               { o.phases = append(o.phases, phase) }
func (o *observer) Identity(f protocol.Fields, _ check.Report) { o.identity = f }
func (o *observer) Photo(mime string, data []byte)             { o.mime, o.photo = mime, data }

func connect(t *testing.T, profile string, seed uint64) (nfc.Conn, *sim.Chip) {
	t.Helper()
	chip, err := sim.New(profile, sim.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return agenttest.Connect(t, chip), chip
}

// testReader verifies against the simulator's test CSCA and CRL.
func testReader(t *testing.T) *Reader {
	t.Helper()
	store := trust.New()
	if err := sim.AddTestAnchors(store); err != nil {
		t.Fatal(err)
	}
	return &Reader{Trust: store, AllowTestAnchors: true}
}

// A portrait no trusted authority is proven to have signed is not decoded
// and not sent (emrtd/read passes on only a proven one); the identity is.
func TestNoPhotoWithoutTrust(t *testing.T) {
	conn, chip := connect(t, "cccd", 12)
	obs := &observer{}
	if _, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{MRZ: chip.AccessData().MRZ}, Photo: true}, obs); err != nil {
		t.Fatal(err)
	}
	if obs.identity == nil || obs.mime != "" || obs.photo != nil {
		t.Errorf("observer: identity %v, photo %q %d bytes", obs.identity != nil, obs.mime, len(obs.photo))
	}
}

func TestReadCCCD(t *testing.T) {
	conn, chip := connect(t, "cccd", 11)
	a := chip.AccessData()
	id := chip.Document().Identity
	obs := &observer{}
	r := testReader(t)
	res, err := r.Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{MRZ: a.MRZ}, Photo: true}, obs)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Fields
	want := map[string]any{
		"idNumber": id.ID12, "documentNumber": a.DocumentNumber, "issuingState": "VNM", "documentType": "id-card",
		"fullName": id.FullName(), "ethnicity": id.Ethnicity, "religion": id.Religion,
		"placeOfOrigin": id.PlaceOfOrigin, "placeOfResidence": id.PlaceOfResidence,
		"dateOfBirth": id.DateOfBirth.Format("2006-01-02"), "dateOfIssue": id.DateOfIssue.Format("2006-01-02"),
		"sex": string(rune(id.Sex)),
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	if id.DateOfExpiry.IsZero() {
		if v, ok := f["dateOfExpiry"]; !ok || v != nil {
			t.Errorf("no-expiry card: dateOfExpiry = %v", v)
		}
	} else if f["dateOfExpiry"] != id.DateOfExpiry.Format("2006-01-02") {
		t.Errorf("dateOfExpiry = %v", f["dateOfExpiry"])
	}
	if obs.identity["idNumber"] != id.ID12 || obs.mime != "image/jpeg" || len(obs.photo) < 100 {
		t.Errorf("observer: identity %v, photo %s %d bytes", obs.identity["idNumber"], obs.mime, len(obs.photo))
	}
	if res.Document.Type != "id-card" || res.Document.Access != "PACE-GM" || len(res.Document.DataGroups) == 0 {
		t.Errorf("document %+v", res.Document)
	}
	if ac := res.Document.AccessControl; ac == nil || ac.Password != "MRZ" || ac.Cipher != "AES-128" || ac.Domain == "" || ac.ParameterID == nil {
		t.Errorf("access control %+v", ac)
	}
	if obs.phases[0] != protocol.PhaseConnecting {
		t.Errorf("phases %v", obs.phases)
	}
}

// The passport profile is built into the simulator: without it connect
// fails the test rather than skipping it.
func TestReadPassport(t *testing.T) {
	conn, chip := connect(t, "passport", 5)
	a := chip.AccessData()
	res, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{MRZ: a.MRZ}}, &observer{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fields["documentType"] != "passport" || res.Fields["documentNumber"] != a.DocumentNumber || res.Fields["surname"] == nil {
		t.Fatalf("passport fields %v", res.Fields)
	}
	// DG12's date of issue.
	if d, _ := res.Fields["dateOfIssue"].(string); len(d) != len("2006-01-02") {
		t.Errorf("dateOfIssue %v", res.Fields["dateOfIssue"])
	}
	// A Vietnamese passport's personal number is the holder's ID12: it is
	// the idNumber a hospital form looks for (docs/PROTOCOL.md §4).
	if id, _ := res.Fields["idNumber"].(string); len(id) != 12 || id != res.Fields["personalNumber"] {
		t.Errorf("idNumber %v, personalNumber %v", res.Fields["idNumber"], res.Fields["personalNumber"])
	}
}

func TestWrongKeyAndRemoval(t *testing.T) {
	conn, chip := connect(t, "cccd", 12)
	a := chip.AccessData()
	_, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{
		DocumentNumber: a.DocumentNumber, DateOfBirth: "000101", DateOfExpiry: a.DateOfExpiry}}, &observer{})
	if protocol.ErrorFrom(err).Code != protocol.AccessDenied {
		t.Fatalf("wrong key: %v", err)
	}
	// A deadline already past cancels at once (a timer firing late could
	// otherwise let the read run).
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = (&Reader{}).Read(ctx, conn, session.Request{Access: protocol.AccessKey{MRZ: a.MRZ}}, &observer{})
	if c := protocol.ErrorFrom(err).Code; c != protocol.Timeout {
		t.Fatalf("expired context: %v (%s)", err, c)
	}
}

func TestKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range []protocol.AccessKey{
		{CAN: "123456"}, {ID12: "001099012345"},
		{DocumentNumber: "099012345", DateOfBirth: "990101", DateOfExpiry: "390101"},
		{QR: "001099012345|123456789|Nguyễn Văn An|01011999|Nam|Hà Nội|01072021"},
	} {
		keys, err := Keys(k, now)
		if err != nil || len(keys) == 0 {
			t.Errorf("key form %d: %v", len(k.CAN)+len(k.ID12)+len(k.QR), err)
		}
	}
	for _, k := range []protocol.AccessKey{{}, {CAN: "12"}, {ID12: "12"}, {MRZ: "nonsense"}, {QR: "a|b"},
		{CAN: "123456", ID12: "001099012345"}, {DocumentNumber: "X"}} {
		if _, err := Keys(k, now); err == nil {
			t.Errorf("accepted a bad key (form %d)", len(k.CAN)+len(k.ID12))
		} else if strings.Contains(err.Error(), "123456") || strings.Contains(err.Error(), "001099012345") {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

func TestPortrait(t *testing.T) {
	jpeg := append([]byte{0x7F, 0x61, 0x10, 0xFF, 0xD8, 0xFF, 0xE0}, []byte("rest")...)
	if mime, img, err := Portrait(jpeg); err != nil || mime != "image/jpeg" || img[0] != 0xFF {
		t.Fatal(mime, err)
	}
	if _, _, err := Portrait([]byte("nothing")); err == nil {
		t.Fatal("no image accepted")
	}
}

// The pipeline's errors get their codes here, not in the wire format; the
// card stack's are left to the session.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want protocol.Code
	}{
		{fmt.Errorf("PACE: %w", access.ErrDenied), protocol.AccessDenied},
		{fmt.Errorf("PACE: %w", access.ErrTokenInvalid), protocol.ChipAuthTokenInvalid},
		{fmt.Errorf("key: %w", access.ErrInvalid), protocol.BadRequest},
		{fmt.Errorf("select: %w", files.ErrNotFound), protocol.CardUnsupported},
		{fmt.Errorf("select: %w", errors.Join(files.ErrNotFound, nfc.ErrCardRemoved)), protocol.Internal},
		{protocol.Errorf(protocol.Busy, "x"), protocol.Busy},
		{context.DeadlineExceeded, protocol.Timeout},
	} {
		if got := protocol.ErrorFrom(classify(tc.err, nil)).Code; got != tc.want {
			t.Errorf("%v: %s, want %s", tc.err, got, tc.want)
		}
	}
}

// A CAN, and an ID12 (whose last six digits are the CAN), open the
// Vietnamese cards with PACE: the 2021 card and the 2024 one, which
// refuses BAC. The read is verified (test anchor) and says how it opened.
func TestCANAndID12OpenWithPACE(t *testing.T) {
	r := testReader(t)
	for _, profile := range []string{"cccd", "cccd2024"} {
		for _, form := range []string{"can", "id12"} {
			t.Run(profile+"/"+form, func(t *testing.T) {
				conn, chip := connect(t, profile, 13)
				a := chip.AccessData()
				key := protocol.AccessKey{CAN: a.CAN}
				if form == "id12" {
					key = protocol.AccessKey{ID12: a.ID12}
				}
				res, err := r.Read(context.Background(), conn, session.Request{Access: key}, &observer{})
				if err != nil {
					t.Fatal(err)
				}
				ac := res.Document.AccessControl
				if res.Document.Access != "PACE-GM" || ac == nil || ac.Mechanism != "PACE-GM" || ac.Password != "CAN" || ac.Fallback {
					t.Errorf("document %+v, access control %+v", res.Document, ac)
				}
				if res.Verdict != check.Pass || !res.TestAnchor || res.Fields["idNumber"] != a.ID12 {
					t.Errorf("verdict %s, test anchor %v, checks %+v", res.Verdict, res.TestAnchor, res.Checks)
				}
			})
		}
	}
}

// A card access number cannot open a chip without PACE (an older
// passport), nor one whose PACE does not work with this reader: the read
// fails with BAD_REQUEST saying which key form to give, never
// ACCESS_DENIED (the key was not refused) nor CARD_UNSUPPORTED (the card
// reads with its MRZ).
func TestCANNeedsPACE(t *testing.T) {
	for _, tc := range []struct {
		name, profile string
		limits        sim.Limits
		want          string
	}{
		{"no PACE", "passport-bac-only", sim.Limits{}, "does not offer PACE"},
		// PACE over the 2048-bit DH group needs extended-length APDUs.
		{"PACE failed", "passport-dh", sim.Limits{NoExtended: true}, "PACE with this chip failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip, err := sim.New(tc.profile, sim.Options{Seed: 14, Limits: tc.limits})
			if err != nil {
				t.Fatal(err)
			}
			conn := agenttest.Connect(t, chip)
			can := chip.AccessData().CAN
			_, err = (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{CAN: can}}, &observer{})
			perr := protocol.ErrorFrom(err)
			if perr.Code != protocol.BadRequest || perr.Retryable || !strings.Contains(perr.Message, tc.want) ||
				!strings.Contains(perr.Message, "mrz") {
				t.Fatalf("CAN on %s: %v (%s: %s)", tc.profile, err, perr.Code, perr.Message)
			}
			if strings.Contains(err.Error(), can) {
				t.Error("the error quotes the CAN")
			}
			// The MRZ opens it.
			chip.Reset()
			res, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{MRZ: chip.AccessData().MRZ}}, &observer{})
			if err != nil || res.Document.Access != "BAC" {
				t.Fatalf("MRZ on %s: %v", tc.profile, err)
			}
		})
	}
}

// A wrong CAN was tried and refused: ACCESS_DENIED.
func TestWrongCAN(t *testing.T) {
	conn, chip := connect(t, "cccd", 15)
	wrong := "000000"
	if chip.AccessData().CAN == wrong {
		wrong = "111111"
	}
	_, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{CAN: wrong}}, &observer{})
	if perr := protocol.ErrorFrom(err); perr.Code != protocol.AccessDenied {
		t.Fatalf("wrong CAN: %v (%s)", err, perr.Code)
	}
}
