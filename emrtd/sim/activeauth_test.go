package sim

import (
	"errors"
	"testing"

	"github.com/idagent/idagent/emrtd/activeauth"
	"github.com/idagent/idagent/emrtd/lds"
	"github.com/idagent/idagent/emrtd/sim/issue"
	"github.com/idagent/idagent/nfc/apdu"
)

// The attack builder of issue 13's catalogue: an RSA chip whose document
// says MalformedPadding signs, with its real key, representatives whose
// ISO/IEC 9796-2 padding is invalid; active authentication fails (a
// verifier skipping padding nibbles passed them). The same chip without it
// passes.
func TestMalformedAAPadding(t *testing.T) {
	chip, err := New("passport-bac-only", Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	doc := chip.Document()
	dg15, err := lds.ParseDG15(doc.Files[issue.FIDOfDG(15)])
	if err != nil {
		t.Fatal(err)
	}
	challenge := []byte("RND.IFD!")
	for _, malformed := range []bool{false, true} {
		doc.Security.AA.MalformedPadding = malformed
		cfg, err := aaChipConfig(doc)
		if err != nil {
			t.Fatal(err)
		}
		p, err := newAAProtocol(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res := p.Respond(apdu.Command{INS: apdu.InsInternalAuthenticate, Data: challenge, Ne: apdu.MaxShortNe})
		if res.Response.SW != apdu.SWOK {
			t.Fatalf("INTERNAL AUTHENTICATE: %v", res.Response.SW)
		}
		_, err = activeauth.VerifySignature(dg15.PublicKey, nil, challenge, res.Response.Data)
		if malformed != errors.Is(err, activeauth.ErrFailed) || (!malformed && err != nil) {
			t.Errorf("malformed padding %v: %v", malformed, err)
		}
	}
}
