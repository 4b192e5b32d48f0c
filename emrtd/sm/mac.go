package sm

import (
	"crypto/cipher"
	"crypto/des"
	"errors"
	"fmt"
)

// Pad applies ISO/IEC 9797-1 padding method 2: a mandatory 80 byte, then
// zeros up to a multiple of blockSize.
func Pad(b []byte, blockSize int) []byte {
	n := len(b) + 1
	n += (blockSize - n%blockSize) % blockSize
	out := make([]byte, n)
	copy(out, b)
	out[len(b)] = 0x80
	return out
}

// errPadding: the decrypted data does not end in method-2 padding.
var errPadding = errors.New("secure messaging: bad padding")

// Unpad removes ISO/IEC 9797-1 padding method 2.
func Unpad(b []byte) ([]byte, error) {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case 0x80:
			return b[:i:i], nil
		case 0x00:
		default:
			return nil, errPadding
		}
	}
	return nil, errPadding
}

// RetailMAC is ISO/IEC 9797-1 MAC algorithm 3 with DES (the "retail MAC"):
// single-DES CBC with K1 over every block, then the last block decrypted
// with K2 and encrypted with K1 again. key is K1‖K2 (16 bytes); data must
// already be padded to a multiple of 8 bytes.
func RetailMAC(key, data []byte) ([]byte, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("%w: retail MAC with a %d-byte key", ErrKey, len(key))
	}
	if len(data) == 0 || len(data)%des.BlockSize != 0 {
		return nil, fmt.Errorf("secure messaging: retail MAC over %d bytes, not a multiple of 8", len(data))
	}
	m, err := newRetail(key)
	if err != nil {
		return nil, err
	}
	return m.sum(data), nil
}

// retail holds the two DES key schedules of a retail MAC key, so a session
// computes them once.
type retail struct{ k1, k2 cipher.Block }

func newRetail(key []byte) (retail, error) {
	k1, err := des.NewCipher(key[:8])
	if err != nil {
		return retail{}, err
	}
	k2, err := des.NewCipher(key[8:16])
	if err != nil {
		return retail{}, err
	}
	return retail{k1, k2}, nil
}

// sum computes the retail MAC of padded data.
func (m retail) sum(data []byte) []byte {
	k1, k2 := m.k1, m.k2
	h := make([]byte, des.BlockSize)
	for i := 0; i < len(data); i += des.BlockSize {
		for j := range h {
			h[j] ^= data[i+j]
		}
		k1.Encrypt(h, h)
	}
	k2.Decrypt(h, h)
	k1.Encrypt(h, h)
	return h
}

// CMAC computes the full CMAC (NIST SP 800-38B, RFC 4493) of msg with a
// block cipher of 16-byte blocks.
func CMAC(b cipher.Block, msg []byte) []byte {
	const n = 16
	k1, k2 := cmacSubkeys(b)
	blocks := (len(msg) + n - 1) / n
	complete := blocks > 0 && len(msg)%n == 0
	if blocks == 0 {
		blocks = 1
	}
	last := make([]byte, n)
	tail := msg[(blocks-1)*n:]
	if complete {
		for i := range last {
			last[i] = tail[i] ^ k1[i]
		}
	} else {
		copy(last, tail)
		last[len(tail)] = 0x80
		for i := range last {
			last[i] ^= k2[i]
		}
	}
	x := make([]byte, n)
	for i := 0; i < blocks-1; i++ {
		for j := range x {
			x[j] ^= msg[i*n+j]
		}
		b.Encrypt(x, x)
	}
	for j := range x {
		x[j] ^= last[j]
	}
	b.Encrypt(x, x)
	return x
}

func cmacSubkeys(b cipher.Block) (k1, k2 []byte) {
	l := make([]byte, 16)
	b.Encrypt(l, l)
	k1 = shiftXor(l)
	k2 = shiftXor(k1)
	return k1, k2
}

// shiftXor doubles v in GF(2^128): shift left one bit, xor Rb = 0x87 on carry.
func shiftXor(v []byte) []byte {
	out := make([]byte, len(v))
	carry := byte(0)
	for i := len(v) - 1; i >= 0; i-- {
		out[i] = v[i]<<1 | carry
		carry = v[i] >> 7
	}
	if carry != 0 {
		out[len(out)-1] ^= 0x87
	}
	return out
}
