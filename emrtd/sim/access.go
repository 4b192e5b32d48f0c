package sim

import (
	"strings"

	"github.com/idagent/idagent/emrtd/sim/issue"
)

// AccessData is what opens the inserted card, as printed on it: the test
// identity's keys. The agent's sim.insert answer carries the same object
// with the same JSON keys. It is test data and is shown on purpose; it is
// still never logged.
type AccessData struct {
	Reader         string `json:"reader"`         // the reader holding the card, "" when not inserted
	ID12           string `json:"id12"`           // personal identification number ("" on passports without one)
	CAN            string `json:"can"`            // card access number (last 6 digits of ID12 on a CCCD)
	DocumentNumber string `json:"documentNumber"` // as in the MRZ (last 9 digits of ID12 on a CCCD)
	DateOfBirth    string `json:"dateOfBirth"`    // YYMMDD
	DateOfExpiry   string `json:"dateOfExpiry"`   // YYMMDD (991231: no expiry)
	MRZ            string `json:"mrz"`            // the printed MRZ, lines separated by "\n"
}

func accessDataOf(doc *issue.Document, kind issue.Kind) AccessData {
	id := doc.Identity
	a := AccessData{ID12: id.ID12, DateOfBirth: doc.MRZ[30:36], MRZ: splitLines(doc.MRZ)}
	switch kind {
	case issue.Passport:
		a.DocumentNumber = id.PassportNumber
		a.DateOfBirth = doc.MRZ[44+13 : 44+19]
		a.DateOfExpiry = doc.MRZ[44+21 : 44+27]
		a.CAN = id.CAN()
	default:
		a.DocumentNumber = id.DocumentNumber()
		a.DateOfExpiry = doc.MRZ[38:44]
		a.CAN = id.CAN()
	}
	return a
}

// splitLines cuts a joined MRZ into its lines (30 characters for TD1, 44
// for TD3).
func splitLines(m string) string {
	width := 30
	if len(m) == 88 {
		width = 44
	}
	var lines []string
	for i := 0; i+width <= len(m); i += width {
		lines = append(lines, m[i:i+width])
	}
	return strings.Join(lines, "\n")
}
