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

// rsaLongBits is the size of the long RSA keys (Australian passports sign
// active authentication with RSA-2048, whose signature does not fit a
// short APDU under secure messaging).
const rsaLongBits = 2048

// ChipRSA2048Key returns a 2048-bit RSA key for a seed: four committed
// primes (two pairs of the pool) whose product has exactly 2048 bits. A
// multi-prime key serves the simulator's chip (it signs with the private
// exponent) and nobody else: a verifier sees only the modulus. clone
// picks other pairs.
func ChipRSA2048Key(seed uint64, clone bool) (*rsa.PrivateKey, error) {
	pairs := rsaPairs()
	purpose := "aa-rsa2048"
	var original *big.Int
	if clone {
		purpose = "aa-rsa2048-clone"
		k, err := ChipRSA2048Key(seed, false)
		if err != nil {
			return nil, err
		}
		original = k.N
	}
	start := int(binary.BigEndian.Uint64(keyStream(seed, purpose, 8)) % uint64(pairs*pairs))
	for i := range pairs * pairs {
		k := (start + i) % (pairs * pairs)
		p, q := rsaPair(k / pairs)
		r, s := rsaPair(k % pairs)
		if p.Cmp(r) == 0 || p.Cmp(s) == 0 || q.Cmp(r) == 0 || q.Cmp(s) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		n.Mul(n, r).Mul(n, s)
		if n.BitLen() != rsaLongBits || original != nil && n.Cmp(original) == 0 {
			continue
		}
		if key, err := rsaKeyOf(p, q, r, s); err == nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("derive RSA-%d key: no usable primes in the pool", rsaLongBits)
}

func rsaKeyOf(primes ...*big.Int) (*rsa.PrivateKey, error) {
	one := big.NewInt(1)
	e := big.NewInt(65537)
	n, phi := big.NewInt(1), big.NewInt(1)
	key := &rsa.PrivateKey{}
	for _, p := range primes {
		n.Mul(n, p)
		phi.Mul(phi, new(big.Int).Sub(p, one))
		key.Primes = append(key.Primes, new(big.Int).Set(p))
	}
	d := new(big.Int).ModInverse(e, phi)
	if d == nil {
		return nil, fmt.Errorf("derive RSA key: e not invertible")
	}
	key.PublicKey = rsa.PublicKey{N: n, E: int(e.Int64())}
	key.D = d
	key.Precompute()
	return key, nil
}
