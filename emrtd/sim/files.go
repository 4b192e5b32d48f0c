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
}

// fileTree is the chip's files: those of the master file (EF.CardAccess,
// EF.CardSecurity) and those of the LDS1 application (EF.COM, EF.SOD, the
// data groups). EF.CardSecurity and EF.SOD share FID 011D and SFI 1D: which
// one a command reaches depends on whether the application is selected.
type fileTree struct {
	mf, app map[uint16]*file
}

// buildFiles lays out the issued document's files.
func buildFiles(doc *issue.Document, taProtected []int) fileTree {
	t := fileTree{mf: map[uint16]*file{}, app: map[uint16]*file{}}
	for fid, data := range doc.Files {
		f := &file{fid: fid, sfi: byte(fid & 0x1F), data: data, access: accessAfterAuth}
		if fid == issue.FIDCardAccess {
			f.access = accessFree
			t.mf[fid] = f
			continue
		}
		for _, n := range taProtected {
			if fid == issue.FIDOfDG(n) {
				f.access = accessTerminalAuth
			}
		}
		t.app[fid] = f
	}
	if doc.CardSecurity != nil {
		t.mf[issue.FIDSOD] = &file{fid: issue.FIDSOD, sfi: 0x1D, data: doc.CardSecurity, access: accessAfterAuth}
	}
	return t
}

// byFID finds a file as reachable from the current selection: the
// application's files when it is selected, then the master file's (its
// EF.CardAccess is selectable from anywhere).
func (t fileTree) byFID(fid uint16, appSelected bool) *file {
	if appSelected {
		if f := t.app[fid]; f != nil {
			return f
		}
	}
	return t.mf[fid]
}

// bySFI finds a file by short file identifier, like byFID.
func (t fileTree) bySFI(sfi byte, appSelected bool) *file {
	if appSelected {
		for _, f := range t.app {
			if f.sfi == sfi {
				return f
			}
		}
	}
	for _, f := range t.mf {
		if f.sfi == sfi {
			return f
		}
	}
	return nil
}

// inApplication reports whether f is a file of the LDS1 application.
func (t fileTree) inApplication(f *file) bool { return t.app[f.fid] == f }
