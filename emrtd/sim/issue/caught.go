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
func (t Tamper) Caught() Catch {
	switch t {
	case DG13Edited:
		return Catch{checks.DGHash(13), checks.Fail}
	case DG2Swapped:
		return Catch{checks.DGHash(2), checks.Fail}
	case DG1Edited:
		return Catch{checks.DGHash(1), checks.Fail}
	case SODBadSignature:
		return Catch{checks.SODSignature, checks.Fail}
	case DSCUntrusted:
		return Catch{checks.DSChain, checks.Unknown}
	case DSCExpired:
		return Catch{checks.DSValidity, checks.Fail}
	case DSCRevoked:
		return Catch{checks.DSRevocation, checks.Fail}
	case DSCWrongCountry:
		return Catch{checks.DSCountry, checks.Fail}
	case AAClone:
		return Catch{checks.ActiveAuth, checks.Fail}
	case CAClone:
		return Catch{checks.ChipAuth, checks.Fail}
	case MRZDG13Mismatch:
		return Catch{checks.MRZConsistency, checks.Fail}
	}
	return Catch{}
}
