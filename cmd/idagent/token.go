package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/token"
	"github.com/idagent/idagent/emrtd/identity"
)

func init() {
	register(&command{name: "token", summary: "issue, list and revoke the tokens of native clients (programs without a browser)", run: runToken})
}

const tokenUsage = `usage: idagent token create NAME [--fields LIST] [--photo] [--evidence] [--file PATH]
       idagent token list [--file PATH] [--json]
       idagent token revoke NAME [--file PATH]

A native client (a program on the desk PC, not a web page) connects with
no Origin header and its token in the WebSocket upgrade:

  Authorization: Bearer idt_…

The agent keeps only the token's SHA-256, its name and its field policy,
in the tokens file of the configuration (` + "`%s`" + ` here). A token
created or revoked takes effect at the next connection, without a restart.
See docs/PROTOCOL.md §8.
`

func runToken(ctx context.Context, e *env, args []string) int {
	return dispatchSub(e, "token", fmt.Sprintf(tokenUsage, defaultTokensFile()),
		map[string]func(*env, []string) int{"create": runTokenCreate, "list": runTokenList, "revoke": runTokenRevoke}, args)
}

// defaultTokensFile is the configuration's tokens file.
func defaultTokensFile() string {
	cfg, err := config.Load("")
	if err != nil {
		return config.Default().TokensFile
	}
	return cfg.TokensFile
}

func runTokenCreate(e *env, args []string) int {
	fs := newFlags(e, "token create", "NAME [--fields LIST] [--photo] [--evidence] [--file PATH]")
	fields := fs.String("fields", "default", "identity fields the client receives, comma-separated (docs/PROTOCOL.md §4); \"all\" or \"default\" (every field but the sensitive ones)")
	photo := fs.Bool("photo", false, "the client may receive the photo")
	evidence := fs.Bool("evidence", false, "the client may receive the raw data groups (needs --fields all)")
	file := fs.String("file", "", "tokens file (default: the configured one)")
	name, code, ok := parseWithOneArg(fs, args)
	if !ok {
		return code
	}
	p, err := tokenPolicy(*fields, *photo, *evidence)
	if err != nil {
		fmt.Fprintf(e.stderr, "idagent token create: --fields: %v\n", err)
		return exitUsage
	}
	path := tokensFile(*file)
	secret, err := token.Create(path, name, p, time.Now())
	if err != nil {
		return tokenError(e, "create", path, err)
	}
	fmt.Fprintf(e.stdout, "Token %q created in %s. It is shown only this once: give it to the program now.\n\n%s\n\n", name, path, secret)
	fmt.Fprintf(e.stdout, "The program sends it in the WebSocket upgrade, without an Origin header:\n  Authorization: Bearer %s…\n", secret[:len(token.Prefix)+4])
	return exitOK
}

// tokenPolicy builds a token's policy from the flags.
func tokenPolicy(list string, photo, evidence bool) (config.Policy, error) {
	var fields []string
	for _, f := range strings.Split(list, ",") {
		switch f = strings.TrimSpace(f); {
		case f == "all":
			fields = append(fields, identity.AllFields...)
		case f == "default":
			fields = append(fields, identity.DefaultFields()...)
		case identity.KnownField(f):
			fields = append(fields, f)
		case f != "":
			return config.Policy{}, fmt.Errorf("unknown field %q (see docs/PROTOCOL.md §4)", f)
		}
	}
	return config.Policy{Fields: fields, Photo: photo, Evidence: evidence}, nil
}

func runTokenList(e *env, args []string) int {
	fs := newFlags(e, "token list", "[--file PATH] [--json]")
	file := fs.String("file", "", "tokens file (default: the configured one)")
	asJSON := fs.Bool("json", false, "print the tokens as JSON (names, dates and policies; never a token)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	path := tokensFile(*file)
	entries, err := token.Load(path)
	if err != nil {
		return tokenError(e, "list", path, err)
	}
	if *asJSON {
		out := make([]map[string]any, 0, len(entries))
		for _, t := range entries {
			out = append(out, map[string]any{"name": t.Name, "created": t.Created, "fields": t.Fields, "photo": t.Photo, "evidence": t.Evidence})
		}
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return exitSoft
		}
		return exitOK
	}
	if len(entries) == 0 {
		fmt.Fprintf(e.stdout, "No tokens in %s.\n", path)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "Tokens in %s:\n", path)
	for _, t := range entries {
		extra := ""
		if t.Photo {
			extra += ", photo"
		}
		if t.Evidence {
			extra += ", evidence"
		}
		fmt.Fprintf(e.stdout, "  %-20s created %s, %d fields%s\n", t.Name, t.Created.Format("2006-01-02"), len(t.Fields), extra)
	}
	return exitOK
}

func runTokenRevoke(e *env, args []string) int {
	fs := newFlags(e, "token revoke", "NAME [--file PATH]")
	file := fs.String("file", "", "tokens file (default: the configured one)")
	name, code, ok := parseWithOneArg(fs, args)
	if !ok {
		return code
	}
	path := tokensFile(*file)
	if err := token.Revoke(path, name); err != nil {
		return tokenError(e, "revoke", path, err)
	}
	fmt.Fprintf(e.stdout, "Token %q revoked: the agent refuses it from the next connection.\n", name)
	return exitOK
}

func tokensFile(flag string) string {
	if flag != "" {
		return flag
	}
	return defaultTokensFile()
}

func tokenError(e *env, sub, path string, err error) int {
	fmt.Fprintf(e.stderr, "idagent token %s: %v\n", sub, err)
	switch {
	case errors.Is(err, os.ErrPermission):
		fmt.Fprintf(e.stderr, "idagent token %s: cannot write %s: run as administrator (sudo), or choose another file with --file\n", sub, path)
		return exitSoft
	case errors.Is(err, token.ErrNotFound):
		return exitInput
	}
	return exitInput
}
