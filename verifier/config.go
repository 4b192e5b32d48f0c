package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/idagent/idagent/emrtd/identity"
	"github.com/idagent/idagent/verifier/challenge"
)

// Config is the verification service's configuration: a JSON file
// (docs/VERIFIER.md), every key optional but callers.
type Config struct {
	// Listen is the address to serve on (--listen overrides it).
	Listen string `json:"listen"`
	// TLS serves HTTPS; with ClientCAs, callers may authenticate with a
	// client certificate (mutual TLS).
	TLS *TLSConfig `json:"tls,omitempty"`
	// MetricsListen serves /metrics on its own address (for example
	// ":9090", reachable only by Prometheus); empty serves it on Listen.
	MetricsListen string `json:"metricsListen,omitempty"`
	// Trust are trust store directories, master lists, CSCA certificates
	// and CRLs, loaded at start and again every TrustReload (and on
	// SIGHUP). AllowTestAnchors accepts chains that end at TEST anchors
	// (demonstrations only).
	Trust            []string `json:"trust"`
	TrustReload      Duration `json:"trustReload,omitempty"`
	AllowTestAnchors bool     `json:"allowTestAnchors,omitempty"`
	// ChallengeTTL is how long a challenge may be spent (2 minutes).
	ChallengeTTL Duration `json:"challengeTTL,omitempty"`
	// Redis shares challenges between replicas; without it they are kept
	// in memory (one instance).
	Redis *RedisConfig `json:"redis,omitempty"`
	// MaxRequestBytes bounds a request body (1 MiB).
	MaxRequestBytes int64 `json:"maxRequestBytes,omitempty"`
	// Callers are the backends allowed to call, each with its
	// credentials and field policy.
	Callers []CallerConfig `json:"callers"`
}

// TLSConfig is the service's certificate and the CAs of client
// certificates.
type TLSConfig struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
	// ClientCAs is a PEM file of the CAs whose client certificates
	// authenticate callers (CallerConfig.ClientNames).
	ClientCAs string `json:"clientCAs,omitempty"`
	// RequireClientCert refuses TLS connections without a valid client
	// certificate (API keys then only add to it).
	RequireClientCert bool `json:"requireClientCert,omitempty"`
}

// RedisConfig is the Redis the replicas share.
type RedisConfig struct {
	Addr     string `json:"addr"`
	Username string `json:"username,omitempty"`
	// PasswordFile holds the password (a mounted secret); Password is
	// for tests.
	Password     string `json:"password,omitempty"`
	PasswordFile string `json:"passwordFile,omitempty"`
	DB           int    `json:"db,omitempty"`
	TLS          bool   `json:"tls,omitempty"`
	Prefix       string `json:"prefix,omitempty"`
}

// CallerConfig is one backend allowed to call.
type CallerConfig struct {
	// Name names the caller in logs and metrics (not secret).
	Name string `json:"name"`
	// APIKeyFiles hold API keys, one a file (mounted secrets); APIKeys
	// lists them inline (tests, demonstrations). A key is sent as
	// "Authorization: Bearer KEY".
	APIKeys     []string `json:"apiKeys,omitempty"`
	APIKeyFiles []string `json:"apiKeyFiles,omitempty"`
	// ClientNames are client certificate names (subject CN or DNS SAN)
	// that authenticate as this caller under mutual TLS.
	ClientNames []string `json:"clientNames,omitempty"`
	// Fields are the identity fields the caller receives ("default":
	// every field but the sensitive ones, "all": every field); Photo
	// whether it receives the portrait.
	Fields []string `json:"fields,omitempty"`
	Photo  bool     `json:"photo,omitempty"`
	// RequireChallenge refuses a verification without a challenge of
	// this service (default true); RequireSignedChallenge leaves a chip
	// that cannot sign it (no active authentication) UNKNOWN, not WARN.
	RequireChallenge       *bool `json:"requireChallenge,omitempty"`
	RequireSignedChallenge bool  `json:"requireSignedChallenge,omitempty"`
	// FieldsOnWarn releases fields on a WARN verdict (default true);
	// never on FAIL or UNKNOWN.
	FieldsOnWarn *bool `json:"fieldsOnWarn,omitempty"`
	// RatePerSecond and Burst limit the caller's requests on each replica
	// (defaults 50 and 100).
	RatePerSecond float64 `json:"ratePerSecond,omitempty"`
	Burst         int     `json:"burst,omitempty"`
}

// Duration is a time.Duration written as "2m", "30s".
type Duration time.Duration

// UnmarshalJSON reads "2m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`want a duration such as "2m"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("want a duration such as \"2m\", not %q", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes "2m0s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Defaults.
const (
	DefaultMaxRequestBytes = 1 << 20
	DefaultTrustReload     = 10 * time.Minute
	DefaultRatePerSecond   = 50
	DefaultBurst           = 100
)

// LoadConfig reads a configuration file. Unknown keys are errors, so a
// misspelt one is not silently ignored.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Validate checks the configuration and fills in defaults. Errors name the
// key, never a secret.
func (c *Config) Validate() error {
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.TrustReload == 0 {
		c.TrustReload = Duration(DefaultTrustReload)
	}
	if c.ChallengeTTL == 0 {
		c.ChallengeTTL = Duration(challenge.DefaultTTL)
	}
	if len(c.Callers) == 0 {
		return errors.New("callers: at least one caller is needed (nobody could call)")
	}
	if t := c.TLS; t != nil && (t.Cert == "" || t.Key == "") {
		return errors.New("tls: cert and key are both needed")
	}
	if c.Redis != nil && c.Redis.Addr == "" {
		return errors.New("redis.addr: empty")
	}
	seen := map[string]bool{}
	for i := range c.Callers {
		cc := &c.Callers[i]
		if err := cc.validate(c.TLS); err != nil {
			return fmt.Errorf("callers[%d]: %w", i, err)
		}
		if seen[cc.Name] {
			return fmt.Errorf("callers[%d].name: %q twice", i, cc.Name)
		}
		seen[cc.Name] = true
	}
	return nil
}

func (cc *CallerConfig) validate(t *TLSConfig) error {
	if cc.Name == "" || strings.ContainsAny(cc.Name, " \t\n\"") {
		return errors.New("name: empty or with spaces or quotes")
	}
	if len(cc.APIKeys)+len(cc.APIKeyFiles)+len(cc.ClientNames) == 0 {
		return errors.New("no credential: give apiKeys, apiKeyFiles or clientNames")
	}
	if len(cc.ClientNames) > 0 && (t == nil || t.ClientCAs == "") {
		return errors.New("clientNames: needs tls.clientCAs")
	}
	fields, err := expandFields(cc.Fields)
	if err != nil {
		return fmt.Errorf("fields: %w", err)
	}
	cc.Fields = fields
	if cc.RatePerSecond <= 0 {
		cc.RatePerSecond = DefaultRatePerSecond
	}
	if cc.Burst <= 0 {
		cc.Burst = DefaultBurst
	}
	return nil
}

// expandFields turns "default" and "all" into field names and checks the
// others.
func expandFields(in []string) ([]string, error) {
	var out []string
	for _, f := range in {
		switch {
		case f == "all":
			out = append(out, identity.AllFields...)
		case f == "default":
			out = append(out, identity.DefaultFields()...)
		case identity.KnownField(f):
			out = append(out, f)
		default:
			return nil, fmt.Errorf("unknown field %q", f)
		}
	}
	return out, nil
}
