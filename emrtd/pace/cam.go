package pace

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/idagent/idagent/emrtd/ec"
	"github.com/idagent/idagent/emrtd/keyagree"
	"github.com/idagent/idagent/emrtd/lds"
)

// ErrChipAuthentication is wrapped when the chip authentication mapping
// data do not prove possession of the chip's static key: the chip is not
// the one EF.CardSecurity describes (a clone), or the data are malformed.
var ErrChipAuthentication = errors.New("pace: chip authentication mapping failed")

// CAM is what PACE with Chip Authentication Mapping leaves for the caller
// to finish once passive authentication has verified EF.CardSecurity: the
// chip's mapping public key PK_Map,IC and the decrypted chip authentication
// data CA_IC (§4.4.3.5.2). It holds no secret.
type CAM struct {
	// Domain is the static domain parameters (a curve).
	Domain keyagree.Domain
	// MappingPublicKey is PK_Map,IC, the chip's key of the mapping step.
	MappingPublicKey []byte
	// Data is CA_IC = SK_IC⁻¹·SK_Map,IC mod n.
	Data []byte
}

// Verify checks the chip authentication data against the chip's static
// public key as EF.CardSecurity's ChipAuthenticationPublicKeyInfo carries
// it: KA(CA_IC, PK_IC) must be PK_Map,IC. Call it only with a key whose
// file passed passive authentication. A mismatch (a cloned chip) wraps
// ErrChipAuthentication.
func (c *CAM) Verify(pk *lds.PublicKey) error {
	d, err := keyagree.DomainOfKey(pk)
	if err != nil {
		return fmt.Errorf("%w: chip authentication public key: %v", ErrChipAuthentication, err)
	}
	if d.Curve == nil || c.Domain.Curve == nil || !d.Curve.SameParams(c.Domain.Curve) {
		return fmt.Errorf("%w: the chip authentication key is on %s, PACE ran on %s", ErrChipAuthentication, d, c.Domain)
	}
	return c.VerifyPoint(pk.Key)
}

// VerifyPoint is Verify with the static public key given as an encoded
// point on the PACE curve.
func (c *CAM) VerifyPoint(point []byte) error {
	curve := c.Domain.Curve
	if curve == nil {
		return fmt.Errorf("%w: no curve", ErrChipAuthentication)
	}
	pk, err := curve.Unmarshal(point)
	if err != nil {
		return fmt.Errorf("%w: chip authentication public key: %v", ErrChipAuthentication, err)
	}
	mapping, err := curve.Unmarshal(c.MappingPublicKey)
	if err != nil {
		return fmt.Errorf("%w: mapping public key: %v", ErrChipAuthentication, err)
	}
	ca := new(big.Int).SetBytes(c.Data)
	if len(c.Data) > curve.OrderByteLen() || ca.Sign() == 0 || ca.Cmp(curve.N()) >= 0 {
		return fmt.Errorf("%w: chip authentication data of %d bytes out of range", ErrChipAuthentication, len(c.Data))
	}
	if !curve.ScalarMult(pk, c.Data).Equal(mapping) {
		return fmt.Errorf("%w: the chip does not hold the private key of EF.CardSecurity", ErrChipAuthentication)
	}
	return nil
}

// camData is the chip's CA_IC = SK_IC⁻¹·SK_Map,IC mod n, encoded in the
// length of the order (FE2OS). Chip side only (the simulator): it uses
// math/big, which is not constant-time; a reader never computes it.
func camData(static, mapping *ec.PrivateKey) ([]byte, error) {
	n := static.Curve.N()
	inv := new(big.Int).ModInverse(static.D, n)
	if inv == nil {
		return nil, errors.New("pace: chip authentication key not invertible")
	}
	ca := inv.Mul(inv, mapping.D)
	ca.Mod(ca, n)
	return ca.FillBytes(make([]byte, static.Curve.OrderByteLen())), nil
}
