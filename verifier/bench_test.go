package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/emrtd/verify/verifytest"
	"github.com/idagent/idagent/verifier/challenge"
)

// anyChallenge is a store that takes every challenge as fresh, so a
// benchmark can post one evidence bundle again and again: it measures
// HTTP, JSON and verification, not single use (BenchmarkTake does).
type anyChallenge struct{}

func (anyChallenge) Put(context.Context, string, challenge.Grant, time.Time) error { return nil }
func (anyChallenge) Take(_ context.Context, _ string, c []byte, now time.Time) (challenge.Grant, error) {
	return challenge.Grant{Challenge: c, Expires: now.Add(time.Minute)}, nil
}
func (anyChallenge) Ping(context.Context) error { return nil }

// benchService serves a cccd evidence bundle's verification.
func benchService(b *testing.B) (*httptest.Server, []byte) {
	b.Helper()
	chal := []byte("bench-01")
	d := verifytest.Desk(b, "cccd", sim.Options{Seed: 80}, chal)
	cfg := testConfig()
	cfg.Callers[0].Photo = false                                  // the portrait's transcoding is the caller's choice, not verification
	cfg.Callers[0].RatePerSecond, cfg.Callers[0].Burst = 1e9, 1e9 // measure verification, not the limit
	store := verifytest.Trust(b)
	srv, err := New(cfg, Options{Store: anyChallenge{}, LoadTrust: func() (*trust.Store, []string, error) { return store, nil, nil }})
	if err != nil {
		b.Fatal(err)
	}
	h := httptest.NewServer(srv.Handler())
	b.Cleanup(h.Close)
	body, _ := json.Marshal(VerifyRequest{Evidence: d.JSON, Challenge: base64.StdEncoding.EncodeToString(chal)})
	return h, body
}

func postVerify(b *testing.B, client *http.Client, url string, body []byte) {
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/verify", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+hisKey)
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	var out VerifyResponse
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || out.Verdict != check.Pass {
		b.Errorf("HTTP %d, %v: verdict %q", resp.StatusCode, err, out.Verdict)
	}
}

// BenchmarkVerifyCCCD posts a cccd evidence bundle to /v1/verify, one
// request at a time; run with -cpu 1 for verifications per second on one
// core (client included).
func BenchmarkVerifyCCCD(b *testing.B) {
	h, body := benchService(b)
	client := h.Client()
	b.ReportAllocs()
	cpu := verifytest.ProcessCPU()
	for b.Loop() {
		postVerify(b, client, h.URL, body)
	}
	verifytest.ReportCPU(b, verifytest.ProcessCPU()-cpu)
}

// BenchmarkVerifyCCCD50Callers posts the bundle from 50 concurrent
// callers and reports the latency percentiles.
func BenchmarkVerifyCCCD50Callers(b *testing.B) {
	h, body := benchService(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 50}}
	const callers = 50
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	cpu := verifytest.ProcessCPU()
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				start := time.Now()
				postVerify(b, client, h.URL, body)
				d := time.Since(start)
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	b.StopTimer()
	verifytest.ReportCPU(b, verifytest.ProcessCPU()-cpu)
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkTake issues and spends challenges in memory.
func BenchmarkTake(b *testing.B) {
	iss := &challenge.Issuer{Store: challenge.NewMemory()}
	ctx := context.Background()
	for b.Loop() {
		g, err := iss.Issue(ctx, "his", "")
		if err != nil {
			b.Fatal(err)
		}
		if err := iss.Spend(ctx, "his", g.Challenge, ""); err != nil {
			b.Fatal(err)
		}
	}
}
