package issue

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Epoch is the fixed "today" of generated identities: dates are drawn
// relative to it, so a seed gives the same person in every run and year.
// Every generated document is valid on Epoch and for at least a year after.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NoExpiry is the MRZ expiry of a card that never expires (issued after the
// holder's 58th birthday).
const NoExpiry = "991231"

// NoExpiryText is what DG13 field 12 carries for such a card.
const NoExpiryText = "Không thời hạn"

// Sex of the holder.
type Sex byte

const (
	Male   Sex = 'M'
	Female Sex = 'F'
)

// Identity is a generated test person and their documents' data. Names
// keep their diacritics (NFC); the MRZ forms are derived from them.
type Identity struct {
	ID12             string // province(3) sex/century(1) year(2) serial(6)
	OldID            string // 9-digit previous ID number, "" if none
	Surname          string // "Nguyễn"
	MiddleAndGiven   string // "Văn An"
	Sex              Sex
	DateOfBirth      time.Time
	DateOfIssue      time.Time // of the ID card
	DateOfExpiry     time.Time // zero: no expiry
	Ethnicity        string
	Religion         string
	PlaceOfOrigin    string
	PlaceOfResidence string
	PlaceOfBirth     string // province name, for DG11
	IdentifyingMarks string
	Father, Mother   string // full names, upper case with diacritics
	Spouse           string // "" if none
	CardSerial       string // 16 hex characters (DG13 field 16)

	// Passport data (TD3 profiles).
	PassportNumber       string // "C" + 7 digits
	PassportDateOfIssue  time.Time
	PassportDateOfExpiry time.Time
}

// FullName is the name as the card prints it: upper case with diacritics.
func (id Identity) FullName() string { return upper(id.Surname + " " + id.MiddleAndGiven) }

// DocumentNumber is the CCCD's document number: the last 9 digits of ID12.
func (id Identity) DocumentNumber() string { return id.ID12[3:] }

// CAN is the CCCD's card access number: the last 6 digits of ID12.
func (id Identity) CAN() string { return id.ID12[6:] }

// NewIdentity generates the person of a seed, holding a 2021-generation
// CCCD. The same seed always gives the same person.
func NewIdentity(seed uint64) Identity { return NewIdentityOf(seed, IDCard) }

// Card issue windows: the CCCD from 2021 until the Căn cước law took over
// (1 July 2024), the Căn cước card from then until a month before Epoch.
var (
	cccdWindow    = [2]time.Time{time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}
	canCuocWindow = [2]time.Time{time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), Epoch.AddDate(0, -1, 0)}
)

// passportFrom is the earliest passport issue date: passports are signed on
// their date of issue, and the test PKI's document signer is valid from
// 2020 (a passport of 2019 would fail ds.validity untampered).
var passportFrom = time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)

// NewIdentityOf generates the person of a seed for a kind of document: the
// card's issue date falls in its generation's window (a Căn cước card of
// 2024 on IDCard2024). Passports use the IDCard person.
func NewIdentityOf(seed uint64, kind Kind) Identity {
	window := cccdWindow
	if kind == IDCard2024 {
		window = canCuocWindow
	}
	r := rand.New(rand.NewPCG(seed, 0x1d4a6e47c0ffee))
	var id Identity
	id.Sex = Male
	if r.IntN(2) == 1 {
		id.Sex = Female
	}
	id.Surname = pickWeighted(r, surnames)
	id.MiddleAndGiven = givenName(r, id.Sex)
	id.DateOfBirth, id.DateOfIssue, id.DateOfExpiry = cardDates(r, window)
	prov := provinces[r.IntN(len(provinces))]
	id.ID12 = id12(r, prov.code, id.Sex, id.DateOfBirth)
	if id.DateOfBirth.Year() < 2000 && r.IntN(2) == 0 {
		id.OldID = digits(r, 9)
	}
	origin := provinces[r.IntN(len(provinces))]
	id.PlaceOfBirth = origin.name
	id.PlaceOfOrigin = ruralAddress(r, origin)
	id.PlaceOfResidence = streetAddress(r, prov)
	id.Ethnicity = pickWeighted(r, ethnicities)
	id.Religion = pickWeighted(r, religions)
	id.IdentifyingMarks = identifyingMarks[r.IntN(len(identifyingMarks))]
	id.Father = upper(id.Surname + " " + givenName(r, Male))
	id.Mother = upper(pickWeighted(r, surnames) + " " + givenName(r, Female))
	if age(id.DateOfBirth, Epoch) >= 24 && r.IntN(10) < 6 {
		other := Male
		if id.Sex == Male {
			other = Female
		}
		id.Spouse = upper(pickWeighted(r, surnames) + " " + givenName(r, other))
	}
	id.CardSerial = fmt.Sprintf("%016X", r.Uint64())
	id.PassportNumber = "C" + digits(r, 7)
	id.PassportDateOfIssue = between(r, passportFrom, Epoch.AddDate(0, -1, 0))
	id.PassportDateOfExpiry = id.PassportDateOfIssue.AddDate(10, 0, 0)
	return id
}

func givenName(r *rand.Rand, sex Sex) string {
	if sex == Male {
		return maleMiddle[r.IntN(len(maleMiddle))] + " " + maleGiven[r.IntN(len(maleGiven))]
	}
	return femaleMiddle[r.IntN(len(femaleMiddle))] + " " + femaleGiven[r.IntN(len(femaleGiven))]
}

// cardDates draws a birth date and a card issue date in window (the
// holder at least 14 then), applies the expiry rule, and redraws until the
// card is valid for at least a year after Epoch.
func cardDates(r *rand.Rand, window [2]time.Time) (birth, issue, expiry time.Time) {
	for {
		birth = between(r, time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2009, 12, 31, 0, 0, 0, 0, time.UTC))
		first := birth.AddDate(14, 0, 0)
		from := window[0]
		if first.After(from) {
			from = first
		}
		to := window[1]
		if !from.Before(to) {
			continue
		}
		issue = between(r, from, to)
		expiry = ExpiryFor(birth, issue)
		if expiry.IsZero() || expiry.After(Epoch.AddDate(1, 0, 0)) {
			return birth, issue, expiry
		}
	}
}

// ExpiryFor applies the Vietnamese expiry rule: a card is valid until the
// holder's 25th, 40th or 60th birthday, whichever comes first more than two
// years after issue (a card issued within two years before one of those
// birthdays runs to the next); issued after the 58th birthday it does not
// expire (zero time).
func ExpiryFor(birth, issue time.Time) time.Time {
	for _, years := range []int{25, 40, 60} {
		birthday := birth.AddDate(years, 0, 0)
		if birthday.After(issue.AddDate(2, 0, 0)) {
			return birthday
		}
	}
	return time.Time{}
}

// id12 composes the personal identification number: province code, the
// sex/century digit (0/1 male/female born 1900–1999, 2/3 born 2000–2099),
// the birth year's last two digits, and a 6-digit serial.
func id12(r *rand.Rand, provinceCode string, sex Sex, birth time.Time) string {
	centuryDigit := 2 * ((birth.Year() - 1900) / 100)
	if sex == Female {
		centuryDigit++
	}
	return fmt.Sprintf("%s%d%02d%s", provinceCode, centuryDigit, birth.Year()%100, digits(r, 6))
}

func streetAddress(r *rand.Rand, p province) string {
	return fmt.Sprintf("Số %d, %s, %s, %s, %s", 1+r.IntN(199), streets[r.IntN(len(streets))],
		p.wards[r.IntN(len(p.wards))], p.districts[r.IntN(len(p.districts))], p.name)
}

func ruralAddress(r *rand.Rand, p province) string {
	return fmt.Sprintf("%s, %s, %s", p.wards[r.IntN(len(p.wards))], p.districts[r.IntN(len(p.districts))], p.name)
}

func pickWeighted(r *rand.Rand, table []weighted) string {
	total := 0
	for _, w := range table {
		total += w.weight
	}
	n := r.IntN(total)
	for _, w := range table {
		if n < w.weight {
			return w.value
		}
		n -= w.weight
	}
	return table[len(table)-1].value
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func between(r *rand.Rand, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(days+1))
}

func age(birth, at time.Time) int {
	years := at.Year() - birth.Year()
	if at.YearDay() < birth.YearDay() {
		years--
	}
	return years
}

// yymmdd formats a date as the MRZ writes it.
func yymmdd(t time.Time) string { return t.Format("060102") }

// ddmmyyyy formats a date as DG13 writes it.
func ddmmyyyy(t time.Time) string { return t.Format("02/01/2006") }
