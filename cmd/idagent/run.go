package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/idagent/idagent/agent"
	"github.com/idagent/idagent/agent/cardread"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/listen"
	"github.com/idagent/idagent/agent/logging"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/simulate"
	"github.com/idagent/idagent/agent/svc"
	"github.com/idagent/idagent/emrtd/sim/link"
	"github.com/idagent/idagent/nfc/pcsc"
	"github.com/idagent/idagent/web"
)

// exitConfig: the configuration is unusable (sysexits EX_CONFIG).
const exitConfig = 78

func init() {
	register(&command{name: "run", summary: "run the agent (WebSocket API for browsers) in the foreground", run: runAgent})
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runFlags are the flags of idagent run.
type runFlags struct {
	simulate bool
	config   string
	listen   listFlag
	link     string
	logLevel string
	service  bool
	simCard  string // with simulate: a profile to insert at start
	simSeed  int64
}

func runAgent(ctx context.Context, e *env, args []string) int {
	var f runFlags
	fs := newFlags(e, "run", "[--simulate [--link MODEL]] [--config FILE] [--listen ADDR]...")
	fs.BoolVar(&f.simulate, "simulate", false, "serve simulated readers holding software chips (sim.insert/sim.remove); no pcscd needed")
	fs.StringVar(&f.config, "config", "", "configuration file (default "+config.DefaultFile()+" when it exists)")
	fs.Var(&f.listen, "listen", "address to listen on, host:port (repeatable; replaces \"listen\" of the configuration)")
	fs.StringVar(&f.link, "link", "", "with --simulate: delay exchanges like a contactless link: "+strings.Join(link.Names, ", "))
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error (replaces log.level of the configuration)")
	fs.BoolVar(&f.service, "service", false, "run under the service manager (set by 'idagent service install')")
	fs.StringVar(&f.simCard, "sim-card", "", "with --simulate: insert a software chip of this profile (cccd, passport, ...) into the first simulated reader at start and print its access data")
	fs.Int64Var(&f.simSeed, "sim-seed", 1, "with --sim-card: the identity seed of that chip")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if (f.link != "" || f.simCard != "") && !f.simulate {
		fmt.Fprintln(e.stderr, "idagent run: --link and --sim-card need --simulate")
		return exitUsage
	}
	cfg, err := loadRunConfig(f)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent: %v\n", err)
		return exitConfig
	}
	if f.service {
		return svc.RunUnderManager(ctx, svc.Program{Run: func(ctx context.Context) error { return serveAgent(ctx, e, f, cfg) }}, e.stderr)
	}
	if err := serveAgent(ctx, e, f, cfg); err != nil {
		fmt.Fprintf(e.stderr, "idagent: %v\n", err)
		var cerr *config.Error
		switch {
		case errors.Is(err, listen.ErrPortInUse):
			return exitNoCard // EX_UNAVAILABLE: a resource (the port) is taken
		case errors.As(err, &cerr):
			return exitConfig // a key of the configuration is unusable (trustStore)
		}
		return exitSoft
	}
	return exitOK
}

func loadRunConfig(f runFlags) (*config.Config, error) {
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, err
	}
	if len(f.listen) > 0 {
		if err := cfg.SetListen(f.listen); err != nil {
			return nil, err
		}
	}
	if f.logLevel != "" {
		if _, err := logging.ParseLevel(f.logLevel); err != nil {
			return nil, fmt.Errorf("--log-level: %w", err)
		}
		cfg.Log.Level = f.logLevel
	}
	if f.simulate {
		cfg.Demo = true
	}
	return cfg, nil
}

// serveAgent builds the agent from the configuration and serves until ctx
// is done.
func serveAgent(ctx context.Context, e *env, f runFlags, cfg *config.Config) error {
	log, err := newAgentLog(e, f, cfg)
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	defer func() { _ = log.Sync() }()
	opts, err := agentOptions(f, cfg, log)
	if err != nil {
		return err
	}
	if err := insertStartCard(ctx, e, f, opts); err != nil {
		return err
	}
	ls, err := listen.Open(cfg.Listen, log)
	if err != nil {
		return err
	}
	mode := ""
	if f.simulate {
		mode = " (simulated readers)"
	}
	for _, l := range ls {
		fmt.Fprintf(e.stderr, "idagent %s: serving ws://%s/v1/ws%s\n", version, l.Addr(), mode)
	}
	if cfg.Demo {
		fmt.Fprintf(e.stderr, "idagent: desk pages at http://%s/demo/\n", ls[0].Addr())
	}
	reportOrigins(e.stderr, log, cfg)
	return agent.New(opts).Run(ctx, ls)
}

// reportOrigins says at start-up which web pages may use the agent, on the
// console and in the log (where a service's start-up is read), so that IT
// sees at once why a desk application is refused.
func reportOrigins(w io.Writer, log *zap.Logger, cfg *config.Config) {
	origins := slices.Sorted(maps.Keys(cfg.Origins))
	from := "the configuration"
	if cfg.File != "" {
		from = cfg.File
	}
	if len(origins) == 0 {
		fmt.Fprintf(w, "idagent: no web origin is allowed: add your desk application's origin to \"origins\" in %s (docs/CONFIG.md)\n", from)
	} else {
		fmt.Fprintf(w, "idagent: allowed web origins (%s): %s\n", from, strings.Join(origins, ", "))
	}
	for _, o := range origins {
		if strings.Contains(o, "://localhost") || strings.Contains(o, "://127.0.0.1") {
			fmt.Fprintln(w, "idagent: note: localhost and 127.0.0.1 are different origins; list the one your page's address bar shows")
			break
		}
	}
	if cfg.Demo {
		fmt.Fprintln(w, "idagent: the agent's own pages (/demo/) are allowed too")
	}
	if cfg.AllowNativeClients {
		fmt.Fprintln(w, "idagent: programs without an Origin (native clients) are allowed (allowNativeClients)")
	}
	log.Info("allowed origins", zap.String("origins", strings.Join(origins, " ")), zap.Int("count", len(origins)),
		zap.Bool("demo", cfg.Demo), zap.Bool("nativeClients", cfg.AllowNativeClients))
}

// newAgentLog builds the agent's logger. In the foreground it writes
// human-readable lines to the console (and JSON lines to log.file when the
// configuration names one). As a service it writes JSON lines to log.file,
// or to idagent.log in the platform's log directory when none is named,
// and nothing to the console: the service manager's console capture
// (journald, the event log) would keep a second, unrotated copy. A log file
// that cannot be written is reported on the console instead of stopping the
// service: the agent matters more than its log.
func newAgentLog(e *env, f runFlags, cfg *config.Config) (*zap.Logger, error) {
	opts := logging.Options{
		Level: cfg.Log.Level, Console: e.stderr, File: cfg.Log.File,
		MaxSizeMB: cfg.Log.MaxSizeMB, MaxBackups: cfg.Log.MaxBackups, MaxAgeDays: cfg.Log.MaxAgeDays,
	}
	if !f.service {
		return logging.New(opts)
	}
	if opts.File == "" {
		opts.File = filepath.Join(serviceLogDir(), config.LogFileName)
	}
	fileErr := logging.CheckFile(opts.File)
	if fileErr != nil {
		opts.File = ""
	} else {
		opts.NoConsole = true
	}
	log, err := logging.New(opts)
	if err == nil && fileErr != nil {
		log.Warn("cannot write the log file; logging to the console", zap.Error(fileErr))
	}
	return log, err
}

// insertStartCard puts the --sim-card chip into the first simulated reader
// and prints its access data on stdout (a generated TEST identity the user
// asked for, as idagent sim prints it; never logged).
func insertStartCard(ctx context.Context, e *env, f runFlags, o agent.Options) error {
	if f.simCard == "" {
		return nil
	}
	s, ok := o.Simulator.(*simulate.Simulator)
	if !ok {
		return errors.New("--sim-card needs --simulate")
	}
	seed := f.simSeed
	card, err := s.Insert(ctx, protocol.SimInsert{Profile: f.simCard, Seed: &seed})
	if err != nil {
		return fmt.Errorf("--sim-card: %w", err)
	}
	fmt.Fprintf(e.stdout, "simulated %s card in %q (TEST identity)\n  ID12 %s  CAN %s  document %s  born %s  expires %s\n",
		f.simCard, card.Reader, card.ID12, card.CAN, card.DocumentNumber, card.DateOfBirth, card.DateOfExpiry)
	return nil
}

// agentOptions chooses the card manager, reader and trust store for the
// mode.
func agentOptions(f runFlags, cfg *config.Config, log *zap.Logger) (agent.Options, error) {
	o := agent.Options{Config: cfg, Log: log, Version: version, Client: web.ClientHandler()}
	if cfg.Demo {
		o.Demo = web.Handler()
	}
	if f.simulate {
		s, err := simulate.New(f.link)
		if err != nil {
			return o, err
		}
		store, state, err := simulate.Trust()
		if err != nil {
			return o, fmt.Errorf("load the simulator's test anchor: %w", err)
		}
		o.Manager, o.Simulator = s.Manager, s
		o.Reader = &cardread.Reader{Trust: store, AllowTestAnchors: true}
		o.Trust = func() protocol.TrustState { return state }
		log.Warn("simulate mode: simulated readers and a TEST trust anchor; never use these reads in production")
		return o, nil
	}
	store, state, err := cardread.OpenTrust(cfg.TrustStore)
	if err != nil {
		return o, &config.Error{File: cfg.File, Key: "trustStore", Msg: err.Error()}
	}
	if state.Anchors == 0 {
		log.Warn("trust store empty: reads will verify as UNKNOWN; import a master list with 'idagent trust import'", zap.String("store", cfg.TrustStore))
	}
	o.Manager = pcsc.New()
	o.Reader = &cardread.Reader{Trust: store}
	o.Trust = func() protocol.TrustState { return state }
	return o, nil
}
