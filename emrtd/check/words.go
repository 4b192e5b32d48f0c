package check

import "strings"

// Words is a text for people (a clerk at a desk) in the desk's two
// languages.
type Words struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

// In returns the text in a language: "en" for English, Vietnamese
// otherwise.
func (w Words) In(lang string) string {
	if lang == "en" {
		return w.EN
	}
	return w.VI
}

// Table is the one table of words for people about verification: a title
// for each check, a sentence for each outcome keyed by stable reason codes
// and check names, and the verdict's headline. Check.Message stays an
// exact English explanation for developers and logs (it may name an
// algorithm or a certificate); whatever a clerk reads comes from here.
// The JS client's table (web/client/words.js) is generated from it, and a
// test keeps the two equal.
//
// Keys are a check name ("ds.validity") or a family of names ("dg.hash"
// for every "dg.hash.DGn"), a reason code ("DS_REVOKED"), a status
// ("PASS"), or two of them joined by a space ("dg.hash.DG2
// HASH_MISMATCH"). See Describe and Headline for the order of lookup.
type Table struct {
	// Titles name each check (or family; "{dg}" is the data group).
	Titles map[string]Words `json:"titles"`
	// Statuses are the short status words, and PENDING for a check whose
	// read has not ended.
	Statuses map[string]Words `json:"statuses"`
	// Reasons are sentences by "name REASON" or "REASON": a reason code
	// that means different things under different checks
	// (SIGNATURE_INVALID of the SOD or of active authentication) has only
	// "name REASON" entries.
	Reasons map[string]Words `json:"reasons"`
	// Checks are sentences by "name STATUS": the check's own words, which
	// win over a "REASON" entry.
	Checks map[string]Words `json:"checks"`
	// Fallbacks are sentences by STATUS (and PENDING) when nothing above
	// matches.
	Fallbacks map[string]Words `json:"fallbacks"`
	// Kinds sort failures ("name REASON" or "REASON") into the kinds the
	// headline names: a clone, edited data, a revoked signer, ...
	Kinds map[string]string `json:"kinds"`
	// KindOrder is which kind a headline names when several checks fail:
	// the first in this list.
	KindOrder []string `json:"kindOrder"`
	// Headlines are the verdict's words by "OVERALL", "OVERALL kind",
	// "OVERALL kind doctype", "OVERALL test" and "OVERALL test doctype";
	// "{doc}" is the document's name.
	Headlines map[string]Words `json:"headlines"`
	// Documents name the document in a headline, by documentType
	// (id-card, passport; "" for one not known yet).
	Documents map[string]Words `json:"documents"`
	// TestAnchor is the notice shown under a read that chained to a test
	// anchor (the simulator's TEST CSCA).
	TestAnchor Words `json:"testAnchor"`
}

// Pending is the state of a check (and a verdict) whose read has not ended:
// not a Status of the check, a state of the screen showing it.
const Pending = "PENDING"

// Described is a check as a clerk reads it.
type Described struct {
	Title  Words
	Status Words
	Text   Words
	// Tone is ok (passed), bad (failed), warn (caveat or undecided) or
	// neutral (not run, or not final yet).
	Tone string
}

// family lists the keys a check name is looked up under: itself, then its
// family ("dg.hash" for "dg.hash.DG2").
func family(name string) []string {
	if strings.HasPrefix(name, "dg.hash.") {
		return []string{name, "dg.hash"}
	}
	return []string{name}
}

// Describe is a check in words. final is false while the read runs: a
// check that did not fail is then shown as pending, never as passed,
// since the verdict can still turn (a clone is caught after the data
// checks pass).
func (t *Table) Describe(c Check, final bool) Described {
	d := Described{Title: t.title(c.Name), Status: t.Statuses[string(c.Status)], Text: t.sentence(c), Tone: tone(c.Status)}
	if d.Status == (Words{}) {
		d.Status = Words{string(c.Status), string(c.Status)}
	}
	if !final && c.Status != Fail {
		d.Status, d.Text, d.Tone = t.Statuses[Pending], t.Fallbacks[Pending], "neutral"
	}
	return d
}

func tone(s Status) string {
	switch s {
	case Pass:
		return "ok"
	case Fail:
		return "bad"
	case Warn, Unknown:
		return "warn"
	}
	return "neutral"
}

func (t *Table) title(name string) Words {
	for _, key := range family(name) {
		if w, ok := t.Titles[key]; ok {
			dg := strings.TrimPrefix(name, "dg.hash.")
			return Words{strings.ReplaceAll(w.VI, "{dg}", dg), strings.ReplaceAll(w.EN, "{dg}", dg)}
		}
	}
	return Words{name, name}
}

// sentence looks up "name REASON", then "name STATUS" (the check's own
// words), then "REASON", then STATUS.
func (t *Table) sentence(c Check) Words {
	names := family(c.Name)
	if c.Reason != "" {
		for _, n := range names {
			if w, ok := t.Reasons[n+" "+c.Reason]; ok {
				return w
			}
		}
	}
	for _, n := range names {
		if w, ok := t.Checks[n+" "+string(c.Status)]; ok {
			return w
		}
	}
	if w, ok := t.Reasons[c.Reason]; ok && c.Reason != "" {
		return w
	}
	if w, ok := t.Fallbacks[string(c.Status)]; ok {
		return w
	}
	return t.Fallbacks[string(Unknown)]
}

// kind is the kind of failure a check names ("" for none).
func (t *Table) kind(c Check) string {
	if c.Reason == "" {
		return ""
	}
	for _, n := range family(c.Name) {
		if k, ok := t.Kinds[n+" "+c.Reason]; ok {
			return k
		}
	}
	return t.Kinds[c.Reason]
}

// Verdict is what a headline is about: the overall status (or Pending
// while the read runs), the checks so far, the document's type and
// whether it chained to a test anchor.
type Verdict struct {
	Overall      string
	Checks       []Check
	DocumentType string
	TestAnchor   bool
}

// Headline is the verdict in words, with its tone. While the read runs, a
// check that already failed makes the headline FAIL at once; nothing else
// makes it anything but pending. A failure's headline names its kind (the
// first of KindOrder among the failed checks), so that a clone, edited
// data and a revoked signer each read as what they are.
func (t *Table) Headline(v Verdict) (Words, string) {
	overall := v.Overall
	if overall == Pending && hasStatus(v.Checks, Fail) {
		overall = string(Fail)
	}
	var keys []string
	switch overall {
	case string(Pass), string(Warn):
		if v.TestAnchor {
			keys = append(keys, overall+" test "+v.DocumentType, overall+" test")
		}
		keys = append(keys, overall+" "+v.DocumentType, overall)
	case Pending:
		keys = []string{Pending}
	default:
		if k := t.worstKind(v.Checks, Status(overall)); k != "" {
			keys = append(keys, overall+" "+k+" "+v.DocumentType, overall+" "+k)
		}
		keys = append(keys, overall+" "+v.DocumentType, overall)
	}
	w := t.Headlines[string(Unknown)]
	for _, k := range keys {
		if h, ok := t.Headlines[k]; ok {
			w = h
			break
		}
	}
	doc, ok := t.Documents[v.DocumentType]
	if !ok {
		doc = t.Documents[""]
	}
	w = Words{strings.ReplaceAll(w.VI, "{doc}", doc.VI), strings.ReplaceAll(w.EN, "{doc}", doc.EN)}
	switch overall {
	case Pending:
		return w, "neutral"
	case string(Pass), string(Fail):
		return w, tone(Status(overall))
	}
	return w, "warn" // WARN, UNKNOWN, and a verdict this table does not know
}

func hasStatus(checks []Check, s Status) bool {
	for _, c := range checks {
		if c.Status == s {
			return true
		}
	}
	return false
}

// worstKind is the first kind of KindOrder that a check of status s names.
func (t *Table) worstKind(checks []Check, s Status) string {
	best := len(t.KindOrder)
	for _, c := range checks {
		if c.Status != s {
			continue
		}
		k := t.kind(c)
		for i, name := range t.KindOrder[:best] {
			if name == k {
				best = i
				break
			}
		}
	}
	if best == len(t.KindOrder) {
		return ""
	}
	return t.KindOrder[best]
}
