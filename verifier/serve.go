package verifier

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/idagent/idagent/verifier/challenge"
)

// NewRedisStore connects the challenge store to Redis as c says. It does
// not wait for Redis: a Redis that is down makes the service unready and
// refuse to verify (fail closed) until it answers.
func NewRedisStore(c *RedisConfig) (*challenge.Redis, error) {
	o := &redis.Options{Addr: c.Addr, Username: c.Username, Password: c.Password, DB: c.DB,
		DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: 1}
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("redis.passwordFile: %w", err)
		}
		o.Password = strings.TrimSpace(string(b))
	}
	if c.TLS {
		host, _, _ := net.SplitHostPort(c.Addr)
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	}
	return &challenge.Redis{Client: redis.NewClient(o), Prefix: c.Prefix}, nil
}

// redisLog sends go-redis's own messages (dial failures: addresses and
// errors, no data) to the service's JSON log.
type redisLog struct{ log *zap.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...))
}

// LogRedisTo sends go-redis's messages (they are process-wide) to log.
func LogRedisTo(log *zap.Logger) { redis.SetLogger(redisLog{log.Named("redis")}) }

// TLSConfig is the service's TLS configuration: its certificate and, with
// ClientCAs, the client certificates callers authenticate with.
func (c *TLSConfig) TLSConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("tls.cert/tls.key: %w", err)
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if c.ClientCAs != "" {
		pem, err := os.ReadFile(c.ClientCAs)
		if err != nil {
			return nil, fmt.Errorf("tls.clientCAs: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("tls.clientCAs: no PEM certificate in the file")
		}
		t.ClientCAs, t.ClientAuth = pool, tls.VerifyClientCertIfGiven
		if c.RequireClientCert {
			t.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	return t, nil
}

// Serve serves the service on cfg.Listen (and its metrics on
// cfg.MetricsListen) until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
	}
	if s.cfg.TLS != nil {
		t, err := s.cfg.TLS.TLSConfig()
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, t)
	}
	servers := []*http.Server{newHTTPServer(s.Handler(), s.log)}
	listeners := []net.Listener{ln}
	if s.cfg.MetricsListen != "" {
		mln, err := net.Listen("tcp", s.cfg.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s (metrics): %w", s.cfg.MetricsListen, err)
		}
		servers, listeners = append(servers, newHTTPServer(s.MetricsHandler(), s.log)), append(listeners, mln)
	}
	go s.Run(ctx)
	errs := make(chan error, len(servers))
	for i, srv := range servers {
		s.log.Info("listening", zap.String("addr", listeners[i].Addr().String()), zap.Bool("tls", i == 0 && s.cfg.TLS != nil))
		go func() { errs <- srv.Serve(listeners[i]) }()
	}
	select {
	case err = <-errs:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// newHTTPServer bounds every phase of a request, so a slow client cannot
// hold a connection.
func newHTTPServer(h http.Handler, log *zap.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: zap.NewStdLog(log.Named("http"))}
}
