package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/identity"
)

const (
	instOrigins = InstallerKey + `\AllowedOrigins`
	instPort    = InstallerKey + `\Port`
	polOrigins  = PolicyKey + `\AllowedOrigins`
	polPort     = PolicyKey + `\Port`
)

func val(name, data string) *MachineValue { return &MachineValue{Name: name, Data: data} }

// fakeMachine makes Load see m as this machine's settings.
func fakeMachine(t *testing.T, m MachineSettings, err error) {
	t.Helper()
	old := readMachine
	readMachine = func() (MachineSettings, error) { return m, err }
	t.Cleanup(func() { readMachine = old })
}

func TestMachineOriginsMerge(t *testing.T) {
	cfg, err := Parse([]byte(`{
		"defaultPolicy": {"fields": ["idNumber", "fullName"], "photo": false},
		"origins": [{"origin": "https://his.example.org", "fields": ["all"], "evidence": true}]
	}`), "")
	if err != nil {
		t.Fatal(err)
	}
	m := MachineSettings{
		InstallerOrigins: val(instOrigins, " https://HIS.example.org https://desk2.example.org:443,https://desk3.example.org;\thttp://localhost:3000 "),
		PolicyOrigins: []MachineValue{
			*val(polOrigins+`\1`, "https://desk2.example.org"),
			*val(polOrigins+`\2`, "https://gpo.example.org"),
			*val(polOrigins+`\3`, ""),
		},
	}
	if err := m.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for o := range cfg.Origins {
		got = append(got, o)
	}
	slices.Sort(got)
	want := []string{"http://localhost:3000", "https://desk2.example.org", "https://desk3.example.org", "https://gpo.example.org", "https://his.example.org"}
	if !slices.Equal(got, want) {
		t.Fatalf("origins %v, want %v", got, want)
	}
	// The file's own entry keeps its policy; added ones get defaultPolicy.
	if his := cfg.Origins["https://his.example.org"]; !his.Allows(identity.FieldReligion) || !his.Evidence {
		t.Errorf("the file's policy of his.example.org was replaced: %+v", his)
	}
	for _, o := range want[:4] {
		p := cfg.Origins[o]
		if !slices.Equal(p.Fields, []string{"idNumber", "fullName"}) || p.Photo || p.Evidence {
			t.Errorf("%s: policy %+v, want the file's defaultPolicy", o, p)
		}
	}
	if !slices.Equal(cfg.Listen, Default().Listen) {
		t.Errorf("listen changed without a port: %v", cfg.Listen)
	}
	if len(cfg.MachineSources) != 3 || !strings.HasPrefix(cfg.MachineSources[0], instOrigins+": ") ||
		!strings.Contains(cfg.MachineSources[0], "https://desk2.example.org") || !strings.HasPrefix(cfg.MachineSources[2], polOrigins+`\2: https://gpo.example.org`) {
		t.Errorf("sources %q", cfg.MachineSources)
	}
}

func TestMachinePortPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         MachineSettings
		file      string
		want      []string
		overriden bool
	}{
		{"file only", MachineSettings{}, `{"listen":["127.0.0.1:1234"]}`, []string{"127.0.0.1:1234"}, false},
		{"installer over file", MachineSettings{InstallerPort: val(instPort, "20700")}, `{"listen":["127.0.0.1:1234","[::1]:1234","localhost:1"]}`,
			[]string{"127.0.0.1:20700", "[::1]:20700", "localhost:20700"}, false},
		{"policy over installer", MachineSettings{InstallerPort: val(instPort, "20700"), PolicyPort: val(polPort, "20800")}, `{}`,
			[]string{"127.0.0.1:20800", "[::1]:20800"}, true},
		{"policy alone", MachineSettings{PolicyPort: val(polPort, " 20900 ")}, `{}`, []string{"127.0.0.1:20900", "[::1]:20900"}, false},
		{"empty installer value", MachineSettings{InstallerPort: val(instPort, "")}, `{}`, Default().Listen, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.file), "")
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.m.Apply(cfg); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cfg.Listen, tc.want) {
				t.Fatalf("listen %v, want %v", cfg.Listen, tc.want)
			}
			over := slices.ContainsFunc(cfg.MachineSources, func(s string) bool { return strings.Contains(s, "overridden by "+polPort) })
			if over != tc.overriden {
				t.Errorf("sources %q", cfg.MachineSources)
			}
		})
	}
}

func TestMachineBadValuesNameTheRegistryValue(t *testing.T) {
	for _, tc := range []struct {
		m    MachineSettings
		name string
	}{
		{MachineSettings{InstallerOrigins: val(instOrigins, "https://ok.example.org https://bad.example.org/path")}, instOrigins},
		{MachineSettings{InstallerOrigins: val(instOrigins, "desk.example.org")}, instOrigins},
		{MachineSettings{PolicyOrigins: []MachineValue{*val(polOrigins+`\1`, "https://ok.example.org"), *val(polOrigins+`\2`, "https://*.example.org")}}, polOrigins + `\2`},
		{MachineSettings{InstallerPort: val(instPort, "http")}, instPort},
		{MachineSettings{InstallerPort: val(instPort, "0")}, instPort},
		{MachineSettings{PolicyPort: val(polPort, "65536"), InstallerPort: val(instPort, "20606")}, polPort},
	} {
		cfg := Default()
		err := tc.m.Apply(cfg)
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != tc.name {
			t.Errorf("%+v: error %v does not name %s", tc.m, err, tc.name)
			continue
		}
		if len(cfg.Origins) != 0 || !slices.Equal(cfg.Listen, Default().Listen) || cfg.MachineSources != nil {
			t.Errorf("%s: a failed Apply changed the configuration: %+v", tc.name, cfg)
		}
	}
}

func TestLoadAppliesMachineSettings(t *testing.T) {
	fakeMachine(t, MachineSettings{
		InstallerOrigins: val(instOrigins, "https://his.example.org https://desk2.example.org"),
		InstallerPort:    val(instPort, "20606"),
		PolicyOrigins:    []MachineValue{*val(polOrigins+`\1`, "https://gpo.example.org")},
		PolicyPort:       val(polPort, "20607"),
	}, nil)
	dir := t.TempDir()
	f := filepath.Join(dir, "config.json")
	if err := os.WriteFile(f, InitialFile(`C:\ProgramData\idagent\logs\idagent.log`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{f, ""} {
		if file == "" {
			// No file at all: the defaults, then the machine settings.
			t.Setenv("IDAGENT_CONFIG", filepath.Join(dir, "absent.json"))
		}
		c, err := Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Origins) != 3 || !slices.Equal(c.Listen, []string{"127.0.0.1:20607", "[::1]:20607"}) {
			t.Errorf("Load(%q): origins %v, listen %v", file, c.Origins, c.Listen)
		}
		if p, ok := c.PolicyFor("https://gpo.example.org"); !ok || p.Allows(identity.FieldReligion) || !p.Allows(identity.FieldIDNumber) {
			t.Errorf("Load(%q): gpo origin policy %+v", file, p)
		}
		if len(c.MachineSources) != 4 {
			t.Errorf("Load(%q): sources %q", file, c.MachineSources)
		}
	}
}

func TestLoadMachineErrors(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "config.json")
	os.WriteFile(f, []byte(`{}`), 0o600)
	fakeMachine(t, MachineSettings{PolicyPort: val(polPort, "x")}, nil)
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), polPort) {
		t.Errorf("bad policy port: %v", err)
	}
	fakeMachine(t, MachineSettings{}, &Error{Key: `HKLM\SOFTWARE\Policies\idagent`, Msg: "cannot open: Access is denied."})
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), "Access is denied") {
		t.Errorf("unreadable registry: %v", err)
	}
}

func TestNoMachineSettingsOutsideWindows(t *testing.T) {
	m, err := readMachineSettings()
	if err != nil || !m.empty() {
		t.Skipf("this platform has machine settings: %+v, %v", m, err)
	}
	c, err := Parse([]byte(`{}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMachine(c); err != nil || c.MachineSources != nil {
		t.Fatalf("%v %v", err, c.MachineSources)
	}
}

func TestSortListValueNames(t *testing.T) {
	names := []string{"10", "b", "2", "1", "a", "01x"}
	SortListValueNames(names)
	if want := []string{"1", "2", "10", "01x", "a", "b"}; !slices.Equal(names, want) {
		t.Fatalf("%v, want %v", names, want)
	}
}
