package agent_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/agent"
	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/api"
	"github.com/idagent/idagent/agent/clock"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/listen"
	"github.com/idagent/idagent/agent/logging/logtest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/virtual/testcard"
)

const (
	deskOrigin  = "https://desk.example"
	hotelOrigin = "https://hotel.example"
	reader0     = "Virtual PCD 00 00"
	reader1     = "Virtual PCD 00 01"
	// wait bounds how long a test waits for what must happen: it only
	// decides when a test that is failing gives up, so it is generous
	// (2 shared cores under -race with other packages' tests running).
	wait = 30 * time.Second
)

// The identity the fake reader "reads": every value must stay out of logs.
var identity = protocol.Fields{
	"idNumber":         "079201012345",
	"fullName":         "Nguyễn Văn Anh",
	"dateOfBirth":      "1992-03-04",
	"sex":              "M",
	"nationality":      "Việt Nam",
	"ethnicity":        "Kinh",
	"religion":         "Phật giáo",
	"placeOfOrigin":    "Xã Tân Phú, Huyện Đức Hòa, Long An",
	"placeOfResidence": "12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội",
	"fatherName":       "Nguyễn Văn Bình",
	"motherName":       "Trần Thị Cúc",
	"dateOfIssue":      "2021-07-01",
	"dateOfExpiry":     nil,
	"documentNumber":   "201012345",
}

var photoJPEG = []byte("\xff\xd8\xff\xe0fake-face-jpeg\xff\xd9")

// fakeReader plays a read on the virtual test card: it exchanges APDUs (so
// card and reader removal surface as they would), reports progress, the
// identity, the photo and the result. gate, when set, holds the read after
// the identity until it is closed. beforeStep, when set, runs before each
// of the read's three exchanges (0, 1, 2) with the reader's name.
type fakeReader struct {
	gate       chan struct{}
	delay      time.Duration
	beforeStep func(reader string, n int)

	mu   sync.Mutex
	keys []string // the CAN of every read that reached a card, in order
}

// triedKeys returns the CANs tried on cards so far.
func (f *fakeReader) triedKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.keys)
}

func (f *fakeReader) Read(ctx context.Context, card nfc.Conn, req session.Request, obs session.Observer) (*session.Result, error) {
	f.mu.Lock()
	f.keys = append(f.keys, req.Access.CAN)
	f.mu.Unlock()
	steps := 0
	step := func() error {
		if f.beforeStep != nil {
			f.beforeStep(card.Reader(), steps)
		}
		steps++
		cmd := apdu.Command{CLA: 0x00, INS: 0xA4, P1: 0x04, P2: 0x0C, Data: testcard.AID}
		resp, err := nfc.Transceive(ctx, card, cmd)
		if err != nil {
			return fmt.Errorf("select: %w", err)
		}
		if resp.SW != 0x9000 {
			return fmt.Errorf("select: SW %04X", uint16(resp.SW))
		}
		if f.delay > 0 {
			select {
			case <-time.After(f.delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	obs.Progress(protocol.PhaseAccess, 10)
	if err := step(); err != nil {
		return nil, err
	}
	if req.Access.CAN == "000000" {
		// As agent/cardread codes the pipeline's access.ErrDenied.
		return nil, protocol.WithCode(protocol.AccessDenied, errors.New("PACE: the chip refused the key"))
	}
	obs.Progress(protocol.PhaseReading, 30)
	if err := step(); err != nil {
		return nil, err
	}
	partial := check.Report{}
	partial.Add(check.SODSignature, check.Pass, "", "signed")
	partial.Add(check.DGHash(1), check.Pass, "", "ok")
	partial.Add(check.DGHash(13), check.Pass, "", "ok")
	obs.Identity(identity, partial)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	obs.Progress(protocol.PhasePhoto, 70)
	if err := step(); err != nil {
		return nil, err
	}
	obs.Photo("image/jpeg", photoJPEG)
	full := append(check.Report{}, partial...)
	full.Add(check.DGHash(2), check.Pass, "", "ok")
	full.Add(check.DSChain, check.Pass, "", "chains")
	res := &session.Result{
		Document: protocol.Document{Type: "id-card", Code: "ID", IssuingState: "VNM", Access: "BAC", DataGroups: []string{"DG1", "DG2", "DG13"}},
		Fields:   identity, Checks: full,
	}
	if req.Evidence {
		res.Evidence = &protocol.Evidence{SOD: "c29k", DataGroups: map[string]string{"DG1": "ZGcx"}}
	}
	return res, nil
}

// eventManager wraps a virtual manager so tests can inject service events.
type eventManager struct {
	*virtual.Manager
	mu     sync.Mutex
	inject []chan nfc.Event
}

func (m *eventManager) Watch(ctx context.Context) <-chan nfc.Event {
	in := m.Manager.Watch(ctx)
	extra := make(chan nfc.Event, 16)
	m.mu.Lock()
	m.inject = append(m.inject, extra)
	m.mu.Unlock()
	out := make(chan nfc.Event)
	go func() {
		defer close(out)
		for {
			select {
			case ev, ok := <-in:
				if !ok {
					return
				}
				out <- ev
			case ev := <-extra:
				out <- ev
			}
		}
	}()
	return out
}

func (m *eventManager) Inject(ev nfc.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.inject {
		c <- ev
	}
}

type harness struct {
	t      *testing.T
	mgr    *eventManager
	agent  *agent.Agent
	addr   string
	logs   *logtest.Capture
	reader *fakeReader
	cancel context.CancelFunc
	done   chan error
}

type setup struct {
	cfg    *config.Config
	opts   agent.Options
	reader session.Reader
}

func newSetup() *setup {
	cfg := config.Default()
	cfg.Origins[deskOrigin] = config.DefaultPolicy()
	hotel := config.DefaultPolicy()
	hotel.Photo = false
	cfg.Origins[hotelOrigin] = hotel
	cfg.ReadTimeout = 10 * time.Second
	return &setup{cfg: cfg}
}

// fakeClock gives the agent of s a clock that moves only when the test
// advances it.
func (s *setup) fakeClock() *clock.Fake {
	clk := clock.NewFake(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	s.opts.Clock = clk
	return clk
}

// start runs an agent on 127.0.0.1 with two virtual readers.
func start(t *testing.T, s *setup) *harness {
	t.Helper()
	if s == nil {
		s = newSetup()
	}
	log, logs := logtest.New()
	h := &harness{t: t, logs: logs, mgr: &eventManager{Manager: virtual.New(reader0, reader1)}, reader: &fakeReader{}}
	o := s.opts
	o.Config, o.Log, o.Manager, o.Version = s.cfg, log, h.mgr, "test"
	o.Reader = h.reader
	if s.reader != nil {
		o.Reader = s.reader
	}
	h.agent = agent.New(o)
	ls, err := listen.Open([]string{"127.0.0.1:0"}, log)
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ls[0].Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.agent.Run(ctx, ls) }()
	t.Cleanup(h.stop)
	waitReaders(t, h.agent, 2)
	return h
}

func (h *harness) stop() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("agent: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Error("agent did not stop")
	}
	h.done <- nil
}

func (h *harness) port() int { return h.addr2().Port }

func (h *harness) addr2() *net.TCPAddr {
	a, _ := net.ResolveTCPAddr("tcp", h.addr)
	return a
}

// dial connects with an origin and fails the test on error.
func (h *harness) dial(origin string) *agenttest.Client {
	h.t.Helper()
	c, _, err := agenttest.Dial(h.addr, origin)
	if err != nil {
		h.t.Fatalf("dial: %v", err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

func (h *harness) insert(reader string) {
	h.t.Helper()
	if err := h.mgr.Insert(reader, testcard.New()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) remove(reader string) {
	h.t.Helper()
	if err := h.mgr.Remove(reader); err != nil {
		h.t.Fatal(err)
	}
}

// must returns a function that fails the test on error, for
// must(t)(c.Request(...)).
func must(t *testing.T) func(*agenttest.Frame, error) *agenttest.Frame {
	return func(f *agenttest.Frame, err error) *agenttest.Frame {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
}

// startRead sends read.start and returns the readId.
func startRead(t *testing.T, c *agenttest.Client, data map[string]any) string {
	t.Helper()
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["access"]; !ok {
		data["access"] = map[string]any{"can": "123456"}
	}
	r := must(t)(c.Request("read.start", data))
	if r.Error != nil {
		t.Fatalf("read.start: %s %s", r.Error.Code, r.Error.Message)
	}
	var d protocol.ReadStarted
	if err := r.Decode(&d); err != nil || d.ReadID == "" {
		t.Fatalf("read.start answer %s", r.Raw)
	}
	return d.ReadID
}

func failedCode(t *testing.T, f *agenttest.Frame) string {
	t.Helper()
	if f.Name != "read.failed" {
		t.Fatalf("want read.failed, got %s: %s", f.Name, f.Raw)
	}
	var d protocol.Failed
	if err := f.Decode(&d); err != nil || d.Error == nil {
		t.Fatalf("bad read.failed %s", f.Raw)
	}
	return string(d.Error.Code)
}

var errNotFound = errors.New("not found")

var _ = api.Limits{}

func virtualConfig() virtual.ReaderConfig { return virtual.ReaderConfig{} }

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitReaders waits until the hub has taken in the manager's first events.
func waitReaders(t testing.TB, a *agent.Agent, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for len(a.Hub.Readers()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("hub knows %d readers, want %d", len(a.Hub.Readers()), n)
		}
		time.Sleep(time.Millisecond)
	}
}
