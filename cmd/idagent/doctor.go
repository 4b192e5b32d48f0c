package main

import (
	"context"
	"fmt"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/doctor"
	"github.com/idagent/idagent/agent/svc"
	"github.com/idagent/idagent/nfc/pcsc"
)

func init() {
	register(&command{name: "doctor", summary: "check this PC (configuration, smart-card service, readers, trust store, port, service, browsers) and say what to fix", run: runDoctor})
}

// The doctor's components; tests replace them where the real one cannot
// be had (a service manager in a container, the machine's browser
// policies).
var (
	// doctorCards connects exclusively so that probing a card never
	// interleaves with a read the agent is doing.
	doctorCards = func() doctor.CardService { return &pcsc.Manager{Exclusive: true} }
	// doctorService opens the service manager's view of the service the
	// configuration file belongs to.
	doctorService = func(cfgFile string) func() (doctor.ServiceManager, error) {
		return func() (doctor.ServiceManager, error) {
			spec, err := svc.DefaultSpec(cfgFile, serviceLogDir())
			if err != nil {
				return nil, err
			}
			return svc.New(spec)
		}
	}
	doctorPolicies func() ([]doctor.BrowserPolicy, error) // nil: the system's
)

func runDoctor(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "doctor", "[--config FILE] [--json]")
	cfgFile := fs.String("config", "", "configuration file (default "+config.DefaultFile()+" when it exists)")
	asJSON := fs.Bool("json", false, "print one JSON object (docs/DOCTOR.md) instead of the screen")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "idagent doctor: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	serviceConfig := *cfgFile
	if serviceConfig == "" {
		serviceConfig = config.DefaultFile()
	}
	d := doctor.Doctor{
		Version:     version,
		ConfigFile:  *cfgFile,
		Cards:       doctorCards(),
		OpenService: doctorService(serviceConfig),
		Policies:    doctorPolicies,
	}
	report := d.Run(ctx)
	write := doctor.WriteText
	if *asJSON {
		write = doctor.WriteJSON
	}
	if err := write(e.stdout, report); err != nil {
		fmt.Fprintf(e.stderr, "idagent doctor: %v\n", err)
		return exitSoft
	}
	return report.ExitCode()
}
