package lds

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Date is a date as a card writes it in text (DG13: dd/mm/yyyy), kept raw
// beside what could be read from it. Older cards carry partial dates
// (00/00/1950: only the year known; 00/03/1950: year and month) and some
// carry a text instead of an expiry date ("Không thời hạn").
type Date struct {
	// Text is the value exactly as the card holds it (NFC).
	Text string `json:"text"`
	// ISO is the ISO 8601 form of what is known: "1990-03-15", "1950-03"
	// or "1950"; empty when Text is no date.
	ISO string `json:"iso,omitempty"`
	// Partial is true when day or month are unknown (written 00).
	Partial bool `json:"partial,omitempty"`
	// NoExpiry is true for an expiry that is a text rather than a date.
	NoExpiry bool `json:"noExpiry,omitempty"`

	year, month, day int
}

func (Date) PersonalData()              {}
func (Date) String() string             { return "lds.Date(redacted)" }
func (Date) GoString() string           { return "lds.Date(redacted)" }
func (Date) Format(f fmt.State, _ rune) { writeRedacted(f, "Date") }

// Year, Month and Day give the parsed parts, 0 where unknown.
func (d Date) Year() int  { return d.year }
func (d Date) Month() int { return d.month }
func (d Date) Day() int   { return d.day }

// Valid reports whether at least the year was read.
func (d Date) Valid() bool { return d.year > 0 }

// YYMMDD renders the date as the MRZ writes it, "<" for unknown parts
// ("50<<<<" for 00/00/1950); false when no year was read.
func (d Date) YYMMDD() (string, bool) {
	if d.year == 0 {
		return "", false
	}
	two := func(n int) string {
		if n == 0 {
			return "<<"
		}
		return fmt.Sprintf("%02d", n%100)
	}
	return two(d.year%100+100) + two(d.month) + two(d.day), true
}

// ParseDate reads "dd/mm/yyyy" (also with '-', '.' or ' ' between the
// parts, or as eight digits ddmmyyyy) and keeps the text whatever it is.
// A text that is no date is not an error: the Date has an empty ISO.
func ParseDate(s string) Date {
	d := Date{Text: s}
	t := strings.TrimSpace(s)
	var dd, mm, yy string
	switch {
	case len(t) == 10 && isSep(t[2]) && isSep(t[5]):
		dd, mm, yy = t[0:2], t[3:5], t[6:10]
	case len(t) == 8 && allDigits(t):
		dd, mm, yy = t[0:2], t[2:4], t[4:8]
	case len(t) == 4 && allDigits(t):
		dd, mm, yy = "00", "00", t
	default:
		return d
	}
	if !allDigits(dd) || !allDigits(mm) || !allDigits(yy) {
		return d
	}
	day, month, year := atoi(dd), atoi(mm), atoi(yy)
	if year < 1800 || month > 12 || day > 31 || (month == 0 && day != 0) {
		return d
	}
	if month != 0 && day != 0 {
		tm := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if tm.Day() != day { // 31/02 and the like
			return d
		}
	}
	d.year, d.month, d.day = year, month, day
	switch {
	case month == 0:
		d.ISO, d.Partial = fmt.Sprintf("%04d", year), true
	case day == 0:
		d.ISO, d.Partial = fmt.Sprintf("%04d-%02d", year, month), true
	default:
		d.ISO = fmt.Sprintf("%04d-%02d-%02d", year, month, day)
	}
	return d
}

// ParseExpiryDate reads an expiry date like ParseDate and sets NoExpiry
// when the value is a word rather than a date (the CCCD writes a text such
// as "Không thời hạn" on cards that do not expire).
func ParseExpiryDate(s string) Date {
	d := ParseDate(s)
	d.NoExpiry = !d.Valid() && looksLikeText(s)
	return d
}

// ParseCompactDate reads the yyyymmdd dates of DG11 and DG12 (5F2B, 5F26);
// unknown parts may be "00".
func ParseCompactDate(s string) Date {
	t := strings.TrimSpace(s)
	if len(t) == 8 && allDigits(t) {
		d := ParseDate(t[6:8] + "/" + t[4:6] + "/" + t[0:4])
		d.Text = s
		return d
	}
	return Date{Text: s}
}

func isSep(c byte) bool { return c == '/' || c == '-' || c == '.' || c == ' ' }

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// looksLikeText: a value with letters is a word ("Không thời hạn"), which
// on an expiry field means the card does not expire.
func looksLikeText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
