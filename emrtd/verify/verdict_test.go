package verify

import (
	"testing"

	"github.com/idagent/idagent/emrtd/check"
)

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		checks check.Report
		want   check.Status
	}{
		{nil, check.Unknown},
		{check.Report{{Name: check.SODSignature, Status: check.Pass}, {Name: check.ChipAuth, Status: check.NotSupported}}, check.Pass},
		{check.Report{{Name: check.SODSignature, Status: check.Pass}, {Name: check.DGHash(1), Status: check.Skipped}}, check.Unknown},
		{check.Report{{Name: check.SODSignature, Status: check.Pass}, {Name: check.DSValidity, Status: check.Warn}}, check.Warn},
		{check.Report{{Name: check.DSChain, Status: check.Unknown}, {Name: check.ActiveAuth, Status: check.Fail}}, check.Fail},
	} {
		if got := Verdict(tc.checks); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.checks, got, tc.want)
		}
	}
}
