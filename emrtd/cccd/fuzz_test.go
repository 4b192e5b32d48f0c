package cccd

import (
	"testing"
	"time"
)

// FuzzParseQR: the QR parser never panics, and whatever it accepts gives a
// CAN and, with a complete birth date, MRZ keys.
func FuzzParseQR(f *testing.F) {
	f.Add(qr7)
	f.Add("001090012345||Nguy?n V?n An|15051990|N?|H? N?i|01032021\r\n")
	f.Add("001090012345|123456789|Nguyen Van An|15051990|Nam|Ha Noi")
	f.Add("001090012345|Nguyen Van An|15051990|Nam|Ha Noi|01032021")
	f.Add("001090012345||A|00001950|Nam|B|01032021")
	f.Add("001090012345||A|29022000|Nữ|B|")
	f.Fuzz(func(t *testing.T, payload string) {
		q, err := ParseQR(payload)
		if err != nil {
			return
		}
		if _, err := q.CAN(); err != nil {
			t.Fatalf("accepted payload without a CAN: %v", err)
		}
		if !q.DateOfBirth.Complete() {
			return
		}
		keys, err := q.MRZKeys(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		if err == nil && len(keys) == 0 && !q.DateOfIssue.Complete() && q.DateOfBirth.Year < 2011 {
			t.Fatal("no MRZ key candidates")
		}
	})
}
