package read

import (
	"context"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/emrtd/pa"
)

// ReasonSODMissing: the chip holds no readable EF.SOD, so nothing it holds
// can be verified.
const ReasonSODMissing = "SOD_MISSING"

// sodState is EF.SOD as read and, when it parses, decoded.
type sodState struct {
	raw    []byte
	parsed *pa.SOD
}

// readSOD reads EF.SOD when verification is asked for. An absent or
// unreadable EF.SOD does not end the read: passive authentication reports
// it.
func (r *reading) readSOD(ctx context.Context) error {
	if !r.opts.Verify {
		return nil
	}
	data, err := r.readFile(ctx, files.EFSOD, 0)
	if err != nil {
		return err
	}
	r.sod = &sodState{raw: data}
	if data != nil {
		r.sod.parsed, _ = pa.ParseSOD(data) // a malformed SOD is reported by VerifyBytes
	}
	return nil
}

// passiveAuth verifies EF.SOD over the data groups read so far and puts
// the report in the result, replacing an earlier one (the early identity's
// report covers the text data groups only).
func (r *reading) passiveAuth() {
	if !r.opts.Verify || r.sod == nil {
		return
	}
	if r.sod.raw == nil {
		var report check.Report
		report.Add(check.SODSignature, check.Fail, ReasonSODMissing,
			"The chip holds no readable security data (EF.SOD): nothing it holds can be verified.")
		r.res.Checks = report
		return
	}
	o := pa.Options{Trust: r.opts.Trust, AllowTestAnchors: r.opts.AllowTestAnchors, Now: r.opts.Now, DataGroups: map[int][]byte{}}
	for _, f := range r.res.Files {
		if f.Status == FileRead && f.DG > 0 {
			o.DataGroups[f.DG] = f.Data
		}
	}
	if r.res.DG1 != nil {
		o.IssuingState = r.res.DG1.IssuingState
	}
	var res *pa.Result
	if r.sod.parsed != nil {
		res = pa.Verify(r.sod.parsed, o)
	} else {
		res = pa.VerifyBytes(r.sod.raw, o)
	}
	r.res.Checks = res.Report
}
