package cardread

import (
	"encoding/base64"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/read"
)

// evidence is what a backend needs to re-verify the read on its own: the
// files passive authentication covers (EF.SOD, the data groups,
// EF.CardSecurity for PACE-CAM), EF.CardAccess, and active
// authentication's challenge, signature and DG15 key
// (activeauth.VerifySignature checks them offline).
func evidence(res *read.Result) *protocol.Evidence {
	e := &protocol.Evidence{DataGroups: map[string]string{}}
	for _, f := range res.Files {
		if f.Status != read.FileRead {
			continue
		}
		data := b64(f.Data)
		switch {
		case f.DG > 0:
			e.DataGroups[f.Name] = data
		case f.Name == files.EFSOD.Name:
			e.SOD = data
		case f.Name == files.EFCardAccess.Name:
			e.CardAccess = data
		case f.Name == files.EFCardSecurity.Name:
			e.CardSecurity = data
		}
	}
	if aa := res.ActiveAuth; aa != nil && len(aa.Signature) > 0 {
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
