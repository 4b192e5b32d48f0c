package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/listen"
	"github.com/idagent/idagent/agent/protocol"
)

// addrState is what holds one listen address.
type addrState struct {
	addr  string
	kind  addrKind
	agent protocol.Health // kind idagent: what the agent says of itself
	owner string          // kind other or mute: the program, `"nginx" (pid 42)`, or ""
	err   error           // kind broken
}

type addrKind int

const (
	addrFree        addrKind = iota // nobody listens: the agent is not running there
	addrIdagent                     // idagent answers /v1/health
	addrMute                        // idagent holds it but does not answer /v1/health
	addrOther                       // another program holds it
	addrUnavailable                 // the address does not exist here (IPv6 off): the agent skips it
	addrBroken                      // cannot tell
)

// checkPorts tells, for each listen address, whether it is free, served by
// idagent or held by another program, and names that program. agentDown
// reports that no address is held at all.
func (d *Doctor) checkPorts(ctx context.Context, cfg *config.Config) (c Check, agentDown bool) {
	if cfg == nil {
		return skipped(IDPort), false
	}
	states := make([]addrState, len(cfg.Listen))
	var wg sync.WaitGroup
	for i, addr := range cfg.Listen {
		wg.Add(1)
		go func() { defer wg.Done(); states[i] = d.probeAddr(ctx, addr) }()
	}
	wg.Wait()
	agentDown = true
	for _, st := range states {
		agentDown = agentDown && (st.kind == addrFree || st.kind == addrUnavailable)
	}
	return portCheck(states, d.Version, configName(cfg), d.GOOS, d.agentCommand), agentDown
}

// agentNotRunning amends a port check whose addresses are all free while
// nothing (no service manager, or one that says the service does not run)
// confirms an agent: the browser cannot reach one, which is a failure,
// however normal it looks in a container.
func (d *Doctor) agentNotRunning(c Check, cfg *config.Config) Check {
	if c.Status != OK {
		return c // no address at all: already a failure with its advice
	}
	c.Status = Fail
	if d.serviceManager {
		c.Summary = strings.Replace(c.Summary, "the agent is not running (see service)", "the agent is not running: the browser cannot reach it (see service)", 1)
		c.Advice = append(c.Advice, "start (or install) the idagent service: the service check says how")
		return c
	}
	c.Summary = strings.Replace(c.Summary, "the agent is not running (see service)", "no agent is running, and no service manager here starts one", 1)
	c.Advice = append(c.Advice, "start it: "+d.agentCommand("start", configName(cfg)))
	return c
}

// serviceNotListening amends a port check whose addresses are all free
// while the service manager says the service runs: the agent is crashing
// and being restarted, or the service runs with another configuration.
func serviceNotListening(c Check, goos string) Check {
	c.Status = Warn
	c.Summary += "; yet the service is running: is it restarting after failures, or using another configuration?"
	c.Advice = append(c.Advice, logAdvice(goos), "then: "+serviceCommand(goos, "restart"))
	return c
}

// probeAddr asks /v1/health first and only then tries to bind: binding
// the port of an agent that is (re)starting would make its start fail.
func (d *Doctor) probeAddr(ctx context.Context, addr string) addrState {
	st := addrState{addr: addr}
	if h, ok := d.health(ctx, addr); ok {
		st.kind, st.agent = addrIdagent, h
		return st
	}
	l, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		l.Close()
		st.kind = addrFree
	case listen.IsAddrInUse(err):
		_, port, _ := net.SplitHostPort(addr)
		st.kind, st.owner = addrOther, d.PortOwner(port)
		if strings.HasPrefix(st.owner, `"idagent"`) {
			st.kind = addrMute
		}
	case listen.IsAddrNotAvailable(err):
		st.kind = addrUnavailable
	default:
		st.kind, st.err = addrBroken, err
	}
	return st
}

// health returns what the program at addr says of itself at /v1/health,
// when it is idagent.
func (d *Doctor) health(ctx context.Context, addr string) (protocol.Health, bool) {
	var h protocol.Health
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v1/health", nil)
	if err != nil {
		return h, false
	}
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return h, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil {
		return h, false
	}
	return h, h.Agent == "idagent"
}

// portCheck turns the address states into one check: any address held by
// another program fails, because the agent then does not start. agent is
// how the agent starts and restarts on this machine (Doctor.agentCommand).
func portCheck(states []addrState, version, cfgFile, goos string, agent func(action, cfgFile string) string) Check {
	c := Check{ID: IDPort, Status: OK}
	var free, served, unavailable []string
	var blocker *addrState
	for i := range states {
		st := &states[i]
		switch st.kind {
		case addrFree:
			free = append(free, st.addr)
		case addrIdagent:
			served = append(served, st.addr)
		case addrUnavailable:
			unavailable = append(unavailable, st.addr)
		default:
			if blocker == nil {
				blocker = st
			}
		}
	}
	if mixed(states) {
		for _, st := range states {
			c.Detail = append(c.Detail, st.addr+": "+st.describe())
		}
	}
	switch {
	case blocker != nil:
		c.Status, c.Summary = Fail, blocker.addr+" is "+blocker.describe()
		c.Advice = blocker.advice(cfgFile, goos, agent)
	case len(served) > 0:
		c.Summary = servedSummary(states, served, version)
		if simulated(states) {
			c.Status = Warn
			c.Summary += ", with SIMULATED readers (idagent run --simulate)"
			c.Advice = []string{"stop that agent and start the real one: " + agent("start", cfgFile)}
		}
	case len(free) > 0:
		c.Summary = strings.Join(free, ", ") + " free: the agent is not running (see service)"
	default:
		c.Status, c.Summary = Fail, "no listen address exists on this PC: "+strings.Join(unavailable, ", ")
		c.Advice = []string{fmt.Sprintf("set \"listen\" in %s to 127.0.0.1:%d", cfgFile, config.DefaultPort)}
	}
	return c
}

// mixed reports that one summary cannot speak for every address: they are
// in different states, or one has a problem (the summary names the first
// such); the detail then lists each.
func mixed(states []addrState) bool {
	for _, st := range states {
		if st.kind != states[0].kind || st.kind == addrOther || st.kind == addrMute || st.kind == addrBroken {
			return len(states) > 1
		}
	}
	return false
}

func servedSummary(states []addrState, served []string, version string) string {
	var h protocol.Health
	for _, st := range states {
		if st.kind == addrIdagent {
			h = st.agent
			break
		}
	}
	s := fmt.Sprintf("idagent %s serves %s", h.Version, strings.Join(served, ", "))
	if h.Version != version {
		s += fmt.Sprintf(" (this doctor is %s)", version)
	}
	return s
}

func simulated(states []addrState) bool {
	for _, st := range states {
		if st.kind == addrIdagent && st.agent.Simulate {
			return true
		}
	}
	return false
}

func (st *addrState) describe() string {
	switch st.kind {
	case addrFree:
		return "free"
	case addrIdagent:
		return "idagent " + st.agent.Version
	case addrMute:
		return "held by " + st.owner + ", which does not answer /v1/health"
	case addrOther:
		if st.owner == "" {
			return "held by another program"
		}
		return "held by " + st.owner
	case addrUnavailable:
		return "not available on this PC (IPv6 off?): the agent skips it"
	}
	return "not checkable: " + st.err.Error()
}

func (st *addrState) advice(cfgFile, goos string, agent func(action, cfgFile string) string) []string {
	_, port, _ := net.SplitHostPort(st.addr)
	switch st.kind {
	case addrMute:
		return []string{"restart the agent: " + agent("restart", cfgFile)}
	case addrBroken:
		return []string{fmt.Sprintf("check \"listen\" in %s", cfgFile)}
	}
	var out []string
	switch {
	case st.owner != "":
		out = append(out, "stop "+st.owner+", or make it use another port")
	case goos == "windows":
		out = append(out, "find the program: netstat -ano | findstr :"+port+" (the last column is its PID; tasklist /fi \"PID eq N\" names it), then stop it")
	default:
		out = append(out, "find the program: sudo ss -ltnp 'sport = :"+port+"', then stop it")
	}
	return append(out, fmt.Sprintf("or give the agent another port: \"listen\" in %s (and tell the desk app)", cfgFile))
}
