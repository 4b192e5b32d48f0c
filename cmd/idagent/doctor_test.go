package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kardianos/service"

	"github.com/idagent/idagent/agent/doctor"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/sim"
	"github.com/idagent/idagent/emrtd/trust"
	"github.com/idagent/idagent/nfc/pcsc/pcsctest"
	"github.com/idagent/idagent/nfc/virtual"
)

// The doctor's verdict for each problem IT meets on the phone, with the
// real component wherever one can be had: pcscd (absent, without readers,
// with the software chip in vpcd), a trust store on disk, another program
// on the port, a configuration file.

// doctorJSON is the documented shape of idagent doctor --json
// (docs/DOCTOR.md), decoded strictly.
type doctorJSON struct {
	Schema   int    `json:"schema"`
	Version  string `json:"version"`
	Platform string `json:"platform"`
	Verdict  string `json:"verdict"`
	Problems int    `json:"problems"`
	Checks   []struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Summary string   `json:"summary"`
		Detail  []string `json:"detail"`
		Advice  []string `json:"advice"`
	} `json:"checks"`
}

// checkText returns the summary, detail and advice of a check, one per
// line, and its status.
func (r doctorJSON) check(t *testing.T, id string) (status, text string) {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			lines := append(append([]string{c.Summary}, c.Detail...), c.Advice...)
			return c.Status, strings.Join(lines, "\n")
		}
	}
	t.Fatalf("no check %q", id)
	return "", ""
}

func decodeDoctor(t *testing.T, out string) doctorJSON {
	t.Helper()
	var r doctorJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	return r
}

// expectCheck fails t unless the check has the status and mentions each
// of want.
func expectCheck(t *testing.T, r doctorJSON, id, status string, want ...string) {
	t.Helper()
	got, text := r.check(t, id)
	if got != status {
		t.Errorf("%s: %s, want %s:\n%s", id, got, status, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: no %q in\n%s", id, w, text)
		}
	}
}

// runningService is the service manager of a desk where the service runs:
// the container the tests run in has none.
func runningService(string) func() (doctor.ServiceManager, error) {
	return func() (doctor.ServiceManager, error) { return fakeServiceManager{}, nil }
}

type fakeServiceManager struct{}

func (fakeServiceManager) Platform() string                { return "linux-systemd" }
func (fakeServiceManager) Status() (service.Status, error) { return service.StatusRunning, nil }

// withDoctorFakes replaces the service manager and the machine's browser
// policies (which the test cannot control) for one test, and the card
// service when cards is not nil.
func withDoctorFakes(t *testing.T, cards doctor.CardService) {
	t.Helper()
	oldCards, oldService, oldPolicies := doctorCards, doctorService, doctorPolicies
	t.Cleanup(func() { doctorCards, doctorService, doctorPolicies = oldCards, oldService, oldPolicies })
	doctorService = runningService
	doctorPolicies = func() ([]doctor.BrowserPolicy, error) { return nil, nil }
	if cards != nil {
		doctorCards = func() doctor.CardService { return cards }
	}
}

func runDoctorCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), &env{stdout: &out, stderr: &errOut}, append([]string{"doctor"}, args...))
	return code, out.String(), errOut.String()
}

// doctorConfig writes a configuration whose agent runs (a fake answering
// /v1/health on the listen address, as the service manager fake says),
// that allows one origin and uses trustStore.
func doctorConfig(t *testing.T, trustStore string) string {
	t.Helper()
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(protocol.Health{Agent: "idagent", Version: version})
	}))
	t.Cleanup(agent.Close)
	addr := agent.Listener.Addr().String()
	return writeDoctorConfig(t, fmt.Sprintf(`{"listen": [%q], "trustStore": %q, "origins": [{"origin": "https://his.example.vn"}]}`, addr, trustStore))
}

func writeDoctorConfig(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// selfSignedCSCA makes a CSCA certificate (ECDSA P-256) valid between the
// two times.
func selfSignedCSCA(t *testing.T, cn string, notBefore, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, Country: []string{"VN"}},
		NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// trustStoreWith writes a store directory holding one CSCA.
func trustStoreWith(t *testing.T, der []byte, test bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "trust")
	s, err := trust.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportBytes(der, "doctor test", trust.ImportOptions{Test: test}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func validStore(t *testing.T) string {
	return trustStoreWith(t, selfSignedCSCA(t, "CSCA VN doctor", time.Now().Add(-time.Hour), time.Now().AddDate(5, 0, 0)), false)
}

// Child processes. The test binary runs again as the doctor (so that
// PCSCLITE_CSOCK_NAME applies: libpcsclite reads it once, when the
// process first talks to pcscd) or as a program squatting on a port.
const (
	doctorChildEnv = "IDAGENT_DOCTOR_CHILD" // idagent's arguments, a JSON list
	squatChildEnv  = "IDAGENT_DOCTOR_SQUAT" // 1: listen on a port, print it, serve 404s
)

func TestDoctorChild(t *testing.T) {
	if os.Getenv(squatChildEnv) == "1" {
		squat()
	}
	argsJSON, ok := os.LookupEnv(doctorChildEnv)
	if !ok {
		t.Skip("only runs as the child process of the doctor tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		t.Fatal(err)
	}
	doctorService = runningService
	doctorPolicies = func() ([]doctor.BrowserPolicy, error) { return nil, nil }
	os.Exit(dispatch(context.Background(), &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, args))
}

// squat listens on a free loopback port, prints it and answers every
// request with 404, like a web server that took the agent's port.
func squat() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().String())
	_ = http.Serve(l, http.NotFoundHandler())
	os.Exit(0)
}

// doctorChild runs idagent doctor --json in a child process with the
// extra environment and returns its exit code and report.
func doctorChild(t *testing.T, extraEnv []string, args ...string) (int, doctorJSON) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDoctorChild$")
	argsJSON, err := json.Marshal(append([]string{"doctor", "--json"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(append(os.Environ(), doctorChildEnv+"="+string(argsJSON)), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("doctor (exit %d):\n%s%s", code, stdout.String(), stderr.String())
	return code, decodeDoctor(t, stdout.String())
}

// The software chip in the real pcscd's vpcd reader: the reader is seen,
// the card present and answering as an eMRTD; with a valid store, a
// running service and an allowed origin, all is good.
func TestDoctorSimCardThroughPCSCD(t *testing.T) {
	pcsctest.Require(t)
	insertPCSC(t, "cccd", sim.Options{Seed: 43})
	withDoctorFakes(t, nil)
	cfg := doctorConfig(t, validStore(t))
	code, out, errOut := runDoctorCmd("--config", cfg)
	t.Logf("screen:\n%s", out)
	for _, want := range []string{
		"ok    smart-card service  pcscd answers",
		pcsctest.Reader0 + ": card present, answers as an ICAO eMRTD",
		pcsctest.Reader1 + ": no card",
		"\nall good\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the screen", want)
		}
	}
	if code != exitOK {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// An expired test CSCA: the store warns twice (a TEST anchor in a
// production store, and no valid CSCA for VN), naming the certificate and
// its end, and the exit code says warnings only.
func TestDoctorExpiredTestCSCA(t *testing.T) {
	withDoctorFakes(t, virtual.New("Reader A"))
	store := trustStoreWith(t, selfSignedCSCA(t, "CSCA VN expired", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), true)
	cfg := doctorConfig(t, store)
	code, out, _ := runDoctorCmd("--config", cfg)
	t.Logf("screen:\n%s", out)
	for _, want := range []string{
		"WARN  trust store         1 CSCA for 1 country (VN), 1 TEST anchor, 1 expired; no valid CSCA for VN",
		`CSCA "CSCA VN expired" (VN): expired 2020-01-01`,
		"do: import a current CSCA master list (docs/TRUST.md): sudo idagent trust import MASTERLIST.ml",
		"do: remove the TEST anchors from this production store: delete " + filepath.Join(store, "test-csca"),
		"\n1 problem: trust store (warn)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the screen", want)
		}
	}
	if code != doctor.ExitWarn {
		t.Errorf("exit %d, want %d", code, doctor.ExitWarn)
	}
}

// A bad configuration fails naming the key, on the screen and in JSON;
// the checks that need it are skipped.
func TestDoctorBadConfig(t *testing.T) {
	withDoctorFakes(t, virtual.New("Reader A"))
	for _, tc := range []struct{ body, key, msg string }{
		{`{"listen": ["127.0.0.1:20606"], "orgins": []}`, "orgins", "unknown key"},
		{`{"readTimeout": true}`, "readTimeout", "want a duration"},
		{`{"listen": "127.0.0.1:20606"}`, "listen", "wrong type"},
	} {
		cfg := writeDoctorConfig(t, tc.body)
		code, out, _ := runDoctorCmd("--config", cfg)
		if want := "FAIL  config              " + cfg + ": " + tc.key + ": " + tc.msg; !strings.Contains(out, want) || code != doctor.ExitFail {
			t.Errorf("exit %d, no %q in\n%s", code, want, out)
		}
		if !strings.Contains(out, fmt.Sprintf("do: fix %q in %s (keys and values: docs/CONFIG.md)", tc.key, cfg)) {
			t.Errorf("no advice naming %s:\n%s", tc.key, out)
		}
		code, out, _ = runDoctorCmd("--config", cfg, "--json")
		r := decodeDoctor(t, out)
		expectCheck(t, r, doctor.IDConfig, "fail", tc.key)
		for _, id := range []string{doctor.IDTrust, doctor.IDPort, doctor.IDBrowser} {
			expectCheck(t, r, id, "skip", "configuration does not load")
		}
		if code != doctor.ExitFail || r.Verdict != "fail" || r.Problems != 1 {
			t.Errorf("JSON: exit %d, verdict %s, %d problems", code, r.Verdict, r.Problems)
		}
	}
}

// --json follows the documented shape: every check in order, each with
// arrays for detail and advice, the verdict and the exit code agreeing.
func TestDoctorJSON(t *testing.T) {
	withDoctorFakes(t, virtual.New("Reader A"))
	code, out, _ := runDoctorCmd("--json", "--config", doctorConfig(t, validStore(t)))
	r := decodeDoctor(t, out)
	if r.Schema != doctor.SchemaVersion || r.Version != version || r.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("header %+v", r)
	}
	if len(r.Checks) != len(doctor.CheckIDs) {
		t.Fatalf("%d checks", len(r.Checks))
	}
	for i, c := range r.Checks {
		if c.ID != doctor.CheckIDs[i] || c.Detail == nil || c.Advice == nil || c.Summary == "" {
			t.Errorf("check %d: %+v", i, c)
		}
		if c.Status != "ok" && c.Status != "skip" {
			t.Errorf("check %s: %s", c.ID, c.Status)
		}
	}
	if r.Verdict != "ok" || r.Problems != 0 || code != exitOK {
		t.Errorf("verdict %s, %d problems, exit %d\n%s", r.Verdict, r.Problems, code, out)
	}
	if code, _, _ := runDoctorCmd("extra"); code != exitUsage {
		t.Errorf("an argument: exit %d", code)
	}
	if code, _, _ := runDoctorCmd("--help"); code != exitOK {
		t.Errorf("--help: exit %d", code)
	}
}
