package doctor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/trust"
)

// cscaCert makes a self-signed CSCA certificate (ECDSA P-256), the shape
// a trust store accepts as an anchor.
func cscaCert(t *testing.T, cn, country string, notBefore, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn, Country: []string{country}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// storeWith imports certificates into a new store directory, as test
// anchors when test is set, and returns the directory.
func storeWith(t *testing.T, test bool, certs ...[]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "trust")
	s, err := trust.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, der := range certs {
		if _, err := s.ImportBytes(der, "doctor test", trust.ImportOptions{Test: test}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func trustDoctor(t *testing.T, storePath string) *Doctor {
	t.Helper()
	d := healthyDoctor(t)
	d.ConfigFile = writeConfig(t, `{"listen": ["`+servedAddr(t)+`"], "trustStore": "`+storePath+`", "origins": [{"origin": "https://his.example.vn"}]}`)
	return d
}

func TestTrust(t *testing.T) {
	now := time.Now()
	expired := cscaCert(t, "CSCA VN 2015", "VN", now.AddDate(-12, 0, 0), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	valid := cscaCert(t, "CSCA VN 2022", "VN", now.AddDate(-1, 0, 0), now.AddDate(10, 0, 0))
	ending := cscaCert(t, "CSCA LA", "LA", now.AddDate(-10, 0, 0), now.AddDate(0, 0, 30))

	t.Run("expired test anchor", func(t *testing.T) {
		store := storeWith(t, true, expired)
		r := trustDoctor(t, store).Run(context.Background())
		expect(t, r, IDTrust, Warn, "1 CSCA for 1 country (VN), 1 TEST anchor, 1 expired; no valid CSCA for VN",
			`CSCA "CSCA VN 2015" (VN): expired 2020-01-01`, `TEST anchor: CSCA "CSCA VN 2015" (VN)`,
			"idagent trust import", "delete "+filepath.Join(store, "test-csca"))
		if r.ExitCode() != ExitWarn {
			t.Errorf("exit %d\n%s", r.ExitCode(), screen(r))
		}
	})
	t.Run("expired next to a valid one", func(t *testing.T) {
		expect(t, trustDoctor(t, storeWith(t, false, expired, valid)).Run(context.Background()), IDTrust, OK, "2 CSCAs for 1 country (VN), 1 expired")
	})
	t.Run("expiring", func(t *testing.T) {
		expect(t, trustDoctor(t, storeWith(t, false, valid, ending)).Run(context.Background()), IDTrust, Warn,
			"2 CSCAs for 2 countries (LA, VN); the last valid CSCA expires within 90 days for LA",
			"LA: its last valid CSCA expires "+day(now.AddDate(0, 0, 30)), "idagent trust import")
	})
	t.Run("empty", func(t *testing.T) {
		expect(t, trustDoctor(t, filepath.Join(t.TempDir(), "none")).Run(context.Background()), IDTrust, Warn,
			"holds no CSCA: every read verifies as UNKNOWN", "idagent trust import")
	})
	t.Run("file that does not load", func(t *testing.T) {
		store := storeWith(t, false, valid)
		if err := os.WriteFile(filepath.Join(store, "csca", "junk.der"), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, trustDoctor(t, store).Run(context.Background()), IDTrust, Warn, "1 file not loaded", "junk.der")
	})
	// The only Vietnamese CSCA of the public master lists signs passports:
	// real ID cards would verify as UNKNOWN, and the doctor says so.
	passport := cscaCert(t, "CSCA ePassport Vietnam", "VN", now.AddDate(-1, 0, 0), now.AddDate(10, 0, 0))
	german := cscaCert(t, "CSCA-GERMANY", "DE", now.AddDate(-1, 0, 0), now.AddDate(10, 0, 0))
	t.Run("passport CSCA only", func(t *testing.T) {
		r := trustDoctor(t, storeWith(t, false, passport, german)).Run(context.Background())
		expect(t, r, IDTrust, Warn, "no CSCA for the Vietnamese ID card (CCCD / Căn cước)",
			"real Căn cước and CCCD reads will verify as UNKNOWN", `"CSCA ePassport Vietnam", signs passports`,
			"sudo idagent trust import VN_ID_CARD_CSCA.cer")
	})
	t.Run("no Vietnamese CSCA", func(t *testing.T) {
		expect(t, trustDoctor(t, storeWith(t, false, german)).Run(context.Background()), IDTrust, Warn,
			"no CSCA for the Vietnamese ID card", "until the card CSCA is imported")
	})
	t.Run("ID card CSCA next to the passport's", func(t *testing.T) {
		expect(t, trustDoctor(t, storeWith(t, false, passport, valid)).Run(context.Background()), IDTrust, OK, "2 CSCAs for 1 country (VN)")
	})
	t.Run("not trust data", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.ml")
		if err := os.WriteFile(junk, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, trustDoctor(t, junk).Run(context.Background()), IDTrust, Fail, "does not load", `fix "trustStore"`)
	})
}
