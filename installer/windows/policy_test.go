package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/idagent/idagent/agent/config"
)

type admx struct {
	XMLName  xml.Name `xml:"policyDefinitions"`
	Policies []struct {
		Name         string `xml:"name,attr"`
		Class        string `xml:"class,attr"`
		Key          string `xml:"key,attr"`
		Presentation string `xml:"presentation,attr"`
		Elements     struct {
			List []struct {
				ID          string  `xml:"id,attr"`
				Key         string  `xml:"key,attr"`
				ValuePrefix *string `xml:"valuePrefix,attr"`
			} `xml:"list"`
			Decimal []struct {
				ID        string `xml:"id,attr"`
				ValueName string `xml:"valueName,attr"`
				MinValue  string `xml:"minValue,attr"`
				MaxValue  string `xml:"maxValue,attr"`
			} `xml:"decimal"`
		} `xml:"elements"`
	} `xml:"policies>policy"`
}

type adml struct {
	XMLName xml.Name `xml:"policyDefinitionResources"`
	Strings []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID   string `xml:"id,attr"`
		Refs []struct {
			RefID string `xml:"refId,attr"`
		} `xml:",any"`
	} `xml:"resources>presentationTable>presentation"`
}

// wellFormed reads every token of an XML file.
func wellFormed(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", file, err)
		}
	}
	return b
}

// TestPolicyTemplate checks the ADMX/ADML pair: well-formed, every string
// and presentation the ADMX names defined in the ADML, and the registry
// values those the agent reads (config.PolicyKey).
func TestPolicyTemplate(t *testing.T) {
	xb := wellFormed(t, "policy/idagent.admx")
	lb := wellFormed(t, "policy/en-US/idagent.adml")
	var x admx
	var l adml
	if err := xml.Unmarshal(xb, &x); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(lb, &l); err != nil {
		t.Fatal(err)
	}
	strs := map[string]bool{}
	for _, s := range l.Strings {
		strs[s.ID] = true
	}
	refs := map[string][]string{} // presentation → refIds
	for _, p := range l.Presentations {
		for _, r := range p.Refs {
			refs[p.ID] = append(refs[p.ID], r.RefID)
		}
	}
	for _, m := range regexp.MustCompile(`\$\((string|presentation)\.([^)]*)\)`).FindAllStringSubmatch(string(xb), -1) {
		if m[1] == "string" && !strs[m[2]] || m[1] == "presentation" && refs[m[2]] == nil {
			t.Errorf("the ADMX refers to %s, which the ADML does not define", m[0])
		}
	}

	policyKey := strings.TrimPrefix(config.PolicyKey, `HKLM\`) // SOFTWARE\Policies\idagent
	got := map[string]bool{}
	for _, p := range x.Policies {
		got[p.Name] = true
		if p.Class != "Machine" {
			t.Errorf("policy %s: class %q, want Machine (HKLM)", p.Name, p.Class)
		}
		pres := strings.TrimSuffix(strings.TrimPrefix(p.Presentation, "$(presentation."), ")")
		switch p.Name {
		case "AllowedOrigins":
			if len(p.Elements.List) != 1 {
				t.Fatalf("AllowedOrigins: want one list, got %+v", p.Elements)
			}
			li := p.Elements.List[0]
			if !strings.EqualFold(li.Key, policyKey+`\AllowedOrigins`) || li.ValuePrefix == nil || *li.ValuePrefix != "" {
				t.Errorf("AllowedOrigins list writes %s with valuePrefix %v; the agent reads %s\\AllowedOrigins, values 1, 2, … (valuePrefix \"\")", li.Key, li.ValuePrefix, config.PolicyKey)
			}
			if len(refs[pres]) != 1 || refs[pres][0] != li.ID {
				t.Errorf("AllowedOrigins: presentation %s refers to %v, want %s", pres, refs[pres], li.ID)
			}
		case "Port":
			if len(p.Elements.Decimal) != 1 {
				t.Fatalf("Port: want one decimal, got %+v", p.Elements)
			}
			d := p.Elements.Decimal[0]
			if !strings.EqualFold(p.Key, policyKey) || d.ValueName != "Port" || d.MinValue != "1" || d.MaxValue != "65535" {
				t.Errorf("Port writes %s\\%s (%s-%s); the agent reads %s\\Port, 1-65535", p.Key, d.ValueName, d.MinValue, d.MaxValue, config.PolicyKey)
			}
			if len(refs[pres]) != 1 || refs[pres][0] != d.ID {
				t.Errorf("Port: presentation %s refers to %v, want %s", pres, refs[pres], d.ID)
			}
		default:
			t.Errorf("unexpected policy %s", p.Name)
		}
	}
	if !got["AllowedOrigins"] || !got["Port"] {
		t.Errorf("policies %v, want AllowedOrigins and Port", got)
	}
}
