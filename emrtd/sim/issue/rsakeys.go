package issue

import (
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"math/big"
)

// rsaBits is the size of the simulator's RSA active authentication keys:
// 1024 bits, as on the passports that still sign with RSA (and a
// signature that fits a short APDU under secure messaging).
const rsaBits = 1024

// rsaPrimes are committed 512-bit primes (top two bits set, p mod 65537 ≠
// 1, so every pair makes a 1024-bit modulus with e = 65537). Generating
// RSA keys takes far too long for sim.New; instead a seed picks a pair
// from this pool, so keys are instant and deterministic, with 120
// different moduli. Regenerate with
// IDAGENT_REGEN_RSAPRIMES=1 go test -run TestRegenerateRSAPrimes ./emrtd/sim/issue.
var rsaPool = func() []*big.Int {
	out := make([]*big.Int, len(rsaPrimes))
	for i, h := range rsaPrimes {
		p, ok := new(big.Int).SetString(h, 16)
		if !ok {
			panic("issue: bad committed RSA prime")
		}
		out[i] = p
	}
	return out
}()

// rsaPairs is the number of distinct pairs of the pool.
func rsaPairs() int { return len(rsaPool) * (len(rsaPool) - 1) / 2 }

// rsaPair returns the primes of pair index k (0 ≤ k < rsaPairs()).
func rsaPair(k int) (*big.Int, *big.Int) {
	n := len(rsaPool)
	for i := range n {
		if k < n-1-i {
			return rsaPool[i], rsaPool[i+1+k]
		}
		k -= n - 1 - i
	}
	panic("issue: RSA pair index out of range")
}

// ChipRSAKey returns the chip's RSA key for a seed: a pair of committed
// primes the seed picks. clone picks another pair, so a clone's key always
// differs from the original's.
func ChipRSAKey(seed uint64, clone bool) (*rsa.PrivateKey, error) {
	pairs := uint64(rsaPairs())
	k := binary.BigEndian.Uint64(keyStream(seed, "aa-rsa", 8)) % pairs
	if clone {
		k = (k + 1 + binary.BigEndian.Uint64(keyStream(seed, "aa-rsa-clone", 8))%(pairs-1)) % pairs
	}
	p, q := rsaPair(int(k))
	return rsaKeyOf(p, q)
}

func rsaKeyOf(p, q *big.Int) (*rsa.PrivateKey, error) {
	one := big.NewInt(1)
	e := big.NewInt(65537)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	d := new(big.Int).ModInverse(e, phi)
	if d == nil {
		return nil, fmt.Errorf("derive RSA key: e not invertible")
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: int(e.Int64())},
		D:         d,
		Primes:    []*big.Int{new(big.Int).Set(p), new(big.Int).Set(q)},
	}
	key.Precompute()
	return key, nil
}
