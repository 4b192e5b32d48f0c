package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/token"
)

// corsGate answers the CORS side of a GET endpoint that pages read across
// origins (/v1/health, /v1/client/): it echoes an allowed (or refused, for
// /v1/health's readable 403) Origin, answers preflights, refuses other
// methods, and reports whether the handler should go on. A request without
// Origin (curl, monitoring, npm) is allowed: these endpoints hold nothing
// secret.
func (s *Server) corsGate(w http.ResponseWriter, r *http.Request) (allowed, goOn bool) {
	origin := r.Header.Get("Origin")
	_, _, allowed = s.originPolicy(r)
	if origin != "" && origin != "null" {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
	}
	if origin == "" {
		allowed = true
	}
	if !allowed {
		s.refusals.note(s.log, r, s.refusalReason(r))
	}
	switch r.Method {
	case http.MethodOptions:
		if !allowed {
			w.WriteHeader(http.StatusForbidden)
			return false, false
		}
		w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
			w.Header().Set("Access-Control-Allow-Headers", h)
		}
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			w.Header().Set("Access-Control-Allow-Private-Network", "true")
		}
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return allowed, false
	case http.MethodGet, http.MethodHead:
		return allowed, true
	}
	w.Header().Set("Allow", "GET, OPTIONS")
	writeError(w, http.StatusMethodNotAllowed, errMethodNotAllowed)
	return allowed, false
}

// crossOrigin serves a GET endpoint that pages read across origins
// (/v1/health, /v1/client/): corsGate, then 403 for a refused origin (the
// refusal is logged), else serve.
func (s *Server) crossOrigin(serve http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed, goOn := s.corsGate(w, r)
		if !goOn {
			return
		}
		if !allowed {
			writeError(w, http.StatusForbidden, errOriginNotAllowed)
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// serveClient serves the JavaScript client at /v1/client/ (idagent.js and
// the modules it imports) with CORS for allowed origins, so that a desk
// application imports it from the agent it talks to, always in the
// agent's version:
//
//	import { IdAgent } from 'http://127.0.0.1:20606/v1/client/idagent.js';
func (s *Server) serveClient(files http.Handler) http.Handler { return s.crossOrigin(files) }

// refusalReason says why originPolicy refused a request, for the log: the
// Origin's value and this reason tell IT which page was blocked and what
// to change. Neither is personal data.
func (s *Server) refusalReason(r *http.Request) string {
	raw := r.Header.Get("Origin")
	secret := token.FromHeader(r.Header.Get("Authorization"))
	switch {
	case raw == "null":
		return "Origin \"null\" (a file:// or data: page, or a sandboxed frame): always refused, since any web site can make one"
	case raw == "" && secret != "":
		if err := s.tokens.Err(); err != nil {
			return "no Origin header, with a token: the tokens file cannot be read: " + err.Error()
		}
		return "no Origin header, with a token that was not issued or was revoked (idagent token list)"
	case raw == "":
		return "no Origin header (a native program): it needs a token (idagent token create) or allowNativeClients"
	case secret != "":
		return "a token with an Origin header: tokens are for native clients, which send no Origin"
	}
	origin, err := config.NormalizeOrigin(raw)
	if err != nil {
		return "not a valid origin: " + err.Error()
	}
	reason := "not in \"origins\" of " + s.configName()
	if twin := loopbackTwin(origin); twin != "" {
		if _, ok := s.cfg.PolicyFor(twin); ok {
			reason += "; " + twin + " is, but localhost and 127.0.0.1 are different origins"
		}
	}
	return reason
}

func (s *Server) configName() string {
	if s.cfg.File != "" {
		return s.cfg.File
	}
	return "the configuration"
}

// loopbackTwin is the same origin with localhost and 127.0.0.1 swapped,
// or "" for other hosts.
func loopbackTwin(origin string) string {
	for _, pair := range [][2]string{{"://localhost", "://127.0.0.1"}, {"://127.0.0.1", "://localhost"}} {
		if i := strings.Index(origin, pair[0]); i >= 0 {
			rest := origin[i+len(pair[0]):]
			if rest == "" || rest[0] == ':' {
				return origin[:i] + pair[1] + rest
			}
		}
	}
	return ""
}

// refusalLog logs each refused origin once, so that IT sees which page was
// blocked without a page that retries every few seconds filling the log.
// Beyond maxRefusalOrigins distinct origins (a hostile page inventing
// them) it stops logging new ones for refusalWindow, then starts afresh.
type refusalLog struct {
	mu      sync.Mutex
	seen    map[string]bool
	full    time.Time // when seen filled up; zero while it has room
	now     func() time.Time
	dropped int
}

const (
	maxRefusalOrigins = 64
	refusalWindow     = time.Hour
)

func (l *refusalLog) note(log *zap.Logger, r *http.Request, reason string) {
	origin := originForLog(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	if l.seen == nil || (!l.full.IsZero() && now().Sub(l.full) >= refusalWindow) {
		if l.dropped > 0 {
			log.Warn("refused origins not logged while the log of refusals was full", zap.Int("count", l.dropped))
		}
		l.seen, l.full, l.dropped = map[string]bool{}, time.Time{}, 0
	}
	key := origin + "\x00" + reason
	if l.seen[key] {
		return
	}
	if len(l.seen) >= maxRefusalOrigins {
		if l.full.IsZero() {
			l.full = now()
		}
		l.dropped++
		return
	}
	l.seen[key] = true
	log.Warn("origin refused (logged once per origin)", zap.String("origin", origin),
		zap.String("reason", reason), zap.String("path", r.URL.Path))
}
