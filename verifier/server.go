// Package verifier is idagent's verification service (`idagent verifier`),
// for a backend's network, not the desk: a backend asks it for a fresh
// challenge (POST /v1/challenges), hands the challenge to its page, which
// has the desk agent read the card with it, and posts the read's evidence
// back (POST /v1/verify). The service spends the challenge (once, on every
// replica: verifier/challenge), verifies the evidence with emrtd/verify as
// any server must (the desk's observations count only where they lower
// the verdict) and answers the verdict, every check with its stable
// reason, and the identity fields of the verified data groups that the
// caller's policy allows.
//
// Callers authenticate with an API key or a client certificate; requests
// are bounded in size and rate. /healthz, /readyz and /metrics
// (Prometheus) serve operators. Logs are JSON (zap) and, like the metrics,
// hold no personal data: no field, no evidence, no challenge, no
// transaction id. It imports emrtd, never agent.
package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/internal/jsonkeys"
	"github.com/idagent/idagent/verifier/challenge"
)

// TrustLoader loads the trust store; it returns notes for the log.
type TrustLoader func() (*trust.Store, []string, error)

// Server is the verification service. Create it with New, serve Handler,
// run Run for the trust store's reloads.
type Server struct {
	cfg       *Config
	log       *zap.Logger
	callers   *callers
	issuer    *challenge.Issuer
	metrics   *metrics
	loadTrust TrustLoader
	trust     atomic.Pointer[trust.Store]
	reloadMu  sync.Mutex
	now       func() time.Time
}

// Options are what New takes besides the configuration.
type Options struct {
	// Store keeps challenges: nil for memory (or Redis, when the
	// configuration names one, made by the caller of New).
	Store challenge.Store
	// LoadTrust loads the trust store (nil: trust.Load of Config.Trust).
	LoadTrust TrustLoader
	Log       *zap.Logger // nil: no logs
	Now       func() time.Time
}

// New builds the service and loads its trust store once; a trust store
// that does not load is an error (the service would verify nothing).
func New(cfg *Config, o Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cs, err := newCallers(cfg.Callers)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: o.Log, callers: cs, metrics: newMetrics(), loadTrust: o.LoadTrust, now: o.Now}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loadTrust == nil {
		s.loadTrust = func() (*trust.Store, []string, error) { return trust.Load(cfg.Trust...) }
	}
	store := o.Store
	if store == nil {
		store = challenge.NewMemory()
	}
	s.issuer = &challenge.Issuer{Store: store, TTL: time.Duration(cfg.ChallengeTTL), Now: func() time.Time { return s.now() }}
	if err := s.ReloadTrust(); err != nil {
		return nil, err
	}
	return s, nil
}

// ReloadTrust loads the trust store again; on error the old one stays.
func (s *Server) ReloadTrust() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	store, notes, err := s.loadTrust()
	if err != nil {
		s.metrics.trustReloads.WithLabelValues("error").Inc()
		s.log.Error("trust store not loaded; the previous one stays", zap.Error(err))
		return fmt.Errorf("trust store: %w", err)
	}
	anchors, _ := store.Len()
	s.trust.Store(store)
	s.metrics.trustReloads.WithLabelValues("ok").Inc()
	s.metrics.trustAnchors.Set(float64(anchors))
	s.log.Info("trust store loaded", zap.Int("anchors", anchors), zap.Strings("sources", notes))
	return nil
}

// Run reloads the trust store every Config.TrustReload until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(time.Duration(s.cfg.TrustReload))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.ReloadTrust()
		}
	}
}

// Handler serves the API, health, readiness and (unless
// Config.MetricsListen moves them) the metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/challenges", s.api("/v1/challenges", s.handleChallenge))
	mux.Handle("POST /v1/verify", s.api("/v1/verify", s.handleVerify))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)
	if s.cfg.MetricsListen == "" {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint: POST /v1/challenges, POST /v1/verify, GET /healthz, /readyz, /metrics")
	})
	return mux
}

// MetricsHandler serves the Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// handler is an API endpoint for an authenticated caller; it returns the
// HTTP status it answered.
type handler func(w http.ResponseWriter, r *http.Request, c *caller) int

// api authenticates the caller, applies its rate limit and the size limit,
// and counts and logs the request (path, status, caller, duration: no
// personal data).
func (s *Server) api(path string, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code, name := s.serve(w, r, h)
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(path, strconv.Itoa(code)).Inc()
		s.metrics.requestSeconds.WithLabelValues(path).Observe(elapsed.Seconds())
		s.log.Info("request", zap.String("path", path), zap.Int("status", code), zap.String("caller", name),
			zap.Duration("duration", elapsed))
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, h handler) (code int, name string) {
	c := s.callers.authenticate(r)
	if c == nil {
		s.metrics.unauthenticated.Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="idagent verifier"`)
		return writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "give an API key (Authorization: Bearer KEY) or a client certificate of a configured caller"), ""
	}
	if !c.limiter.allow(s.now()) {
		s.metrics.rateLimited.WithLabelValues(c.cfg.Name).Inc()
		w.Header().Set("Retry-After", "1")
		return writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf("more than %g requests a second (burst %d) from this caller", c.cfg.RatePerSecond, c.cfg.Burst)), c.cfg.Name
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxRequestBytes)
	return h(w, r, c), c.cfg.Name
}

// decode reads a JSON request body into v; an error answers the request.
// A body whose objects repeat a key is refused (internal/jsonkeys): the
// caller's parser may have read the other value.
func decode(w http.ResponseWriter, r *http.Request, v any) (int, bool) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = jsonkeys.Unique(body)
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return writeError(w, http.StatusRequestEntityTooLarge, "TOO_LARGE", fmt.Sprintf("the request exceeds %d bytes", tooLarge.Limit)), false
	case errors.Is(err, jsonkeys.ErrDuplicate):
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the body is not the JSON object this endpoint takes: "+err.Error()), false
	case err != nil:
		return writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the body is not the JSON object this endpoint takes: "+jsonProblem(err)), false
	}
	return 0, true
}

// jsonProblem describes a JSON error by position and field, never by
// value.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: want %s", te.Field, te.Type)
	case errors.Is(err, io.EOF):
		return "empty body"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return err.Error() // names a key, not a value
	}
	return "invalid JSON"
}

// apiError is the body of every error answer.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, message string) int {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	return writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
	return status
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 when the service can verify: the trust store is
// loaded and the challenge store answers; 503 with the reasons otherwise.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
	if err := s.issuer.Store.Ping(ctx); err != nil {
		problems = append(problems, err.Error())
	}
	if s.trust.Load() == nil {
		problems = append(problems, "trust store not loaded")
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false, "problems": problems})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ready": true})
}
