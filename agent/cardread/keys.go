package cardread

import (
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/cccd"
)

// Keys turns the access key of read.start into the keys the pipeline
// tries, in order, with the rules of emrtd/cccd (the same the API checks
// read.start with). Errors name the key form, never its value.
func Keys(k protocol.AccessKey, now time.Time) ([]access.Key, error) {
	return cccd.KeyForm(k).Keys(now)
}
