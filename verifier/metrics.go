package verifier

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the service's Prometheus metrics. Their labels are callers'
// names, verdicts, check names, statuses and reason codes: never personal
// data, never a challenge or a transaction id.
type metrics struct {
	registry          *prometheus.Registry
	requests          *prometheus.CounterVec   // path, code
	requestSeconds    *prometheus.HistogramVec // path
	verifications     *prometheus.CounterVec   // caller, verdict
	checks            *prometheus.CounterVec   // check, status, reason (checks that did not pass)
	verifySeconds     prometheus.Histogram
	challengesIssued  *prometheus.CounterVec // caller
	challengeRefusals *prometheus.CounterVec // reason
	storeErrors       prometheus.Counter
	rateLimited       *prometheus.CounterVec // caller
	unauthenticated   prometheus.Counter
	trustAnchors      prometheus.Gauge
	trustReloads      *prometheus.CounterVec // result
}

func newMetrics() *metrics {
	const ns = "idagent_verifier"
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "http_requests_total",
			Help: "HTTP requests by path and status code."}, []string{"path", "code"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "http_request_duration_seconds",
			Help: "HTTP request latency by path.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"path"}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "verifications_total",
			Help: "Verifications by caller and verdict (refused challenges count as FAIL)."}, []string{"caller", "verdict"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "check_outcomes_total",
			Help: "Checks that did not pass, by check name, status and reason code."}, []string{"check", "status", "reason"}),
		verifySeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "verification_duration_seconds",
			Help: "Time to verify one evidence bundle (emrtd/verify), without HTTP.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		challengesIssued: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "challenges_issued_total",
			Help: "Challenges issued by caller."}, []string{"caller"}),
		challengeRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "challenge_refusals_total",
			Help: "Verifications refused for their challenge, by reason (CHALLENGE_USED is a replay)."}, []string{"reason"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "challenge_store_errors_total",
			Help: "Requests refused because the challenge store (Redis) did not answer."}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "rate_limited_total",
			Help: "Requests refused by the caller's rate limit."}, []string{"caller"}),
		unauthenticated: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "unauthenticated_total",
			Help: "Requests refused for want of a valid API key or client certificate."}),
		trustAnchors: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "trust_anchors",
			Help: "CSCA certificates in the trust store."}),
		trustReloads: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "trust_reloads_total",
			Help: "Trust store loads by result (ok, error)."}, []string{"result"}),
	}
	m.registry.MustRegister(m.requests, m.requestSeconds, m.verifications, m.checks, m.verifySeconds,
		m.challengesIssued, m.challengeRefusals, m.storeErrors, m.rateLimited, m.unauthenticated,
		m.trustAnchors, m.trustReloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
