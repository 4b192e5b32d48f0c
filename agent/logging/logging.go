// Package logging builds idagent's zap loggers: a console encoder in the
// foreground, JSON lines to a rotating file when configured, and underneath
// both a core that redacts personal data by type rather than by the care of
// whoever writes a log line.
//
// The redaction rules (see NewRedactingCore):
//   - values of types implementing Personal are never printed, wherever they
//     appear (zap.Any, zap.Reflect, zap.Stringer, zap.Object, wrapped in an
//     error, in a slice or behind a pointer);
//   - byte strings and binary fields are never printed, only their length;
//   - objects, arrays, reflected values and Stringers are printed only when
//     their type implements Safe (arrays and Stringers under a known key are
//     printed with their strings masked);
//   - strings and times are printed only under keys known to describe the
//     system (reader, readId, origin, phase, ...); under any other key they
//     are redacted;
//   - numbers of six digits or more are printed only under known keys;
//   - in everything printed, runs of six or more digits are masked, and text
//     that looks like an MRZ is refused.
//
// Log messages must be constant strings: the package offers no sugared
// logger, and digits in messages are masked too.
package logging

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Options says where logs go.
type Options struct {
	// Level is debug, info, warn or error; empty means info.
	Level string
	// Console receives human-readable lines; nil means os.Stderr. Set
	// NoConsole to write only to the file (a service without a terminal).
	Console   io.Writer
	NoConsole bool
	// File, when set, receives JSON lines, rotated by size.
	File       string
	MaxSizeMB  int // per file before rotation; 0 means 10
	MaxBackups int // rotated files kept; 0 means 5
	MaxAgeDays int // 0 keeps rotated files regardless of age
	// ExtraSafeKeys are field keys, beyond the built-in list, whose string
	// values may be printed (still with digit runs masked).
	ExtraSafeKeys []string
}

// ParseLevel parses a level name, naming the accepted values on error.
func ParseLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return zapcore.InfoLevel, nil
	case "debug":
		return zapcore.DebugLevel, nil
	case "warn", "warning":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want debug, info, warn or error)", s)
}

// New builds a logger from opts. Everything it writes passes through the
// redacting core.
func New(opts Options) (*zap.Logger, error) {
	level, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, err
	}
	var cores []zapcore.Core
	if !opts.NoConsole {
		w := opts.Console
		if w == nil {
			w = os.Stderr
		}
		cores = append(cores, zapcore.NewCore(consoleEncoder(), zapcore.Lock(zapcore.AddSync(w)), level))
	}
	if opts.File != "" {
		cores = append(cores, zapcore.NewCore(jsonEncoder(), zapcore.AddSync(rotatingFile(opts)), level))
	}
	core := NewRedactingCore(zapcore.NewTee(cores...), opts.ExtraSafeKeys...)
	return zap.New(core, zap.AddCaller(), zap.AddStacktrace(zapcore.ErrorLevel)), nil
}

// NewCore builds the redacting core around an encoder and a writer; tests and
// embedders use it to send logs somewhere of their own.
func NewCore(enc zapcore.Encoder, w zapcore.WriteSyncer, level zapcore.LevelEnabler, extraSafeKeys ...string) zapcore.Core {
	return NewRedactingCore(zapcore.NewCore(enc, w, level), extraSafeKeys...)
}

// CheckFile makes sure the log file can be written: its directory exists
// (created 0750 when missing) and the file opens for appending (created
// 0640). It is called before a service commits to logging only there.
func CheckFile(file string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return fmt.Errorf("create the log directory: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open the log file: %w", err)
	}
	return f.Close()
}

func rotatingFile(opts Options) *lumberjack.Logger {
	l := &lumberjack.Logger{
		Filename:   opts.File,
		MaxSize:    opts.MaxSizeMB,
		MaxBackups: opts.MaxBackups,
		MaxAge:     opts.MaxAgeDays,
	}
	if l.MaxSize == 0 {
		l.MaxSize = 10
	}
	if l.MaxBackups == 0 {
		l.MaxBackups = 5
	}
	return l
}

func consoleEncoder() zapcore.Encoder {
	cfg := zap.NewDevelopmentEncoderConfig()
	cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	cfg.EncodeCaller = nil
	cfg.CallerKey = ""
	return zapcore.NewConsoleEncoder(cfg)
}

// JSONEncoder is the encoder of log files: one JSON object a line, ISO 8601
// times.
func JSONEncoder() zapcore.Encoder { return jsonEncoder() }

func jsonEncoder() zapcore.Encoder {
	cfg := zap.NewProductionEncoderConfig()
	cfg.EncodeTime = zapcore.ISO8601TimeEncoder
	return zapcore.NewJSONEncoder(cfg)
}

// Nop returns a logger that discards everything.
func Nop() *zap.Logger { return zap.NewNop() }
