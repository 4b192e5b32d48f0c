package cardread

import (
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/read"
)

// Fields maps what the pipeline read and parsed to the protocol's identity
// fields with emrtd/identity (DG1, then DG11, DG12 and DG13).
func Fields(res *read.Result, now time.Time) protocol.Fields {
	if res == nil {
		return protocol.Fields{}
	}
	return protocol.Fields(identity.Of(identity.Groups{DG1: res.DG1, DG11: res.DG11, DG12: res.DG12, DG13: res.DG13}, now))
}
