// Package trace records a field trace of a read: the exchange with the
// chip as a real desk saw it, so that IT staff can send the trace of a card
// that fails without sending the person's data.
//
// A Card wraps the card a read talks to and writes one JSON line per
// exchange: the command's header (CLA INS P1 P2), its lengths (Lc, Le,
// short or extended), the answer's length and status word, the time it
// took, and for secure messaging which data objects were present (their
// tags and lengths, and the status word DO'99' carries, which travels
// unencrypted). It never writes the data of a command or an answer:
// under secure messaging it is encrypted, but before (PACE's and BAC's
// exchanges, EF.CardAccess) it is not, and a BAC cryptogram would let
// anyone with the trace search the MRZ. What a trace holds is a chip's
// behaviour, not its contents.
//
// Format (docs/READ.md, Field traces): a first line
// {"trace":"idagent-field-trace","version":1,...}, one line per exchange
// {"n":1,"atMs":0.0,"tookMs":3.1,"cmd":{...},"resp":{...}} and resets
// {"n":7,"reset":true}, and a last line the caller writes with the outcome
// (Finish).
package trace

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/idagent/idagent/emrtd/tlv"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// Version of the trace format.
const Version = 1

// Header is the first line of a trace.
type Header struct {
	Trace   string `json:"trace"` // "idagent-field-trace"
	Version int    `json:"version"`
	Agent   string `json:"agent"`  // idagent's version
	Reader  string `json:"reader"` // the PC/SC reader's name
	// ATR is the card's answer to reset (hex): it names the chip's
	// platform, not its holder.
	ATR   string    `json:"atr"`
	Start time.Time `json:"start"`
}

// Command is what a trace keeps of a command APDU.
type Command struct {
	Header   string `json:"header"` // CLA INS P1 P2, hex
	Name     string `json:"name"`   // the instruction's name
	Lc       int    `json:"lc"`
	Le       int    `json:"le"` // Ne: 0 none, 256 for 00, 65536 for 0000
	Extended bool   `json:"extended,omitempty"`
	// SM lists the secure messaging data objects of a protected command
	// (tag:length, "97:1").
	SM []string `json:"sm,omitempty"`
	// Malformed: the bytes did not parse as an APDU (their length only).
	Malformed bool `json:"malformed,omitempty"`
	Length    int  `json:"length"` // of the whole APDU
}

// Response is what a trace keeps of a response APDU.
type Response struct {
	Length int    `json:"length"` // data bytes, status word excluded
	SW     string `json:"sw"`
	// SM lists the secure messaging data objects of a protected answer
	// (tag:length); InnerSW is the status word of its DO'99'.
	SM      []string `json:"sm,omitempty"`
	InnerSW string   `json:"innerSW,omitempty"`
}

// Exchange is one line of a trace.
type Exchange struct {
	N      int       `json:"n"`
	AtMs   float64   `json:"atMs"`   // since the start
	TookMs float64   `json:"tookMs"` // the card's answer time, as the host saw it
	Cmd    *Command  `json:"cmd,omitempty"`
	Resp   *Response `json:"resp,omitempty"`
	// Error is the transport's error (card removed, reader gone): its
	// kind, never card data.
	Error string `json:"error,omitempty"`
	Reset bool   `json:"reset,omitempty"`
}

// Card is an nfc.Card that writes a trace line for each exchange with the
// card underneath. It is safe for concurrent use.
type Card struct {
	card  nfc.Card
	now   func() time.Time
	start time.Time

	mu  sync.Mutex
	enc *json.Encoder
	n   int
	err error // the first write error
}

// New writes the header and returns a Card that traces card to w. now is
// the clock (nil: time.Now); tests pass a fake one.
func New(card nfc.Card, w io.Writer, h Header, now func() time.Time) (*Card, error) {
	if now == nil {
		now = time.Now
	}
	c := &Card{card: card, now: now, start: now(), enc: json.NewEncoder(w)}
	h.Trace, h.Version, h.Start = "idagent-field-trace", Version, c.start.UTC()
	if err := c.enc.Encode(h); err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return c, nil
}

// Transmit sends command to the card and records the exchange.
func (c *Card) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	at := c.now()
	resp, err := c.card.Transmit(ctx, command)
	took := c.now().Sub(at)
	line := Exchange{AtMs: ms(at.Sub(c.start)), TookMs: ms(took), Cmd: describeCommand(command)}
	if err != nil {
		line.Error = errorKind(err)
	} else {
		line.Resp = describeResponse(resp)
	}
	c.write(&line)
	return resp, err
}

// Reset resets the card when the card underneath can (nfc.Resetter), and
// records it.
func (c *Card) Reset(ctx context.Context) error {
	r, ok := c.card.(nfc.Resetter)
	if !ok {
		return errors.New("trace: the card cannot be reset")
	}
	err := r.Reset(ctx)
	line := Exchange{AtMs: ms(c.now().Sub(c.start)), Reset: true}
	if err != nil {
		line.Error = errorKind(err)
	}
	c.write(&line)
	return err
}

// Finish writes the last line: the outcome of the read (no card data:
// the caller passes a verdict, counts, what was learnt), and returns the
// first error writing the trace.
func (c *Card) Finish(outcome any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = c.enc.Encode(map[string]any{"outcome": outcome})
	}
	return c.err
}

func (c *Card) write(line *Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	line.N = c.n
	if c.err == nil {
		c.err = c.enc.Encode(line)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// describeCommand keeps a command's header, lengths and secure messaging
// objects.
func describeCommand(raw []byte) *Command {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return &Command{Malformed: true, Length: len(raw)}
	}
	out := &Command{
		Header: hex.EncodeToString([]byte{cmd.CLA, cmd.INS, cmd.P1, cmd.P2}),
		Name:   apdu.InsName(cmd.INS), Lc: len(cmd.Data), Le: cmd.Ne, Extended: cmd.ForceExtended,
		Length: len(raw),
	}
	if cmd.CLA&0x0C == 0x0C {
		out.SM, _ = smObjects(cmd.Data)
	}
	return out
}

// describeResponse keeps an answer's length and status word, and for a
// protected answer its objects and DO'99'.
func describeResponse(raw []byte) *Response {
	resp, err := apdu.ParseResponse(raw)
	if err != nil {
		return &Response{Length: len(raw)}
	}
	out := &Response{Length: len(resp.Data), SW: fmt.Sprintf("%04X", uint16(resp.SW))}
	if objs, inner := smObjects(resp.Data); objs != nil && len(objs) > 0 && objs[len(objs)-1][:2] == "8E" {
		out.SM, out.InnerSW = objs, inner
	}
	return out
}

// smObjects lists the data objects of a secure messaging message (tags
// 85, 87, 97, 99, 8E) as "tag:length", and DO'99”s status word; nil when
// the data are not such objects (a plain answer's data).
func smObjects(data []byte) (objs []string, inner string) {
	all, err := tlv.DecodeAll(data)
	if err != nil || len(all) == 0 {
		return nil, ""
	}
	for _, o := range all {
		switch o.Tag {
		case 0x85, 0x87, 0x97, 0x8E:
		case 0x99:
			if len(o.Value) == 2 {
				inner = fmt.Sprintf("%02X%02X", o.Value[0], o.Value[1])
			}
		default:
			return nil, ""
		}
		objs = append(objs, fmt.Sprintf("%X:%d", o.Tag, len(o.Value)))
	}
	return objs, inner
}

// errorKind names a transport error by its kind: the typed errors of
// emrtd/nfc, else "transport error" (a PC/SC message may name the reader,
// never the card's data, but the kind is all a trace needs).
func errorKind(err error) string {
	for _, k := range []error{nfc.ErrCardRemoved, nfc.ErrReaderRemoved, nfc.ErrNoService, nfc.ErrNoCard,
		nfc.ErrCardUnresponsive, nfc.ErrSharingViolation, nfc.ErrAPDUTooLong, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "transport error"
}
