package verify

import (
	"fmt"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/emrtd/lds"
)

// Document is what the verified data groups say: each one parsed only
// from a data group passive authentication proved (its hash matched an
// EF.SOD whose signature verified to a signer chaining to an accepted
// CSCA, with no check of that signer failed: Proven), never from anything
// else the evidence carries. A data group EF.SOD does not list, or one
// under a signer of an unknown CSCA, is not verified, whatever its hash.
// The verdict weighs the other checks: a caller releases the fields only
// on a verdict it accepts. It is personal data.
type Document struct {
	// Verified are the numbers of the verified data groups.
	Verified []int
	DG1      *lds.DG1
	DG11     *lds.DG11
	DG12     *lds.DG12
	DG13     *lds.DG13
	// DG2 is the portrait's data group as read, and Portrait its first
	// image's description.
	DG2      []byte
	Portrait *lds.Image
}

// Format prints a redaction.
func (d Document) Format(s fmt.State, _ rune) {
	fmt.Fprintf(s, "verify.Document(verified %v)", d.Verified)
}

// Document parses the verified data groups of ev, as r's checks decided
// them. Data groups that do not parse are left out.
func (r *Result) Document(ev *Evidence) *Document {
	d := &Document{}
	for n := 1; n <= 16; n++ {
		b, ok := ev.DataGroups[n]
		if c, _ := r.Checks.Get(check.DGHash(n)); !ok || c.Status != check.Pass {
			continue
		}
		if ok, _ := proven(r.Checks, n); !ok {
			continue
		}
		if d.set(n, b) == nil {
			d.Verified = append(d.Verified, n)
		}
	}
	return d
}

// set parses data group n into its field; the groups a Document does not
// hold are verified without parsing.
func (d *Document) set(n int, b []byte) (err error) {
	switch n {
	case 1:
		d.DG1, err = lds.ParseDG1(b)
	case 2:
		var dg2 *lds.DG2
		if dg2, err = lds.ParseDG2(b); err == nil {
			d.DG2, d.Portrait = b, dg2.Portrait()
		}
	case 11:
		d.DG11, err = lds.ParseDG11(b)
	case 12:
		d.DG12, err = lds.ParseDG12(b)
	case 13:
		d.DG13, err = lds.ParseDG13(b)
	}
	return err
}

// Fields are the identity fields of the verified data groups, named as
// everywhere in idagent (emrtd/identity); now places two-digit MRZ years.
func (d *Document) Fields(now time.Time) identity.Fields {
	return identity.Of(identity.Groups{DG1: d.DG1, DG11: d.DG11, DG12: d.DG12, DG13: d.DG13}, now)
}
