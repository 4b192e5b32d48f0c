package read

import (
	"context"

	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/pa"
	"github.com/idagent/idagent/emrtd/verify"
)

// readSOD reads EF.SOD when verification is asked for. An absent or
// unreadable EF.SOD does not end the read: passive authentication reports
// it.
func (r *reading) readSOD(ctx context.Context) error {
	if !r.opts.Verify {
		return nil
	}
	data, err := r.readFile(ctx, files.EFSOD, 0)
	if err != nil || data == nil {
		return err
	}
	if sod, err := pa.ParseSOD(data); err == nil {
		r.sodGroups = sod.LDS.DataGroups() // which data groups exist
	}
	return nil
}

// verify has emrtd/verify check the evidence read so far and puts the
// checks and the verdict in the result, replacing earlier ones (the early
// identity's cover the text data groups and chip authentication; the
// final ones everything).
func (r *reading) verify(final bool) {
	if !r.opts.Verify {
		return
	}
	r.begin(PhaseVerify, "")
	res := verify.Verify(r.evidence(), r.verifyOptions(final))
	if res.CardSecurityChecks != nil {
		r.res.ChipAuth.KeyChecks = res.CardSecurityChecks
	}
	r.res.Checks, r.res.Verdict = res.Checks, res.Verdict
}

// verifyOptions are emrtd/verify's options for the read so far (final:
// the read is over).
func (r *reading) verifyOptions(final bool) verify.Options {
	o := verify.Options{Trust: r.opts.Trust, AllowTestAnchors: r.opts.AllowTestAnchors, Now: r.opts.Now, AtDesk: true}
	if !final && r.wanted(2) && r.listed(2) {
		o.Pending = []int{2} // the photo is read next
	}
	return o
}

// evidence is the read's evidence with the key that opened the chip.
func (r *reading) evidence() *verify.Evidence {
	ev := r.res.Evidence()
	if r.opener != nil {
		ev.AccessKey = r.opener.key
	}
	return ev
}

// Evidence is what the read gives emrtd/verify, and a backend to verify
// again: the files as read (EF.SOD, the data groups, EF.CardAccess,
// EF.CardSecurity), active authentication's challenge and signature, and
// the desk's observations (how the chip was opened, how chip
// authentication went, the files the chip refused). It holds no access
// key. It shares the result's bytes: neither may change them.
func (r *Result) Evidence() *verify.Evidence {
	ev := &verify.Evidence{DataGroups: map[int][]byte{}, Access: r.Access, ChipAuth: r.ChipAuth, ActiveAuth: r.ActiveAuth}
	for _, f := range r.Files {
		if f.Status != FileRead {
			ev.Refused = append(ev.Refused, verify.Refused{Name: f.Name, DG: f.DG, Status: f.Status, Error: f.Error, Unprotected: f.Unprotected})
			continue
		}
		switch {
		case f.DG > 0:
			ev.DataGroups[f.DG] = f.Data
		case f.Name == files.EFSOD.Name:
			ev.SOD = f.Data
		case f.Name == files.EFCardAccess.Name:
			ev.CardAccess = f.Data
		case f.Name == files.EFCardSecurity.Name:
			ev.CardSecurity = f.Data
		case f.Name == files.EFCOM.Name:
			ev.COM = f.Data
		}
	}
	return ev
}
