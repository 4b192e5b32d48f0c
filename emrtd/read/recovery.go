package read

import (
	"context"
	"errors"
	"fmt"

	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/bac"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/pace"
	"github.com/idagent/idagent/emrtd/sm"
	"github.com/idagent/idagent/nfc/apdu"
)

// The read's secure messaging session is emrtd/session's state machine,
// the one owner of recovery: the file reader asks it to Recover when the
// chip dropped the session, chip and active authentication ask it too,
// and it calls reopenChip, which never calls back into it.

// startSession hands the session the channel access control opened; from
// here on every command of the read goes under secure messaging.
func (r *reading) startSession(ch *sm.Channel) { r.session.Start(ch, r.reopenChip) }

// reopenChip is the session's Opener: the mechanism and key that worked,
// SELECT of the application (a chip that ended its session may have
// selected the master file, real-chips SM-01), and chip authentication
// again when it had passed. A chip that fails it has dropped secure
// messaging once more: it is opened once more, without chip
// authentication (which no longer passes).
func (r *reading) reopenChip(ctx context.Context) (*sm.Channel, error) {
	ch, paced, err := r.accessAgain(ctx)
	if err != nil {
		return nil, err
	}
	ch, ok, err := r.reauthenticateChip(ctx, ch, paced)
	if err != nil || ok {
		return ch, err
	}
	ch, _, err = r.accessAgain(ctx)
	return ch, err
}

// accessAgain runs access control with the opener's mechanism and key and
// selects the application under the new session.
func (r *reading) accessAgain(ctx context.Context) (*sm.Channel, *pace.Result, error) {
	if r.opener == nil {
		return nil, nil, errors.New("no session to re-establish")
	}
	var s *sm.Session
	var paced *pace.Result
	var err error
	if p := r.opener.params; p != nil {
		s, paced, err = pace.Run(ctx, r.plain, r.opener.key, *p, &pace.Options{Rand: r.opts.Rand})
	} else {
		s, err = bac.Authenticate(ctx, r.plain, r.opener.key.(access.BACKey), r.opts.Rand)
	}
	if err != nil {
		return nil, nil, err
	}
	ch := sm.NewChannel(r.plain, s)
	cmd := apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: files.AID}
	resp, err := ch.Exchange(ctx, cmd)
	if err == nil {
		err = resp.Err(cmd)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("select eMRTD application: %w", err)
	}
	return ch, paced, nil
}
