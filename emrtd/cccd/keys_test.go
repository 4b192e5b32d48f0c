package cccd

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/access"
)

// tdMRZ is the TD3 specimen of ICAO 9303-4.
const tdMRZ = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"

// One set of rules for every access key the agent and the reader take:
// what is refused is refused before any chip sees it (issue 17: a CAN of 7
// digits or with a leading space was tried on the chip).
func TestKeyForm(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		form KeyForm
		keys int
	}{
		{"can", KeyForm{CAN: "123456"}, 1},
		{"id12", KeyForm{ID12: id12}, 1},
		{"mrz", KeyForm{MRZ: tdMRZ}, 1},
		{"mrz without line breaks", KeyForm{MRZ: strings.ReplaceAll(tdMRZ, "\n", "")}, 1},
		{"mrz fields", KeyForm{DocumentNumber: "C1234567", DateOfBirth: "900101", DateOfExpiry: "300101"}, 1},
		{"qr", KeyForm{QR: qr7}, 2},
		{"qr with the scanner's line end", KeyForm{QR: qr7 + "\r\n"}, 2},
	} {
		keys, err := tc.form.Keys(now)
		if err != nil || len(keys) != tc.keys {
			t.Errorf("%s: %d keys, %v", tc.name, len(keys), err)
		}
	}
	for _, tc := range []struct {
		name string
		form KeyForm
	}{
		{"none", KeyForm{}},
		{"two forms", KeyForm{CAN: "123456", ID12: id12}},
		{"can of 5 digits", KeyForm{CAN: "12345"}},
		{"can of 7 digits", KeyForm{CAN: "1234567"}},
		{"can of 10 digits", KeyForm{CAN: "1234567890"}},
		{"can with a leading space", KeyForm{CAN: " 123456"}},
		{"can with a trailing space", KeyForm{CAN: "123456 "}},
		{"can with a space inside", KeyForm{CAN: "123 456"}},
		{"can of letters", KeyForm{CAN: "12345a"}},
		{"can of 10 KB", KeyForm{CAN: strings.Repeat("1", 10<<10)}},
		{"id12 with a space", KeyForm{ID12: " " + id12}},
		{"id12 of 11 digits", KeyForm{ID12: id12[1:]}},
		{"mrz garbage", KeyForm{MRZ: "short"}},
		{"document number alone", KeyForm{DocumentNumber: "C1234567"}},
		{"date of birth alone", KeyForm{DateOfBirth: "900101"}},
		{"document number with a space", KeyForm{DocumentNumber: "C1234567 ", DateOfBirth: "900101", DateOfExpiry: "300101"}},
		{"date with a space", KeyForm{DocumentNumber: "C1234567", DateOfBirth: " 900101", DateOfExpiry: "300101"}},
		{"qr without separators", KeyForm{QR: "a"}},
	} {
		keys, err := tc.form.Keys(now)
		if err == nil {
			t.Errorf("%s: accepted (%d keys)", tc.name, len(keys))
			continue
		}
		if !errors.Is(err, access.ErrInvalid) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrKeyForm) {
			t.Errorf("%s: %v wraps no validation error", tc.name, err)
		}
		if v := tc.form.CAN + tc.form.ID12; len(v) >= 5 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
			t.Errorf("%s: the error quotes the key: %v", tc.name, err)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s", KeyForm{CAN: "123456"}, KeyForm{CAN: "123456"}, KeyForm{CAN: "123456"}, KeyForm{CAN: "123456"}); strings.Contains(s, "123456") {
		t.Errorf("a form prints its key: %s", s)
	}
}
