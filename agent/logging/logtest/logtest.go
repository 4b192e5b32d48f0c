// Package logtest captures idagent logs in tests, through the same
// redacting core as production, so that tests can assert what was (and was
// not) written.
package logtest

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/idagent/idagent/agent/logging"
)

// Capture holds everything a captured logger wrote, encoded as JSON lines.
type Capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements zapcore.WriteSyncer.
func (c *Capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// Sync implements zapcore.WriteSyncer.
func (c *Capture) Sync() error { return nil }

// String returns everything written so far.
func (c *Capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// Lines returns the written lines.
func (c *Capture) Lines() []string {
	s := strings.TrimSpace(c.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Contains reports whether s appears in the output, raw or JSON-escaped.
func (c *Capture) Contains(s string) bool {
	out := c.String()
	return strings.Contains(out, s) || strings.Contains(out, jsonEscaped(s))
}

// WaitContains waits until s appears (as Contains reports it) or timeout
// passes, and reports whether it appeared: for what a goroutine logs after
// the event the test has seen.
func (c *Capture) WaitContains(s string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !c.Contains(s) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func jsonEscaped(s string) string {
	var b bytes.Buffer
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{})
	buf, err := enc.EncodeEntry(zapcore.Entry{}, []zapcore.Field{zap.String("k", s)})
	if err != nil {
		return s
	}
	b.Write(buf.Bytes())
	out := b.String()
	if i := strings.Index(out, `"k":"`); i >= 0 {
		out = out[i+5:]
		if j := strings.LastIndex(out, `"`); j >= 0 {
			out = out[:j]
		}
	}
	return out
}

// New returns a debug-level logger writing JSON lines through the redacting
// core into a Capture, and also a console-encoded copy into the same
// Capture, so both encoders are checked.
func New(extraSafeKeys ...string) (*zap.Logger, *Capture) {
	c := &Capture{}
	cfg := zap.NewDevelopmentEncoderConfig()
	tee := zapcore.NewTee(
		zapcore.NewCore(logging.JSONEncoder(), c, zapcore.DebugLevel),
		zapcore.NewCore(zapcore.NewConsoleEncoder(cfg), c, zapcore.DebugLevel),
	)
	return zap.New(logging.NewRedactingCore(tee, extraSafeKeys...)), c
}
