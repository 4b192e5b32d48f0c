package logging_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/idagent/idagent/agent/logging"
	"github.com/idagent/idagent/agent/logging/logtest"
)

// identity is a personal-data type as the emrtd packages declare them.
type identity struct {
	IDNumber string
	FullName string
	Birth    time.Time
	Photo    []byte
}

func (identity) PersonalData() {}
func (i identity) String() string {
	return i.IDNumber + " " + i.FullName
}
func (i identity) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("idNumber", i.IDNumber)
	enc.AddString("fullName", i.FullName)
	return nil
}

// plain is a type that is neither Personal nor Safe.
type plain struct{ Name, Number string }

func (p plain) String() string { return p.Name }
func (p plain) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", p.Name)
	return nil
}

type names []string

func (n names) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, s := range n {
		enc.AppendString(s)
	}
	return nil
}

// personalError carries an identity, as an error type of a parser might; it
// is marked Personal, so it is redacted even when wrapped.
type personalError struct{ id identity }

func (e personalError) Error() string { return "bad value " + e.id.FullName }
func (personalError) PersonalData()   {}

// safeState is a Safe type: it may be logged as an object.
type safeState struct{ Reader string }

func (safeState) LogSafe() {}
func (s safeState) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("reader", s.Reader)
	return nil
}

const (
	idNumber = "079201012345"
	can      = "012345"
	docNo    = "201012345"
	fullName = "Nguyễn Văn Anh"
	religion = "Phật giáo"
	mrzLine  = "IDVNM2010123454079201012345<<8"
	mrzName  = "NGUYEN<<VAN<ANH"
)

var (
	birth = time.Date(1992, 3, 4, 0, 0, 0, 0, time.UTC)
	photo = []byte("\xff\xd8\xff\xe0JFIF-face-of-nguyen")
	who   = identity{IDNumber: idNumber, FullName: fullName, Birth: birth, Photo: photo}
)

// secrets are the substrings that must never appear in any log output.
var secrets = []string{idNumber, can, docNo, fullName, "Nguyễn", "Anh", religion, mrzLine, mrzName,
	"NGUYEN", "1992-03-04", "19920304", "920304", "04/03/1992", "JFIF", "face-of-nguyen",
	"/9j/", // base64 of the JPEG marker
}

// everyField logs the identity through every kind of zap field.
func everyField() []zap.Field {
	intID := int64(79201012345)
	return []zap.Field{
		zap.String("idNumber", idNumber),
		zap.String("fullName", fullName),
		zap.String("can", can),
		zap.String("mrz", mrzLine),
		zap.String("religion", religion),
		zap.Strings("names", []string{fullName, mrzName}),
		zap.Strings("reader", []string{mrzName, idNumber}), // allowed key, masked content
		zap.ByteString("mrzBytes", []byte(mrzLine)),
		zap.Binary("dg2", photo),
		zap.Binary("reader", photo),
		zap.Any("identity", who),
		zap.Any("identityPtr", &who),
		zap.Any("identities", []identity{who}),
		zap.Any("plain", plain{Name: fullName, Number: idNumber}),
		zap.Any("map", map[string]string{"name": fullName}),
		zap.Any("anyString", fullName),
		zap.Any("anyBytes", photo),
		zap.Reflect("reflect", plain{Name: fullName}),
		zap.Stringer("stringer", who),
		zap.Stringer("reader", who), // Personal beats an allowed key
		zap.Stringer("plainStringer", plain{Name: fullName}),
		zap.Object("object", who),
		zap.Object("plainObject", plain{Name: fullName}),
		zap.Inline(plain{Name: fullName}),
		zap.Array("array", names{fullName}),
		zap.Dict("dict", zap.String("fullName", fullName)),
		zap.Error(personalError{id: who}),
		zap.NamedError("wrapped", fmt.Errorf("read: %w", personalError{id: who})),
		zap.NamedError("digits", fmt.Errorf("document %s rejected", idNumber)),
		zap.Int64("idInt", intID),
		zap.Uint64("idUint", uint64(intID)),
		zap.Int("canInt", 12345+0*100000), // below the threshold: a count, allowed
		zap.Float64("idFloat", float64(intID)),
		zap.Time("dateOfBirth", birth),
		zap.Duration("age", 34*365*24*time.Hour),
		zap.Namespace("ns"),
		zap.String("placeOfResidence", "12 Lý Thường Kiệt, Hà Nội"),
		zap.String("reader", "reader "+idNumber), // allowed key: digits masked
		zap.String("phase", mrzName),             // allowed key: MRZ refused
	}
}

func TestNothingPersonalAtAnyLevel(t *testing.T) {
	log, out := logtest.New()
	log = log.With(zap.String("fullName", fullName), zap.Any("who", who)).Named("test")
	for _, lvl := range []zapcore.Level{zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel, zapcore.DPanicLevel} {
		log.Log(lvl, "read finished for document "+idNumber, everyField()...)
	}
	log.Info("plain", zap.String("reader", "ACS ACR122U PICC Interface 00 00"), zap.String("readId", "rd-kqzmw"),
		zap.String("atr", "3b8e800180318066b1840c016e0183009000ce"))
	log.Info("atr misused", zap.String("atr", idNumber))
	if len(out.Lines()) < 12 {
		t.Fatalf("expected a JSON and a console line per call, got %d lines", len(out.Lines()))
	}
	for _, s := range secrets {
		if out.Contains(s) {
			t.Errorf("log output contains personal value %q", s)
		}
	}
	// What must still be useful.
	for _, s := range []string{"ACS ACR122U PICC Interface 00 00", "rd-kqzmw", "3b8e800180318066b1840c016e0183009000ce", "[redacted: 23 bytes]", "12345", logging.Redacted} {
		if !out.Contains(s) {
			t.Errorf("log output lacks %q", s)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

func TestSafeTypesPrinted(t *testing.T) {
	log, out := logtest.New()
	log.Info("state", zap.Object("state", safeState{Reader: "Virtual PCD 00 00"}), zap.Bool("present", true))
	if !out.Contains("Virtual PCD 00 00") || !out.Contains(`"present":true`) {
		t.Fatal(out.String())
	}
}

func TestExtraSafeKeys(t *testing.T) {
	log, out := logtest.New("widget")
	log.Info("x", zap.String("widget", "blue"), zap.String("gadget", "crimson"))
	if !out.Contains("blue") || out.Contains("crimson") {
		t.Fatal(out.String())
	}
}

func TestNewWritesRotatingJSONFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "logs", "idagent.log")
	var console strings.Builder
	log, err := logging.New(logging.Options{Level: "debug", Console: &console, File: file})
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hello", zap.String("reader", "R1"), zap.String("fullName", fullName))
	_ = log.Sync()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []string{string(b), console.String()} {
		if !strings.Contains(got, "hello") || !strings.Contains(got, "R1") || strings.Contains(got, fullName) {
			t.Fatalf("unexpected log output %q", got)
		}
	}
	if !strings.HasPrefix(string(b), "{") {
		t.Fatalf("file is not JSON lines: %q", b)
	}
}

func TestLevels(t *testing.T) {
	var console strings.Builder
	log, err := logging.New(logging.Options{Level: "warn", Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("quiet")
	log.Warn("loud")
	if strings.Contains(console.String(), "quiet") || !strings.Contains(console.String(), "loud") {
		t.Fatal(console.String())
	}
	if _, err := logging.New(logging.Options{Level: "chatty"}); err == nil || !strings.Contains(err.Error(), "chatty") {
		t.Fatalf("bad level accepted: %v", err)
	}
}

func TestErrorsIsStillUsable(t *testing.T) {
	// The redactor rewrites error fields as strings; the message stays.
	log, out := logtest.New()
	log.Warn("read failed", zap.Error(errors.New("select DG13: card removed")))
	if !out.Contains("select DG13: card removed") {
		t.Fatal(out.String())
	}
}
