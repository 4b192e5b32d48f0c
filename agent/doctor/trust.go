package doctor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/idagent/idagent/agent/cardread"
	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/emrtd/trust"
)

// checkTrust loads the trust store as the agent does and looks for what
// makes reads verify as UNKNOWN: no CSCA at all, or a country whose every
// CSCA has expired (its new documents are signed under a CSCA the store
// lacks). An expired CSCA next to a valid one of the same country is
// normal: it still verifies the documents it signed, so it is only
// counted. Subjects and countries of CSCAs are not personal data.
func (d *Doctor) checkTrust(cfg *config.Config) Check {
	if cfg == nil {
		return skipped(IDTrust)
	}
	c := Check{ID: IDTrust}
	store, _, err := cardread.OpenTrust(cfg.TrustStore)
	if errors.Is(err, os.ErrPermission) {
		// The service's store is not readable by every user (0750 in the
		// .deb, Users read-only on Windows); as root or administrator the
		// doctor sees what the agent sees.
		c.Status, c.Summary = Warn, fmt.Sprintf("cannot read the trust store %s as this user", cfg.TrustStore)
		c.Advice = []string{"run the doctor with the agent's rights: " + doctorAsAdmin(d.GOOS)}
		return c
	}
	if err != nil {
		c.Status, c.Summary = Fail, "the trust store does not load: "+err.Error()
		c.Advice = []string{
			fmt.Sprintf("fix \"trustStore\" in %s: a directory written by idagent trust import, or one master list, certificate or CRL", configName(cfg)),
			"then: " + d.agentCommand("restart", configName(cfg)),
		}
		return c
	}
	a := assessAnchors(store.Entries(), d.Now())
	if a.total == 0 {
		c.Status = Warn
		c.Summary = fmt.Sprintf("the trust store %s holds no CSCA: every read verifies as UNKNOWN (not proven genuine)", cfg.TrustStore)
		c.Advice = []string{importAdvice(d.GOOS)}
		return c
	}
	c.Status, c.Summary = OK, a.summary()
	c.Detail = append([]string{"store " + cfg.TrustStore}, a.detail...)
	if len(a.stale) > 0 || len(a.ending) > 0 {
		c.Status = Warn
		c.Advice = append(c.Advice, importAdvice(d.GOOS))
	}
	if a.test > 0 {
		c.Status = Warn
		c.Advice = append(c.Advice, removeTestAdvice(cfg.TrustStore))
	}
	if !a.vnIDCard {
		c.Status = Warn
		c.Summary += "; no CSCA for the Vietnamese ID card (CCCD / Căn cước)"
		c.Detail = append(c.Detail, "real Căn cước and CCCD reads will verify as UNKNOWN (not proven genuine) until the card CSCA is imported"+vnPassportNote(a))
		c.Advice = append(c.Advice, "import the CSCA certificate of the Vietnamese ID card when you have it (from its issuer, the Ministry of Public Security; public master lists hold only the passport CSCA): "+importCommand(d.GOOS)+" VN_ID_CARD_CSCA.cer")
	}
	if problems := store.Problems(); len(problems) > 0 {
		c.Status = Warn
		c.Summary += fmt.Sprintf(", %s not loaded", plural(len(problems), "file"))
		for _, p := range problems[:min(len(problems), 3)] {
			c.Detail = append(c.Detail, "not loaded: "+p)
		}
		c.Advice = append(c.Advice, "remove the files that do not load, or import them again with idagent trust import")
	}
	return c
}

// anchorAssessment sums up a store's CSCAs at one time.
type anchorAssessment struct {
	total, test, expired int
	// vnIDCard: a (non-test) Vietnamese CSCA that is not the passport one,
	// taken to sign the ID cards; vnPassport: the passport one is there.
	vnIDCard, vnPassport bool
	countries            []string
	stale                []string // countries without a valid CSCA
	ending               []string // countries whose last valid CSCA ends within trust.ExpiryWarning
	detail               []string
}

func assessAnchors(entries []*trust.Entry, now time.Time) anchorAssessment {
	var a anchorAssessment
	byCountry := map[string][]*trust.Entry{}
	for _, e := range entries {
		if e.Kind != trust.KindCSCA {
			continue
		}
		a.total++
		if e.Test {
			a.test++
			a.detail = append(a.detail, "TEST anchor: "+anchorName(e)+" (never accepted for a real document)")
		}
		if now.After(e.Cert.NotAfter) {
			a.expired++
		}
		country := e.Cert.Subject.Country()
		if country == "" {
			country = "??"
		}
		if country == "VN" && !e.Test {
			passport := strings.Contains(strings.ToLower(e.Cert.Subject.CommonName()), "passport")
			a.vnPassport = a.vnPassport || passport
			a.vnIDCard = a.vnIDCard || !passport
		}
		byCountry[country] = append(byCountry[country], e)
	}
	for country := range byCountry {
		a.countries = append(a.countries, country)
	}
	sort.Strings(a.countries)
	for _, country := range a.countries {
		a.assessCountry(country, byCountry[country], now)
	}
	return a
}

// assessCountry flags a country whose valid CSCAs are gone or about to go.
func (a *anchorAssessment) assessCountry(country string, anchors []*trust.Entry, now time.Time) {
	var lastEnd time.Time
	for _, e := range anchors {
		if e.Cert.ValidAt(now) && e.Cert.NotAfter.After(lastEnd) {
			lastEnd = e.Cert.NotAfter
		}
	}
	switch {
	case lastEnd.IsZero():
		a.stale = append(a.stale, country)
		for _, e := range anchors {
			a.detail = append(a.detail, anchorName(e)+": "+validity(e, now))
		}
	case lastEnd.Sub(now) < trust.ExpiryWarning:
		a.ending = append(a.ending, country)
		a.detail = append(a.detail, fmt.Sprintf("%s: its last valid CSCA expires %s", country, day(lastEnd)))
	}
}

func (a anchorAssessment) summary() string {
	countries := "1 country"
	if len(a.countries) != 1 {
		countries = fmt.Sprintf("%d countries", len(a.countries))
	}
	s := fmt.Sprintf("%s for %s (%s)", plural(a.total, "CSCA"), countries, joinMax(a.countries, 8))
	if a.test > 0 {
		s += ", " + plural(a.test, "TEST anchor")
	}
	if a.expired > 0 {
		s += fmt.Sprintf(", %d expired", a.expired)
	}
	if len(a.stale) > 0 {
		s += "; no valid CSCA for " + joinMax(a.stale, 8)
	}
	if len(a.ending) > 0 {
		s += fmt.Sprintf("; the last valid CSCA expires within %d days for %s", int(trust.ExpiryWarning.Hours()/24), joinMax(a.ending, 8))
	}
	return s
}

// anchorName names a CSCA by common name and country.
func anchorName(e *trust.Entry) string {
	name := e.Cert.Subject.CommonName()
	if name == "" {
		name = e.Cert.Subject.String()
	}
	return fmt.Sprintf("CSCA %q (%s)", name, e.Cert.Subject.Country())
}

func validity(e *trust.Entry, now time.Time) string {
	if now.Before(e.Cert.NotBefore) {
		return "not valid before " + day(e.Cert.NotBefore)
	}
	return "expired " + day(e.Cert.NotAfter)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func importAdvice(goos string) string {
	return "import a current CSCA master list (docs/TRUST.md): " + importCommand(goos) + " MASTERLIST.ml"
}

// importCommand is idagent trust import with the rights it needs.
func importCommand(goos string) string {
	if goos == "windows" {
		return "idagent trust import (in an administrator prompt)"
	}
	return "sudo idagent trust import"
}

// vnPassportNote says why a store with a Vietnamese CSCA still lacks the
// ID card's: the one public master lists carry signs passports.
func vnPassportNote(a anchorAssessment) string {
	if a.vnPassport {
		return " (the store's Vietnamese CSCA, \"CSCA ePassport Vietnam\", signs passports)"
	}
	return ""
}

func removeTestAdvice(storePath string) string {
	if info, err := os.Stat(storePath); err == nil && info.IsDir() {
		return "remove the TEST anchors from this production store: delete " + filepath.Join(storePath, "test-csca")
	}
	return "remove the TEST anchors: point \"trustStore\" at a store without them"
}

// doctorAsAdmin is the doctor's command line with the rights to see
// everything the agent sees.
func doctorAsAdmin(goos string) string {
	if goos == "windows" {
		return "idagent doctor in an administrator prompt"
	}
	return "sudo idagent doctor"
}
