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
// holds two keys equal under Unicode case folding, nil otherwise. It reads
// data once, whatever its nesting, and does not validate it: the caller
// parses data afterwards, which refuses what is not JSON (on that, Unique
// may report a repeated key or nothing; it never panics). On JSON it finds
// every repeated key. The error names the key (a field name, cut to 32
// bytes), never a value.
func Unique(data []byte) error {
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
			if top == nil {
				return nil // not JSON: the caller's parse says so
			}
			stack = stack[:len(stack)-1]
		case ',':
			if top != nil && top.object {
				top.expectKey = true
			}
		case '"':
			end, ok := stringEnd(data, i)
			if !ok {
				return nil // not JSON: the caller's parse says so
			}
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

// stringEnd returns the index after the string that starts at data[i];
// ok is false when the string does not end.
func stringEnd(data []byte, i int) (end int, ok bool) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// unquote decodes a JSON string as encoding/json does.
func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw) // not JSON: the caller's parse refuses it
	}
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
