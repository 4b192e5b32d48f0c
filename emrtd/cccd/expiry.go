package cccd

import (
	"fmt"
	"slices"
	"time"
)

// Date is a calendar date. Month or Day is 0 when unknown (cards of older
// people can carry partial birth dates).
type Date struct {
	Year, Month, Day int
}

// NoExpiry is the expiry of a card without end date: the MRZ carries 991231.
var NoExpiry = Date{2099, 12, 31}

// Complete reports whether year, month and day are all known and form a
// real date.
func (d Date) Complete() bool {
	if d.Year < 1 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// YYMMDD formats the date as the MRZ does.
func (d Date) YYMMDD() string { return fmt.Sprintf("%02d%02d%02d", d.Year%100, d.Month, d.Day) }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func dateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// AddYears moves the date by n years; 29 February becomes 28 February in a
// common year.
func (d Date) AddYears(n int) Date {
	out := Date{d.Year + n, d.Month, d.Day}
	if out.Day > daysIn(out.Year, out.Month) {
		out.Day = daysIn(out.Year, out.Month)
	}
	return out
}

// ParseYYMMDD parses an MRZ date of birth. The century is the one that puts
// the date in the past relative to now.
func ParseYYMMDD(s string, now time.Time) (Date, error) {
	if len(s) != 6 {
		return Date{}, fmt.Errorf("%w: date must be YYMMDD", ErrInvalid)
	}
	var v [3]int
	for i := 0; i < 3; i++ {
		a, b := s[2*i], s[2*i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return Date{}, fmt.Errorf("%w: date must be YYMMDD", ErrInvalid)
		}
		v[i] = int(a-'0')*10 + int(b-'0')
	}
	d := Date{2000 + v[0], v[1], v[2]}
	if d.Year > now.Year() {
		d.Year -= 100
	}
	if !d.Complete() {
		return Date{}, fmt.Errorf("%w: date is not a calendar date", ErrInvalid)
	}
	return d, nil
}

// lawOf2023 is the day the Law on Identification of 2023 took effect
// (Căn cước cards): cards may be issued under 14, and 14 became a renewal
// age.
var lawOf2023 = Date{2024, 7, 1}

// firstChipCards is when chip cards (CCCD gắn chip) were first issued.
var firstChipCards = Date{2021, 1, 1}

// milestones returns the renewal ages that apply to a card issued on issue.
func milestones(issue Date) []int {
	if issue.Before(lawOf2023) {
		return []int{25, 40, 60}
	}
	return []int{14, 25, 40, 60}
}

// Expiry returns the date of expiry of a card issued on issue to a holder
// born on birth: the first renewal birthday (14th under the 2023 law, 25th,
// 40th, 60th) that is more than two years after the issue date — a card
// issued or renewed within the two years before a renewal age stays valid
// until the next one — or NoExpiry when none is.
func Expiry(birth, issue Date) (Date, error) {
	if !birth.Complete() {
		return Date{}, fmt.Errorf("%w: date of birth is incomplete", ErrInvalid)
	}
	if !issue.Complete() {
		return Date{}, fmt.Errorf("%w: date of issue is incomplete", ErrInvalid)
	}
	if issue.Before(birth) {
		return Date{}, fmt.Errorf("%w: date of issue is before the date of birth", ErrInvalid)
	}
	for _, age := range milestones(issue) {
		due := birth.AddYears(age)
		if issue.Before(due.AddYears(-2)) {
			return due, nil
		}
	}
	return NoExpiry, nil
}

// ExpiryCandidates returns the dates of expiry a card of a holder born on
// birth can carry when its issue date is unknown, most likely first: the
// expiries of still valid cards in date order, then those of expired cards,
// most recent first. Only issue dates from the first chip cards (2021) to
// now are considered.
func ExpiryCandidates(birth Date, now time.Time) ([]Date, error) {
	if !birth.Complete() {
		return nil, fmt.Errorf("%w: date of birth is incomplete", ErrInvalid)
	}
	today := dateOf(now.UTC())
	first := firstChipCards
	if first.Before(birth) {
		first = birth
	}
	if today.Before(first) {
		return nil, fmt.Errorf("%w: date of birth is in the future", ErrInvalid)
	}
	// The expiry only changes where an issue date crosses the start of a
	// two-year window or the 2023 law: evaluate there and at both ends.
	points := []Date{first, today, lawOf2023}
	points = append(points, dayBefore(lawOf2023))
	for _, age := range []int{14, 25, 40, 60} {
		start := birth.AddYears(age).AddYears(-2)
		points = append(points, start, dayBefore(start))
	}
	var valid, expired []Date
	for _, p := range points {
		if p.Before(first) || today.Before(p) {
			continue
		}
		if p.Before(firstLegalIssue(birth, p)) {
			continue
		}
		e, err := Expiry(birth, p)
		if err != nil || slices.Contains(valid, e) || slices.Contains(expired, e) {
			continue
		}
		if e.Before(today) {
			expired = append(expired, e)
		} else {
			valid = append(valid, e)
		}
	}
	slices.SortFunc(valid, compare)
	slices.SortFunc(expired, func(a, b Date) int { return compare(b, a) })
	return append(valid, expired...), nil
}

// firstLegalIssue is the first day a card issued on issue could have been
// issued to the holder: from the 14th birthday before the 2023 law, from
// birth after it.
func firstLegalIssue(birth, issue Date) Date {
	if issue.Before(lawOf2023) {
		return birth.AddYears(14)
	}
	return birth
}

func dayBefore(d Date) Date { return dateOf(d.Time().AddDate(0, 0, -1)) }

func compare(a, b Date) int {
	switch {
	case a.Before(b):
		return -1
	case b.Before(a):
		return 1
	}
	return 0
}
