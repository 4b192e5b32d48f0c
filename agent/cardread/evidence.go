package cardread

import (
	"encoding/json"
	"fmt"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/read"
)

// evidence is what a backend needs to re-verify the read on its own
// (emrtd/verify, `idagent verify evidence`, `idagent verifier`): the files
// as read (EF.SOD, the data groups, EF.CardAccess, EF.CardSecurity), active
// authentication's challenge, signature and DG15 key, and the desk's
// observations. emrtd/verify defines its JSON, which it reads back, and
// protocol.Evidence mirrors it: the evidence goes through that JSON here,
// so the two cannot drift apart (TestEvidenceRoundTrip).
func evidence(res *read.Result) (*protocol.Evidence, error) {
	raw, err := json.Marshal(res.Evidence())
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	var e protocol.Evidence
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return &e, nil
}
