package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/emrtd/files"
	"github.com/idagent/idagent/nfc"
	"github.com/idagent/idagent/nfc/apdu"
)

// CardService is the part of the PC/SC service the doctor uses
// (nfc.Manager has it; pcsc.Manager with Exclusive set is the real one).
type CardService interface {
	// Readers lists the readers with their card state; an error wrapping
	// nfc.ErrNoService means the service is not running.
	Readers(ctx context.Context) ([]nfc.ReaderState, error)
	Connect(ctx context.Context, reader string) (nfc.Conn, error)
}

// checkSmartCard asks the smart-card service for its readers once and
// returns two checks: the service, and the readers and cards.
func (d *Doctor) checkSmartCard(ctx context.Context, cfg *config.Config) (service, readers Check) {
	service = Check{ID: IDSmartCard}
	if d.Cards == nil {
		service.Status, service.Summary = Skip, "not checked: no smart-card access in this build"
		return service, Check{ID: IDReaders, Status: Skip, Summary: "not checked: no smart-card access in this build"}
	}
	type listing struct {
		states []nfc.ReaderState
		err    error
	}
	l, answered := bounded(ctx, pcscTimeout, func(ctx context.Context) listing {
		s, err := d.Cards.Readers(ctx)
		return listing{s, err}
	})
	name := pcscName(d.GOOS)
	readersSkipped := Check{ID: IDReaders, Status: Skip, Summary: "not checked: the smart-card service does not answer"}
	switch {
	case !answered:
		service.Status = Fail
		service.Summary = fmt.Sprintf("%s does not answer within %v (hung?)", name, pcscTimeout)
		service.Advice = restartPCSCAdvice(d.GOOS)
		return service, readersSkipped
	case errors.Is(l.err, nfc.ErrNoService):
		service.Status = Fail
		service.Summary = name + " is not running"
		service.Detail = []string{l.err.Error()}
		service.Advice = startPCSCAdvice(d.GOOS)
		return service, readersSkipped
	case l.err != nil:
		service.Status = Fail
		service.Summary = name + " answers with an error"
		service.Detail = []string{l.err.Error()}
		service.Advice = restartPCSCAdvice(d.GOOS)
		return service, readersSkipped
	}
	service.Status, service.Summary = OK, name+" answers"
	return service, d.checkReaders(ctx, l.states, cfg)
}

// pcscName names the smart-card service of goos for people.
func pcscName(goos string) string {
	switch goos {
	case "windows":
		return "the Smart Card service (SCardSvr)"
	case "darwin":
		return "the smart card service (CryptoTokenKit)"
	}
	return "pcscd"
}

func startPCSCAdvice(goos string) []string {
	switch goos {
	case "windows":
		// Windows starts SCardSvr when a reader arrives and may stop it
		// when the last one leaves: no reader looks like no service.
		return []string{
			"plug the reader in: Windows starts the Smart Card service when a reader arrives",
			"if it still fails, in an administrator prompt: sc config SCardSvr start= auto",
			"and: sc start SCardSvr",
		}
	case "darwin":
		return []string{"unplug and plug the reader in again; if it still fails, restart the Mac"}
	}
	return []string{
		"start pcscd and have it start on demand: sudo systemctl enable --now pcscd.socket",
		"if pcscd is missing: sudo apt install pcscd libccid",
	}
}

func restartPCSCAdvice(goos string) []string {
	switch goos {
	case "windows":
		return []string{"in an administrator prompt: sc stop SCardSvr, then: sc start SCardSvr"}
	case "darwin":
		return []string{"unplug and plug the reader in again; if it still fails, restart the Mac"}
	}
	return []string{"restart pcscd: sudo systemctl restart pcscd", "its log: journalctl -u pcscd -n 50"}
}

// checkReaders reports the readers the agent would use and whether a card
// lies on each.
func (d *Doctor) checkReaders(ctx context.Context, states []nfc.ReaderState, cfg *config.Config) Check {
	c := Check{ID: IDReaders}
	var used []nfc.ReaderState
	for _, s := range states {
		if cfg != nil && cfg.Ignored(s.Name) {
			c.Detail = append(c.Detail, s.Name+": ignored (ignoreReaders)")
			continue
		}
		used = append(used, s)
	}
	ignored := len(states) - len(used)
	if len(used) == 0 {
		return noReaders(c, ignored, d.GOOS, cfg)
	}
	cards := 0
	for _, s := range used {
		if s.CardPresent {
			cards++
		}
		c.Detail = append(c.Detail, s.Name+": "+d.describeSlot(ctx, s))
	}
	c.Status = OK
	c.Summary = fmt.Sprintf("%s, %s", plural(len(used), "reader"), cardCount(cards))
	if ignored > 0 {
		c.Summary += fmt.Sprintf(" (%d ignored)", ignored)
	}
	return c
}

func noReaders(c Check, ignored int, goos string, cfg *config.Config) Check {
	c.Status = Fail
	if ignored > 0 {
		c.Summary = fmt.Sprintf("every reader is ignored: %s hidden by ignoreReaders", plural(ignored, "reader"))
		c.Advice = []string{fmt.Sprintf("narrow \"ignoreReaders\" in %s so that it does not match the card reader", configName(cfg))}
		return c
	}
	c.Summary = "no reader is connected"
	switch goos {
	case "windows":
		c.Advice = []string{
			"plug the reader in (another USB port, not through a hub)",
			"Device Manager should list it under \"Smart card readers\"; if not, install the reader vendor's driver",
		}
	case "darwin":
		c.Advice = []string{"plug the reader in (another USB port, not through a hub); System Information > USB should list it"}
	default:
		c.Advice = []string{
			"plug the reader in (another USB port, not through a hub)",
			"check that the PC sees it: lsusb",
			"check its driver: sudo apt install libccid, then: sudo systemctl restart pcscd",
		}
	}
	return c
}

// describeSlot says whether a card is present and, when one is, whether it
// answers as an eMRTD.
func (d *Doctor) describeSlot(ctx context.Context, s nfc.ReaderState) string {
	if !s.CardPresent {
		return "no card"
	}
	answer, ok := bounded(ctx, probeTimeout, func(ctx context.Context) string { return probeEMRTD(ctx, d.Cards, s.Name) })
	if !ok {
		return fmt.Sprintf("card present, does not answer within %v", probeTimeout)
	}
	return "card present, " + answer
}

// probeEMRTD selects the eMRTD application, as the first step of a read
// does: no secure messaging, nothing read. Answers are status words only,
// never card data. The connection is exclusive so that a read the agent
// is doing is never interleaved with ours: it shows as "in use" instead.
func probeEMRTD(ctx context.Context, cards CardService, reader string) string {
	conn, err := cards.Connect(ctx, reader)
	if errors.Is(err, nfc.ErrSharingViolation) {
		return "in use by another program (the agent reading it?): not probed"
	}
	if err != nil {
		return "cannot connect: " + err.Error()
	}
	defer conn.Close()
	// The same SELECT (and fallback) as the first step of a read.
	err = files.NewReader(nfc.NewTransport(conn), files.Options{}).SelectApplication(ctx)
	var sw *apdu.Error
	switch {
	case err == nil:
		return "answers as an ICAO eMRTD (ID card or passport)"
	case errors.Is(err, files.ErrNotFound):
		return "not an ICAO eMRTD (SELECT answered " + apdu.SWFileNotFound.String() + ")"
	case errors.Is(err, files.ErrProtected):
		return "not an ICAO eMRTD (SELECT answered " + apdu.SWSecurityStatus.String() + ")"
	case errors.As(err, &sw):
		return "not an ICAO eMRTD (SELECT answered " + sw.SW.String() + ")"
	}
	return "does not answer: " + err.Error()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func cardCount(n int) string {
	switch n {
	case 0:
		return "no card"
	case 1:
		return "1 card"
	}
	return fmt.Sprintf("%d cards", n)
}

// joinMax joins up to max items and says how many more there are.
func joinMax(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
}
