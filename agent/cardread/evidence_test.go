package cardread

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/verify"
)

// The evidence of read.result, as a backend receives it, decodes with
// emrtd/verify and encodes back to the same JSON: no field is lost
// between the two definitions of the wire format (protocol.Evidence and
// emrtd/verify's), and the desk's observations are there.
func TestEvidenceRoundTrip(t *testing.T) {
	for _, profile := range []string{"cccd", "passport-cam"} {
		t.Run(profile, func(t *testing.T) {
			conn, chip := connect(t, profile, 31)
			a := chip.AccessData()
			key := protocol.AccessKey{CAN: a.CAN}
			if profile == "passport-cam" {
				key = protocol.AccessKey{MRZ: a.MRZ}
			}
			res, err := (&Reader{}).Read(context.Background(), conn, session.Request{Access: key, Photo: true, Evidence: true, Challenge: []byte("12345678")}, &observer{})
			if err != nil {
				t.Fatal(err)
			}
			wire, err := json.Marshal(res.Evidence)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := verify.ParseEvidence(wire)
			if err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			if json.Unmarshal(wire, &want) != nil || json.Unmarshal(again, &got) != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("decoded and encoded again:\n%s\nwire:\n%s", redact(got), redact(want))
			}
			if ev.SOD == nil || ev.DataGroups[2] == nil || ev.ChipAuth == nil || ev.Access == nil || ev.CardAccess == nil {
				t.Errorf("evidence lost parts: %v", ev)
			}
			if profile == "cccd" && (ev.ActiveAuth == nil || string(ev.ActiveAuth.Challenge) != "12345678" || len(ev.ActiveAuth.Signature) == 0) {
				t.Error("active authentication lost")
			}
		})
	}
}

// redact keeps a JSON object's keys, not its values.
func redact(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
