package protocol

import (
	"context"
	"errors"
	"fmt"
)

// Code is a stable error code.
type Code string

// Error codes (docs/PROTOCOL.md §6).
const (
	BadRequest       Code = "BAD_REQUEST"
	UnknownRequest   Code = "UNKNOWN_REQUEST"
	BadState         Code = "BAD_STATE"
	Busy             Code = "BUSY"
	Timeout          Code = "TIMEOUT"
	Cancelled        Code = "CANCELLED"
	OriginNotAllowed Code = "ORIGIN_NOT_ALLOWED"
	PCSCUnavailable  Code = "PCSC_UNAVAILABLE"
	NoReader         Code = "NO_READER"
	ReaderRemoved    Code = "READER_REMOVED"
	NoCard           Code = "NO_CARD"
	CardRemoved      Code = "CARD_REMOVED"
	CardUnsupported  Code = "CARD_UNSUPPORTED"
	AccessDenied     Code = "ACCESS_DENIED"
	// ChipAuthTokenInvalid: the chip accepted the key but its own PACE or
	// BAC proof does not verify: an attack (a clone or a relay), never a
	// wrong key.
	ChipAuthTokenInvalid Code = "CHIP_AUTH_TOKEN_INVALID"
	ReadIncomplete       Code = "READ_INCOMPLETE"
	Internal             Code = "INTERNAL"
)

// AllCodes lists every code.
var AllCodes = []Code{BadRequest, UnknownRequest, BadState, Busy, Timeout, Cancelled,
	OriginNotAllowed, PCSCUnavailable, NoReader, ReaderRemoved, NoCard, CardRemoved,
	CardUnsupported, AccessDenied, ChipAuthTokenInvalid, ReadIncomplete, Internal}

// Retryable reports whether the same request may succeed later.
func (c Code) Retryable() bool {
	switch c {
	case BadRequest, UnknownRequest, BadState, OriginNotAllowed, CardUnsupported, AccessDenied, ChipAuthTokenInvalid:
		return false
	}
	return true
}

// Error is the error object of a response or of read.failed. Message never
// holds personal data.
type Error struct {
	Code      Code   `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an Error; the message must not contain personal data.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Retryable: code.Retryable()}
}

// Coded is implemented by errors that know their code. The adapters that
// know the lower layers give their errors one (agent/session for the card
// stack, agent/cardread for the read pipeline): this package knows only the
// wire.
type Coded interface {
	error
	ErrorCode() string
}

// WithCode gives err a code, keeping err itself for the log.
func WithCode(code Code, err error) error { return codedError{code: code, err: err} }

type codedError struct {
	code Code
	err  error
}

func (e codedError) Error() string     { return e.err.Error() }
func (e codedError) Unwrap() error     { return e.err }
func (e codedError) ErrorCode() string { return string(e.code) }

// HasCode reports whether err already carries a code (an *Error or a
// Coded error in its chain).
func HasCode(err error) bool {
	var pe *Error
	var coded Coded
	return errors.As(err, &pe) || errors.As(err, &coded)
}

// messages are the sentences sent for errors coded by lower layers; the
// underlying error text stays in the log.
var messages = map[Code]string{
	Timeout:              "the read timed out",
	Cancelled:            "the read was cancelled",
	PCSCUnavailable:      "the smart card service is not running",
	NoReader:             "no smart card reader is connected",
	ReaderRemoved:        "the reader was removed during the read",
	NoCard:               "no card on the reader",
	CardRemoved:          "the card was removed during the read",
	CardUnsupported:      "the card is not a supported identity document",
	AccessDenied:         "access denied: the key does not open this chip",
	ChipAuthTokenInvalid: "the chip accepted the key but failed to prove it: not a genuine chip (a clone or a relay)",
	ReadIncomplete:       "the card stopped answering before the read was complete",
	Busy:                 "the card is in use by another program",
	BadRequest:           "the access key is not valid",
	Internal:             "internal error (see the agent log)",
}

// ErrorFrom maps an error to a protocol error: an *Error as it is, a Coded
// error by its code, a context's cancellation or deadline, anything else
// INTERNAL.
func ErrorFrom(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	code := codeOf(err)
	return &Error{Code: code, Message: messages[code], Retryable: code.Retryable()}
}

func codeOf(err error) Code {
	var coded Coded
	switch {
	case errors.As(err, &coded):
		for _, c := range AllCodes {
			if string(c) == coded.ErrorCode() {
				return c
			}
		}
	case errors.Is(err, context.Canceled):
		return Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	}
	return Internal
}
