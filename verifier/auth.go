package verifier

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/idagent/idagent/internal/ratelimit"
)

// caller is one authenticated backend with its policy and rate limit.
type caller struct {
	cfg     CallerConfig
	limiter *bucket
}

// callers finds the caller of a request: by its client certificate
// (mutual TLS) or its API key.
type callers struct {
	byKey  map[[32]byte]*caller // SHA-256 of the API key
	byName map[string]*caller   // client certificate names
}

func newCallers(cfgs []CallerConfig) (*callers, error) {
	cs := &callers{byKey: map[[32]byte]*caller{}, byName: map[string]*caller{}}
	for _, cc := range cfgs {
		c := &caller{cfg: cc, limiter: newBucket(cc.RatePerSecond, cc.Burst)}
		keys := append([]string(nil), cc.APIKeys...)
		for _, f := range cc.APIKeyFiles {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("caller %s: API key file: %w", cc.Name, err)
			}
			keys = append(keys, strings.TrimSpace(string(b)))
		}
		for _, k := range keys {
			if len(k) < 16 {
				return nil, fmt.Errorf("caller %s: an API key of %d characters is too short (at least 16; openssl rand -base64 32)", cc.Name, len(k))
			}
			d := sha256.Sum256([]byte(k))
			if _, dup := cs.byKey[d]; dup {
				return nil, fmt.Errorf("caller %s: an API key is another caller's too", cc.Name)
			}
			cs.byKey[d] = c
		}
		for _, n := range cc.ClientNames {
			cs.byName[n] = c
		}
	}
	return cs, nil
}

// authenticate returns the request's caller, nil when it has none. A
// verified client certificate names its caller by subject CN or a DNS SAN;
// otherwise "Authorization: Bearer KEY" (or "X-API-Key: KEY") does. Keys
// are compared as SHA-256 digests, so the lookup leaks nothing about them.
func (cs *callers) authenticate(r *http.Request) *caller {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		if c := cs.byCertificate(r.TLS.VerifiedChains[0][0]); c != nil {
			return c
		}
	}
	key := r.Header.Get("X-API-Key")
	if auth := r.Header.Get("Authorization"); key == "" && len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		key = strings.TrimSpace(auth[7:])
	}
	if key == "" {
		return nil
	}
	return cs.byKey[sha256.Sum256([]byte(key))]
}

func (cs *callers) byCertificate(cert *x509.Certificate) *caller {
	if c := cs.byName[cert.Subject.CommonName]; c != nil && cert.Subject.CommonName != "" {
		return c
	}
	for _, n := range cert.DNSNames {
		if c := cs.byName[n]; c != nil {
			return c
		}
	}
	return nil
}

// bucket is a caller's token bucket, shared by its requests.
type bucket struct {
	mu sync.Mutex
	b  ratelimit.Bucket
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{b: ratelimit.New(rate, burst, time.Now())}
}

// allow takes a token at now, reporting whether there was one.
func (b *bucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Allow(now)
}
