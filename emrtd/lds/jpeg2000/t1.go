package jpeg2000

// The MQ arithmetic decoder (T.800 Annex C) and the EBCOT code-block
// decoder (Annex D).

type qeEntry struct {
	qe         uint32
	nmps, nlps uint8
	switchMPS  bool
}

// qeTable is T.800 Table C.2.
var qeTable = [47]qeEntry{
	{0x5601, 1, 1, true}, {0x3401, 2, 6, false}, {0x1801, 3, 9, false}, {0x0AC1, 4, 12, false},
	{0x0521, 5, 29, false}, {0x0221, 38, 33, false}, {0x5601, 7, 6, true}, {0x5401, 8, 14, false},
	{0x4801, 9, 14, false}, {0x3801, 10, 14, false}, {0x3001, 11, 17, false}, {0x2401, 12, 18, false},
	{0x1C01, 13, 20, false}, {0x1601, 29, 21, false}, {0x5601, 15, 14, true}, {0x5401, 16, 14, false},
	{0x5101, 17, 15, false}, {0x4801, 18, 16, false}, {0x3801, 19, 17, false}, {0x3401, 20, 18, false},
	{0x3001, 21, 19, false}, {0x2801, 22, 19, false}, {0x2401, 23, 20, false}, {0x2201, 24, 21, false},
	{0x1C01, 25, 22, false}, {0x1801, 26, 23, false}, {0x1601, 27, 24, false}, {0x1401, 28, 25, false},
	{0x1201, 29, 26, false}, {0x1101, 30, 27, false}, {0x0AC1, 31, 28, false}, {0x09C1, 32, 29, false},
	{0x08A1, 33, 30, false}, {0x0521, 34, 31, false}, {0x0441, 35, 32, false}, {0x02A1, 36, 33, false},
	{0x0221, 37, 34, false}, {0x0141, 38, 35, false}, {0x0111, 39, 36, false}, {0x0085, 40, 37, false},
	{0x0049, 41, 38, false}, {0x0025, 42, 39, false}, {0x0015, 43, 40, false}, {0x0009, 44, 41, false},
	{0x0005, 45, 42, false}, {0x0001, 45, 43, false}, {0x5601, 46, 46, false},
}

// Contexts (T.800 D.3): 0–8 significance, 9–13 sign, 14–16 refinement,
// 17 run length, 18 uniform.
const (
	ctxSC0     = 9
	ctxMR0     = 14
	ctxRL      = 17
	ctxUNI     = 18
	numContext = 19
)

type mqDecoder struct {
	data []byte
	bp   int
	a, c uint32
	ct   int
	// contexts: state index and MPS
	idx [numContext]uint8
	mps [numContext]uint8
}

func (m *mqDecoder) resetContexts() {
	for i := range m.idx {
		m.idx[i], m.mps[i] = 0, 0
	}
	m.idx[ctxUNI] = 46
	m.idx[ctxRL] = 3
	m.idx[0] = 4
}

// byteAt returns 0xFF past the end: a codeword ends as if followed by a
// marker, which is how a truncated segment must be read.
func (m *mqDecoder) byteAt(i int) uint32 {
	if i < len(m.data) {
		return uint32(m.data[i])
	}
	return 0xFF
}

func (m *mqDecoder) init(data []byte) {
	m.data, m.bp = data, 0
	m.c = m.byteAt(0) << 16
	m.byteIn()
	m.c <<= 7
	m.ct -= 7
	m.a = 0x8000
}

func (m *mqDecoder) byteIn() {
	if m.byteAt(m.bp) == 0xFF {
		if m.byteAt(m.bp+1) > 0x8F {
			m.c += 0xFF00
			m.ct = 8
		} else {
			m.bp++
			m.c += m.byteAt(m.bp) << 9
			m.ct = 7
		}
	} else {
		m.bp++
		m.c += m.byteAt(m.bp) << 8
		m.ct = 8
	}
}

func (m *mqDecoder) renorm() {
	for {
		if m.ct == 0 {
			m.byteIn()
		}
		m.a <<= 1
		m.c <<= 1
		m.ct--
		if m.a&0x8000 != 0 {
			return
		}
	}
}

func (m *mqDecoder) decode(cx int) int {
	e := &qeTable[m.idx[cx]]
	m.a -= e.qe
	var d int
	if m.c>>16 < e.qe {
		// The lower sub-interval of size Qe: LPS, unless the conditional
		// exchange swaps the sub-intervals.
		if m.a < e.qe {
			d = int(m.mps[cx])
			m.idx[cx] = e.nmps
		} else {
			d = 1 - int(m.mps[cx])
			if e.switchMPS {
				m.mps[cx] ^= 1
			}
			m.idx[cx] = e.nlps
		}
		m.a = e.qe
	} else {
		m.c -= e.qe << 16
		if m.a&0x8000 != 0 {
			return int(m.mps[cx])
		}
		if m.a < e.qe {
			d = 1 - int(m.mps[cx])
			if e.switchMPS {
				m.mps[cx] ^= 1
			}
			m.idx[cx] = e.nlps
		} else {
			d = int(m.mps[cx])
			m.idx[cx] = e.nmps
		}
	}
	m.renorm()
	return d
}

// rawDecoder reads the uncoded bits of the arithmetic-coding bypass
// (T.800 D.6), with the bit stuffing after 0xFF.
type rawDecoder struct {
	data []byte
	bp   int
	c    uint32
	ct   int
}

func (r *rawDecoder) init(data []byte) { *r = rawDecoder{data: data} }

func (r *rawDecoder) byteAt(i int) uint32 {
	if i < len(r.data) {
		return uint32(r.data[i])
	}
	return 0xFF
}

func (r *rawDecoder) bit() int {
	if r.ct == 0 {
		if r.c == 0xFF {
			if r.byteAt(r.bp) > 0x8F {
				r.c, r.ct = 0xFF, 8
			} else {
				r.c, r.ct = r.byteAt(r.bp), 7
				r.bp++
			}
		} else {
			r.c, r.ct = r.byteAt(r.bp), 8
			r.bp++
		}
	}
	r.ct--
	return int(r.c>>uint(r.ct)) & 1
}

// Coefficient state flags.
const (
	fSig     = 1 << 0
	fNeg     = 1 << 1
	fVisit   = 1 << 2
	fRefined = 1 << 3
)

// zcTable[orient][h][v][d] is the significance context (T.800 Table D.1).
var zcTable [4][3][3][5]uint8

func init() {
	for o := 0; o < 4; o++ {
		for h := 0; h < 3; h++ {
			for v := 0; v < 3; v++ {
				for d := 0; d < 5; d++ {
					zcTable[o][h][v][d] = zcContext(o, h, v, d)
				}
			}
		}
	}
}

func zcContext(orient, h, v, d int) uint8 {
	if orient == 1 { // HL: vertical and horizontal roles swap
		h, v = v, h
	}
	if orient == 3 { // HH
		hv := h + v
		switch {
		case d >= 3:
			return 8
		case d == 2 && hv >= 1:
			return 7
		case d == 2:
			return 6
		case d == 1 && hv >= 2:
			return 5
		case d == 1 && hv == 1:
			return 4
		case d == 1:
			return 3
		case hv >= 2:
			return 2
		case hv == 1:
			return 1
		}
		return 0
	}
	switch {
	case h == 2:
		return 8
	case h == 1 && v >= 1:
		return 7
	case h == 1 && d >= 1:
		return 6
	case h == 1:
		return 5
	case v == 2:
		return 4
	case v == 1:
		return 3
	case d >= 2:
		return 2
	case d == 1:
		return 1
	}
	return 0
}

// t1 decodes one code-block.
type t1 struct {
	w, h    int
	flags   []uint8 // (w+2) × (h+2), with a border of zeros
	data    []int32 // w × h, sign and magnitude as ±S (see decodeBlock)
	orient  int
	style   byte
	mq      mqDecoder
	raw     rawDecoder
	useRaw  bool
	fstride int
}

func (t *t1) reset(w, h, orient int, style byte) {
	t.w, t.h, t.orient, t.style = w, h, orient, style
	t.fstride = w + 2
	n := (w + 2) * (h + 2)
	if cap(t.flags) < n {
		t.flags = make([]uint8, n)
	}
	t.flags = t.flags[:n]
	clear(t.flags)
	if cap(t.data) < w*h {
		t.data = make([]int32, w*h)
	}
	t.data = t.data[:w*h]
	clear(t.data)
	t.mq.resetContexts()
}

// neighbours counts the significant horizontal, vertical and diagonal
// neighbours of (x, y). In vertically causal mode the row below a stripe
// is not looked at from the stripe's last row.
func (t *t1) neighbours(x, y int) (h, v, d int) {
	i := (y+1)*t.fstride + x + 1
	f := t.flags
	s := t.fstride
	h = int(f[i-1]&fSig) + int(f[i+1]&fSig)
	v = int(f[i-s] & fSig)
	d = int(f[i-s-1]&fSig) + int(f[i-s+1]&fSig)
	if !(t.style&cbCausal != 0 && y%4 == 3) {
		v += int(f[i+s] & fSig)
		d += int(f[i+s-1]&fSig) + int(f[i+s+1]&fSig)
	}
	return
}

func (t *t1) zc(x, y int) int {
	h, v, d := t.neighbours(x, y)
	return int(zcTable[t.orient][h][v][d])
}

// sign decodes the sign of (x, y) (T.800 Table D.3).
func (t *t1) sign(x, y int) bool {
	if t.useRaw {
		return t.raw.bit() == 1
	}
	i := (y+1)*t.fstride + x + 1
	f := t.flags
	s := t.fstride
	contrib := func(fl uint8) int {
		if fl&fSig == 0 {
			return 0
		}
		if fl&fNeg != 0 {
			return -1
		}
		return 1
	}
	hc := contrib(f[i-1]) + contrib(f[i+1])
	vc := contrib(f[i-s])
	if !(t.style&cbCausal != 0 && y%4 == 3) {
		vc += contrib(f[i+s])
	}
	hc = clamp1(hc)
	vc = clamp1(vc)
	xor := 0
	if hc < 0 || (hc == 0 && vc < 0) {
		xor = 1
		hc, vc = -hc, -vc
	}
	var cx int
	switch {
	case hc == 1 && vc == 1:
		cx = 13
	case hc == 1 && vc == 0:
		cx = 12
	case hc == 1 && vc == -1:
		cx = 11
	case hc == 0 && vc == 1:
		cx = 10
	default:
		cx = 9
	}
	return t.mq.decode(cx)^xor == 1
}

func clamp1(n int) int {
	if n > 1 {
		return 1
	}
	if n < -1 {
		return -1
	}
	return n
}

func (t *t1) bit(cx int) int {
	if t.useRaw {
		return t.raw.bit()
	}
	return t.mq.decode(cx)
}

func (t *t1) setSignificant(x, y, plane int, neg bool) {
	i := (y+1)*t.fstride + x + 1
	t.flags[i] |= fSig
	v := int32(3) << uint(plane)
	if neg {
		t.flags[i] |= fNeg
		v = -v
	}
	t.data[y*t.w+x] = v
}

func (t *t1) sigPass(plane int) {
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := 0; x < t.w; x++ {
			for y := y0; y < y0+4 && y < t.h; y++ {
				i := (y+1)*t.fstride + x + 1
				if t.flags[i]&fSig != 0 {
					continue
				}
				cx := t.zc(x, y)
				if cx == 0 {
					continue
				}
				t.flags[i] |= fVisit
				if t.bit(cx) == 1 {
					t.setSignificant(x, y, plane, t.sign(x, y))
				}
			}
		}
	}
}

func (t *t1) refPass(plane int) {
	delta := int32(1) << uint(plane)
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := 0; x < t.w; x++ {
			for y := y0; y < y0+4 && y < t.h; y++ {
				i := (y+1)*t.fstride + x + 1
				f := t.flags[i]
				if f&fSig == 0 || f&fVisit != 0 {
					continue
				}
				cx := 16
				if f&fRefined == 0 {
					h, v, d := t.neighbours(x, y)
					cx = 14
					if h+v+d > 0 {
						cx = 15
					}
				}
				b := t.bit(cx)
				p := &t.data[y*t.w+x]
				up := b == 1
				if *p < 0 {
					up = !up
				}
				if up {
					*p += delta
				} else {
					*p -= delta
				}
				t.flags[i] |= fRefined
			}
		}
	}
}

func (t *t1) cleanupPass(plane int) {
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := 0; x < t.w; x++ {
			y := y0
			if y0+4 <= t.h && t.runEligible(x, y0) {
				if t.mq.decode(ctxRL) == 0 {
					continue
				}
				r := t.mq.decode(ctxUNI) << 1
				r |= t.mq.decode(ctxUNI)
				y = y0 + r
				t.setSignificant(x, y, plane, t.sign(x, y))
				y++
			}
			for ; y < y0+4 && y < t.h; y++ {
				i := (y+1)*t.fstride + x + 1
				if t.flags[i]&(fSig|fVisit) != 0 {
					continue
				}
				if t.mq.decode(t.zc(x, y)) == 1 {
					t.setSignificant(x, y, plane, t.sign(x, y))
				}
			}
		}
	}
	for i := range t.flags {
		t.flags[i] &^= fVisit
	}
	if t.style&cbSegSymbol != 0 {
		for k := 0; k < 4; k++ {
			t.mq.decode(ctxUNI)
		}
	}
}

// runEligible: four coefficients of a column, none significant or visited,
// none with a significant neighbour.
func (t *t1) runEligible(x, y0 int) bool {
	for y := y0; y < y0+4; y++ {
		i := (y+1)*t.fstride + x + 1
		if t.flags[i]&(fSig|fVisit) != 0 {
			return false
		}
		if h, v, d := t.neighbours(x, y); h+v+d != 0 {
			return false
		}
	}
	return true
}

// segmentEnd gives the index after the last pass of the codeword segment
// that starts with pass p: every pass is its own segment with termination
// on each pass; with the bypass the first ten passes form one segment,
// then each raw pair (significance, refinement) and each cleanup pass;
// otherwise one segment holds every pass.
func segmentEnd(p int, style byte) int {
	if style&cbTermAll != 0 {
		return p + 1
	}
	if style&cbBypass != 0 {
		if p < 10 {
			return 10
		}
		if (p-10)%3 == 0 {
			return p + 2
		}
		return p + 1
	}
	return 1 << 30
}

// passIsRaw: in bypass mode the significance and refinement passes after
// the first ten are not arithmetic coded.
func passIsRaw(p int, style byte) bool {
	return style&cbBypass != 0 && p >= 10 && p%3 != 0
}

// decodeBlock runs the passes of one code-block. planes is the number of
// magnitude bit-planes the block codes (the top one first). On return,
// t.data holds ±S where S/2 is the reconstructed magnitude with half a
// quantization step added (T.800 E.1.1.2 with r = 1/2).
func (t *t1) decodeBlock(segs []segment, passes, planes int) {
	p := 0
	for _, sg := range segs {
		if p >= passes {
			break
		}
		raw := passIsRaw(p, t.style)
		if raw {
			t.raw.init(sg.data)
		} else {
			t.mq.init(sg.data)
		}
		for k := 0; k < sg.passes && p < passes; k++ {
			plane := planes - 1 - (p+2)/3
			if plane < 0 {
				return
			}
			t.useRaw = passIsRaw(p, t.style)
			switch p % 3 {
			case 0:
				t.cleanupPass(plane)
			case 1:
				t.sigPass(plane)
			case 2:
				t.refPass(plane)
			}
			t.useRaw = false
			if t.style&cbReset != 0 {
				t.mq.resetContexts()
			}
			p++
		}
	}
}
