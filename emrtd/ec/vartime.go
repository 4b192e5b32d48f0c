package ec

// Variable-time arithmetic for public scalars only (signature verification):
// it branches on the values and is several times faster than the ladder.

// addVar sets r = p + q, branching on the special cases.
func (c *Curve) addVar(r, p, q *jac) {
	f := c.f
	switch {
	case f.isZero(&p.z) != 0:
		*r = *q
		return
	case f.isZero(&q.z) != 0:
		*r = *p
		return
	}
	var sum jac
	sameX, sameY := c.addCore(&sum, p, q)
	switch {
	case sameX != 0 && sameY != 0:
		c.double(r, p)
	case sameX != 0:
		*r = jac{x: f.one, y: f.one} // p = −q
	default:
		*r = sum
	}
}

// window16 returns the table 0·p … 15·p.
func (c *Curve) window16(p *jac) *[16]jac {
	var t [16]jac
	t[0] = jac{x: c.f.one, y: c.f.one}
	t[1] = *p
	for i := 2; i < 16; i++ {
		if i%2 == 0 {
			c.double(&t[i], &t[i/2])
		} else {
			c.addVar(&t[i], &t[i-1], p)
		}
	}
	return &t
}

// mulAddVar returns k1·p1 + k2·p2 for public scalars (Shamir's trick with
// 4-bit windows).
func (c *Curve) mulAddVar(k1 []byte, p1 *jac, k2 []byte, p2 *jac) jac {
	t1, t2 := c.window16(p1), c.window16(p2)
	n := max(len(k1), len(k2))
	a, b := make([]byte, n), make([]byte, n)
	copy(a[n-len(k1):], k1)
	copy(b[n-len(k2):], k2)
	r := jac{x: c.f.one, y: c.f.one}
	for i := 0; i < n; i++ {
		for _, shift := range [2]uint{4, 0} {
			for range 4 {
				c.double(&r, &r)
			}
			if d := a[i] >> shift & 15; d != 0 {
				c.addVar(&r, &r, &t1[d])
			}
			if d := b[i] >> shift & 15; d != 0 {
				c.addVar(&r, &r, &t2[d])
			}
		}
	}
	return r
}
