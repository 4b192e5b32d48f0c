package files

import (
	"github.com/idagent/idagent/nfc/apdu"
)

// firstRead is the answer to the first READ BINARY of a file that another
// layer sent on the Reader's behalf (see FirstRead).
type firstRead struct {
	fid  uint16
	want int
	o    outcome
}

// FirstRead returns the first READ BINARY that ReadFile(f) would send: by
// short file identifier, asking for as much as the link allows. A protocol
// that must prove a new secure messaging session with one protected
// exchange (chip authentication) can send it as that proof and hand the
// answer to UseFirstRead, so the proof costs no exchange of its own. ok is
// false when f has no short file identifier or the chip refuses them.
func (r *Reader) FirstRead(f File) (cmd apdu.Command, ok bool) {
	if f.SFI == 0 || *r.sfiOf(f) == no {
		return apdu.Command{}, false
	}
	return r.readCommand(0x80|f.SFI, 0, r.firstWant()), true
}

// UseFirstRead hands the Reader the answer to the command FirstRead(f)
// returned (decrypted, when it went under secure messaging); the next
// ReadFile(f) starts from it instead of sending that command. Any other
// read or SELECT first discards it.
func (r *Reader) UseFirstRead(f File, resp apdu.Response) {
	r.first = &firstRead{fid: f.FID, want: r.firstWant(), o: outcome{sw: resp.SW, data: resp.Data}}
}

// takeFirstRead returns the answer UseFirstRead stored when it answers
// this read of f; any stored answer is discarded.
func (r *Reader) takeFirstRead(f File, offset, n int) (outcome, bool) {
	p := r.first
	r.first = nil
	if p == nil || p.fid != f.FID || offset != 0 || p.want != n {
		return outcome{}, false
	}
	if !r.sfiAnswer(f, p.o) {
		return outcome{}, false
	}
	return p.o, true
}

// firstWant is what a file's first READ BINARY asks for: as much as the
// link allows, or only the header from a chip that refuses reads past the
// end.
func (r *Reader) firstWant() int {
	if r.exact == yes {
		return headerLen
	}
	return r.chunk
}
