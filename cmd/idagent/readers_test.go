package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual"
	"github.com/idagent/idagent/nfc/virtual/testcard"
	"github.com/idagent/idagent/nfc/vpcd"
)

// withReaderManager makes idagent readers use m for the test.
func withReaderManager(t *testing.T, m nfc.Manager) {
	old := newReaderManager
	newReaderManager = func() nfc.Manager { return m }
	t.Cleanup(func() { newReaderManager = old })
}

func runReadersCmd(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(ctx, &env{stdout: &out, stderr: &errOut, stdin: strings.NewReader("")}, args)
	return code, out.String(), errOut.String()
}

func TestReadersList(t *testing.T) {
	m := virtual.New("Reader A", "Reader B")
	m.Insert("Reader B", testcard.New())
	withReaderManager(t, m)
	code, out, errOut := runReadersCmd(context.Background(), "readers")
	want := "Reader A  empty\nReader B  card  ATR 3B80800101\n"
	if code != exitOK || out != want || errOut != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q\nwant stdout %q", code, out, errOut, want)
	}
	code, out, _ = runReadersCmd(context.Background(), "readers", "--json")
	want = `{"readers":[{"name":"Reader A","cardPresent":false},{"name":"Reader B","cardPresent":true,"atr":"3B80800101"}]}` + "\n"
	if code != exitOK || out != want {
		t.Fatalf("--json: exit %d, %q, want %q", code, out, want)
	}
}

func TestReadersNone(t *testing.T) {
	withReaderManager(t, virtual.New())
	code, out, errOut := runReadersCmd(context.Background(), "readers")
	if code != exitNoCard || out != "" || errOut != "idagent readers: no smart card reader is connected\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runReadersCmd(context.Background(), "readers", "--json")
	if code != exitNoCard || out != `{"readers":[]}`+"\n" {
		t.Fatalf("--json: exit %d, %q", code, out)
	}
}

// deadReaderService is a Manager whose service is down.
type deadReaderService struct{ nfc.Manager }

func (deadReaderService) Readers(context.Context) ([]nfc.ReaderState, error) {
	return nil, fmt.Errorf("pcsc: readers: establish context: %w", nfc.ErrNoService)
}

func TestReadersNoService(t *testing.T) {
	withReaderManager(t, deadReaderService{})
	code, out, errOut := runReadersCmd(context.Background(), "readers")
	if code != exitNoCard || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not running") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestReadersUsage(t *testing.T) {
	if code, _, _ := runReadersCmd(context.Background(), "readers", "extra"); code != exitUsage {
		t.Errorf("extra argument: exit %d", code)
	}
	if code, _, _ := runReadersCmd(context.Background(), "readers", "--bogus"); code != exitUsage {
		t.Errorf("bad flag: exit %d", code)
	}
	if code, _, errOut := runReadersCmd(context.Background(), "readers", "--help"); code != exitOK || !strings.Contains(errOut, "--watch") {
		t.Errorf("--help: exit %d, %q", code, errOut)
	}
}

// readersOutput is a bytes.Buffer safe for one writer and one reader.
type readersOutput struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newReadersOutput() *readersOutput { return &readersOutput{mu: make(chan struct{}, 1)} }

func (b *readersOutput) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *readersOutput) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// waitForOutput polls until s() contains want.
func waitForOutput(t *testing.T, s func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output %q lacks %q", s(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReadersWatch(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		m := virtual.New("Reader A")
		withReaderManager(t, m)
		ctx, cancel := context.WithCancel(context.Background())
		out := newReadersOutput()
		done := make(chan int)
		args := []string{"readers", "--watch"}
		if asJSON {
			args = append(args, "--json")
		}
		go func() {
			done <- dispatch(ctx, &env{stdout: out, stderr: &bytes.Buffer{}, stdin: strings.NewReader("")}, args)
		}()
		if asJSON {
			waitForOutput(t, out.String, `{"event":"reader.added","reader":"Reader A"}`)
			m.Insert("Reader A", testcard.New())
			waitForOutput(t, out.String, `{"event":"card.inserted","reader":"Reader A","atr":"3B80800101"}`)
		} else {
			waitForOutput(t, out.String, "reader.added  Reader A\n")
			m.Insert("Reader A", testcard.New())
			waitForOutput(t, out.String, "card.inserted  Reader A  ATR 3B80800101\n")
			m.Remove("Reader A")
			waitForOutput(t, out.String, "card.removed  Reader A\n")
		}
		cancel()
		if code := <-done; code != exitOK {
			t.Fatalf("exit %d after Ctrl-C", code)
		}
	}
}

// TestReadersPCSC lists the vpcd readers of the real pcscd with a software
// card inserted.
func TestReadersPCSC(t *testing.T) {
	pcsctest.Require(t)
	pcsctest.Insert(t, vpcd.Reader0Addr, vpcd.Reader0Name, testcard.New(), vpcd.Config{})
	code, out, errOut := runReadersCmd(context.Background(), "readers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct{ Readers []readerJSON }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range got.Readers {
		if r.Name == vpcd.Reader0Name {
			found = r.CardPresent && r.ATR == "3B80800101"
		}
	}
	if !found {
		t.Fatalf("readers %+v: %q without the card", got.Readers, vpcd.Reader0Name)
	}
}

func TestExplainCardError(t *testing.T) {
	if got := explainCardError(errors.New("other")); got != "other" {
		t.Errorf("got %q", got)
	}
}
