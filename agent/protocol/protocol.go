// Package protocol defines the wire format of idagent's WebSocket API v1
// (docs/PROTOCOL.md): the envelope, request and event names, payloads, and
// the stable error codes with their retryable flags.
package protocol

import "encoding/json"

// Version is the protocol version this agent speaks.
const Version = 1

// Message types.
const (
	TypeRequest  = "request"
	TypeResponse = "response"
	TypeEvent    = "event"
)

// Request names.
const (
	ReqHello       = "hello"
	ReqReadersList = "readers.list"
	ReqReadStart   = "read.start"
	ReqReadCancel  = "read.cancel"
	ReqSimInsert   = "sim.insert"
	ReqSimRemove   = "sim.remove"
)

// Event names.
const (
	EvReaderAdded   = "reader.added"
	EvReaderRemoved = "reader.removed"
	EvCardInserted  = "card.inserted"
	EvCardRemoved   = "card.removed"
	EvReadProgress  = "read.progress"
	EvReadIdentity  = "read.identity"
	EvReadPhoto     = "read.photo"
	EvReadResult    = "read.result"
	EvReadFailed    = "read.failed"
)

// Incoming is a frame from a client, decoded leniently: unknown keys are
// ignored.
type Incoming struct {
	V    *int            `json:"v"`
	Type string          `json:"type"`
	Name string          `json:"name"`
	ID   json.RawMessage `json:"id"`
	Data json.RawMessage `json:"data"`
}

// Outgoing is a frame to a client.
type Outgoing struct {
	V     int              `json:"v"`
	Type  string           `json:"type"`
	Name  string           `json:"name"`
	ID    *json.RawMessage `json:"id,omitempty"`
	Seq   uint64           `json:"seq,omitempty"`
	Data  any              `json:"data,omitempty"`
	Error *Error           `json:"error,omitempty"`
}

// NullID is the id of a response to a frame whose id could not be read.
var NullID = json.RawMessage("null")

// ReaderInfo describes a reader (no personal data).
type ReaderInfo struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"cardPresent"`
	ATR         string `json:"atr,omitempty"`
	Busy        bool   `json:"busy"`
}

// ReaderEvent is the data of reader.added and reader.removed.
type ReaderEvent struct {
	Reader string `json:"reader"`
}

// CardEvent is the data of card.inserted and card.removed.
type CardEvent struct {
	Reader string `json:"reader"`
	ATR    string `json:"atr,omitempty"`
}

// Hello is the data of the hello request.
type Hello struct {
	Versions []int  `json:"versions"`
	Client   string `json:"client"`
}

// HelloResponse answers hello.
type HelloResponse struct {
	Agent        string       `json:"agent"`
	Version      string       `json:"version"`
	Protocol     int          `json:"protocol"`
	Capabilities []string     `json:"capabilities"`
	Simulate     bool         `json:"simulate"`
	Readers      []ReaderInfo `json:"readers"`
	Trust        TrustState   `json:"trust"`
	Policy       PolicyInfo   `json:"policy"`
	// Sim lists what sim.insert accepts; only in simulate mode.
	Sim *SimInfo `json:"sim,omitempty"`
}

// SimInfo is what the simulator offers (hello in simulate mode), so that
// pages need not hard-code it.
type SimInfo struct {
	// Profiles are the profile names sim.insert accepts, the default first.
	Profiles []string `json:"profiles"`
	// Tampers are the tamper kinds; not every profile can carry each one.
	Tampers []string `json:"tampers"`
	// Cards are the simulated cards in the readers now (inserted by
	// sim.insert or --sim-card), with their TEST access data.
	Cards []SimCard `json:"cards"`
	// Quirks are the behaviours of real chips sim.insert can add.
	Quirks []string `json:"quirks"`
	// Attacks are the hostile chips sim.insert can make (a clone, a
	// relay); not every profile can carry each one.
	Attacks []string `json:"attacks"`
}

// PersonalData marks SimInfo: its cards are shaped like real data.
func (SimInfo) PersonalData() {}

// PolicyInfo tells a connection what its origin receives.
type PolicyInfo struct {
	Fields   []string `json:"fields"`
	Photo    bool     `json:"photo"`
	Evidence bool     `json:"evidence"`
}

// TrustState summarises the trust store.
type TrustState struct {
	State   string `json:"state"` // loaded, empty, test, error
	Anchors int    `json:"anchors"`
	Test    bool   `json:"test"`
}

// ReadersList answers readers.list.
type ReadersList struct {
	Readers []ReaderInfo `json:"readers"`
}

// AccessKey is the access key of read.start, in one of its forms. It is
// personal data.
type AccessKey struct {
	CAN            string `json:"can,omitempty"`
	ID12           string `json:"id12,omitempty"`
	MRZ            string `json:"mrz,omitempty"`
	DocumentNumber string `json:"documentNumber,omitempty"`
	DateOfBirth    string `json:"dateOfBirth,omitempty"`
	DateOfExpiry   string `json:"dateOfExpiry,omitempty"`
	QR             string `json:"qr,omitempty"`
}

// PersonalData marks AccessKey for the log redactor.
func (AccessKey) PersonalData() {}

// ReadStart is the data of read.start.
type ReadStart struct {
	Reader    string     `json:"reader"`
	Access    *AccessKey `json:"access"`
	Fields    []string   `json:"fields"`
	Photo     bool       `json:"photo"`
	Challenge string     `json:"challenge"`
	Evidence  bool       `json:"evidence"`
	TimeoutMs int64      `json:"timeoutMs"`
}

// ReadStarted answers read.start.
type ReadStarted struct {
	ReadID string `json:"readId"`
}

// ReadCancel is the data of read.cancel.
type ReadCancel struct {
	ReadID string `json:"readId"`
}

// Empty is an empty data object.
type Empty struct{}

// SimInsert is the data of sim.insert.
type SimInsert struct {
	Profile string   `json:"profile"`
	Tamper  string   `json:"tamper"`
	Quirks  []string `json:"quirks"`
	Attack  string   `json:"attack"`
	Seed    *int64   `json:"seed"`
	Reader  string   `json:"reader"`
}

// SimCard answers sim.insert: the access data of the inserted test card,
// with the keys of `idagent sim --json`.
type SimCard struct {
	Reader         string `json:"reader"`
	ID12           string `json:"id12"`
	CAN            string `json:"can"`
	DocumentNumber string `json:"documentNumber"`
	DateOfBirth    string `json:"dateOfBirth"`
	DateOfExpiry   string `json:"dateOfExpiry"`
	MRZ            string `json:"mrz"`
}

// PersonalData marks SimCard: generated, but shaped like real data.
func (SimCard) PersonalData() {}

// SimRemove is the data of sim.remove.
type SimRemove struct {
	Reader string `json:"reader"`
}

// Fields are identity fields by protocol name; values are strings, or nil
// for JSON null (dateOfExpiry of a card that does not expire).
type Fields map[string]any

// PersonalData marks Fields for the log redactor.
func (Fields) PersonalData() {}

// Progress is read.progress.
type Progress struct {
	ReadID  string `json:"readId"`
	Phase   string `json:"phase"`
	Percent int    `json:"percent"`
	// RetryAfterMs comes with phase throttled: when the key will be tried.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
}

// Read phases.
const (
	PhaseWaiting    = "waiting"
	PhaseThrottled  = "throttled" // the card refused wrong keys: the next try waits
	PhaseConnecting = "connecting"
	PhaseAccess     = "access"
	PhaseReading    = "reading"
	PhaseVerifying  = "verifying"
	PhasePhoto      = "photo"
	PhaseDone       = "done"
)

// Identity is read.identity.
type Identity struct {
	ReadID   string   `json:"readId"`
	Fields   Fields   `json:"fields"`
	Withheld []string `json:"withheld"`
	Checks   []Check  `json:"checks"`
}

// PersonalData marks Identity.
func (Identity) PersonalData() {}

// Photo is read.photo.
type Photo struct {
	ReadID string `json:"readId"`
	Mime   string `json:"mime"`
	Base64 string `json:"base64"`
}

// PersonalData marks Photo.
func (Photo) PersonalData() {}

// Document describes the document read and how its chip was opened.
//
// Each key is absent when the connection's field policy withholds a field
// it carries or betrays (docs/PROTOCOL.md §5).
type Document struct {
	Type         string `json:"type,omitempty"` // id-card, passport, other
	Code         string `json:"code,omitempty"`
	IssuingState string `json:"issuingState,omitempty"`
	// Access is the mechanism that opened the chip: PACE-GM, PACE-IM,
	// PACE-CAM or BAC; AccessControl has the details.
	Access        string         `json:"access,omitempty"`
	AccessControl *AccessControl `json:"accessControl,omitempty"`
	DataGroups    []string       `json:"dataGroups,omitempty"`
}

// AccessControl describes how the chip was opened. It names the kind of
// key, never the key.
type AccessControl struct {
	Mechanism string `json:"mechanism"` // PACE-GM, PACE-IM, PACE-CAM, BAC
	Password  string `json:"password"`  // the kind of key that opened it: CAN or MRZ
	// Protocol is PACE's protocol (id-PACE-ECDH-GM-AES-CBC-CMAC-128); empty for BAC.
	Protocol string `json:"protocol,omitempty"`
	Cipher   string `json:"cipher"` // secure messaging: 3DES, AES-128, AES-192, AES-256
	// Domain and ParameterID are PACE's domain parameters.
	Domain      string `json:"domain,omitempty"`
	ParameterID *int   `json:"parameterId,omitempty"`
	// Fallback is true when the chip offers PACE but was opened with BAC;
	// FallbackReason says why.
	Fallback       bool   `json:"fallback"`
	FallbackReason string `json:"fallbackReason,omitempty"`
}

// Status is the outcome of a check, or a read's verdict.
type Status string

// Statuses (docs/PROTOCOL.md, read.result).
const (
	StatusPass         Status = "PASS"
	StatusFail         Status = "FAIL"
	StatusWarn         Status = "WARN"
	StatusUnknown      Status = "UNKNOWN"
	StatusNotSupported Status = "NOT_SUPPORTED"
	StatusSkipped      Status = "SKIPPED"
)

// Check is one verification check: a name, its status, a stable reason
// code for programs and a sentence for people.
type Check struct {
	Name    string `json:"name"`
	Status  Status `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Verification is the verdict and the checks of a read.
type Verification struct {
	Overall    Status  `json:"overall"`
	TestAnchor bool    `json:"testAnchor"`
	Checks     []Check `json:"checks"`
}

// Evidence holds what a backend needs to re-verify a read itself (binary
// values in base64): the raw files for passive authentication, and active
// authentication's challenge, signature and key.
type Evidence struct {
	SOD        string            `json:"sod"`
	DataGroups map[string]string `json:"dataGroups"`
	// CardAccess is EF.CardAccess (unsigned: what the chip offers);
	// CardSecurity is EF.CardSecurity (PACE-CAM), signed like EF.SOD.
	CardAccess   string `json:"cardAccess,omitempty"`
	CardSecurity string `json:"cardSecurity,omitempty"`
	// Challenge is the 8 bytes the chip signed in active authentication
	// (read.start's challenge, or the agent's random one), and
	// ActiveAuthSignature its signature; both absent when active
	// authentication did not run.
	Challenge           string `json:"challenge,omitempty"`
	ActiveAuthSignature string `json:"activeAuthSignature,omitempty"`
	// ActiveAuthPublicKey is DG15's SubjectPublicKeyInfo (DER);
	// ActiveAuthAlgorithm and ActiveAuthHash say how the signature is
	// checked (from DG15, and DG14's ActiveAuthenticationInfo for ECDSA).
	ActiveAuthPublicKey string `json:"activeAuthPublicKey,omitempty"`
	ActiveAuthAlgorithm string `json:"activeAuthAlgorithm,omitempty"`
	ActiveAuthHash      string `json:"activeAuthHash,omitempty"`
	// Desk is what only the desk observed (how it opened the chip, how
	// chip authentication went, the files the chip refused), as
	// emrtd/verify encodes it (verify.Desk); a backend counts it only
	// where it lowers the verdict.
	Desk json.RawMessage `json:"desk,omitempty"`
}

// PersonalData marks Evidence.
func (Evidence) PersonalData() {}

// Result is read.result.
type Result struct {
	ReadID       string       `json:"readId"`
	Document     Document     `json:"document"`
	Fields       Fields       `json:"fields"`
	Withheld     []string     `json:"withheld"`
	Verification Verification `json:"verification"`
	Evidence     *Evidence    `json:"evidence,omitempty"`
}

// PersonalData marks Result.
func (Result) PersonalData() {}

// Failed is read.failed.
type Failed struct {
	ReadID string `json:"readId"`
	Error  *Error `json:"error"`
}

// Health is the answer of GET /v1/health.
type Health struct {
	Agent    string       `json:"agent"`
	Version  string       `json:"version"`
	Protocol []int        `json:"protocol"`
	Simulate bool         `json:"simulate"`
	PCSC     string       `json:"pcsc"` // ok, unavailable
	Readers  []ReaderInfo `json:"readers"`
	Trust    TrustState   `json:"trust"`
}

// ErrorBody is the JSON body of refused HTTP requests.
type ErrorBody struct {
	Error *Error `json:"error"`
}
