package keyagree

import (
	"math/big"
	"sync"

	"github.com/idagent/idagent/emrtd/dh"
	"github.com/idagent/idagent/emrtd/ec"
)

// Toy domain parameters: a 16-bit curve of prime order (y² = x³ + x + 35
// over GF(65521), order 65761) and a 64-bit MODP group (a safe prime),
// valid but trivially weak. The simulator's
// toy-parameters attack lists them in EF.CardAccess, tests check that
// PACE refuses them; nothing else may use them.
var toy struct {
	once  sync.Once
	curve *ec.Curve
	group *dh.Group
}

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("keyagree: bad constant " + s)
	}
	return v
}

func initToy() {
	var err error
	toy.curve, err = ec.NewCurve(ec.Params{P: big.NewInt(65521), A: big.NewInt(1), B: big.NewInt(35),
		Gx: big.NewInt(0), Gy: big.NewInt(42894), N: big.NewInt(65761), H: big.NewInt(1)})
	if err != nil {
		panic("keyagree: toy curve: " + err.Error())
	}
	toy.group, err = dh.NewGroup(hexInt("84AF52B3F5D9850F"), big.NewInt(4), hexInt("4257A959FAECC287"))
	if err != nil {
		panic("keyagree: toy group: " + err.Error())
	}
}

// ToyCurve is a 16-bit elliptic curve domain (see toy).
func ToyCurve() Domain {
	toy.once.Do(initToy)
	return Domain{Curve: toy.curve}
}

// ToyGroup is a 64-bit MODP group domain (see toy).
func ToyGroup() Domain {
	toy.once.Do(initToy)
	return Domain{Group: toy.group}
}
