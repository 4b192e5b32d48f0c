package doctor

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/idagent/idagent/agent/config"
)

// The Chrome and Edge enterprise policies that let listed sites reach the
// agent without the Local Network Access prompt (Chrome 142+ for fetch,
// 147+ for WebSockets): LNAPolicy covers local and loopback addresses
// (read since 140); LoopbackPolicy covers loopback only and is read since
// 146, before LNAPolicy. A site listed in either reaches the agent, so the
// doctor takes their union; the advice is to set both, for older and newer
// browsers alike.
const (
	LNAPolicy      = "LocalNetworkAccessAllowedForUrls"
	LoopbackPolicy = "LoopbackNetworkAllowedForUrls"
)

// LNAPolicies are the policies read, in the browsers' order of precedence.
var LNAPolicies = []string{LoopbackPolicy, LNAPolicy}

// lnaPolicyNames names both in messages.
const lnaPolicyNames = LoopbackPolicy + "/" + LNAPolicy

// BrowserPolicy is one browser's managed LNAPolicy.
type BrowserPolicy struct {
	Browser string   // "Chrome", "Chromium", "Edge"
	Source  string   // where it was read: files or registry keys
	Allowed []string // URL patterns ("https://desk.example.org", "[*.]example.org")
	// Problem is a policy file the browser cannot read (bad JSON), which
	// it ignores as a whole.
	Problem string
}

// ErrPoliciesNotChecked is returned by SystemPolicies where browser
// policies are not read (macOS keeps them in configuration profiles).
var ErrPoliciesNotChecked = errors.New("browser policies are not checked on this OS")

// checkBrowser checks that the desk app's origins may connect: that some
// are allowed at all, that they are HTTPS (Chrome and Edge silently block
// loopback requests from insecure pages) and, where managed policies
// exist, that those let each origin through.
func (d *Doctor) checkBrowser(cfg *config.Config) Check {
	if cfg == nil {
		return skipped(IDBrowser)
	}
	origins := make([]string, 0, len(cfg.Origins))
	for o := range cfg.Origins {
		origins = append(origins, o)
	}
	sort.Strings(origins)
	if len(origins) == 0 {
		return noOrigins(cfg)
	}
	c := Check{ID: IDBrowser, Status: OK, Summary: fmt.Sprintf("%s allowed: %s", plural(len(origins), "web origin"), joinMax(origins, 4))}
	if insecure := insecureOrigins(origins); len(insecure) > 0 {
		c.Status = Warn
		c.Summary += "; not HTTPS: " + strings.Join(insecure, ", ")
		c.Advice = append(c.Advice, "serve the desk app over HTTPS: Chrome and Edge (142+) silently block requests from http:// pages to the agent")
	}
	policies, err := d.Policies()
	c = withPolicies(c, origins, policies, err, d.GOOS)
	c.Detail = append(c.Detail, `in another site's iframe the desk app needs allow="loopback-network"; Firefox: policy LocalNetworkAccess.SkipDomains`)
	return c
}

func noOrigins(cfg *config.Config) Check {
	c := Check{ID: IDBrowser, Status: Warn, Summary: "no web origin is allowed: no browser app can use the agent"}
	if cfg.Demo {
		c.Detail = []string{"only the agent's own demo pages (/demo/) are allowed"}
	}
	c.Advice = []string{fmt.Sprintf("add the desk app's origin (e.g. https://his.example.vn) to \"origins\" in %s (docs/CONFIG.md)", configName(cfg))}
	return c
}

// insecureOrigins are the http:// origins that are not loopback: not
// secure contexts, so Local Network Access refuses them.
func insecureOrigins(origins []string) []string {
	var out []string
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || u.Scheme != "http" {
			continue
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback()) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// withPolicies adds what the browsers' managed policies say: which origins
// a browser that has the policy would still prompt for (or block).
func withPolicies(c Check, origins []string, policies []BrowserPolicy, err error, goos string) Check {
	switch {
	case errors.Is(err, ErrPoliciesNotChecked):
		c.Detail = append(c.Detail, err.Error())
		return c
	case err != nil:
		c.Detail = append(c.Detail, "cannot read the browser policies: "+err.Error())
		return c
	}
	found := false
	for _, p := range policies {
		if p.Problem != "" {
			c.Status = worse(c.Status, Warn)
			c.Detail = append(c.Detail, fmt.Sprintf("%s: %s", p.Browser, p.Problem))
			c.Advice = append(c.Advice, fmt.Sprintf("fix or remove the broken %s policy file: the browser ignores it whole", p.Browser))
		}
		if len(p.Allowed) == 0 {
			continue
		}
		found = true
		missing := missingOrigins(origins, p.Allowed)
		if len(missing) == 0 {
			c.Detail = append(c.Detail, fmt.Sprintf("%s: %s allows every origin (%s)", p.Browser, lnaPolicyNames, p.Source))
			continue
		}
		c.Status = worse(c.Status, Warn)
		c.Detail = append(c.Detail, fmt.Sprintf("%s: %s (%s) misses %s", p.Browser, lnaPolicyNames, p.Source, strings.Join(missing, ", ")))
		c.Advice = append(c.Advice, fmt.Sprintf("add %s to %s and %s of %s (%s)", strings.Join(missing, ", "), LoopbackPolicy, LNAPolicy, p.Browser, p.Source))
	}
	if !found {
		c.Detail = append(c.Detail, fmt.Sprintf("no %s policy found: Chrome and Edge ask each desk user once (142+; WebSockets 147+)", lnaPolicyNames))
		c.Advice = append(c.Advice, fmt.Sprintf("to spare desk users the prompt, set %s (146+) and %s (140+) to %s (%s)", LoopbackPolicy, LNAPolicy, strings.Join(origins, ", "), policyPlace(goos)))
	}
	return c
}

// policyPlace says briefly where the policy goes; docs/DOCTOR.md has the
// files and keys in full.
func policyPlace(goos string) string {
	if goos == "windows" {
		return "Group Policy or the registry: docs/DOCTOR.md"
	}
	return "/etc/opt/chrome/policies/managed/ (Chrome), /etc/chromium/policies/managed/ (Chromium), /etc/opt/edge/policies/managed/ (Edge): docs/DOCTOR.md"
}

func worse(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// missingOrigins are the origins no pattern allows.
func missingOrigins(origins, patterns []string) []string {
	var out []string
	for _, o := range origins {
		allowed := false
		for _, p := range patterns {
			allowed = allowed || patternAllows(p, o)
		}
		if !allowed {
			out = append(out, o)
		}
	}
	return out
}

// patternAllows reports whether a Chrome enterprise URL pattern
// ([scheme://][[*.]]host[:port][/path]) covers a normalised origin. A
// pattern with a scheme and no port means the scheme's default port; one
// without a scheme any scheme and port; "[*.]" takes subdomains in, a
// leading "." keeps them out; the path is ignored (origins have none).
func patternAllows(pattern, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme, host, port := u.Scheme, strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = defaultPort(scheme)
	}
	p := strings.ToLower(strings.TrimSpace(pattern))
	if p == "*" {
		return true
	}
	pScheme := ""
	if i := strings.Index(p, "://"); i >= 0 {
		pScheme, p = p[:i], p[i+3:]
	}
	if i := strings.IndexAny(p, "/@?"); i >= 0 {
		p = p[:i]
	}
	subdomains := false
	switch {
	case strings.HasPrefix(p, "[*.]"):
		subdomains, p = true, p[4:]
	case strings.HasPrefix(p, "*."):
		subdomains, p = true, p[2:]
	case strings.HasPrefix(p, "."):
		p = p[1:]
	}
	pHost, pPort := splitPatternHost(p)
	if pPort == "" && pScheme != "" && pScheme != "*" {
		pPort = defaultPort(pScheme)
	}
	return (pScheme == "" || pScheme == "*" || pScheme == scheme) &&
		(pHost == "*" || pHost == host || (subdomains && strings.HasSuffix(host, "."+pHost))) &&
		(pPort == "" || pPort == "*" || pPort == port)
}

// splitPatternHost splits host[:port], where host may be [IPv6].
func splitPatternHost(p string) (host, port string) {
	if strings.HasPrefix(p, "[") {
		if i := strings.Index(p, "]"); i >= 0 {
			host, rest := p[1:i], p[i+1:]
			return host, strings.TrimPrefix(rest, ":")
		}
	}
	if i := strings.LastIndexByte(p, ':'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}
