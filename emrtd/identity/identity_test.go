package identity

import (
	"testing"
	"time"
)

func TestMRZDate(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"990101": "1999-01-01", "250101": "2025-01-01", "500000": "1950"} {
		if got := mrzDate(in, now, true); got != want {
			t.Errorf("birth %s → %s, want %s", in, got, want)
		}
	}
	if got := mrzDate("390101", now, false); got != "2039-01-01" {
		t.Errorf("expiry → %s", got)
	}
}

// Only a Vietnamese passport's personal number is an ID12: another
// country's stays personalNumber, and an ID card's idNumber is DG13's.
func TestIDNumberFromPersonalNumber(t *testing.T) {
	for _, tt := range []struct {
		fields Fields
		want   any
	}{
		{Fields{"documentType": "passport", "issuingState": "VNM", "personalNumber": "001099012345"}, "001099012345"},
		{Fields{"documentType": "passport", "issuingState": "DEU", "personalNumber": "001099012345"}, nil},
		{Fields{"documentType": "passport", "issuingState": "VNM", "personalNumber": "A1234"}, nil},
		{Fields{"documentType": "id-card", "issuingState": "VNM", "personalNumber": "001099012345"}, nil},
		{Fields{"documentType": "passport", "issuingState": "VNM", "personalNumber": "001099012345", "idNumber": "079099012345"}, "079099012345"},
	} {
		idNumberFromPersonalNumber(tt.fields)
		if got := tt.fields["idNumber"]; got != tt.want {
			t.Errorf("%v: idNumber %v, want %v", tt.fields, got, tt.want)
		}
	}
}
