package agent_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
)

// payloads are the Go types of each message's data, by type and name.
var payloads = map[string]any{
	"request hello": protocol.Hello{}, "response hello": protocol.HelloResponse{},
	"request readers.list": protocol.Empty{}, "response readers.list": protocol.ReadersList{},
	"request read.start": protocol.ReadStart{}, "response read.start": protocol.ReadStarted{},
	"request read.cancel": protocol.ReadCancel{}, "response read.cancel": protocol.Empty{},
	"request sim.insert": protocol.SimInsert{}, "response sim.insert": protocol.SimCard{},
	"request sim.remove": protocol.SimRemove{}, "response sim.remove": protocol.Empty{},
	"event reader.added": protocol.ReaderEvent{}, "event reader.removed": protocol.ReaderEvent{},
	"event card.inserted": protocol.CardEvent{}, "event card.removed": protocol.CardEvent{},
	"event read.progress": protocol.Progress{}, "event read.identity": protocol.Identity{},
	"event read.photo": protocol.Photo{}, "event read.result": protocol.Result{},
	"event read.failed": protocol.Failed{},
}

// Every example message of docs/PROTOCOL.md decodes into the agent's own
// types with no unknown key, so the document shows only fields the agent
// has, with the types it uses.
func TestProtocolExamplesDecode(t *testing.T) {
	seen := map[string]bool{}
	for _, block := range jsonBlocks(readDoc(t)) {
		dec := json.NewDecoder(strings.NewReader(block))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("docs/PROTOCOL.md: a JSON example does not parse: %v\n%s", err, block)
			}
			if !bytes.Contains(raw, []byte(`"type"`)) {
				continue // an access key form, a configuration excerpt
			}
			var env agenttest.Frame // any frame: strict decoding refuses keys it lacks
			if err := strict(raw, &env); err != nil {
				t.Errorf("envelope: %v\n%s", err, raw)
				continue
			}
			key := env.Type + " " + env.Name
			want, ok := payloads[key]
			if !ok {
				t.Errorf("example of an unknown message %q", key)
				continue
			}
			seen[key] = true
			if env.Data == nil {
				continue
			}
			if err := strict(env.Data, reflect.New(reflect.TypeOf(want)).Interface()); err != nil {
				t.Errorf("%s: %v", key, err)
			}
		}
	}
	for key := range payloads {
		if !seen[key] && key != "request readers.list" {
			t.Errorf("docs/PROTOCOL.md has no example of %s", key)
		}
	}
}

// Every key the agent sends or takes appears in docs/PROTOCOL.md.
func TestProtocolFieldsDocumented(t *testing.T) {
	doc := readDoc(t)
	for key, v := range payloads {
		for _, name := range jsonNames(reflect.TypeOf(v), map[reflect.Type]bool{}) {
			if !strings.Contains(doc, `"`+name+`"`) && !strings.Contains(doc, "`"+name+"`") {
				t.Errorf("%s: key %q is not in docs/PROTOCOL.md", key, name)
			}
		}
	}
}

func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

var fence = regexp.MustCompile("(?s)```json\n(.*?)```")

func jsonBlocks(doc string) []string {
	var out []string
	for _, m := range fence.FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return out
}

// jsonNames lists the JSON keys of a type, its nested structs included.
func jsonNames(t reflect.Type, visited map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || visited[t] {
		return nil
	}
	visited[t] = true
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name != "" {
			names = append(names, name)
		}
		names = append(names, jsonNames(f.Type, visited)...)
	}
	return names
}
