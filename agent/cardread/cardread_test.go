package cardread

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/virtual"
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
	m := virtual.New("R")
	if err := m.Insert("R", chip); err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connect(context.Background(), "R")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, chip
}

func TestReadCCCD(t *testing.T) {
	conn, chip := connect(t, "cccd", 11)
	a := chip.AccessData()
	id := chip.Document().Identity
	obs := &observer{}
	r := &Reader{}
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
	if obs.phases[0] != protocol.PhaseConnecting {
		t.Errorf("phases %v", obs.phases)
	}
}

func TestReadPassport(t *testing.T) {
	profiles := sim.Profiles()
	found := false
	for _, p := range profiles {
		found = found || p == "passport"
	}
	if !found {
		t.Skipf("no passport profile (have %v)", profiles)
	}
	conn, chip := connect(t, "passport", 5)
	a := chip.AccessData()
	res, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{MRZ: a.MRZ}}, &observer{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fields["documentType"] != "passport" || res.Fields["documentNumber"] != a.DocumentNumber || res.Fields["surname"] == nil {
		t.Fatalf("passport fields %v", res.Fields)
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
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey: %v", err)
		}
	}
	for _, k := range []protocol.AccessKey{{}, {CAN: "12"}, {ID12: "12"}, {MRZ: "nonsense"}, {QR: "a|b"},
		{CAN: "123456", ID12: "001099012345"}, {DocumentNumber: "X"}} {
		if err := CheckKey(k); err == nil {
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
	var u errUnsupported
	if !errors.As(classify(errUnsupported{errors.New("x")}, nil), &u) {
		t.Fatal("classify")
	}
}

func TestMRZDate(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"990101": "1999-01-01", "250101": "2025-01-01", "500000": "1950"} {
		if got := mrzDate(in, now, true); got != want {
			t.Errorf("birth %s → %s, want %s", in, got, want)
		}
	}
	if got := mrzDate("390101", now, false); got != "2039-01-01" {
		t.Errorf("expiry → %s", got)
	}
}

func TestCANWithoutPACE(t *testing.T) {
	conn, chip := connect(t, "cccd", 13)
	_, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: protocol.AccessKey{CAN: chip.AccessData().CAN}}, &observer{})
	if err == nil {
		t.Skip("the pipeline opens chips with a CAN now (PACE)")
	}
	if code := protocol.ErrorFrom(err).Code; code != protocol.BadRequest && code != protocol.AccessDenied {
		t.Fatalf("CAN without PACE: %v (%s)", err, code)
	}
}
