package apdu

import "fmt"

// SW is a status word (SW1 SW2).
type SW uint16

// Status words an eMRTD reader meets.
const (
	SWOK                      SW = 0x9000
	SWEndOfFile               SW = 0x6282 // end of file reached before Ne bytes
	SWVerifyFailed            SW = 0x6300 // authentication failed (PACE step 4, no retry counter)
	SWMemoryUnchanged         SW = 0x6400
	SWMemoryFailure           SW = 0x6581
	SWWrongLength             SW = 0x6700
	SWLogicalChannelNotSupp   SW = 0x6881
	SWSecureMessagingNotSupp  SW = 0x6882
	SWCommandNotAllowed       SW = 0x6900
	SWFileStructure           SW = 0x6981
	SWSecurityStatus          SW = 0x6982 // security status not satisfied
	SWAuthMethodBlocked       SW = 0x6983
	SWReferenceDataUnusable   SW = 0x6984
	SWConditionsNotSatisfied  SW = 0x6985
	SWNoCurrentEF             SW = 0x6986
	SWSMDataObjectsMissing    SW = 0x6987
	SWSMDataObjectsIncorrect  SW = 0x6988
	SWWrongData               SW = 0x6A80
	SWFunctionNotSupported    SW = 0x6A81
	SWFileNotFound            SW = 0x6A82
	SWRecordNotFound          SW = 0x6A83
	SWNotEnoughMemory         SW = 0x6A84
	SWIncorrectP1P2           SW = 0x6A86
	SWLcInconsistentWithP1P2  SW = 0x6A87
	SWReferenceDataNotFound   SW = 0x6A88
	SWWrongP1P2               SW = 0x6B00 // also: offset outside the EF
	SWINSNotSupported         SW = 0x6D00
	SWCLANotSupported         SW = 0x6E00
	SWNoPreciseDiagnosis      SW = 0x6F00
	SWSelectedFileInvalidated SW = 0x6283
)

var swNames = map[SW]string{
	SWOK:                      "success",
	SWEndOfFile:               "end of file reached before Le bytes",
	SWSelectedFileInvalidated: "selected file invalidated",
	SWVerifyFailed:            "verification failed",
	SWMemoryUnchanged:         "execution error, memory unchanged",
	SWMemoryFailure:           "memory failure",
	SWWrongLength:             "wrong length",
	SWLogicalChannelNotSupp:   "logical channel not supported",
	SWSecureMessagingNotSupp:  "secure messaging not supported",
	SWCommandNotAllowed:       "command not allowed",
	SWFileStructure:           "command incompatible with file structure",
	SWSecurityStatus:          "security status not satisfied",
	SWAuthMethodBlocked:       "authentication method blocked",
	SWReferenceDataUnusable:   "reference data not usable",
	SWConditionsNotSatisfied:  "conditions of use not satisfied",
	SWNoCurrentEF:             "command not allowed, no current EF",
	SWSMDataObjectsMissing:    "expected secure messaging data objects missing",
	SWSMDataObjectsIncorrect:  "incorrect secure messaging data objects",
	SWWrongData:               "incorrect parameters in the data field",
	SWFunctionNotSupported:    "function not supported",
	SWFileNotFound:            "file or application not found",
	SWRecordNotFound:          "record not found",
	SWNotEnoughMemory:         "not enough memory space in the file",
	SWIncorrectP1P2:           "incorrect parameters P1-P2",
	SWLcInconsistentWithP1P2:  "Lc inconsistent with P1-P2",
	SWReferenceDataNotFound:   "referenced data not found",
	SWWrongP1P2:               "wrong parameters P1-P2",
	SWINSNotSupported:         "instruction not supported",
	SWCLANotSupported:         "class not supported",
	SWNoPreciseDiagnosis:      "no precise diagnosis",
}

// SW1 and SW2 return the two bytes of the status word.
func (sw SW) SW1() byte { return byte(sw >> 8) }
func (sw SW) SW2() byte { return byte(sw) }

// Name returns the ISO 7816-4 meaning of the status word.
func (sw SW) Name() string {
	if n, ok := swNames[sw]; ok {
		return n
	}
	switch sw.SW1() {
	case 0x61:
		return fmt.Sprintf("%d response bytes still available", sw.SW2())
	case 0x6C:
		return fmt.Sprintf("wrong Le, exact length is %d", sw.SW2())
	case 0x63:
		if sw&0xFFF0 == 0x63C0 {
			return fmt.Sprintf("verification failed, %d tries left", sw&0x0F)
		}
		return "warning, non-volatile memory changed"
	case 0x62:
		return "warning, non-volatile memory unchanged"
	case 0x64:
		return "execution error, memory unchanged"
	case 0x65:
		return "execution error, memory changed"
	case 0x67:
		return "wrong length"
	case 0x68:
		return "functions in CLA not supported"
	case 0x69:
		return "command not allowed"
	case 0x6A:
		return "wrong parameters P1-P2"
	}
	return "unknown status"
}

// String formats the status word as four hex digits and its name.
func (sw SW) String() string { return fmt.Sprintf("%04X (%s)", uint16(sw), sw.Name()) }

// Error is a status word that ended a command unsuccessfully. It carries the
// command header (never its data) for context.
type Error struct {
	Command string // the command's header, from Command.String
	SW      SW
}

func (e *Error) Error() string { return fmt.Sprintf("card answered %v to %s", e.SW, e.Command) }

// Err returns nil when the response is 9000 and an *Error otherwise.
func (r Response) Err(cmd Command) error {
	if r.SW == SWOK {
		return nil
	}
	return &Error{Command: cmd.String(), SW: r.SW}
}
