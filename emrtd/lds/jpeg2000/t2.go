package jpeg2000

import (
	"fmt"
	"math/bits"
)

// Tier 2 (T.800 Annex B): tile geometry, precincts, code-blocks, and the
// packet headers that say which code-block bytes belong to which layer.

type segment struct {
	data   []byte
	passes int
}

type codeBlock struct {
	x0, y0, x1, y1 int // in subband coordinates
	included       bool
	lblock         int
	zbp            int
	passes         int
	segs           []segment
}

type precinct struct {
	cbw, cbh int // code-blocks across and down
	blocks   []codeBlock
	incl     *tagTree
	zbp      *tagTree
}

type subband struct {
	orient         int // 0 LL, 1 HL, 2 LH, 3 HH
	x0, y0, x1, y1 int
	xcb, ycb       int // effective code-block exponents
	mb             int // magnitude bit-planes (guard + exponent - 1)
	step           float32
	offX, offY     int // where the band's samples sit in the tile-component buffer
	precincts      []precinct
}

type resolution struct {
	x0, y0, x1, y1 int
	ppx, ppy       int
	pw, ph         int // precincts across and down
	bands          []subband
}

type tileComp struct {
	x0, y0, x1, y1 int
	style          codingStyle
	roi            int
	res            []resolution
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// ceilShift is ceil(a / 2^s) for a ≥ 0.
func ceilShift(a, s int) int { return (a + (1 << uint(s)) - 1) >> uint(s) }

// Bounds on the structures one tile may ask for.
const (
	maxPrecincts  = 1 << 16
	maxCodeBlocks = 1 << 18
)

// buildTileComp lays out the resolutions, subbands, precincts and
// code-blocks of one tile-component.
func buildTileComp(tx0, ty0, tx1, ty1 int, comp component, st codingStyle, q quantization, roi int, budget *int) (*tileComp, error) {
	tc := &tileComp{x0: ceilDiv(tx0, comp.dx), y0: ceilDiv(ty0, comp.dy), x1: ceilDiv(tx1, comp.dx), y1: ceilDiv(ty1, comp.dy), style: st, roi: roi}
	nl := st.levels
	bandIndex := 0
	for r := 0; r <= nl; r++ {
		res := resolution{
			x0: ceilShift(tc.x0, nl-r), y0: ceilShift(tc.y0, nl-r),
			x1: ceilShift(tc.x1, nl-r), y1: ceilShift(tc.y1, nl-r),
		}
		res.ppx, res.ppy = st.precinctExp(r)
		if res.x1 > res.x0 {
			res.pw = ceilShift(res.x1, res.ppx) - res.x0>>uint(res.ppx)
		}
		if res.y1 > res.y0 {
			res.ph = ceilShift(res.y1, res.ppy) - res.y0>>uint(res.ppy)
		}
		np := res.pw * res.ph
		*budget -= np
		if *budget < 0 || np > maxPrecincts {
			return nil, fmt.Errorf("%w: too many precincts", ErrTooLarge)
		}
		orients := []int{1, 2, 3}
		if r == 0 {
			orients = []int{0}
		}
		// Low-pass sizes of this resolution give where HL, LH, HH sit.
		lowW := ceilShift(res.x1, 1) - ceilShift(res.x0, 1)
		lowH := ceilShift(res.y1, 1) - ceilShift(res.y0, 1)
		for _, o := range orients {
			b := subband{orient: o}
			nb := nl - r + 1
			if r == 0 {
				nb = nl
			}
			xo, yo := o&1, o>>1
			if nb == 0 {
				b.x0, b.y0, b.x1, b.y1 = tc.x0, tc.y0, tc.x1, tc.y1
			} else {
				half := 1 << uint(nb-1)
				b.x0 = ceilShift(max(tc.x0-half*xo, 0), nb)
				b.y0 = ceilShift(max(tc.y0-half*yo, 0), nb)
				b.x1 = ceilShift(max(tc.x1-half*xo, 0), nb)
				b.y1 = ceilShift(max(tc.y1-half*yo, 0), nb)
			}
			if xo == 1 {
				b.offX = lowW
			}
			if yo == 1 {
				b.offY = lowH
			}
			expo, mant, ok := q.band(bandIndex, nl)
			if !ok {
				return nil, fmt.Errorf("%w: no quantization for subband %d", ErrMalformed, bandIndex)
			}
			bandIndex++
			b.mb = q.guard + expo - 1
			if b.mb+roi > 29 || b.mb < 0 {
				return nil, fmt.Errorf("%w: %d bit-planes", ErrUnsupported, b.mb+roi)
			}
			gain := []int{0, 1, 1, 2}[o]
			rb := comp.precision + gain
			b.step = float32((1 + float64(mant)/2048) * pow2(rb-expo))
			pp := 0
			if r > 0 {
				pp = 1
			}
			b.xcb = min(st.xcb, res.ppx-pp)
			b.ycb = min(st.ycb, res.ppy-pp)
			if b.xcb < 0 || b.ycb < 0 {
				return nil, fmt.Errorf("%w: precinct smaller than a sample", ErrMalformed)
			}
			if err := b.buildPrecincts(&res, pp, budget); err != nil {
				return nil, err
			}
			res.bands = append(res.bands, b)
		}
		tc.res = append(tc.res, res)
	}
	return tc, nil
}

func pow2(e int) float64 {
	v := 1.0
	for ; e > 0; e-- {
		v *= 2
	}
	for ; e < 0; e++ {
		v /= 2
	}
	return v
}

func (b *subband) buildPrecincts(res *resolution, pp int, budget *int) error {
	b.precincts = make([]precinct, res.pw*res.ph)
	empty := b.x1 <= b.x0 || b.y1 <= b.y0
	px0 := res.x0 >> uint(res.ppx)
	py0 := res.y0 >> uint(res.ppy)
	pwx, pwy := res.ppx-pp, res.ppy-pp // precinct exponents in band coordinates
	for j := 0; j < res.ph; j++ {
		for i := 0; i < res.pw; i++ {
			p := &b.precincts[j*res.pw+i]
			if empty {
				continue
			}
			// Precinct area in band coordinates, clipped to the band.
			ax0 := max((px0+i)<<uint(pwx), b.x0)
			ay0 := max((py0+j)<<uint(pwy), b.y0)
			ax1 := min((px0+i+1)<<uint(pwx), b.x1)
			ay1 := min((py0+j+1)<<uint(pwy), b.y1)
			if ax1 <= ax0 || ay1 <= ay0 {
				continue
			}
			cx0, cy0 := ax0>>uint(b.xcb), ay0>>uint(b.ycb)
			cx1, cy1 := ceilShift(ax1, b.xcb), ceilShift(ay1, b.ycb)
			p.cbw, p.cbh = cx1-cx0, cy1-cy0
			n := p.cbw * p.cbh
			*budget -= n
			if *budget < 0 {
				return fmt.Errorf("%w: too many code-blocks", ErrTooLarge)
			}
			p.blocks = make([]codeBlock, n)
			for y := 0; y < p.cbh; y++ {
				for x := 0; x < p.cbw; x++ {
					cb := &p.blocks[y*p.cbw+x]
					cb.x0 = max((cx0+x)<<uint(b.xcb), ax0)
					cb.y0 = max((cy0+y)<<uint(b.ycb), ay0)
					cb.x1 = min((cx0+x+1)<<uint(b.xcb), ax1)
					cb.y1 = min((cy0+y+1)<<uint(b.ycb), ay1)
					cb.lblock = 3
				}
			}
			p.incl = newTagTree(p.cbw, p.cbh)
			p.zbp = newTagTree(p.cbw, p.cbh)
		}
	}
	return nil
}

// tagTree is the tag tree of T.800 B.10.2.
type tagTree struct {
	nodes []ttNode
	leafW int
}

type ttNode struct {
	parent int // -1 at the root
	value  int
	low    int
}

const ttInfinity = 1 << 30

func newTagTree(w, h int) *tagTree {
	t := &tagTree{leafW: w}
	type lvl struct{ start, w, h int }
	var levels []lvl
	n := 0
	for lw, lh := w, h; ; lw, lh = (lw+1)/2, (lh+1)/2 {
		levels = append(levels, lvl{n, lw, lh})
		n += lw * lh
		if lw <= 1 && lh <= 1 {
			break
		}
	}
	t.nodes = make([]ttNode, n)
	for li, l := range levels {
		for y := 0; y < l.h; y++ {
			for x := 0; x < l.w; x++ {
				nd := &t.nodes[l.start+y*l.w+x]
				nd.value = ttInfinity
				nd.parent = -1
				if li+1 < len(levels) {
					p := levels[li+1]
					nd.parent = p.start + (y/2)*p.w + x/2
				}
			}
		}
	}
	return t
}

// decode reports whether the leaf's value is below threshold, reading the
// bits that tell (OpenJPEG and T.800 B.10.2 agree on this walk).
func (t *tagTree) decode(br *bitReader, leaf, threshold int) (bool, error) {
	var stack [32]int
	n := 0
	for i := leaf; i >= 0; i = t.nodes[i].parent {
		if n == len(stack) {
			return false, fmt.Errorf("%w: tag tree too deep", ErrMalformed)
		}
		stack[n] = i
		n++
	}
	low := 0
	for n > 0 {
		n--
		nd := &t.nodes[stack[n]]
		if low > nd.low {
			nd.low = low
		} else {
			low = nd.low
		}
		for low < threshold && low < nd.value {
			b, err := br.bit()
			if err != nil {
				return false, err
			}
			if b == 1 {
				nd.value = low
			} else {
				low++
			}
		}
		nd.low = low
	}
	return t.nodes[leaf].value < threshold, nil
}

// bitReader reads packet headers, skipping the stuffed bit after 0xFF.
type bitReader struct {
	b    []byte
	pos  int
	cur  byte
	n    int
	last byte
}

var errShort = fmt.Errorf("%w: packet data ends early", ErrMalformed)

func (r *bitReader) bit() (int, error) {
	if r.n == 0 {
		if r.pos >= len(r.b) {
			return 0, errShort
		}
		r.n = 8
		if r.last == 0xFF {
			r.n = 7
		}
		r.cur = r.b[r.pos]
		r.last = r.cur
		r.pos++
	}
	r.n--
	return int(r.cur>>uint(r.n)) & 1, nil
}

func (r *bitReader) bits(n int) (int, error) {
	v := 0
	for ; n > 0; n-- {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
	}
	return v, nil
}

// align ends a packet header: a header whose last byte is 0xFF is followed
// by a stuffed byte.
func (r *bitReader) align() {
	if r.last == 0xFF {
		r.pos++
	}
	r.n = 0
	r.last = 0
}

func (r *bitReader) numPasses() (int, error) {
	if b, err := r.bit(); err != nil || b == 0 {
		return 1, err
	}
	if b, err := r.bit(); err != nil || b == 0 {
		return 2, err
	}
	v, err := r.bits(2)
	if err != nil || v != 3 {
		return 3 + v, err
	}
	v, err = r.bits(5)
	if err != nil || v != 31 {
		return 6 + v, err
	}
	v, err = r.bits(7)
	return 37 + v, err
}

// packetReader walks the packets of one tile.
type packetReader struct {
	data     []byte
	pos      int
	sop, eph bool
}

type piece struct {
	cb     *codeBlock
	passes int
	length int
}

// readPacket reads the packet of (layer, resolution r of tc, precinct p)
// and hands the code-block bytes over: its header (B.10) says which
// code-blocks contribute how many coding passes and bytes, its body
// follows.
func (pr *packetReader) readPacket(tc *tileComp, r, p, layer int) error {
	if pr.pos >= len(pr.data) {
		return errShort
	}
	if pr.sop && pr.pos+6 <= len(pr.data) && pr.data[pr.pos] == 0xFF && pr.data[pr.pos+1] == 0x91 {
		pr.pos += 6
	}
	br := &bitReader{b: pr.data, pos: pr.pos}
	pieces, err := readPacketHeader(br, tc, &tc.res[r], p, layer)
	if err != nil {
		return err
	}
	br.align()
	// A header whose last byte is 0xFF at the very end of the data has
	// no stuffed byte after it: align steps past the end.
	pr.pos = min(br.pos, len(pr.data))
	if pr.eph && pr.pos+2 <= len(pr.data) && pr.data[pr.pos] == 0xFF && pr.data[pr.pos+1] == 0x92 {
		pr.pos += 2
	}
	pr.readBody(pieces, tc.style.cbStyle)
	return nil
}

// readPacketHeader reads a packet header: for each code-block of
// precinct p in the bands of res, in order, the pieces of code-block data
// the packet's body holds. An empty packet holds none.
func readPacketHeader(br *bitReader, tc *tileComp, res *resolution, p, layer int) ([]piece, error) {
	present, err := br.bit()
	if err != nil || present == 0 {
		return nil, err
	}
	var pieces []piece
	for bi := range res.bands {
		b := &res.bands[bi]
		if p >= len(b.precincts) {
			continue
		}
		pc := &b.precincts[p]
		for ci := range pc.blocks {
			if pieces, err = pc.readBlockHeader(br, ci, layer, b.mb+tc.roi, tc.style.cbStyle, pieces); err != nil {
				return nil, err
			}
		}
	}
	return pieces, nil
}

// readBlockHeader reads what a packet header says of code-block ci of the
// precinct (B.10.2–B.10.7): whether it is included in this layer, its
// zero bit-planes when included for the first time, its new coding passes
// and their lengths. It appends the code-block's pieces to pieces. planes
// is the band's bit-planes, which bound the passes.
func (pc *precinct) readBlockHeader(br *bitReader, ci, layer, planes int, style byte, pieces []piece) ([]piece, error) {
	cb := &pc.blocks[ci]
	inc, err := pc.included(br, ci, layer)
	if err != nil || !inc {
		return pieces, err
	}
	if !cb.included {
		if cb.zbp, err = pc.zeroBitPlanes(br, ci); err != nil {
			return pieces, err
		}
		cb.included = true
	}
	n, err := br.numPasses()
	if err != nil {
		return pieces, err
	}
	if cb.passes+n > 3*planes+1 {
		return pieces, fmt.Errorf("%w: more coding passes than bit-planes", ErrMalformed)
	}
	if err := cb.readLblock(br); err != nil {
		return pieces, err
	}
	return cb.readLengths(br, n, style, pieces)
}

// included reads whether code-block ci contributes to layer: through the
// inclusion tag tree until its first contribution, one bit after.
func (pc *precinct) included(br *bitReader, ci, layer int) (bool, error) {
	if !pc.blocks[ci].included {
		return pc.incl.decode(br, ci, layer+1)
	}
	v, err := br.bit()
	return v == 1, err
}

// zeroBitPlanes reads the missing most significant bit-planes of
// code-block ci from the zero bit-plane tag tree.
func (pc *precinct) zeroBitPlanes(br *bitReader, ci int) (int, error) {
	for t := 1; t <= 64; t++ {
		ok, err := pc.zbp.decode(br, ci, t)
		if err != nil {
			return 0, err
		}
		if ok {
			return t - 1, nil
		}
	}
	return 0, fmt.Errorf("%w: zero bit-planes", ErrMalformed)
}

// readLblock reads the code-block's increments of Lblock, the number of
// bits of its segment lengths (B.10.7.1).
func (cb *codeBlock) readLblock(br *bitReader) error {
	for {
		v, err := br.bit()
		if err != nil || v == 0 {
			return err
		}
		if cb.lblock++; cb.lblock > 32 {
			return fmt.Errorf("%w: Lblock", ErrMalformed)
		}
	}
}

// readLengths reads the lengths of the code-block's n new coding passes,
// one per codeword segment they touch (B.10.7), as pieces.
func (cb *codeBlock) readLengths(br *bitReader, n int, style byte, pieces []piece) ([]piece, error) {
	for pass := cb.passes; n > 0; {
		k := min(n, segmentEnd(pass, style)-pass)
		if k <= 0 {
			return pieces, fmt.Errorf("%w: segment bookkeeping", ErrMalformed)
		}
		nb := cb.lblock + bits.Len(uint(k)) - 1
		if nb > 31 {
			return pieces, fmt.Errorf("%w: segment length of %d bits", ErrMalformed, nb)
		}
		l, err := br.bits(nb)
		if err != nil {
			return pieces, err
		}
		pieces = append(pieces, piece{cb: cb, passes: k, length: l})
		pass += k
		n -= k
	}
	return pieces, nil
}

// readBody hands the packet body's bytes to the code-blocks the header
// named, in order; a truncated stream gives each what there is.
func (pr *packetReader) readBody(pieces []piece, style byte) {
	for _, pc := range pieces {
		l := min(pc.length, len(pr.data)-pr.pos)
		chunk := pr.data[pr.pos : pr.pos+l]
		pr.pos += l
		cb := pc.cb
		// Continue the last segment if it is not full, else start one.
		if ns := len(cb.segs); ns > 0 && segEndOf(cb, ns-1, style) > cb.passes {
			s := &cb.segs[ns-1]
			s.data = append(s.data, chunk...)
			s.passes += pc.passes
		} else {
			cb.segs = append(cb.segs, segment{data: append([]byte(nil), chunk...), passes: pc.passes})
		}
		cb.passes += pc.passes
	}
}

// segEndOf is the pass index after the last pass segment i may hold.
func segEndOf(cb *codeBlock, i int, style byte) int {
	start := 0
	for k := 0; k < i; k++ {
		start += cb.segs[k].passes
	}
	return segmentEnd(start, style)
}
