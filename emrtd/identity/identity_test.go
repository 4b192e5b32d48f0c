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
