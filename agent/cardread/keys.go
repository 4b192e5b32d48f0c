package cardread

import (
	"errors"
	"fmt"
	"time"

	"github.com/idagent/idagent/agent/protocol"
	"github.com/idagent/idagent/emrtd/access"
	"github.com/idagent/idagent/emrtd/cccd"
)

// Keys turns the access key of read.start into the keys the pipeline
// tries, in order. Errors name the key form, never its value.
func Keys(k protocol.AccessKey, now time.Time) ([]access.Key, error) {
	switch {
	case k.CAN != "":
		can, err := access.NewCAN(k.CAN)
		if err != nil {
			return nil, fmt.Errorf("can: %w", err)
		}
		return []access.Key{can}, nil
	case k.ID12 != "":
		can, err := cccd.CAN(k.ID12)
		if err != nil {
			return nil, fmt.Errorf("id12: %w", err)
		}
		return []access.Key{can}, nil
	case k.MRZ != "":
		key, err := access.ParseMRZ(k.MRZ)
		if err != nil {
			return nil, fmt.Errorf("mrz: %w", err)
		}
		return []access.Key{key}, nil
	case k.QR != "":
		return qrKeys(k.QR, now)
	case k.DocumentNumber != "":
		key, err := access.NewMRZKey(k.DocumentNumber, k.DateOfBirth, k.DateOfExpiry)
		if err != nil {
			return nil, fmt.Errorf("documentNumber, dateOfBirth, dateOfExpiry: %w", err)
		}
		return []access.Key{key}, nil
	}
	return nil, errors.New("no access key")
}

// qrKeys: the QR code gives the ID12 (CAN for PACE, document number for
// BAC) and the birth date; the expiry follows from the 25/40/60 rule, so
// BAC gets every candidate, PACE the CAN first.
func qrKeys(payload string, now time.Time) ([]access.Key, error) {
	q, err := cccd.ParseQR(payload)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	var keys []access.Key
	if can, err := q.CAN(); err == nil {
		keys = append(keys, can)
	}
	mrzKeys, err := q.MRZKeys(now)
	for _, k := range mrzKeys {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return keys, nil
}

// CheckKey validates an access key before a read starts (api.Options
// CheckKey).
func CheckKey(k protocol.AccessKey) error {
	forms := 0
	for _, set := range []bool{k.CAN != "", k.ID12 != "", k.MRZ != "", k.QR != "",
		k.DocumentNumber != "" || k.DateOfBirth != "" || k.DateOfExpiry != ""} {
		if set {
			forms++
		}
	}
	switch {
	case forms == 0:
		return errors.New("give one of can, id12, mrz, qr or documentNumber+dateOfBirth+dateOfExpiry")
	case forms > 1:
		return errors.New("give only one key form")
	}
	_, err := Keys(k, time.Now())
	return err
}
