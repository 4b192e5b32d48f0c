package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/verifier"
)

// defaultVerifierConfig is where the verification service finds its
// configuration without --config (the container mounts it there).
const defaultVerifierConfig = "/etc/idagent/verifier.json"

func init() {
	register(&command{name: "verifier", summary: "run the verification service for backends (POST /v1/challenges, /v1/verify; docs/VERIFIER.md)", run: runVerifier})
}

func runVerifier(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "verifier", "[--listen ADDR] [--config FILE] [--allow-test-anchors]")
	listen := fs.String("listen", "", `address to serve on, host:port (replaces "listen" of the configuration; default :8080)`)
	file := fs.String("config", defaultVerifierConfig, "configuration file (JSON, docs/VERIFIER.md)")
	allowTest := fs.Bool("allow-test-anchors", false, "trust the simulator's TEST CSCA and accept chains to TEST anchors (demonstrations with idagent run --simulate only)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	cfg, err := verifier.LoadConfig(*file)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verifier: %v\n", err)
		return exitConfig
	}
	switch {
	case *listen != "":
		cfg.Listen = *listen
	case cfg.Listen == "":
		cfg.Listen = ":8080"
	}
	cfg.AllowTestAnchors = cfg.AllowTestAnchors || *allowTest
	log := verifierLogger(e)
	defer log.Sync()
	opts := verifier.Options{Log: log, LoadTrust: func() (*trust.Store, []string, error) { return loadTrustWithTest(cfg.Trust, *allowTest) }}
	if cfg.Redis != nil {
		verifier.LogRedisTo(log)
		if opts.Store, err = verifier.NewRedisStore(cfg.Redis); err != nil {
			fmt.Fprintf(e.stderr, "idagent verifier: %v\n", err)
			return exitConfig
		}
	}
	srv, err := verifier.New(cfg, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent verifier: %v\n", err)
		return exitConfig
	}
	go reloadOnHangup(ctx, srv)
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintf(e.stderr, "idagent verifier: %v\n", err)
		return exitSoft
	}
	return exitOK
}

// verifierLogger logs JSON lines to stderr (a container's log), info and
// above. The service logs no personal data at any level.
func verifierLogger(e *env) *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(e.stderr), zapcore.InfoLevel)
	return zap.New(core).Named("verifier")
}

// reloadOnHangup reloads the trust store on SIGHUP (where there is one).
func reloadOnHangup(ctx context.Context, srv *verifier.Server) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = srv.ReloadTrust()
		}
	}
}
