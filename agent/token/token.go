// Package token holds the tokens an administrator issues to native clients
// (`idagent token create NAME`): programs on the desk PC that talk to the
// agent without a browser, and so without an Origin. A token is a 256-bit
// random secret shown once; the agent keeps only its SHA-256 with a name
// and a field policy, in one JSON file the administrator's commands write
// and the agent reads when it changes. A native client presents the token
// in the WebSocket upgrade: Authorization: Bearer idt_….
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/emrtd/identity"
)

// Prefix starts every token, so that one found in a file or a log is
// recognised for what it is.
const Prefix = "idt_"

// Entry is one issued token as stored: never the secret.
type Entry struct {
	Name     string    `json:"name"`
	SHA256   string    `json:"sha256"` // hex of SHA-256 of the token
	Created  time.Time `json:"created"`
	Fields   []string  `json:"fields"`
	Photo    bool      `json:"photo"`
	Evidence bool      `json:"evidence"`
}

// Policy is what the token's client may receive.
func (e Entry) Policy() config.Policy {
	return config.Policy{Fields: slices.Clone(e.Fields), Photo: e.Photo, Evidence: e.Evidence}
}

// file is the JSON form of the store.
type file struct {
	Comment string  `json:"_comment,omitempty"`
	Tokens  []Entry `json:"tokens"`
}

const fileComment = "idagent native-client tokens: SHA-256 of each token, never the token. Manage with idagent token."

// ErrNotFound is returned for a name no token has.
var ErrNotFound = errors.New("no token with this name")

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Load reads the store at path; a file that does not exist is an empty
// store.
func Load(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("tokens: %s: %w", path, err)
	}
	for i, e := range f.Tokens {
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("tokens: %s: tokens[%d]: %w", path, i, err)
		}
	}
	return f.Tokens, nil
}

func (e Entry) check() error {
	if !validName.MatchString(e.Name) {
		return fmt.Errorf("name %q: want letters, digits, '.', '_' or '-' (at most 64)", e.Name)
	}
	if h, err := hex.DecodeString(e.SHA256); err != nil || len(h) != sha256.Size {
		return errors.New("sha256: want 64 hex digits")
	}
	for _, f := range e.Fields {
		if !identity.KnownField(f) {
			return fmt.Errorf("fields: unknown field %q", f)
		}
	}
	if e.Evidence && !e.Policy().AllowsPart(config.PartEvidence) {
		return errors.New("evidence needs every field")
	}
	return nil
}

// Create issues a token named name with policy p, adds its hash to the
// store at path and returns the token, which is nowhere else: the caller
// shows it once.
func Create(path, name string, p config.Policy, now time.Time) (string, error) {
	entries, err := Load(path)
	if err != nil {
		return "", err
	}
	if slices.ContainsFunc(entries, func(e Entry) bool { return e.Name == name }) {
		return "", fmt.Errorf("a token named %q exists: revoke it first", name)
	}
	secret, err := newSecret(rand.Reader)
	if err != nil {
		return "", err
	}
	e := Entry{Name: name, SHA256: hash(secret), Created: now.UTC().Truncate(time.Second),
		Fields: slices.Clone(p.Fields), Photo: p.Photo, Evidence: p.Evidence}
	if e.Fields == nil {
		e.Fields = []string{}
	}
	if err := e.check(); err != nil {
		return "", err
	}
	if err := save(path, append(entries, e)); err != nil {
		return "", err
	}
	return secret, nil
}

// Revoke removes the token named name.
func Revoke(path, name string) error {
	entries, err := Load(path)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return fmt.Errorf("%q: %w", name, ErrNotFound)
	}
	return save(path, slices.Delete(entries, i, i+1))
}

// save writes the store atomically (a new file renamed over the old). The
// file holds no secret: hashes of 256-bit tokens, names and policies.
func save(path string, entries []Entry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	b, err := json.MarshalIndent(file{Comment: fileComment, Tokens: entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tokens-*.json")
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	return nil
}

func newSecret(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// FromHeader returns the token of an Authorization header ("Bearer
// idt_…"), "" when there is none.
func FromHeader(authorization string) string {
	scheme, secret, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(secret)
}

// Checker finds the token a client presents in the store, reloading the
// file when it changes, so that a token created or revoked while the agent
// runs takes effect at the next connection.
type Checker struct {
	path string

	mu      sync.Mutex
	stamp   string // size and modification time of the file loaded
	entries []Entry
	err     error
}

// NewChecker returns a checker of the store at path.
func NewChecker(path string) *Checker { return &Checker{path: path} }

// Check returns the entry of secret. Every stored hash is compared, in
// constant time, whatever matches.
func (c *Checker) Check(secret string) (Entry, bool) {
	entries, err := c.current()
	if err != nil || !strings.HasPrefix(secret, Prefix) {
		return Entry{}, false
	}
	want, _ := hex.DecodeString(hash(secret))
	found := -1
	for i, e := range entries {
		got, _ := hex.DecodeString(e.SHA256)
		if subtle.ConstantTimeCompare(got, want) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Entry{}, false
	}
	return entries[found], true
}

// Err reports why the store could not be loaded (nil when it could).
func (c *Checker) Err() error {
	_, err := c.current()
	return err
}

func (c *Checker) current() ([]Entry, error) {
	info, err := os.Stat(c.path)
	stamp := "absent"
	if err == nil {
		stamp = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stamp != c.stamp {
		c.entries, c.err = Load(c.path)
		c.stamp = stamp
	}
	return c.entries, c.err
}
