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

	// dg.hash.DGn of a data group EF.SOD lists that the desk did not get.
	ReasonListedFileAbsent  = "LISTED_FILE_ABSENT" // FAIL: the chip says (protected) it does not hold it
	ReasonFileProtected     = "FILE_PROTECTED"     // UNKNOWN: the chip refused it (6982)
	ReasonUnprotectedStatus = "UNPROTECTED_STATUS" // UNKNOWN: refused with an unprotected status word during secure messaging
	ReasonPending           = "PENDING"            // SKIPPED: still being read (the photo, at the early identity)

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

	// chip.authentication and active.authentication where EF.SOD lists
	// DG14 / DG15 (required), or neither.
	ReasonRequiredNotRun = "REQUIRED_NOT_RUN" // FAIL: EF.SOD lists DG14/DG15, but the protocol did not run
	ReasonKeyNotSigned   = "KEY_NOT_SIGNED"   // FAIL: the chip proved a key that DG14 (or EF.CardSecurity) does not publish
	ReasonNotProven      = "NOT_PROVEN"       // WARN: EF.SOD lists neither DG14 nor DG15: nothing shows the chip is not a copy

	// cardaccess.consistency.
	ReasonCardAccessSigned      = "CARDACCESS_SIGNED"       // PASS: EF.CardAccess is what DG14 / EF.CardSecurity sign
	ReasonCardAccessMismatch    = "CARDACCESS_MISMATCH"     // FAIL: EF.CardAccess differs from the signed SecurityInfos
	ReasonCardAccessNotSigned   = "CARDACCESS_NOT_SIGNED"   // WARN: no signed data lists EF.CardAccess's PACE configurations
	ReasonCardAccessMissing     = "CARDACCESS_MISSING"      // WARN: EF.CardAccess unreadable though signed data lists PACE
	ReasonCardAccessNotVerified = "CARDACCESS_NOT_VERIFIED" // UNKNOWN: the signed data to compare with is not proven
	ReasonNoPACE                = "NO_PACE"                 // NOT_SUPPORTED: the chip offers no PACE (cardaccess.consistency, access.protocol)

	// access.protocol.
	ReasonPACEUsed      = "PACE_USED"       // PASS: opened with PACE as signed data lists it
	ReasonPACENotUsed   = "PACE_NOT_USED"   // WARN: the chip lists PACE but was opened with BAC
	ReasonPACENotSigned = "PACE_NOT_SIGNED" // WARN: opened with a PACE configuration signed data does not list

	// com.consistency.
	ReasonCOMMatches  = "COM_MATCHES"  // PASS: EF.COM lists the data groups EF.SOD lists
	ReasonCOMMismatch = "COM_MISMATCH" // WARN: EF.COM lists other data groups than EF.SOD
	ReasonCOMMissing  = "COM_MISSING"  // SKIPPED: no readable EF.COM (common on issued documents)
)
