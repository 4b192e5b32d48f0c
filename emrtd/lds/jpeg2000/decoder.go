package jpeg2000

import (
	"fmt"
	"image"
	"iter"
	"math"
	"slices"
)

type tilePart struct {
	params    params
	hasParams bool
	data      []byte
	seen      bool
}

type decoder struct {
	h           *header
	lim         Limits
	colourSpace uint32
	tiles       []tilePart
	gray        *image.Gray
	rgba        *image.RGBA
}

// collectTiles walks the tile-parts and gathers each tile's header
// parameters and data.
func (d *decoder) collectTiles() error {
	h := d.h
	d.tiles = make([]tilePart, h.tilesX*h.tilesY)
	r := &reader{b: h.rest}
	for r.pos < len(r.b) {
		start := r.pos
		m, seg, err := r.segment()
		if err != nil {
			if len(d.tiles) > 0 {
				return nil // garbage after the last tile-part: keep what was read
			}
			return err
		}
		if m == mEOC {
			return nil
		}
		if m != mSOT || len(seg) < 8 {
			return fmt.Errorf("%w: expected SOT", ErrMalformed)
		}
		idx := u16(seg)
		psot := u32(seg[2:])
		if idx >= len(d.tiles) {
			return fmt.Errorf("%w: tile index %d of %d", ErrMalformed, idx, len(d.tiles))
		}
		end := len(r.b)
		if psot != 0 && start+int(psot) <= len(r.b) {
			end = start + int(psot)
		} else if psot == 0 && end >= 2 && u16(r.b[end-2:]) == mEOC {
			end -= 2
		}
		t := &d.tiles[idx]
		first := !t.seen
		t.seen = true
		for {
			m, seg, err := r.segment()
			if err != nil {
				return err
			}
			if m == mSOD {
				break
			}
			if r.pos > end {
				return fmt.Errorf("%w: tile-part header runs past the tile-part", ErrMalformed)
			}
			if first {
				if err := t.params.apply(m, seg, len(h.comps)); err != nil {
					return err
				}
				t.hasParams = true
			} else if m == mPPT {
				return fmt.Errorf("%w: packed packet headers (PPT)", ErrUnsupported)
			}
		}
		if r.pos > end {
			return fmt.Errorf("%w: tile-part header runs past the tile-part", ErrMalformed)
		}
		t.data = append(t.data, r.b[r.pos:end]...)
		r.pos = end
	}
	return nil
}

func (d *decoder) decode() (image.Image, error) {
	if err := d.collectTiles(); err != nil {
		return nil, err
	}
	h := d.h
	// The output has the sampling of the first component (all components
	// share it in practice; others are resampled to it).
	c0 := h.comps[0]
	w := ceilDiv(h.width, c0.dx) - ceilDiv(h.x0, c0.dx)
	hh := ceilDiv(h.height, c0.dy) - ceilDiv(h.y0, c0.dy)
	rect := image.Rect(0, 0, w, hh)
	if len(h.comps) >= 3 {
		d.rgba = image.NewRGBA(rect)
	} else {
		d.gray = image.NewGray(rect)
	}
	budget := maxCodeBlocks
	for i := range d.tiles {
		if err := d.decodeTile(i, &budget); err != nil {
			return nil, fmt.Errorf("tile %d: %w", i, err)
		}
	}
	if d.rgba != nil {
		return d.rgba, nil
	}
	return d.gray, nil
}

// tileSamples holds one decoded tile-component.
type tileSamples struct {
	tc   *tileComp
	w    int
	ints []int32
	flts []float32
}

func (d *decoder) decodeTile(idx int, budget *int) error {
	h := d.h
	tp := &d.tiles[idx]
	var tparams *params
	if tp.hasParams {
		tparams = &tp.params
	}
	p, q := idx%h.tilesX, idx/h.tilesX
	tx0 := max(h.tx0+p*h.tw, h.x0)
	ty0 := max(h.ty0+q*h.th, h.y0)
	tx1 := min(h.tx0+(p+1)*h.tw, h.width)
	ty1 := min(h.ty0+(q+1)*h.th, h.height)
	cd := h.main.cod
	if tparams != nil && tparams.cod.set {
		cd = tparams.cod
	}
	roiOf := func(c int) int {
		if tparams != nil && tparams.roi[c] != 0 {
			return tparams.roi[c]
		}
		return h.main.roi[c]
	}
	tcs := make([]*tileComp, len(h.comps))
	maxRes := 0
	for c, comp := range h.comps {
		st := styleFor(tparams, &h.main, c)
		qu := quantFor(tparams, &h.main, c)
		tc, err := buildTileComp(tx0, ty0, tx1, ty1, comp, st, qu, roiOf(c), budget)
		if err != nil {
			return err
		}
		tcs[c] = tc
		maxRes = max(maxRes, len(tc.res))
	}
	pr := &packetReader{data: tp.data, sop: cd.sop, eph: cd.eph}
	err := forEachPacket(cd.progression, cd.layers, tcs, h, tx0, ty0, func(l, r, c, pi int) error {
		return pr.readPacket(tcs[c], r, pi, l)
	})
	if err != nil && err != errShort {
		// A damaged packet stream ends the tile's packets; what was read
		// still decodes (as a truncated stream would).
		_ = err
	}
	samples := make([]tileSamples, len(tcs))
	var t t1
	for c, tc := range tcs {
		samples[c] = d.reconstruct(tc, &t)
	}
	d.store(samples, cd.mct)
	return nil
}

// reconstruct runs tier 1, dequantization and the inverse wavelet
// transform of one tile-component.
func (d *decoder) reconstruct(tc *tileComp, t *t1) tileSamples {
	w, hh := tc.x1-tc.x0, tc.y1-tc.y0
	s := tileSamples{tc: tc, w: w}
	if tc.style.reversible {
		s.ints = make([]int32, w*hh)
	} else {
		s.flts = make([]float32, w*hh)
	}
	for b, cb := range tc.codeBlocks() {
		if decodeCodeBlock(t, tc, b, cb) {
			s.place(t.data, b, cb)
		}
	}
	if tc.style.reversible {
		idwt53(s.ints, w, tc)
	} else {
		idwt97(s.flts, w, tc)
	}
	return s
}

// codeBlocks yields every code-block of the tile-component with its
// subband, resolution by resolution.
func (tc *tileComp) codeBlocks() iter.Seq2[*subband, *codeBlock] {
	return func(yield func(*subband, *codeBlock) bool) {
		for r := range tc.res {
			for bi := range tc.res[r].bands {
				b := &tc.res[r].bands[bi]
				for pi := range b.precincts {
					for ci := range b.precincts[pi].blocks {
						if !yield(b, &b.precincts[pi].blocks[ci]) {
							return
						}
					}
				}
			}
		}
	}
}

// decodeCodeBlock runs tier 1 on a code-block into t.data, with the ROI
// shift undone; false for a code-block that holds nothing (no coding
// passes, or no bit-planes left to code).
func decodeCodeBlock(t *t1, tc *tileComp, b *subband, cb *codeBlock) bool {
	if cb.passes == 0 {
		return false
	}
	planes := b.mb - cb.zbp + tc.roi
	if planes <= 0 {
		return false
	}
	t.reset(cb.x1-cb.x0, cb.y1-cb.y0, b.orient, tc.style.cbStyle)
	t.decodeBlock(cb.segs, cb.passes, planes)
	if tc.roi > 0 {
		descaleROI(t.data, tc.roi)
	}
	return true
}

// descaleROI undoes the Maxshift region of interest (T.800 H.1): a
// coefficient of magnitude 2^roi or more belongs to the region and was
// scaled up by roi bit-planes.
func descaleROI(data []int32, roi int) {
	thresh := int32(1) << uint(roi)
	for i, v := range data {
		m := v
		if m < 0 {
			m = -m
		}
		if m >= thresh {
			m >>= uint(roi)
			if v < 0 {
				m = -m
			}
			data[i] = m
		}
	}
}

// place dequantizes a decoded code-block (its coefficients carry one
// extra bit of precision, the half step) into the tile-component's
// samples, where its subband sits.
func (s *tileSamples) place(data []int32, b *subband, cb *codeBlock) {
	bw, bh := cb.x1-cb.x0, cb.y1-cb.y0
	col := b.offX + cb.x0 - b.x0
	for y := 0; y < bh; y++ {
		row := (b.offY + cb.y0 - b.y0 + y) * s.w
		src := data[y*bw : (y+1)*bw]
		if s.ints != nil {
			dst := s.ints[row+col : row+col+bw]
			for x, v := range src {
				dst[x] = v / 2
			}
		} else {
			dst := s.flts[row+col : row+col+bw]
			half := b.step / 2
			for x, v := range src {
				dst[x] = float32(v) * half
			}
		}
	}
}

// packetPos is one precinct of a tile-component at one resolution, with
// the reference grid position that orders the position-driven
// progressions.
type packetPos struct{ r, c, p, y, x int }

// forEachPacket calls fn for every packet of a tile in the progression
// order (T.800 B.12).
func forEachPacket(prog, layers int, tcs []*tileComp, h *header, tx0, ty0 int, fn func(l, r, c, p int) error) error {
	switch prog {
	case 0: // LRCP
		for l := 0; l < layers; l++ {
			if err := forEachResolution(tcs, func(r int) error { return forEachPrecinct(tcs, l, r, fn) }); err != nil {
				return err
			}
		}
		return nil
	case 1: // RLCP
		return forEachResolution(tcs, func(r int) error {
			for l := 0; l < layers; l++ {
				if err := forEachPrecinct(tcs, l, r, fn); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, e := range positionOrder(prog, tcs, h, tx0, ty0) {
		for l := 0; l < layers; l++ {
			if err := fn(l, e.r, e.c, e.p); err != nil {
				return err
			}
		}
	}
	return nil
}

// forEachResolution calls fn for every resolution level any component has.
func forEachResolution(tcs []*tileComp, fn func(r int) error) error {
	maxRes := 0
	for _, tc := range tcs {
		maxRes = max(maxRes, len(tc.res))
	}
	for r := 0; r < maxRes; r++ {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// forEachPrecinct calls fn for layer l and resolution r of every
// component that has it, precinct by precinct.
func forEachPrecinct(tcs []*tileComp, l, r int, fn func(l, r, c, p int) error) error {
	for c, tc := range tcs {
		if r >= len(tc.res) {
			continue
		}
		for p := 0; p < tc.res[r].pw*tc.res[r].ph; p++ {
			if err := fn(l, r, c, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// positionOrder lists the precincts of a tile in a position-driven
// progression (RPCL, PCRL, CPRL): each precinct is visited at the
// reference grid position of its top-left corner (clipped to the tile).
func positionOrder(prog int, tcs []*tileComp, h *header, tx0, ty0 int) []packetPos {
	var list []packetPos
	for c, tc := range tcs {
		comp := h.comps[c]
		nl := len(tc.res) - 1
		for r, res := range tc.res {
			for j := 0; j < res.ph; j++ {
				for i := 0; i < res.pw; i++ {
					px := ((res.x0 >> uint(res.ppx)) + i) << uint(res.ppx)
					py := ((res.y0 >> uint(res.ppy)) + j) << uint(res.ppy)
					gx := max(px<<uint(nl-r)*comp.dx, tx0)
					gy := max(py<<uint(nl-r)*comp.dy, ty0)
					list = append(list, packetPos{r, c, j*res.pw + i, gy, gx})
				}
			}
		}
	}
	var key func(a packetPos) [4]int
	switch prog {
	case 2: // RPCL
		key = func(a packetPos) [4]int { return [4]int{a.r, a.y, a.x, a.c} }
	case 3: // PCRL
		key = func(a packetPos) [4]int { return [4]int{a.y, a.x, a.c, a.r} }
	default: // CPRL
		key = func(a packetPos) [4]int { return [4]int{a.c, a.y, a.x, a.r} }
	}
	slices.SortStableFunc(list, func(a, b packetPos) int {
		ka, kb := key(a), key(b)
		return slices.Compare(ka[:], kb[:])
	})
	return list
}

// store applies the inverse component transform and level shift and
// writes the tile into the output image.
func (d *decoder) store(s []tileSamples, mct bool) {
	h := d.h
	nc := len(s)
	// Sample value of component c at reference grid position (x, y).
	at := func(c, x, y int) float64 {
		tc := s[c].tc
		comp := h.comps[c]
		cx := min(max(x/comp.dx, tc.x0), tc.x1-1) - tc.x0
		cy := min(max(y/comp.dy, tc.y0), tc.y1-1) - tc.y0
		if cx < 0 || cy < 0 {
			return 0
		}
		i := cy*s[c].w + cx
		if s[c].ints != nil {
			return float64(s[c].ints[i])
		}
		return float64(s[c].flts[i])
	}
	useMCT := mct && nc >= 3
	rev := s[0].tc.style.reversible
	sycc := !useMCT && nc >= 3 && d.colourSpace == 18
	t0 := s[0].tc
	ox, oy := ceilDiv(h.x0, h.comps[0].dx), ceilDiv(h.y0, h.comps[0].dy)
	for cy := t0.y0; cy < t0.y1; cy++ {
		for cx := t0.x0; cx < t0.x1; cx++ {
			x, y := cx*h.comps[0].dx, cy*h.comps[0].dy
			var v [4]float64
			for c := 0; c < nc; c++ {
				v[c] = at(c, x, y)
			}
			if useMCT {
				if rev {
					y0, y1, y2 := int(v[0]), int(v[1]), int(v[2])
					g := y0 - floorDiv4(y2+y1)
					v[0], v[1], v[2] = float64(y2+g), float64(g), float64(y1+g)
				} else {
					v[0], v[1], v[2] = v[0]+1.402*v[2], v[0]-0.344136*v[1]-0.714136*v[2], v[0]+1.772*v[1]
				}
			}
			var out [4]uint8
			for c := 0; c < nc; c++ {
				comp := h.comps[c]
				f := v[c]
				if !comp.signed {
					f += float64(int(1) << uint(comp.precision-1))
				}
				out[c] = to8(f, comp.precision, comp.signed)
			}
			if sycc {
				out[0], out[1], out[2] = syccToRGB(out[0], out[1], out[2])
			}
			ix, iy := cx-ox, cy-oy
			if d.rgba != nil {
				o := d.rgba.PixOffset(ix, iy)
				a := uint8(255)
				if nc >= 4 {
					a = out[3]
				}
				d.rgba.Pix[o], d.rgba.Pix[o+1], d.rgba.Pix[o+2], d.rgba.Pix[o+3] = out[0], out[1], out[2], a
				if a != 255 { // image.RGBA is alpha-premultiplied
					for k := 0; k < 3; k++ {
						d.rgba.Pix[o+k] = uint8(int(d.rgba.Pix[o+k]) * int(a) / 255)
					}
				}
			} else {
				d.gray.Pix[d.gray.PixOffset(ix, iy)] = out[0]
			}
		}
	}
}

func floorDiv4(a int) int { return a >> 2 }

// to8 rounds and clamps a sample to its precision and scales it to 8 bits.
func to8(f float64, prec int, signed bool) uint8 {
	if signed {
		f += float64(int(1) << uint(prec-1))
	}
	maxV := float64(int(1)<<uint(prec) - 1)
	f = math.Round(f)
	if f < 0 || math.IsNaN(f) {
		f = 0
	}
	if f > maxV {
		f = maxV
	}
	n := int(f)
	switch {
	case prec > 8:
		n >>= uint(prec - 8)
	case prec < 8:
		n = n * 255 / int(maxV)
	}
	return uint8(n)
}

func syccToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	fy, fcb, fcr := float64(y), float64(cb)-128, float64(cr)-128
	c := func(v float64) uint8 {
		v = math.Round(v)
		if v < 0 {
			return 0
		}
		if v > 255 {
			return 255
		}
		return uint8(v)
	}
	return c(fy + 1.402*fcr), c(fy - 0.344136*fcb - 0.714136*fcr), c(fy + 1.772*fcb)
}
