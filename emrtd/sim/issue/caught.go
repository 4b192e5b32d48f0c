package issue

// The package has a check function of its own (check digits).
import checks "github.com/idagent/idagent/emrtd/check"

// Catch is what a verifier must report for a forgery: the check that
// catches it, and that check's status.
type Catch struct {
	Check  string
	Status checks.Status
}

// Caught is the catch of t (docs/SIMULATOR.md): FAIL of the one check it
// forges, except a signer of an unknown CSCA, which is UNKNOWN trust (the
// signature may be valid; nothing says it is false). Zero for NoTamper.
func (t Tamper) Caught() Catch { return caught[t] }

var caught = map[Tamper]Catch{
	DG13Edited:      {checks.DGHash(13), checks.Fail},
	DG2Swapped:      {checks.DGHash(2), checks.Fail},
	DG1Edited:       {checks.DGHash(1), checks.Fail},
	SODBadSignature: {checks.SODSignature, checks.Fail},
	DSCUntrusted:    {checks.DSChain, checks.Unknown},
	DSCExpired:      {checks.DSValidity, checks.Fail},
	DSCRevoked:      {checks.DSRevocation, checks.Fail},
	DSCWrongCountry: {checks.DSCountry, checks.Fail},
	AAClone:         {checks.ActiveAuth, checks.Fail},
	CAClone:         {checks.ChipAuth, checks.Fail},
	MRZDG13Mismatch: {checks.MRZConsistency, checks.Fail},
}
