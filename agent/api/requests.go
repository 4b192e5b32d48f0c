package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/session"
	"github.com/idagent/idagent/emrtd/cccd"
	"github.com/idagent/idagent/emrtd/identity"
)

// handler answers one request: data for the response, or an error.
type handler func(c *conn, data json.RawMessage) (any, *protocol.Error)

var handlers = map[string]handler{
	protocol.ReqHello:       (*conn).hello,
	protocol.ReqReadersList: (*conn).readersList,
	protocol.ReqReadStart:   (*conn).readStart,
	protocol.ReqReadCancel:  (*conn).readCancel,
	protocol.ReqSimInsert:   (*conn).simInsert,
	protocol.ReqSimRemove:   (*conn).simRemove,
}

// handle parses one frame and sends exactly one response.
func (c *conn) handle(msg []byte) {
	var in protocol.Incoming
	if err := json.Unmarshal(msg, &in); err != nil {
		c.respond(nil, "", nil, protocol.Errorf(protocol.BadRequest, "malformed JSON: %s", jsonErrorText(err)))
		return
	}
	id := in.ID
	if len(in.Name) > maxName {
		// Echo nothing of an oversized name (nor its id).
		c.respond(nil, "", nil, protocol.Errorf(protocol.BadRequest, "\"name\" is longer than %d bytes", maxName))
		return
	}
	if !validID(id) {
		c.respond(nil, in.Name, nil, protocol.Errorf(protocol.BadRequest, "a request needs an \"id\": a string or number of at most %d bytes", maxID))
		return
	}
	if in.V == nil || *in.V != protocol.Version {
		c.respond(id, in.Name, nil, protocol.Errorf(protocol.BadRequest, "\"v\" must be %d", protocol.Version))
		return
	}
	if in.Type != protocol.TypeRequest {
		c.respond(id, in.Name, nil, protocol.Errorf(protocol.BadRequest, "\"type\" must be \"request\""))
		return
	}
	if !c.bucket.Allow(c.s.clock.Now()) {
		c.respond(id, in.Name, nil, protocol.Errorf(protocol.Busy, "too many requests: slow down"))
		return
	}
	h, ok := handlers[in.Name]
	if !ok || (strings.HasPrefix(in.Name, "sim.") && c.s.o.Simulator == nil) {
		c.respond(id, in.Name, nil, protocol.Errorf(protocol.UnknownRequest, "unknown request %q", truncate(in.Name, 40)))
		return
	}
	data, perr := h(c, in.Data)
	c.respond(id, in.Name, data, perr)
	// What the request started may speak only now that its response is
	// queued (docs/PROTOCOL.md §1: a response comes before the events of
	// what it started).
	if c.responded != nil {
		close(c.responded)
		c.responded = nil
	}
}

// What a response echoes is bounded: a request name (the longest is 12
// bytes) and an id of at most these many bytes (as JSON).
const (
	maxName = 64
	maxID   = 128
)

func validID(id json.RawMessage) bool {
	id = bytes.TrimSpace(id)
	if len(id) == 0 || len(id) > maxID {
		return false
	}
	switch id[0] {
	case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// jsonErrorText describes a JSON error without quoting the input.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("%q must be a JSON %s", te.Field, kindName(te.Type.Kind().String()))
		}
		return "wrong JSON type"
	}
	return "cannot decode"
}

func kindName(k string) string {
	switch k {
	case "slice":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	}
	return k
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// decode fills v from a request's data; absent or null data leaves v zero.
func decode(data json.RawMessage, v any) *protocol.Error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return protocol.Errorf(protocol.BadRequest, "bad \"data\": %s", jsonErrorText(err))
	}
	return nil
}

func (c *conn) policyInfo() protocol.PolicyInfo {
	return protocol.PolicyInfo{Fields: c.policy.Fields, Photo: c.policy.Photo, Evidence: c.policy.AllowsPart(config.PartEvidence)}
}

// capabilities are what this connection can ask for: the photo and the
// evidence only when its policy allows them.
func (c *conn) capabilities() []string {
	caps := []string{"read", "challenge"}
	if c.policy.Photo {
		caps = append(caps, "photo")
	}
	if c.policy.AllowsPart(config.PartEvidence) {
		caps = append(caps, "evidence")
	}
	if c.s.o.Simulator != nil {
		caps = append(caps, "sim")
	}
	return caps
}

// readers lists the readers as this connection may see them: a card's
// ATR tells the kind of document, so only a policy that allows its kind
// and issuer sees it (config.PartATR).
func (c *conn) readers() []protocol.ReaderInfo {
	list := c.s.hub.Readers()
	if !c.policy.AllowsPart(config.PartATR) {
		for i := range list {
			list[i].ATR = ""
		}
	}
	return list
}

// maxClientLabel bounds hello's client label (characters).
const maxClientLabel = 100

func (c *conn) hello(data json.RawMessage) (any, *protocol.Error) {
	var req protocol.Hello
	if perr := decode(data, &req); perr != nil {
		return nil, perr
	}
	if len(req.Versions) > 0 {
		found := false
		for _, v := range req.Versions {
			found = found || v == protocol.Version
		}
		if !found {
			return nil, protocol.Errorf(protocol.BadRequest, "no common protocol version: this agent speaks [%d]", protocol.Version)
		}
	}
	if n := utf8.RuneCountInString(req.Client); n > maxClientLabel {
		return nil, protocol.Errorf(protocol.BadRequest, "client: at most %d characters (got %d)", maxClientLabel, n)
	}
	var simInfo *protocol.SimInfo
	if c.s.o.Simulator != nil {
		info := c.s.o.Simulator.Info()
		simInfo = &info
	}
	return protocol.HelloResponse{
		Agent: "idagent", Version: c.s.o.Version, Protocol: protocol.Version, Capabilities: c.capabilities(),
		Simulate: c.s.o.Simulator != nil, Readers: c.readers(), Trust: c.s.o.Trust(), Policy: c.policyInfo(),
		Sim: simInfo,
	}, nil
}

func (c *conn) readersList(json.RawMessage) (any, *protocol.Error) {
	if !c.s.hub.ServiceAvailable() {
		return nil, protocol.Errorf(protocol.PCSCUnavailable, "the smart card service is not running")
	}
	return protocol.ReadersList{Readers: c.readers()}, nil
}

func (c *conn) readStart(data json.RawMessage) (any, *protocol.Error) {
	var req protocol.ReadStart
	if perr := decode(data, &req); perr != nil {
		return nil, perr
	}
	spec, perr := c.readSpec(req)
	if perr != nil {
		return nil, perr
	}
	c.responded = make(chan struct{})
	spec.Ready = c.responded
	id, perr := c.s.hub.StartRead(c, spec)
	if perr != nil {
		return nil, perr
	}
	c.log.Info("read started", zap.String("readId", id), zap.String("reader", req.Reader))
	return protocol.ReadStarted{ReadID: id}, nil
}

// readSpec validates read.start and builds the session's spec.
func (c *conn) readSpec(req protocol.ReadStart) (session.Spec, *protocol.Error) {
	if req.Access == nil {
		return session.Spec{}, protocol.Errorf(protocol.BadRequest, "\"access\" is required")
	}
	// The reader's own rules (emrtd/cccd), so that what is refused here
	// is exactly what would never open a chip.
	if _, err := cccd.KeyForm(*req.Access).Keys(time.Now()); err != nil {
		return session.Spec{}, protocol.Errorf(protocol.BadRequest, "access: %v", err)
	}
	for _, f := range req.Fields {
		if !identity.KnownField(f) {
			return session.Spec{}, protocol.Errorf(protocol.BadRequest, "fields: unknown field %q", truncate(f, 40))
		}
	}
	var challenge []byte
	if req.Challenge != "" {
		b, err := base64.StdEncoding.DecodeString(req.Challenge)
		if err != nil || len(b) != 8 {
			return session.Spec{}, protocol.Errorf(protocol.BadRequest, "challenge: want base64 of 8 bytes")
		}
		challenge = b
	}
	if req.TimeoutMs < 0 {
		return session.Spec{}, protocol.Errorf(protocol.BadRequest, "timeoutMs must not be negative")
	}
	return session.Spec{
		Reader:  req.Reader,
		Origin:  c.origin,
		Request: session.Request{Access: *req.Access, Photo: req.Photo, Challenge: challenge, Evidence: req.Evidence},
		Fields:  req.Fields,
		Policy:  c.policy,
		Timeout: time.Duration(req.TimeoutMs) * time.Millisecond,
	}, nil
}

func (c *conn) readCancel(data json.RawMessage) (any, *protocol.Error) {
	var req protocol.ReadCancel
	if perr := decode(data, &req); perr != nil {
		return nil, perr
	}
	if req.ReadID == "" {
		return nil, protocol.Errorf(protocol.BadRequest, "\"readId\" is required")
	}
	if perr := c.s.hub.Cancel(c, req.ReadID); perr != nil {
		return nil, perr
	}
	return protocol.Empty{}, nil
}

func (c *conn) simInsert(data json.RawMessage) (any, *protocol.Error) {
	var req protocol.SimInsert
	if perr := decode(data, &req); perr != nil {
		return nil, perr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gens := map[string]uint64{}
	for _, r := range c.s.hub.Readers() {
		gens[r.Name] = c.s.hub.CardGen(r.Name)
	}
	card, err := c.s.o.Simulator.Insert(ctx, req)
	if err != nil {
		return nil, protocol.ErrorFrom(err)
	}
	// Answer once the hub has seen the new card, so that a read.start
	// sent right after reads it.
	if err := c.s.hub.WaitCard(ctx, card.Reader, true, gens[card.Reader]); err != nil {
		return nil, protocol.ErrorFrom(err)
	}
	c.log.Info("simulated card inserted", zap.String("reader", card.Reader), zap.String("profile", req.Profile), zap.String("tamper", req.Tamper))
	return card, nil
}

func (c *conn) simRemove(data json.RawMessage) (any, *protocol.Error) {
	var req protocol.SimRemove
	if perr := decode(data, &req); perr != nil {
		return nil, perr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.s.o.Simulator.Remove(ctx, req.Reader); err != nil {
		return nil, protocol.ErrorFrom(err)
	}
	reader := req.Reader
	if reader == "" {
		reader = c.s.o.Simulator.DefaultReader()
	}
	if err := c.s.hub.WaitCard(ctx, reader, false, 0); err != nil {
		return nil, protocol.ErrorFrom(err)
	}
	return protocol.Empty{}, nil
}
