package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// idagent verifier serves with a configuration file, answers health and
// challenges, and stops when its context ends; a bad configuration exits
// 78 naming the key.
func TestVerifierCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "verifier.json")
	os.WriteFile(cfg, []byte(`{"trust":[],"callers":[{"name":"his","apiKeys":["his-key-0123456789abcdef"],"fields":["default"]}]}`), 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr strings.Builder
	go func() {
		done <- dispatch(ctx, &env{stdout: &strings.Builder{}, stderr: &stderr, stdin: strings.NewReader("")},
			[]string{"verifier", "--listen", addr, "--config", cfg, "--allow-test-anchors"})
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/challenges", nil)
	req.Header.Set("Authorization", "Bearer his-key-0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("challenge: %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"listening"`) || !strings.Contains(stderr.String(), `"caller":"his"`) {
		t.Errorf("JSON log lacks lines:\n%s", stderr.String())
	}

	os.WriteFile(cfg, []byte(`{"callers":[{"name":"his","apiKeys":["short"],"fields":["nosuchfield"]}]}`), 0o600)
	code, _, errOut := runTrustCmd(t, "verifier", "--config", cfg)
	if code != exitConfig || !strings.Contains(errOut, "callers[0]") {
		t.Errorf("bad config: exit %d: %s", code, errOut)
	}
}
