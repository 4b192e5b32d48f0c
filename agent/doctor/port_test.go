package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/kardianos/service"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
)

// fakeAgent answers /v1/health like idagent.
func fakeAgent(t *testing.T, h protocol.Health) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/health" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(h)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func portDoctor(t *testing.T, listen ...string) *Doctor {
	t.Helper()
	d := healthyDoctor(t)
	b, _ := json.Marshal(listen)
	d.ConfigFile = writeConfig(t, `{"listen": `+string(b)+`, "origins": [{"origin": "https://his.example.vn"}]}`)
	return d
}

func TestPort(t *testing.T) {
	agentAddr := fakeAgent(t, protocol.Health{Agent: "idagent", Version: "1.0.0-test"})
	expect(t, portDoctor(t, agentAddr).Run(context.Background()), IDPort, OK, "idagent 1.0.0-test serves "+agentAddr)

	older := fakeAgent(t, protocol.Health{Agent: "idagent", Version: "0.9.0"})
	expect(t, portDoctor(t, older).Run(context.Background()), IDPort, OK, "idagent 0.9.0 serves", "(this doctor is 1.0.0-test)")

	sim := fakeAgent(t, protocol.Health{Agent: "idagent", Version: "1.0.0-test", Simulate: true})
	expect(t, portDoctor(t, sim).Run(context.Background()), IDPort, Warn, "SIMULATED readers", "sudo idagent service start")

	// Another web server: it answers, but not as idagent.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	otherAddr := other.Listener.Addr().String()
	d := portDoctor(t, otherAddr, "127.0.0.1:"+strconv.Itoa(agenttest.FreePort(t)))
	d.PortOwner = func(string) string { return `"nginx" (pid 42)` }
	r := d.Run(context.Background())
	expect(t, r, IDPort, Fail, otherAddr+` is held by "nginx" (pid 42)`, `stop "nginx" (pid 42)`, `another port: "listen" in`, ": free")

	// The owner cannot be named (another user's process, Windows).
	d.PortOwner = func(string) string { return "" }
	expect(t, d.Run(context.Background()), IDPort, Fail, "held by another program", "ss -ltnp")
	d.GOOS = "windows"
	expect(t, d.Run(context.Background()), IDPort, Fail, "netstat -ano | findstr :")

	// idagent itself holds the port but does not answer.
	d.GOOS = "linux"
	d.PortOwner = func(string) string { return `"idagent" (pid 7)` }
	expect(t, d.Run(context.Background()), IDPort, Fail, `held by "idagent" (pid 7), which does not answer /v1/health`, "sudo idagent service restart")
}

// All addresses free while the service manager says the service runs:
// the agent is not where the service should be.
func TestPortFreeWhileServiceRuns(t *testing.T) {
	d := portDoctor(t, "127.0.0.1:"+strconv.Itoa(agenttest.FreePort(t)))
	expect(t, d.Run(context.Background()), IDPort, Warn, "yet the service is running", "journalctl -u idagent", "sudo idagent service restart")
	d.OpenService = serviceIn(service.StatusStopped, nil)
	r := d.Run(context.Background())
	expect(t, r, IDPort, Fail, "free: the agent is not running: the browser cannot reach it", "start (or install) the idagent service")
	expect(t, r, IDService, Fail, "stopped", "sudo idagent service start")
}

// No agent listens and no service manager can confirm one (a container,
// a Linux without systemd): a failure, and the advice is idagent run,
// never `idagent service`, which cannot work there.
func TestNoAgentAndNoServiceManager(t *testing.T) {
	for name, open := range map[string]func() (ServiceManager, error){
		"System V":         func() (ServiceManager, error) { return fakeService{platform: "unix-systemv"}, nil },
		"none":             func() (ServiceManager, error) { return nil, errors.New("not supported") },
		"not in the build": nil,
	} {
		t.Run(name, func(t *testing.T) {
			d := portDoctor(t, "127.0.0.1:"+strconv.Itoa(agenttest.FreePort(t)))
			d.OpenService = open
			r := d.Run(context.Background())
			expect(t, r, IDPort, Fail, "no agent is running, and no service manager here starts one", "start it: idagent run --config ")
			expect(t, r, IDService, Skip)
			if r.ExitCode() != ExitFail {
				t.Errorf("exit %d, want %d (fail)", r.ExitCode(), ExitFail)
			}
			if text := screen(r); strings.Contains(text, "idagent service") {
				t.Errorf("advises `idagent service` where there is no service manager:\n%s", text)
			}
		})
	}
	// A simulated agent left running: the real one is started the same way.
	sim := fakeAgent(t, protocol.Health{Agent: "idagent", Version: "1.0.0-test", Simulate: true})
	d := portDoctor(t, sim)
	d.OpenService = func() (ServiceManager, error) { return fakeService{platform: "unix-systemv"}, nil }
	expect(t, d.Run(context.Background()), IDPort, Warn, "SIMULATED readers", "start the real one: idagent run --config ")
}

// servedAddr is the address of an agent that runs (a fake answering
// /v1/health), for tests about other things than the port.
func servedAddr(t *testing.T) string {
	return fakeAgent(t, protocol.Health{Agent: "idagent", Version: "1.0.0-test"})
}
