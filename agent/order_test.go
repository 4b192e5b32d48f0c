package agent_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

// A request's response comes before any event of what it started (issue
// 17, finding 6: 54 of 60 wrong-key reads delivered read.progress before
// the read.start response carrying their readId). Under load: eight
// connections each run 25 reads at once on their own reader, half with a
// wrong key (they fail at once; the card is then replaced, so that the
// wrong-key throttle does not hold the next), and every read's first frame
// on the wire is its response.
func TestResponseBeforeEvents(t *testing.T) {
	const conns, reads = 8, 25
	s := newSetup()
	s.cfg.MaxReadsPerOrigin = conns
	h := start(t, s)
	var clients []*agenttest.Client
	for i := 0; i < conns; i++ {
		reader := fmt.Sprintf("Order Reader %d", i)
		if err := h.mgr.AddReader(reader, virtualConfig()); err != nil {
			t.Fatal(err)
		}
		if err := h.mgr.Insert(reader, testcard.New()); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, h.dial(deskOrigin))
	}
	waitReaders(t, h.agent, 2+conns)
	var wg sync.WaitGroup
	errs := make(chan error, conns*reads)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < reads; n++ {
				can := "123456"
				if n%2 == 1 {
					can = "000000" // refused at once: its events come fast
				}
				rid, err := c.Send("read.start", map[string]any{"reader": fmt.Sprintf("Order Reader %d", i), "access": map[string]any{"can": can}})
				if err != nil {
					errs <- err
					return
				}
				resp, err := c.Response(rid, wait)
				if err != nil || resp.Error != nil {
					errs <- fmt.Errorf("read.start: %v %s", err, resp.Raw)
					return
				}
				var started protocol.ReadStarted
				if err := resp.Decode(&started); err != nil {
					errs <- err
					return
				}
				if _, err := c.Final(started.ReadID, wait); err != nil {
					errs <- err
					return
				}
				if err := responseFirst(c, rid, started.ReadID); err != nil {
					errs <- err
				}
				if can == "000000" {
					// A fresh card, so that the wrong-key throttle does
					// not slow the next reads down.
					if err := freshCard(h, c, fmt.Sprintf("Order Reader %d", i)); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// freshCard replaces the card in reader and waits until c has seen it
// (the hub has taken it in).
func freshCard(h *harness, c *agenttest.Client, reader string) error {
	n := len(c.Frames())
	if err := h.mgr.Insert(reader, testcard.New()); err != nil {
		return err
	}
	_, err := c.WaitAfter(n, wait, func(f *agenttest.Frame) bool {
		var ev protocol.CardEvent
		return f.Name == "card.inserted" && f.Decode(&ev) == nil && ev.Reader == reader
	})
	return err
}

// responseFirst checks that the response with id came before every event
// of readID on c.
func responseFirst(c *agenttest.Client, id, readID string) error {
	for _, f := range c.Frames() {
		if f.Type == "response" && string(f.ID) == `"`+id+`"` {
			return nil
		}
		var d struct {
			ReadID string `json:"readId"`
		}
		if f.Type == "event" && f.Decode(&d) == nil && d.ReadID == readID {
			return fmt.Errorf("%s of %s arrived before the read.start response", f.Name, readID)
		}
	}
	return fmt.Errorf("no response %s", id)
}
