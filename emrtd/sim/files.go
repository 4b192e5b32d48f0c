package sim

import "github.com/idagent/idagent/emrtd/sim/issue"

// Access conditions of the chip's files.
type fileAccess int

const (
	// accessFree: readable without access control (EF.CardAccess, at the
	// master file level).
	accessFree fileAccess = iota
	// accessAfterAuth: readable under secure messaging once an access
	// control protocol opened a session.
	accessAfterAuth
	// accessTerminalAuth: protected by Terminal Authentication (DG3, DG4),
	// which the simulator does not run: reading answers 6982.
	accessTerminalAuth
)

// file is one elementary file of the chip.
type file struct {
	fid    uint16
	sfi    byte
	data   []byte
	access fileAccess
	inApp  bool // in the eMRTD application (LDS1), not at the master file
}

// buildFiles lays out the issued document's files: EF.CardAccess at the
// master file, EF.COM, EF.SOD and the data groups in the LDS1 application.
func buildFiles(doc *issue.Document, taProtected []int) map[uint16]*file {
	out := map[uint16]*file{}
	for fid, data := range doc.Files {
		f := &file{fid: fid, sfi: byte(fid & 0x1F), data: data, access: accessAfterAuth, inApp: true}
		switch {
		case fid == issue.FIDCardAccess:
			f.access, f.inApp = accessFree, false
		case fid > 0x0100 && fid <= 0x0110:
			for _, n := range taProtected {
				if fid == issue.FIDOfDG(n) {
					f.access = accessTerminalAuth
				}
			}
		}
		out[fid] = f
	}
	return out
}
