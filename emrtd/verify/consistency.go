package verify

import "github.com/idagent/idagent/emrtd/lds"

// mrzCheckDigits checks DG1's own check digits (mrz.check_digits).
func mrzCheckDigits(v *verification) { v.add(lds.CheckDG1(v.dg1)) }

// mrzAgainstDG13 compares DG1's MRZ with the Vietnamese DG13
// (mrz.dg13.consistency).
func mrzAgainstDG13(v *verification) { v.add(lds.CheckMRZAgainstDG13(v.dg1, v.dg13)) }

// accessKeyConsistency compares DG1 (and DG13) with the key that opened
// the chip (access.key.consistency); without the key (a server never has
// it) the check is SKIPPED.
func accessKeyConsistency(v *verification) {
	v.add(lds.CheckAccessKey(v.dg1, v.dg13, v.ev.AccessKey))
}
