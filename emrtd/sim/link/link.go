// Package link models the time an ISO/IEC 14443 contactless link takes to
// carry an APDU exchange, so that the software chip can answer as slowly as
// a real card in a real reader and a benchmark can compare a read's wall
// time against the link's lower bound.
//
// The model, per exchange (one command APDU and its response APDU):
//
//	delay = PerExchange + frames(command, FSC) + frames(response, FSD)
//
// where each direction's APDU is cut into ISO 14443-4 I-blocks of at most
// FSC (card) or FSD (reader) bytes including the block's own overhead, and
// each block costs
//
//	Turnaround + (payload + FrameOverhead) × BitsPerByte / rate
//
// with an R(ACK) block back from the receiver after each chained block but
// the last. The constants and why:
//
//   - BitsPerByte = 10: a character on the air is 8 data bits plus framing
//     (the start and stop bits of Type B, the parity bit of Type A plus the
//     share of start/end of frame), ISO/IEC 14443-3.
//   - FrameOverhead = 5 byte times: the I-block prologue PCB (1 byte), CRC_A
//     or CRC_B (2 bytes), and start and end of frame (about 2 byte times).
//   - Turnaround = 100 µs: the frame delay time between the end of one
//     frame and the start of the answer (FDT ≈ 1172/fc ≈ 86 µs at 106
//     kbit/s) plus the SOF guard.
//   - FSC = FSD = 256: the frame size both sides announce on modern
//     eMRTDs and readers (FSCI/FSDI = 8).
//   - PerExchange = 2 ms: what does not depend on the bytes: the host's
//     PC/SC call and USB round trip, the reader firmware, and the chip's
//     command processing (secure messaging, file access). Measured traces
//     (about 37 ms for a 256-byte protected READ BINARY at 106 kbit/s, of
//     which about 26 ms is air time) suggest real chips spend more; 2 ms is
//     a deliberately low, fast-chip figure so the bound stays a bound.
package link

import (
	"fmt"
	"time"
)

// Model is a contactless link at one bit rate.
type Model struct {
	Name        string
	BitRate     int // bits per second on the air
	PerExchange time.Duration
	Turnaround  time.Duration
	BitsPerByte int
	// FrameOverhead is the bytes' worth of air time each frame adds to its
	// payload (PCB, CRC, SOF/EOF).
	FrameOverhead int
	FSC, FSD      int // largest frame, overhead included, to the card and to the reader
}

// The model's constants (see the package comment).
const (
	DefaultPerExchange   = 2 * time.Millisecond
	DefaultTurnaround    = 100 * time.Microsecond
	DefaultBitsPerByte   = 10
	DefaultFrameOverhead = 5
	DefaultFrameSize     = 256
	// blockHeader is the part of FrameOverhead that occupies frame space
	// (PCB and CRC); the frame size limits payload plus these.
	blockHeader = 3
	// ackBytes is an R(ACK) block: PCB and CRC.
	ackBytes = 3
)

// Names lists the models New accepts.
var Names = []string{"iso14443-106", "iso14443-212", "iso14443-424", "iso14443-848"}

// New returns the model of a named link: iso14443-106, -212, -424 or -848
// (kbit/s).
func New(name string) (*Model, error) {
	rates := map[string]int{"iso14443-106": 105_938, "iso14443-212": 211_875, "iso14443-424": 423_750, "iso14443-848": 847_500}
	rate, ok := rates[name]
	if !ok {
		return nil, fmt.Errorf("link: unknown link model %q (want one of %v)", name, Names)
	}
	return &Model{
		Name: name, BitRate: rate, PerExchange: DefaultPerExchange, Turnaround: DefaultTurnaround,
		BitsPerByte: DefaultBitsPerByte, FrameOverhead: DefaultFrameOverhead,
		FSC: DefaultFrameSize, FSD: DefaultFrameSize,
	}, nil
}

// Exchange is one command/response pair, by length: a whole APDU each way
// (the response including its status word).
type Exchange struct {
	Command, Response int
}

// Delay is the time the link takes for one exchange. Its signature fits
// nfc/virtual's reader delay hook.
func (m *Model) Delay(command, response []byte) time.Duration {
	return m.ExchangeTime(Exchange{Command: len(command), Response: len(response)})
}

// ExchangeTime is the link time of one exchange given its lengths.
func (m *Model) ExchangeTime(e Exchange) time.Duration {
	return m.PerExchange + m.direction(e.Command, m.FSC) + m.direction(e.Response, m.FSD)
}

// LowerBound is the least time the link needs for the exchanges: a read
// that made exactly these exchanges cannot finish faster on this link.
func (m *Model) LowerBound(exchanges []Exchange) time.Duration {
	var total time.Duration
	for _, e := range exchanges {
		total += m.ExchangeTime(e)
	}
	return total
}

// direction is the time to carry n APDU bytes one way, chained into frames
// of at most frameSize bytes, with an R(ACK) back after each frame but the
// last.
func (m *Model) direction(n, frameSize int) time.Duration {
	per := frameSize - blockHeader
	if per < 1 {
		per = 1
	}
	frames := (n + per - 1) / per
	if frames == 0 {
		frames = 1
	}
	total := time.Duration(0)
	for i := 0; i < frames; i++ {
		payload := min(per, n-i*per)
		total += m.Turnaround + m.airTime(payload+m.FrameOverhead)
		if i < frames-1 {
			total += m.Turnaround + m.airTime(ackBytes+m.FrameOverhead-blockHeader)
		}
	}
	return total
}

func (m *Model) airTime(bytes int) time.Duration {
	return time.Duration(int64(bytes) * int64(m.BitsPerByte) * int64(time.Second) / int64(m.BitRate))
}
