package cardread

import (
	"encoding/base64"
	"fmt"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/read"
)

// evidence is what a backend needs to re-verify the read on its own: the
// files passive authentication covers (EF.SOD, the data groups,
// EF.CardSecurity for PACE-CAM), EF.CardAccess, and active
// authentication's challenge, signature and DG15 key
// (activeauth.VerifySignature checks them offline).
func evidence(res *read.Result) *protocol.Evidence {
	ev := res.Evidence()
	e := &protocol.Evidence{DataGroups: map[string]string{}, SOD: b64(ev.SOD), CardAccess: b64(ev.CardAccess), CardSecurity: b64(ev.CardSecurity)}
	for n, data := range ev.DataGroups {
		e.DataGroups[fmt.Sprintf("DG%d", n)] = b64(data)
	}
	if aa := ev.ActiveAuth; aa != nil && len(aa.Signature) > 0 {
		e.Challenge, e.ActiveAuthSignature = b64(aa.Challenge), b64(aa.Signature)
		e.ActiveAuthPublicKey, e.ActiveAuthAlgorithm, e.ActiveAuthHash = b64(aa.PublicKey), aa.Algorithm, aa.Hash
	}
	return e
}

func b64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
