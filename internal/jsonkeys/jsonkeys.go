// Package jsonkeys refuses JSON whose objects repeat a key. encoding/json
// keeps the last of two equal keys and matches struct fields without
// regard to case (with Unicode folding: "ſod" is "sod"), while other
// parsers keep the first: a document with two "DG13" keys, or "sod" and
// "SOD", reads as one thing to a backend and as another to the verifier.
// Evidence, and the requests that carry it, are refused instead.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrDuplicate is wrapped when an object repeats a key.
var ErrDuplicate = errors.New("duplicate key")

// frame is an object or array being read.
type frame struct {
	object    bool
	keys      []string
	expectKey bool // an object's next string is a key
}

// Unique returns an error wrapping ErrDuplicate when an object of data
// holds two keys equal under Unicode case folding, and another error when
// data is not one JSON value. It reads data once after checking it is
// JSON (json.Valid), whatever its nesting. The error names the key (a
// field name, cut to 32 bytes), never a value.
func Unique(data []byte) error {
	if !json.Valid(data) {
		var v json.RawMessage
		if err := json.Unmarshal(data, &v); err != nil {
			return err // the syntax error, with its offset
		}
		return errors.New("not one JSON value")
	}
	var stack []*frame
	for i := 0; i < len(data); {
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch data[i] {
		case '{', '[':
			stack = append(stack, &frame{object: data[i] == '{', expectKey: data[i] == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if top.object {
				top.expectKey = true
			}
		case '"':
			end := stringEnd(data, i)
			if top != nil && top.expectKey {
				if err := top.add(unquote(data[i:end])); err != nil {
					return err
				}
			}
			i = end
			continue
		}
		i++
	}
	return nil
}

// stringEnd returns the index after the string that starts at data[i]
// (valid JSON).
func stringEnd(data []byte, i int) int {
	for i++; data[i] != '"'; i++ {
		if data[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// unquote decodes a JSON string as encoding/json does.
func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // valid JSON: cannot fail
	return s
}

// add records a key of the object, refusing one it holds already.
func (f *frame) add(key string) error {
	for _, k := range f.keys {
		if strings.EqualFold(k, key) {
			return fmt.Errorf("%w %q", ErrDuplicate, cut(key))
		}
	}
	f.keys = append(f.keys, key)
	f.expectKey = false
	return nil
}

func cut(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
