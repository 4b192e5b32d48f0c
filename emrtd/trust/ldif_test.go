package trust

import (
	"encoding/base64"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idagent/idagent/emrtd/cert"
	"github.com/idagent/idagent/emrtd/cms"
)

// ldifEntry writes one entry the way LDIF folds long lines (76 columns,
// continuation lines start with a space).
func ldifEntry(dn, attr string, value []byte) string {
	line := attr + ":: " + base64.StdEncoding.EncodeToString(value)
	var sb strings.Builder
	sb.WriteString("dn: " + dn + "\n")
	for len(line) > 76 {
		sb.WriteString(line[:76] + "\n ")
		line = line[76:]
	}
	sb.WriteString(line + "\nobjectClass: top\n\n")
	return sb.String()
}

func TestImportLDIF(t *testing.T) {
	root := newCA(t, "VN", "CSCA VN ldif", time.Now().AddDate(3, 0, 0))
	ml, err := cms.Sign(cms.OIDCSCAMasterList, cms.MarshalMasterList([]*cert.Certificate{root.cert}), root.cert, root.key, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := cert.CreateCRL(root.cert, root.key, []cert.RevokedCertificate{{Serial: big.NewInt(9), RevocationTime: time.Now()}}, time.Now(), time.Now().AddDate(0, 1, 0), big.NewInt(1), 0)
	other := newCA(t, "LA", "CSCA LA", time.Now().AddDate(1, 0, 0))
	otherCRL, _ := cert.CreateCRL(other.cert, other.key, nil, time.Now(), time.Now().AddDate(0, 1, 0), big.NewInt(1), 0)
	text := "version: 1\n\n# ICAO PKD style\n" +
		ldifEntry("cn=ml,o=ml,c=VN,dc=data", "pkdMasterListContent", ml) +
		ldifEntry("cn=crl,o=crl,c=VN,dc=data", "certificateRevocationList;binary", crl) +
		ldifEntry("cn=crl,o=crl,c=LA,dc=data", "certificateRevocationList;binary", otherCRL) +
		"dn: cn=x,dc=data\ndescription: ignored\n"
	path := filepath.Join(t.TempDir(), "icaopkd-002-ml.ldif")
	os.WriteFile(path, []byte(text), 0o644)
	dir := filepath.Join(t.TempDir(), "store")
	s, _ := Open(dir)
	res, err := s.Import(path, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || len(res.Skipped) != 1 || !strings.Contains(res.Kind, "1 master list") || !strings.Contains(res.Kind, "1 CRL") {
		t.Fatalf("%+v", res)
	}
	s2, _ := Open(dir)
	if anchors, _ := s2.Len(); anchors != 1 || len(s2.AllCRLs()) != 1 {
		t.Fatalf("reopened: %d anchors, %d CRLs", anchors, len(s2.AllCRLs()))
	}
	// Bad base64 is an error, not a panic.
	bad := filepath.Join(t.TempDir(), "bad.ldif")
	os.WriteFile(bad, []byte("dn: x\npkdMasterListContent:: !!!\n"), 0o644)
	if _, err := New().Import(bad, ImportOptions{}); err == nil {
		t.Error("bad base64 accepted")
	}
}

// FuzzReadLDIF reads arbitrary LDIF text.
func FuzzReadLDIF(f *testing.F) {
	f.Add("version: 1\n\n" + ldifEntry("cn=a", "userCertificate;binary", []byte{0x30, 0x00}))
	f.Add("dn: x\npkdMasterListContent:: AAAA\n AAAA\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = readLDIF(strings.NewReader(s), func(attr string, value []byte) error {
			if len(value) > maxLDIFValue {
				t.Fatalf("value of %d bytes", len(value))
			}
			return nil
		})
	})
}
