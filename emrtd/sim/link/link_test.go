package link

import (
	"testing"
	"time"
)

func TestModel(t *testing.T) {
	if _, err := New("iso14443-999"); err == nil {
		t.Fatal("unknown model accepted")
	}
	m106, _ := New("iso14443-106")
	m424, _ := New("iso14443-424")
	// A 256-byte protected read: ~20-byte command, ~276-byte response.
	e := Exchange{Command: 20, Response: 276}
	d106, d424 := m106.ExchangeTime(e), m424.ExchangeTime(e)
	// 296 bytes + 2 frames' overhead + one ACK ≈ 3100 bits ≈ 29 ms at 106.
	if d106 < 25*time.Millisecond || d106 > 40*time.Millisecond {
		t.Errorf("106 kbit/s: %v", d106)
	}
	if d424 >= d106/2 {
		t.Errorf("424 kbit/s (%v) not much faster than 106 (%v)", d424, d106)
	}
	if got := m424.Delay(make([]byte, 20), make([]byte, 276)); got != d424 {
		t.Errorf("Delay %v, ExchangeTime %v", got, d424)
	}
	if lb := m424.LowerBound([]Exchange{e, e}); lb != 2*d424 {
		t.Errorf("LowerBound %v", lb)
	}
	// Chaining: a response just over one frame costs an ACK and a frame more.
	one, two := m424.ExchangeTime(Exchange{5, 253}), m424.ExchangeTime(Exchange{5, 254})
	if two-one < 2*DefaultTurnaround {
		t.Errorf("chaining not counted: %v vs %v", one, two)
	}
}
