package agent_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idagent/idagent/agent/agenttest"
	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/agent/simulate"
	"github.com/idagent/idagent/emrtd/sim"
)

// BenchmarkCardToIdentity measures, for the cccd profile under a link
// model, the time from the card's insertion to read.identity and to
// read.result, with the read already waiting (the clerk typed the key
// first). Run with IDAGENT_LINK=iso14443-424 (the default) or another model.
// The card is issued once, before the timer starts (issuing signs a
// document); each iteration starts a read, taps the card, waits for the
// result and takes the card out.
func BenchmarkCardToIdentity(b *testing.B) {
	linkName := os.Getenv("IDAGENT_LINK")
	if linkName == "" {
		linkName = "iso14443-424"
	}
	s := startSim(b, linkName)
	c := s.dial(b, deskOrigin)
	chip := issueChip(b, 100)
	reader := simulate.Readers[0]
	start := map[string]any{"access": map[string]any{"mrz": chip.AccessData().MRZ}, "photo": true, "reader": reader}
	var identity, result time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := c.Request("read.start", start)
		var started protocol.ReadStarted
		if err != nil || r.Error != nil || r.Decode(&started) != nil {
			b.Fatal(err, r.Raw)
		}
		if _, err := c.ReadEvent("read.progress", started.ReadID, 5*time.Second); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := s.sim.Manager.Insert(reader, chip); err != nil {
			b.Fatal(err)
		}
		ident, err := c.ReadEvent("read.identity", started.ReadID, 30*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		final, err := c.Final(started.ReadID, 30*time.Second)
		if err != nil || final.Name != "read.result" {
			b.Fatal(err, final.Raw)
		}
		identity += ident.When.Sub(t0)
		result += final.When.Sub(t0)
		if err := s.sim.Manager.Remove(reader); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(identity.Milliseconds())/n, "ms-to-identity")
	b.ReportMetric(float64(result.Milliseconds())/n, "ms-to-result")
	b.ReportMetric(100*float64(identity)/float64(result), "identity-%-of-result")
}

// BenchmarkEventFanout measures the latency from a card insertion in a
// reader to card.inserted at each of 100 connected clients. The card is
// issued once, before the timer starts; each iteration inserts it, waits
// for every client and takes it out.
func BenchmarkEventFanout(b *testing.B) {
	s := startSim(b, "")
	clients := make([]*agenttest.Client, 100)
	for i := range clients {
		clients[i] = s.dial(b, deskOrigin)
	}
	chip := issueChip(b, 1)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		marks := make([]int, len(clients))
		for j, c := range clients {
			marks[j] = len(c.Frames())
		}
		t0 := time.Now()
		if err := s.sim.Manager.Insert(simulate.Readers[0], chip); err != nil {
			b.Fatal(err)
		}
		for j, c := range clients {
			f, err := c.WaitAfter(marks[j], 5*time.Second, func(f *agenttest.Frame) bool { return f.Name == "card.inserted" })
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, f.When.Sub(t0))
		}
		if err := s.sim.Manager.Remove(simulate.Readers[0]); err != nil {
			b.Fatal(err)
		}
	}
	p50, p99 := percentiles(lat)
	b.ReportMetric(float64(p50.Microseconds()), "µs-p50")
	b.ReportMetric(float64(p99.Microseconds()), "µs-p99")
}

// issueChip makes a simulated cccd card (issuing signs a document: do it
// before the timer starts).
func issueChip(tb testing.TB, seed uint64) *sim.Chip {
	chip, err := sim.New("cccd", sim.Options{Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	return chip
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100]
}

// TestLoad100Clients holds 100 connected clients while 20 reads run on the
// two simulated readers, and reports event latency and memory. Numbers
// are logged, never asserted.
func TestLoad100Clients(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := startSim(t, "iso14443-848")
	clients := make([]*agenttest.Client, 100)
	for i := range clients {
		clients[i] = s.dial(t, deskOrigin)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	reader := clients[0]
	var fanout []time.Duration
	var mu sync.Mutex
	start := time.Now()
	for i := 0; i < 10; i++ {
		var wg sync.WaitGroup
		for ri, name := range simulate.Readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := clients[ri]
				chip := issueChip(t, uint64(1000+2*i+ri))
				card := chip.AccessData()
				marks := make([]int, len(clients))
				for j, cl := range clients {
					marks[j] = len(cl.Frames())
				}
				t0 := time.Now()
				if err := s.sim.Manager.Insert(name, chip); err != nil {
					t.Error(err)
					return
				}
				for j, cl := range clients {
					f, err := cl.WaitAfter(marks[j], 10*time.Second, func(f *agenttest.Frame) bool {
						return f.Name == "card.inserted" && strings.Contains(string(f.Data), name)
					})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					fanout = append(fanout, f.When.Sub(t0))
					mu.Unlock()
				}
				id := startRead(t, c, map[string]any{"reader": name, "access": map[string]any{"mrz": card.MRZ}, "photo": true})
				if f := must(t)(c.Final(id, 30*time.Second)); f.Name != "read.result" {
					t.Errorf("read under load: %s", f.Raw)
				}
			}()
		}
		wg.Wait()
	}
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	p50, p99 := percentiles(fanout)
	t.Logf("100 clients, 20 reads in %v; card.inserted fan-out latency p50 %v p99 %v (%d samples); heap in use %d → %d KiB (test process: agent + 100 clients)",
		took.Round(time.Millisecond), p50, p99, len(fanout), before.HeapInuse>>10, after.HeapInuse>>10)
	_ = reader
}

// BenchmarkIdleAgentProcess builds idagent, runs it (simulate mode, and
// with pcscd when available) with nothing to do, and reports its RSS and
// CPU use over a few seconds.
func BenchmarkIdleAgentProcess(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc")
	}
	bin := filepath.Join(b.TempDir(), "idagent")
	build := exec.Command("go", "build", "-o", bin, "github.com/idagent/idagent/cmd/idagent")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"simulate", "pcsc"} {
		b.Run(mode, func(b *testing.B) {
			args := []string{"run", "--listen", "127.0.0.1:0", "--config", writeEmptyConfig(b)}
			if mode == "simulate" {
				args = append(args, "--simulate")
			} else if _, err := os.Stat("/run/pcscd/pcscd.comm"); err != nil {
				b.Skip("pcscd not running")
			}
			for i := 0; i < b.N; i++ {
				rss, cpu := idleSample(b, bin, args, 5*time.Second)
				b.ReportMetric(float64(rss)/1024, "MiB-RSS")
				b.ReportMetric(cpu*100, "%-of-a-core")
			}
		})
	}
}

func writeEmptyConfig(b *testing.B) string {
	f := filepath.Join(b.TempDir(), "c.json")
	os.WriteFile(f, []byte(`{"log":{"level":"warn"}}`), 0o600)
	return f
}

// idleSample starts the agent, waits for it to settle, and measures its
// CPU time over window and its RSS at the end.
func idleSample(b *testing.B, bin string, args []string, window time.Duration) (rssKiB int, cpuFraction float64) {
	cmd := exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`serving ws://`)
	for sc.Scan() {
		if re.MatchString(sc.Text()) {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	time.Sleep(time.Second)
	pid := cmd.Process.Pid
	t0, c0 := time.Now(), cpuTicks(b, pid)
	time.Sleep(window)
	c1 := cpuTicks(b, pid)
	elapsed := time.Since(t0).Seconds()
	const hz = 100 // USER_HZ on Linux
	return rssOf(b, pid), float64(c1-c0) / hz / elapsed
}

func cpuTicks(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return ut + st
}

func rssOf(b *testing.B, pid int) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}
