package jsonkeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestUnique(t *testing.T) {
	for doc, dup := range map[string]bool{
		`{}`: false,
		`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`: false,
		`{"a":"b","b":"a"}`:                         false,
		`{"a":"x\"a","b":1}`:                        false,
		`[{"a":1,"a":2}]`:                           true,
		`{"sod":"x","sod":"y"}`:                     true,
		`{"sod":"x","SOD":"y"}`:                     true,
		`{"sod":"x","ſod":"y"}`:                     true, // encoding/json folds the long s
		`{"sod":"x","s\u006fd":"y"}`:                true,
		`{"dataGroups":{"DG13":"x","DG13":"y"}}`:    true,
		`{"a":{"b":[1,2,{"c":1}],"d":2},"a":3}`:     true,
		`{"a":[],"b":{},"c":null,"d":true}`:         false,
		`"text"`:                                    false,
	} {
		err := Unique([]byte(doc))
		if got := errors.Is(err, ErrDuplicate); got != dup || (!dup && err != nil) {
			t.Errorf("%s: %v", doc, err)
		}
	}
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	if err := Unique([]byte(deep)); err != nil {
		t.Error(err)
	}
}

// Unique agrees with a reader built on encoding/json's tokens (slower:
// it unquotes every string), on anything.
func FuzzUnique(f *testing.F) {
	for _, seed := range []string{`{"sod":"x","dataGroups":{"DG1":"y"}}`, `[{"a":1,"A":2}]`, `{"a\\"":1,"a\"":2}`, `{"\xff":1,"\xfe":2}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// On JSON, Unique says what a reader of encoding/json's tokens
		// says; on anything else it does not panic (callers parse after it).
		err := Unique(data)
		if json.Valid(data) && (err == nil) != (uniqueByTokens(data) == nil) {
			t.Errorf("%q: %v, tokens say %v", data, err, uniqueByTokens(data))
		}
	})
}

// uniqueByTokens is Unique on encoding/json's tokens.
func uniqueByTokens(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for values := 0; ; {
		tok, err := dec.Token()
		switch {
		case err == io.EOF && values == 1 && len(stack) == 0:
			return nil
		case err == io.EOF:
			return errors.New("not one complete JSON value")
		case err != nil:
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		} else if values++; values > 1 {
			return errors.New("more than one JSON value")
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if s, ok := tok.(string); ok && top != nil && top.expectKey {
			if err := top.add(s); err != nil {
				return err
			}
			continue
		}
		if top != nil && top.object {
			top.expectKey = true
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{object: d == '{', expectKey: d == '{'})
		}
	}
}
