package verify

// Reason codes of the checks this package makes besides passive
// authentication (emrtd/pa) and the MRZ cross-checks (emrtd/lds). They are
// stable API: programs match on them, docs/PROTOCOL.md lists them, and
// they are never renamed.
const (
	// ReasonSODMissing: the chip holds no readable EF.SOD, so nothing it
	// holds can be verified.
	ReasonSODMissing = "SOD_MISSING"
	// ReasonNotRead: a data group the read asked for and the chip lists
	// could not be read, so its hash was not checked.
	ReasonNotRead = "NOT_READ"

	// chip.authentication and active.authentication.
	ReasonChipAuthenticated = "CHIP_AUTHENTICATED" // PASS: the chip holds the private key of its proven public key
	ReasonSignatureValid    = "SIGNATURE_VALID"    // PASS (active authentication)
	ReasonKeyMismatch       = "KEY_MISMATCH"       // FAIL: the chip does not hold the key its files name (a clone)
	ReasonSignatureInvalid  = "SIGNATURE_INVALID"  // FAIL (active authentication)
	ReasonKeyNotVerified    = "KEY_NOT_VERIFIED"   // UNKNOWN: the chip proved a key that passive authentication did not prove
	ReasonUnconfirmed       = "UNCONFIRMED"        // UNKNOWN: no protected answer under chip authentication's keys
	ReasonProtocolError     = "PROTOCOL_ERROR"     // UNKNOWN: the chip refused or garbled the protocol
	ReasonNotSupported      = "NOT_SUPPORTED"      // NOT_SUPPORTED: the chip has no such key (no DG14/DG15) or an unusable one
	ReasonNotRequested      = "NOT_REQUESTED"      // SKIPPED: the read did not ask for DG14/DG15

	// Away from the desk (Options.AtDesk false).
	ReasonVerifiedAtDeskOnly = "VERIFIED_AT_DESK_ONLY" // chip.authentication: the desk reports it passed; a server cannot check it (WARN, or SKIPPED when active authentication proves the chip)
	ReasonNotShown           = "NOT_SHOWN"             // UNKNOWN: the chip holds a chip authentication key and the evidence shows no anti-clone proof
	ReasonSignatureMissing   = "SIGNATURE_MISSING"     // UNKNOWN: the chip holds DG15 and the evidence carries no active authentication signature

	// challenge (Options.Challenge).
	ReasonChallengeSigned    = "CHALLENGE_SIGNED"     // PASS: the chip signed this verification's challenge
	ReasonChallengeMismatch  = "CHALLENGE_MISMATCH"   // FAIL: the chip signed another challenge (another read)
	ReasonChallengeNotSigned = "CHALLENGE_NOT_SIGNED" // WARN (chip without active authentication) or UNKNOWN: the evidence is not bound to the challenge
)
