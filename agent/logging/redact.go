package logging

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode"

	"go.uber.org/zap/zapcore"
)

// Personal marks a type whose values carry personal data (names, ID numbers,
// access keys, dates of birth, photos, raw data groups). Values of such types
// are never printed, whatever field constructor logged them and whatever
// their key: the redacting core replaces them with a placeholder. Implement it
// on every type that holds identity data, with an empty method:
//
//	func (Identity) PersonalData() {}
type Personal interface{ PersonalData() }

// Safe marks a type that may be logged as an object, array, Stringer or
// reflected value: it holds no personal data by construction (a reader
// state, a check result without values). Everything else logged through
// zap.Any, zap.Reflect, zap.Object, zap.Array, zap.Inline or zap.Stringer
// under an unknown key is redacted.
type Safe interface{ LogSafe() }

// Redacted is what replaces a value the core refuses to print.
const Redacted = "[redacted]"

// digitRun is the length of a run of decimal digits that is masked inside
// allowed strings and error messages: a CAN has 6 digits, a birth date
// YYMMDD 6, a document number 9, an ID number 12.
const digitRun = 6

// bigNumber: integers of 6 digits or more under unknown keys may be an ID
// number, a CAN or a date written as a number.
const bigNumber = 100000

// defaultSafeKeys are field keys whose string, time and large-number values
// describe the system, not a person. A key missing here is not a leak: its
// string value is redacted (fail closed).
var defaultSafeKeys = []string{
	"addr", "algorithm", "alg", "atr", "attempt", "backoff", "bytes", "check",
	"checks", "cipher", "code", "component", "config", "conn", "conns",
	"connections", "count", "curve", "deadline", "dg", "dir", "elapsed", "event",
	"fid", "file", "goarch", "goos", "host", "ins", "kind", "len", "length",
	"level", "limit", "listen", "method", "mime", "mode", "n", "oid", "op",
	"origin", "origins", "overall", "path", "percent", "phase", "pid", "port", "process",
	"profile", "protocol", "queue", "readId", "reader", "readers", "reason",
	"remote", "request", "response", "retryable", "rss", "sfi", "since", "size",
	"stacktrace", "state", "status", "store", "sw", "tag", "tamper", "took",
	"trust", "type", "url", "version",
}

// hexKeys hold hex dumps of non-personal identifiers (a card's ATR names
// its type). Their digit runs are not masked when the value is hex with at
// least one letter: an ID number (all digits) still is.
var hexKeys = map[string]bool{"atr": true}

func isHexWithLetter(s string) bool {
	letter := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			letter = true
		default:
			return false
		}
	}
	return letter
}

// redactor decides, field by field, what may be printed.
type redactor struct {
	safeKeys map[string]bool
}

func newRedactor(extra []string) *redactor {
	r := &redactor{safeKeys: map[string]bool{}}
	for _, k := range defaultSafeKeys {
		r.safeKeys[k] = true
	}
	for _, k := range extra {
		r.safeKeys[k] = true
	}
	return r
}

// fields returns a filtered copy of fs.
func (r *redactor) fields(fs []zapcore.Field) []zapcore.Field {
	out := make([]zapcore.Field, len(fs))
	for i, f := range fs {
		out[i] = r.field(f)
	}
	return out
}

func redactedField(key string) zapcore.Field {
	return zapcore.Field{Key: key, Type: zapcore.StringType, String: Redacted}
}

func stringField(key, val string) zapcore.Field {
	return zapcore.Field{Key: key, Type: zapcore.StringType, String: val}
}

// field applies the policy to one field: it is printed as it is, masked,
// or replaced with Redacted.
func (r *redactor) field(f zapcore.Field) zapcore.Field {
	if isPersonal(f.Interface) {
		return redactedField(f.Key)
	}
	safeKey := r.safeKeys[f.Key]
	switch f.Type {
	case zapcore.BoolType, zapcore.DurationType, zapcore.NamespaceType, zapcore.SkipType:
		return f
	case zapcore.ErrorType:
		return r.errorField(f)
	case zapcore.BinaryType, zapcore.ByteStringType:
		return stringField(f.Key, fmt.Sprintf("[redacted: %d bytes]", binaryLen(f.Interface)))
	}
	if small, isNumber := smallNumber(f); isNumber {
		if small || safeKey {
			return f
		}
		return redactedField(f.Key)
	}
	if out, shown := textField(f, safeKey); shown {
		return out
	}
	if out, shown := valueField(f, safeKey); shown {
		return out
	}
	return redactedField(f.Key)
}

// smallNumber reports whether a numeric field is below bigNumber in
// magnitude (a count or a size, not an ID number); isNumber is false for
// a field of another type.
func smallNumber(f zapcore.Field) (small, isNumber bool) {
	switch f.Type {
	case zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type:
		return absInt(f.Integer) < bigNumber, true
	case zapcore.Uint64Type, zapcore.Uint32Type, zapcore.Uint16Type, zapcore.Uint8Type, zapcore.UintptrType:
		return uint64(f.Integer) < bigNumber, true
	case zapcore.Float64Type:
		return math.Abs(math.Float64frombits(uint64(f.Integer))) < bigNumber, true
	case zapcore.Float32Type:
		return math.Abs(float64(math.Float32frombits(uint32(f.Integer)))) < bigNumber, true
	}
	return false, false
}

// textField is what a string, time or Stringer field shows: an ATR as it
// is, a Safe Stringer as it is, under a safe key the text with its digit
// runs masked (a time as it is); shown is false when it must be redacted.
func textField(f zapcore.Field, safeKey bool) (out zapcore.Field, shown bool) {
	switch f.Type {
	case zapcore.StringType:
		if hexKeys[f.Key] && isHexWithLetter(f.String) {
			return f, true // an ATR: hex of a card type, not a number to mask
		}
		if safeKey {
			return stringField(f.Key, maskString(f.String)), true
		}
	case zapcore.TimeType, zapcore.TimeFullType:
		return f, safeKey
	case zapcore.StringerType:
		if isSafe(f.Interface) {
			return f, true
		}
		if s, ok := f.Interface.(fmt.Stringer); ok && safeKey {
			return stringField(f.Key, maskString(safeStringer(s))), true
		}
	}
	return zapcore.Field{}, false
}

// valueField is what an array, object or reflected field shows: a Safe
// value as it is, under a safe key an array with its elements masked;
// shown is false when it must be redacted.
func valueField(f zapcore.Field, safeKey bool) (out zapcore.Field, shown bool) {
	switch f.Type {
	case zapcore.ArrayMarshalerType:
		if isSafe(f.Interface) {
			return f, true
		}
		if a, ok := f.Interface.(zapcore.ArrayMarshaler); ok && safeKey {
			return zapcore.Field{Key: f.Key, Type: zapcore.ArrayMarshalerType, Interface: maskedArray{a}}, true
		}
	case zapcore.ObjectMarshalerType, zapcore.InlineMarshalerType, zapcore.ReflectType:
		return f, isSafe(f.Interface)
	}
	return zapcore.Field{}, false
}

// errorField prints an error's message with digit runs masked, and nothing
// of an error that wraps a personal value. Verbose forms (stack dumps of
// wrapped values) are dropped.
func (r *redactor) errorField(f zapcore.Field) zapcore.Field {
	err, ok := f.Interface.(error)
	if !ok || err == nil {
		return redactedField(f.Key)
	}
	var p Personal
	if errors.As(err, &p) {
		return redactedField(f.Key)
	}
	return stringField(f.Key, maskString(safeError(err)))
}

// safeError calls Error, which may panic on a nil receiver.
func safeError(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = "<error message unavailable>"
		}
	}()
	return err.Error()
}

func safeStringer(v fmt.Stringer) (s string) {
	defer func() {
		if recover() != nil {
			s = Redacted
		}
	}()
	return v.String()
}

func isPersonal(v any) bool {
	if v == nil {
		return false
	}
	if _, ok := v.(Personal); ok {
		return true
	}
	// A pointer to, or slice of, personal values is personal too.
	t := reflect.TypeOf(v)
	personal := reflect.TypeFor[Personal]()
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
		if t.Implements(personal) || reflect.PointerTo(t).Implements(personal) {
			return true
		}
	}
	return false
}

func isSafe(v any) bool {
	if v == nil || isPersonal(v) {
		return false
	}
	_, ok := v.(Safe)
	return ok
}

func binaryLen(v any) int {
	if b, ok := v.([]byte); ok {
		return len(b)
	}
	return 0
}

func absInt(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// maskString masks runs of digitRun or more digits and refuses text that
// looks like an MRZ (filler characters), so that an allowed key holding an
// unexpected value still leaks no number or MRZ.
func maskString(s string) string {
	if strings.Contains(s, "<<") {
		return Redacted
	}
	if !hasDigitRun(s) {
		return s
	}
	var b strings.Builder
	run := 0
	flush := func(digits string) {
		if len(digits) >= digitRun {
			b.WriteString("[redacted]")
		} else {
			b.WriteString(digits)
		}
	}
	start := 0
	for i, c := range s {
		if unicode.IsDigit(c) {
			if run == 0 {
				start = i
			}
			run++
			continue
		}
		if run > 0 {
			flush(s[start:i])
			run = 0
		}
		b.WriteRune(c)
	}
	if run > 0 {
		flush(s[start:])
	}
	return b.String()
}

func hasDigitRun(s string) bool {
	run := 0
	for _, c := range s {
		if unicode.IsDigit(c) {
			run++
			if run >= digitRun {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// maskedArray re-encodes an array under an allowed key through maskingArray.
type maskedArray struct{ inner zapcore.ArrayMarshaler }

func (m maskedArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	return m.inner.MarshalLogArray(maskingArray{enc})
}

// maskingArray applies the string and number rules to array elements and
// refuses nested values it cannot inspect.
type maskingArray struct{ zapcore.ArrayEncoder }

func (m maskingArray) AppendString(s string)       { m.ArrayEncoder.AppendString(maskString(s)) }
func (m maskingArray) AppendByteString(b []byte)   { m.ArrayEncoder.AppendString(Redacted) }
func (m maskingArray) AppendTime(time.Time)        { m.ArrayEncoder.AppendString(Redacted) }
func (m maskingArray) AppendComplex128(complex128) { m.ArrayEncoder.AppendString(Redacted) }
func (m maskingArray) AppendComplex64(complex64)   { m.ArrayEncoder.AppendString(Redacted) }
func (m maskingArray) AppendReflected(v any) error { m.ArrayEncoder.AppendString(Redacted); return nil }
func (m maskingArray) AppendInt64(i int64)         { m.appendInt(i) }
func (m maskingArray) AppendInt(i int)             { m.appendInt(int64(i)) }
func (m maskingArray) AppendInt32(i int32)         { m.appendInt(int64(i)) }
func (m maskingArray) AppendInt16(i int16)         { m.appendInt(int64(i)) }
func (m maskingArray) AppendInt8(i int8)           { m.appendInt(int64(i)) }
func (m maskingArray) AppendUint64(i uint64)       { m.appendUint(i) }
func (m maskingArray) AppendUint(i uint)           { m.appendUint(uint64(i)) }
func (m maskingArray) AppendUint32(i uint32)       { m.appendUint(uint64(i)) }
func (m maskingArray) AppendUint16(i uint16)       { m.appendUint(uint64(i)) }
func (m maskingArray) AppendUint8(i uint8)         { m.appendUint(uint64(i)) }
func (m maskingArray) AppendUintptr(i uintptr)     { m.appendUint(uint64(i)) }
func (m maskingArray) AppendFloat64(f float64)     { m.appendFloat(f) }
func (m maskingArray) AppendFloat32(f float32)     { m.appendFloat(float64(f)) }
func (m maskingArray) AppendArray(a zapcore.ArrayMarshaler) error {
	if isSafe(a) {
		return m.ArrayEncoder.AppendArray(a)
	}
	return m.ArrayEncoder.AppendArray(maskedArray{a})
}
func (m maskingArray) AppendObject(o zapcore.ObjectMarshaler) error {
	if isSafe(o) {
		return m.ArrayEncoder.AppendObject(o)
	}
	m.ArrayEncoder.AppendString(Redacted)
	return nil
}

func (m maskingArray) appendInt(i int64) {
	if absInt(i) >= bigNumber {
		m.ArrayEncoder.AppendString(Redacted)
		return
	}
	m.ArrayEncoder.AppendInt64(i)
}

func (m maskingArray) appendUint(i uint64) {
	if i >= bigNumber {
		m.ArrayEncoder.AppendString(Redacted)
		return
	}
	m.ArrayEncoder.AppendUint64(i)
}

func (m maskingArray) appendFloat(f float64) {
	if math.Abs(f) >= bigNumber {
		m.ArrayEncoder.AppendString(Redacted)
		return
	}
	m.ArrayEncoder.AppendFloat64(f)
}

// redactingCore wraps a Core and filters every field, including those added
// with With, and masks digit runs in the entry's message.
type redactingCore struct {
	inner zapcore.Core
	r     *redactor
}

// NewRedactingCore wraps inner so that nothing it writes can carry personal
// data; extraSafeKeys adds keys whose string values may be printed.
func NewRedactingCore(inner zapcore.Core, extraSafeKeys ...string) zapcore.Core {
	return &redactingCore{inner: inner, r: newRedactor(extraSafeKeys)}
}

func (c *redactingCore) Enabled(l zapcore.Level) bool { return c.inner.Enabled(l) }

func (c *redactingCore) With(fs []zapcore.Field) zapcore.Core {
	return &redactingCore{inner: c.inner.With(c.r.fields(fs)), r: c.r}
}

func (c *redactingCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *redactingCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	e.Message = maskString(e.Message)
	return c.inner.Write(e, c.r.fields(fs))
}

func (c *redactingCore) Sync() error { return c.inner.Sync() }
