package pa

import (
	"strings"

	"golang.org/x/text/language"
)

// icaoSpecial maps ICAO 9303-3 nationality and issuing-state codes that are
// not ISO 3166-1 alpha-3 codes to the country a certificate names.
var icaoSpecial = map[string]string{
	"D":   "DE", // Germany
	"GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB",
	"EUE": "EU", // European Union laissez-passer
	"RKS": "XK", // Kosovo
	"UNO": "UN", "UNA": "UN", "UNK": "UN",
}

// CountryOf converts an ICAO issuing-state code ("VNM", "D", "GBR") or an
// ISO 3166-1 code ("VN") to the two-letter code X.509 names carry.
func CountryOf(code string) (string, bool) {
	code = strings.ToUpper(strings.TrimRight(strings.TrimSpace(code), "<"))
	if c, ok := icaoSpecial[code]; ok {
		return c, true
	}
	if len(code) < 2 || len(code) > 3 {
		return "", false
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return "", false
	}
	return r.String(), true
}
