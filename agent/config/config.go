// Package config loads the agent's configuration file: where it listens,
// which web origins may use it and which identity fields each receives,
// where the trust store and the logs are, which readers to ignore, and the
// limits. Defaults work without a file; a bad file gives one error naming the
// key. The format is JSON, documented in docs/CONFIG.md.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/identity"
)

// DefaultPort is the agent's TCP port.
const DefaultPort = 20606

// DefaultMaxReadsPerOrigin is how many reads an origin may have waiting or
// running at once (maxReadsPerOrigin).
const DefaultMaxReadsPerOrigin = 2

// Config is the agent's configuration, after defaults and validation.
type Config struct {
	// Listen are host:port addresses. Default 127.0.0.1:20606 and
	// [::1]:20606. Non-loopback addresses need ExposeToNetwork.
	Listen          []string
	ExposeToNetwork bool
	// Hosts are extra Host header names accepted besides 127.0.0.1,
	// localhost and [::1] (with the listening port).
	Hosts []string
	// Origins maps a normalised origin (scheme://host[:port]) to its policy.
	Origins map[string]Policy
	// OriginDefaults is the file's defaultPolicy (DefaultPolicy() without
	// one): the policy of origins added from outside the file (machine.go).
	OriginDefaults Policy
	// AllowNativeClients lets connections without an Origin (or with
	// "null") in, with NativePolicy.
	AllowNativeClients bool
	NativePolicy       Policy
	// TrustStore is a directory (or file) of CSCA certificates, master lists
	// and CRLs.
	TrustStore string
	// TokensFile holds the hashes and policies of the native clients'
	// tokens (idagent token, agent/token).
	TokensFile string
	Log        Log
	// IgnoreReaders are glob patterns (path.Match) of reader names the agent
	// never shows nor reads.
	IgnoreReaders []string
	ReadTimeout   time.Duration
	// Demo serves the desk pages at /demo/.
	Demo bool
	// MaxConnections bounds the TCP connections, HTTP and WebSocket
	// alike; MaxConnectionsPerOrigin is one origin's share of them.
	MaxConnections          int
	MaxConnectionsPerOrigin int
	// ReadHeaderTimeout, IdleTimeout and WriteTimeout bound the HTTP side:
	// a request's headers, a keep-alive connection between requests, an
	// answer.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	WriteTimeout      time.Duration
	// MaxReadsPerOrigin bounds the reads one origin (or the native
	// clients, or one token) has waiting or running at once.
	MaxReadsPerOrigin int
	// File is where the configuration came from ("" for defaults only).
	File string
	// MachineSources lists the machine settings (Windows registry:
	// installer, group policy) that Load applied, one "value: effect" line
	// each (machine.go).
	MachineSources []string
}

// Log configures logging.
type Log struct {
	Level      string
	File       string
	MaxSizeMB  int
	MaxBackups int
	MaxAgeDays int
}

// fileConfig is the JSON form. Pointers tell "absent" from "zero".
type fileConfig struct {
	Listen                  []string        `json:"listen"`
	ExposeToNetwork         bool            `json:"exposeToNetwork"`
	Hosts                   []string        `json:"hosts"`
	Origins                 []fileOrigin    `json:"origins"`
	AllowNativeClients      bool            `json:"allowNativeClients"`
	NativeClients           *filePolicy     `json:"nativeClients"`
	DefaultPolicy           *filePolicy     `json:"defaultPolicy"`
	TrustStore              string          `json:"trustStore"`
	Tokens                  string          `json:"tokens"`
	Log                     *fileLog        `json:"log"`
	IgnoreReaders           []string        `json:"ignoreReaders"`
	ReadTimeout             json.RawMessage `json:"readTimeout"`
	Demo                    bool            `json:"demo"`
	MaxConnections          *int            `json:"maxConnections"`
	MaxReadsPerOrigin       *int            `json:"maxReadsPerOrigin"`
	MaxConnectionsPerOrigin *int            `json:"maxConnectionsPerOrigin"`
	ReadHeaderTimeout       json.RawMessage `json:"readHeaderTimeout"`
	IdleTimeout             json.RawMessage `json:"idleTimeout"`
	WriteTimeout            json.RawMessage `json:"writeTimeout"`
	Comment                 json.RawMessage `json:"_comment"`
}

type filePolicy struct {
	Fields   []string `json:"fields"`
	Photo    *bool    `json:"photo"`
	Evidence bool     `json:"evidence"`
}

type fileOrigin struct {
	Origin string `json:"origin"`
	filePolicy
}

type fileLog struct {
	Level      string `json:"level"`
	File       string `json:"file"`
	MaxSizeMB  int    `json:"maxSizeMB"`
	MaxBackups int    `json:"maxBackups"`
	MaxAgeDays int    `json:"maxAgeDays"`
}

// fileDuration accepts "60s", "2m" or a number of seconds.
type fileDuration time.Duration

func (d *fileDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration like \"60s\"")
		}
		*d = fileDuration(v)
		return nil
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a duration like \"60s\" or a number of seconds")
	}
	*d = fileDuration(time.Duration(n * float64(time.Second)))
	return nil
}

// Error is a configuration error naming the key.
type Error struct {
	File string
	Key  string // JSON path: "origins[1].fields[0]"
	Msg  string
}

func (e *Error) Error() string {
	where := "configuration"
	if e.File != "" {
		where = e.File
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", where, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
}

// Default returns the configuration used without a file.
func Default() *Config {
	return &Config{
		Listen:                  []string{"127.0.0.1:" + strconv.Itoa(DefaultPort), "[::1]:" + strconv.Itoa(DefaultPort)},
		Origins:                 map[string]Policy{},
		OriginDefaults:          DefaultPolicy(),
		NativePolicy:            DefaultPolicy(),
		TrustStore:              filepath.Join(DataDir(), "trust"),
		TokensFile:              filepath.Join(DataDir(), "tokens.json"),
		Log:                     Log{Level: "info"},
		ReadTimeout:             60 * time.Second,
		MaxConnections:          128,
		MaxConnectionsPerOrigin: 16,
		ReadHeaderTimeout:       10 * time.Second,
		IdleTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		MaxReadsPerOrigin:       DefaultMaxReadsPerOrigin,
	}
}

// Load reads the file at path. With path "" it loads DefaultFile() if it
// exists, else the defaults. The machine settings (on Windows, installer
// and group policy values in the registry) are applied on top (machine.go).
func Load(file string) (*Config, error) {
	if file == "" {
		file = DefaultFile()
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			cfg := Default()
			if err := applyMachine(cfg); err != nil {
				return nil, err
			}
			return cfg, nil
		}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, &Error{File: file, Msg: "cannot read: " + unwrapPathError(err)}
	}
	cfg, err := Parse(b, filepath.Dir(abs))
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = file
		}
		return nil, err
	}
	cfg.File = abs
	if err := applyMachine(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse decodes and validates a configuration; relative paths are resolved
// against baseDir (the file's directory).
func Parse(b []byte, baseDir string) (*Config, error) {
	var fc fileConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, decodeError(b, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Msg: "unexpected content after the JSON object"}
	}
	return fc.toConfig(baseDir)
}

// decodeError turns encoding/json errors into errors naming the key.
func decodeError(b []byte, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return &Error{Key: te.Field, Msg: fmt.Sprintf("wrong type: got a JSON %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String()))}
	case errors.As(err, &se):
		line, col := position(b, se.Offset)
		return &Error{Msg: fmt.Sprintf("invalid JSON at line %d column %d: %v", line, col, se)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		key := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Key: key, Msg: "unknown key (see docs/CONFIG.md)"}
	case errors.Is(err, io.EOF):
		return &Error{Msg: "empty file: want a JSON object"}
	}
	// Errors of our own UnmarshalJSON methods carry no field name in older
	// Go versions; keep the message.
	return &Error{Msg: err.Error()}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "slice", "array":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	return "a " + kind
}

func position(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// toConfig validates the file's settings over the defaults, one group of
// keys at a time, and stops at the first error.
func (fc *fileConfig) toConfig(baseDir string) (*Config, error) {
	cfg := Default()
	for _, step := range []func(*Config) error{
		fc.applyNetwork,
		fc.applyPolicies,
		func(cfg *Config) error { return fc.applyFiles(cfg, baseDir) },
		fc.applyReaders,
		fc.applyTimeouts,
		fc.applyLimits,
	} {
		if err := step(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// applyNetwork sets where the agent listens and the host names it answers
// to.
func (fc *fileConfig) applyNetwork(cfg *Config) error {
	if fc.Listen != nil {
		if len(fc.Listen) == 0 {
			return &Error{Key: "listen", Msg: "empty: give at least one address"}
		}
		cfg.Listen = fc.Listen
	}
	cfg.ExposeToNetwork = fc.ExposeToNetwork
	if err := checkListen(cfg.Listen, cfg.ExposeToNetwork, "listen"); err != nil {
		return err
	}
	for i, h := range fc.Hosts {
		if h == "" || strings.ContainsAny(h, ":/ ") {
			return &Error{Key: fmt.Sprintf("hosts[%d]", i), Msg: "want a host name without port or scheme"}
		}
		cfg.Hosts = append(cfg.Hosts, strings.ToLower(h))
	}
	return nil
}

// applyPolicies sets what each client may receive: the default policy,
// each origin's (over the default) and native clients'.
func (fc *fileConfig) applyPolicies(cfg *Config) error {
	defaults := DefaultPolicy()
	if fc.DefaultPolicy != nil {
		p, err := fc.DefaultPolicy.toPolicy("defaultPolicy", DefaultPolicy())
		if err != nil {
			return err
		}
		defaults = p
	}
	cfg.OriginDefaults = defaults
	for i, o := range fc.Origins {
		key := fmt.Sprintf("origins[%d]", i)
		origin, err := NormalizeOrigin(o.Origin)
		if err != nil {
			return &Error{Key: key + ".origin", Msg: err.Error()}
		}
		if _, dup := cfg.Origins[origin]; dup {
			return &Error{Key: key + ".origin", Msg: "listed twice"}
		}
		p, err := o.filePolicy.toPolicy(key, defaults)
		if err != nil {
			return err
		}
		cfg.Origins[origin] = p
	}
	cfg.AllowNativeClients = fc.AllowNativeClients
	cfg.NativePolicy = defaults
	if fc.NativeClients != nil {
		p, err := fc.NativeClients.toPolicy("nativeClients", defaults)
		if err != nil {
			return err
		}
		cfg.NativePolicy = p
	}
	return nil
}

// applyFiles sets the trust store, the tokens file and the log, relative
// paths against baseDir.
func (fc *fileConfig) applyFiles(cfg *Config, baseDir string) error {
	if fc.TrustStore != "" {
		cfg.TrustStore = resolve(baseDir, fc.TrustStore)
	}
	if fc.Tokens != "" {
		cfg.TokensFile = resolve(baseDir, fc.Tokens)
	}
	if fc.Log != nil {
		return fc.Log.apply(&cfg.Log, baseDir)
	}
	return nil
}

// applyReaders sets the readers to ignore.
func (fc *fileConfig) applyReaders(cfg *Config) error {
	for i, pat := range fc.IgnoreReaders {
		if _, err := path.Match(pat, ""); err != nil || pat == "" {
			return &Error{Key: fmt.Sprintf("ignoreReaders[%d]", i), Msg: "not a valid pattern (use * and ?)"}
		}
	}
	cfg.IgnoreReaders = fc.IgnoreReaders
	return nil
}

// applyTimeouts sets the read timeout and the HTTP timeouts.
func (fc *fileConfig) applyTimeouts(cfg *Config) error {
	for _, t := range []struct {
		key      string
		raw      json.RawMessage
		to       *time.Duration
		min, max time.Duration
	}{
		{"readTimeout", fc.ReadTimeout, &cfg.ReadTimeout, time.Second, 10 * time.Minute},
		{"readHeaderTimeout", fc.ReadHeaderTimeout, &cfg.ReadHeaderTimeout, time.Second, time.Minute},
		{"idleTimeout", fc.IdleTimeout, &cfg.IdleTimeout, time.Second, 10 * time.Minute},
		{"writeTimeout", fc.WriteTimeout, &cfg.WriteTimeout, time.Second, 10 * time.Minute},
	} {
		if t.raw == nil {
			continue
		}
		var fd fileDuration
		if err := fd.UnmarshalJSON(t.raw); err != nil {
			return &Error{Key: t.key, Msg: err.Error()}
		}
		d := time.Duration(fd)
		if d < t.min || d > t.max {
			return &Error{Key: t.key, Msg: fmt.Sprintf("want between %v and %v", t.min, t.max)}
		}
		*t.to = d
	}
	return nil
}

// applyLimits sets the demo pages and the connection and read limits.
func (fc *fileConfig) applyLimits(cfg *Config) error {
	cfg.Demo = fc.Demo
	if fc.MaxConnections != nil {
		if *fc.MaxConnections < 1 || *fc.MaxConnections > 10000 {
			return &Error{Key: "maxConnections", Msg: "want between 1 and 10000"}
		}
		cfg.MaxConnections = *fc.MaxConnections
	}
	if fc.MaxConnectionsPerOrigin != nil {
		if *fc.MaxConnectionsPerOrigin < 1 || *fc.MaxConnectionsPerOrigin > cfg.MaxConnections {
			return &Error{Key: "maxConnectionsPerOrigin", Msg: fmt.Sprintf("want between 1 and maxConnections (%d)", cfg.MaxConnections)}
		}
		cfg.MaxConnectionsPerOrigin = *fc.MaxConnectionsPerOrigin
	}
	// A smaller maxConnections alone lowers the default share with it.
	cfg.MaxConnectionsPerOrigin = min(cfg.MaxConnectionsPerOrigin, cfg.MaxConnections)
	if fc.MaxReadsPerOrigin != nil {
		if *fc.MaxReadsPerOrigin < 1 || *fc.MaxReadsPerOrigin > 16 {
			return &Error{Key: "maxReadsPerOrigin", Msg: "want between 1 and 16"}
		}
		cfg.MaxReadsPerOrigin = *fc.MaxReadsPerOrigin
	}
	return nil
}

func (fp filePolicy) toPolicy(key string, base Policy) (Policy, error) {
	p := base
	if fp.Fields != nil {
		p.Fields = nil
		for i, f := range fp.Fields {
			if f == "all" {
				p.Fields = append(p.Fields, identity.AllFields...)
				continue
			}
			if f == "default" {
				p.Fields = append(p.Fields, identity.DefaultFields()...)
				continue
			}
			if !identity.KnownField(f) {
				return Policy{}, &Error{Key: fmt.Sprintf("%s.fields[%d]", key, i), Msg: fmt.Sprintf("unknown field %q (see docs/PROTOCOL.md §4)", f)}
			}
			p.Fields = append(p.Fields, f)
		}
	}
	if fp.Photo != nil {
		p.Photo = *fp.Photo
	}
	p.Evidence = fp.Evidence
	if p.Evidence && !p.AllowsPart(PartEvidence) {
		// The raw data groups hold every field: evidence for a policy
		// that withholds some would hand them over anyway.
		return Policy{}, &Error{Key: key + ".evidence", Msg: "the evidence holds every field (raw data groups): allow it only with \"fields\": [\"all\"]"}
	}
	return p, nil
}

func (fl *fileLog) apply(l *Log, baseDir string) error {
	if fl.Level != "" {
		switch strings.ToLower(fl.Level) {
		case "debug", "info", "warn", "error":
			l.Level = strings.ToLower(fl.Level)
		default:
			return &Error{Key: "log.level", Msg: fmt.Sprintf("unknown level %q (want debug, info, warn or error)", fl.Level)}
		}
	}
	if fl.File != "" {
		l.File = resolve(baseDir, fl.File)
	}
	if fl.MaxSizeMB < 0 || fl.MaxBackups < 0 || fl.MaxAgeDays < 0 {
		return &Error{Key: "log", Msg: "maxSizeMB, maxBackups and maxAgeDays must not be negative"}
	}
	l.MaxSizeMB, l.MaxBackups, l.MaxAgeDays = fl.MaxSizeMB, fl.MaxBackups, fl.MaxAgeDays
	return nil
}

func resolve(baseDir, p string) string {
	if filepath.IsAbs(p) || baseDir == "" {
		return p
	}
	return filepath.Join(baseDir, p)
}

// SetListen replaces the listen addresses (the --listen flag), with the
// same checks as the file.
func (c *Config) SetListen(addrs []string) error {
	if err := checkListen(addrs, c.ExposeToNetwork, "--listen"); err != nil {
		return err
	}
	c.Listen = addrs
	return nil
}

func checkListen(addrs []string, expose bool, key string) error {
	for i, a := range addrs {
		k := fmt.Sprintf("%s[%d]", key, i)
		if key == "--listen" {
			k = key
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return &Error{Key: k, Msg: fmt.Sprintf("%q is not host:port", a)}
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return &Error{Key: k, Msg: fmt.Sprintf("bad port in %q", a)}
		}
		if host == "localhost" {
			continue
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return &Error{Key: k, Msg: fmt.Sprintf("%q: want an IP address (127.0.0.1, ::1) or localhost", a)}
		}
		if !ip.IsLoopback() && !expose {
			return &Error{Key: k, Msg: fmt.Sprintf("%q is not a loopback address: the agent would serve identities to the network; set \"exposeToNetwork\": true if you really mean it", a)}
		}
	}
	return nil
}

// Port returns the port of the first listen address.
func (c *Config) Port() int {
	if len(c.Listen) == 0 {
		return DefaultPort
	}
	_, p, _ := net.SplitHostPort(c.Listen[0])
	n, _ := strconv.Atoi(p)
	return n
}

// PolicyFor returns the policy of an origin and whether it is allowed.
func (c *Config) PolicyFor(origin string) (Policy, bool) {
	p, ok := c.Origins[origin]
	return p, ok
}

// Ignored reports whether a reader is hidden by IgnoreReaders.
func (c *Config) Ignored(reader string) bool {
	for _, pat := range c.IgnoreReaders {
		if ok, _ := path.Match(pat, reader); ok {
			return true
		}
	}
	return false
}

// NormalizeOrigin checks and normalises a web origin: scheme http or https,
// a host, an optional port (dropped when it is the scheme's default), no
// path, query, fragment or credentials; lower case.
func NormalizeOrigin(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty origin")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not an origin like https://desk.example.org", s)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%q: scheme must be http or https", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("%q: an origin has no path, query, fragment or user", s)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || strings.Contains(host, "*") {
		return "", fmt.Errorf("%q: want an exact host name (no wildcards)", s)
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, nil
	}
	return scheme + "://" + host, nil
}

// InitialFile is the configuration written by `idagent service install`
// when none exists: the defaults spelled out, logging to logFile, no
// origin allowed yet (the administrator adds the desk application's).
func InitialFile(logFile string) []byte {
	b, _ := json.MarshalIndent(map[string]any{
		"_comment":           "idagent configuration: see docs/CONFIG.md. Add your desk application's origin to \"origins\".",
		"listen":             []string{"127.0.0.1:" + strconv.Itoa(DefaultPort), "[::1]:" + strconv.Itoa(DefaultPort)},
		"origins":            []any{},
		"allowNativeClients": false,
		"log":                map[string]any{"level": "info", "file": logFile},
		"readTimeout":        "60s",
		"demo":               false,
	}, "", "  ")
	return append(b, '\n')
}
