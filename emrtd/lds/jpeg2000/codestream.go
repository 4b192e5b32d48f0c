package jpeg2000

import (
	"encoding/binary"
	"fmt"
)

// Markers (T.800 Table A.2).
const (
	mSOC = 0xFF4F
	mSIZ = 0xFF51
	mCOD = 0xFF52
	mCOC = 0xFF53
	mTLM = 0xFF55
	mPLM = 0xFF57
	mPLT = 0xFF58
	mQCD = 0xFF5C
	mQCC = 0xFF5D
	mRGN = 0xFF5E
	mPOC = 0xFF5F
	mPPM = 0xFF60
	mPPT = 0xFF61
	mCRG = 0xFF63
	mCOM = 0xFF64
	mSOT = 0xFF90
	mSOP = 0xFF91
	mEPH = 0xFF92
	mSOD = 0xFF93
	mEOC = 0xFFD9
)

const (
	maxComponents = 4
	maxLevels     = 32
	maxLayers     = 0xFFFF
)

type component struct {
	precision int
	signed    bool
	dx, dy    int // subsampling
}

// codingStyle is what COD/COC say for one component.
type codingStyle struct {
	set        bool
	levels     int
	xcb, ycb   int  // code-block size exponents
	cbStyle    byte // code-block style bits
	reversible bool // 5/3
	precincts  []byte
	customPrec bool
}

// Code-block style bits (T.800 Table A.19).
const (
	cbBypass    = 0x01
	cbReset     = 0x02
	cbTermAll   = 0x04
	cbCausal    = 0x08
	cbPredTerm  = 0x10
	cbSegSymbol = 0x20
)

// quantization is what QCD/QCC say for one component.
type quantization struct {
	set   bool
	style int // 0 none, 1 scalar derived, 2 scalar expounded
	guard int
	expo  []int // per subband (or one for derived)
	mant  []int
}

// cod holds the COD fields that are not per component.
type cod struct {
	set         bool
	sop, eph    bool
	progression int
	layers      int
	mct         bool
	style       codingStyle
}

// params are the coding parameters in force (main header, or a tile's).
type params struct {
	cod cod
	coc [maxComponents]codingStyle
	qcd quantization
	qcc [maxComponents]quantization
	roi [maxComponents]int
}

type header struct {
	width, height  int // Xsiz, Ysiz
	x0, y0         int // XOsiz, YOsiz
	tw, th         int // XTsiz, YTsiz
	tx0, ty0       int // XTOsiz, YTOsiz
	tilesX, tilesY int
	comps          []component
	main           params
	rest           []byte // from the first SOT on
}

func (h *header) config() Config {
	c := Config{
		Kind:       KindCodestream,
		Width:      h.width - h.x0,
		Height:     h.height - h.y0,
		Components: len(h.comps),
		Tiles:      h.tilesX * h.tilesY,
		Reversible: h.main.cod.style.reversible,
	}
	if len(h.comps) > 0 {
		c.Precision, c.Signed = h.comps[0].precision, h.comps[0].signed
	}
	return c
}

// reader walks marker segments.
type reader struct {
	b   []byte
	pos int
}

func (r *reader) u8(seg []byte, i int) int { return int(seg[i]) }
func u16(b []byte) int                     { return int(binary.BigEndian.Uint16(b)) }
func u32(b []byte) int64                   { return int64(binary.BigEndian.Uint32(b)) }

// segment reads the marker at pos and, for markers with a length, its
// parameters. It returns the marker, its parameters and advances.
func (r *reader) segment() (int, []byte, error) {
	if r.pos+2 > len(r.b) {
		return 0, nil, fmt.Errorf("%w: codestream truncated before a marker", ErrMalformed)
	}
	m := u16(r.b[r.pos:])
	if m>>8 != 0xFF {
		return 0, nil, fmt.Errorf("%w: expected a marker at offset %d", ErrMalformed, r.pos)
	}
	r.pos += 2
	switch m {
	case mSOC, mSOD, mEOC, mEPH:
		return m, nil, nil
	}
	if r.pos+2 > len(r.b) {
		return 0, nil, fmt.Errorf("%w: marker %04X truncated", ErrMalformed, m)
	}
	l := u16(r.b[r.pos:])
	if l < 2 || r.pos+l > len(r.b) {
		return 0, nil, fmt.Errorf("%w: marker %04X length %d", ErrMalformed, m, l)
	}
	seg := r.b[r.pos+2 : r.pos+l]
	r.pos += l
	return m, seg, nil
}

func parseMainHeader(cs []byte, lim Limits) (*header, error) {
	r := &reader{b: cs}
	if m, _, err := r.segment(); err != nil || m != mSOC {
		return nil, fmt.Errorf("%w: no SOC", ErrFormat)
	}
	m, seg, err := r.segment()
	if err != nil || m != mSIZ {
		return nil, fmt.Errorf("%w: SIZ does not follow SOC", ErrMalformed)
	}
	h := &header{}
	if err := h.parseSIZ(seg, lim); err != nil {
		return nil, err
	}
	for {
		start := r.pos
		m, seg, err := r.segment()
		if err != nil {
			return nil, err
		}
		if m == mSOT {
			h.rest = cs[start:]
			break
		}
		if m == mEOC {
			return nil, fmt.Errorf("%w: codestream has no tile", ErrMalformed)
		}
		if err := h.main.apply(m, seg, len(h.comps)); err != nil {
			return nil, err
		}
	}
	if !h.main.cod.set {
		return nil, fmt.Errorf("%w: main header has no COD", ErrMalformed)
	}
	if !h.main.qcd.set {
		return nil, fmt.Errorf("%w: main header has no QCD", ErrMalformed)
	}
	return h, nil
}

func (h *header) parseSIZ(s []byte, lim Limits) error {
	if len(s) < 36 {
		return fmt.Errorf("%w: SIZ too short", ErrMalformed)
	}
	w, hh := u32(s[2:]), u32(s[6:])
	x0, y0 := u32(s[10:]), u32(s[14:])
	tw, th := u32(s[18:]), u32(s[22:])
	tx0, ty0 := u32(s[26:]), u32(s[30:])
	nc := u16(s[34:])
	if x0 >= w || y0 >= hh || tw == 0 || th == 0 || tx0 > x0 || ty0 > y0 || tx0+tw <= x0 || ty0+th <= y0 {
		return fmt.Errorf("%w: SIZ image or tile geometry", ErrMalformed)
	}
	// Each side is bounded first: two sides near 2^32 would overflow
	// their product past the check.
	if w-x0 > int64(lim.MaxPixels) || hh-y0 > int64(lim.MaxPixels) || (w-x0)*(hh-y0) > int64(lim.MaxPixels) {
		return fmt.Errorf("%w: image of %d × %d pixels", ErrTooLarge, w-x0, hh-y0)
	}
	tilesX := (w - tx0 + tw - 1) / tw
	tilesY := (hh - ty0 + th - 1) / th
	if tilesX > int64(lim.MaxTiles) || tilesY > int64(lim.MaxTiles) || tilesX*tilesY > int64(lim.MaxTiles) {
		return fmt.Errorf("%w: %d tiles", ErrTooLarge, tilesX*tilesY)
	}
	if nc < 1 || nc > maxComponents {
		return fmt.Errorf("%w: %d components", ErrUnsupported, nc)
	}
	if len(s) < 36+3*nc {
		return fmt.Errorf("%w: SIZ component list truncated", ErrMalformed)
	}
	h.width, h.height, h.x0, h.y0 = int(w), int(hh), int(x0), int(y0)
	h.tw, h.th, h.tx0, h.ty0 = int(tw), int(th), int(tx0), int(ty0)
	h.tilesX, h.tilesY = int(tilesX), int(tilesY)
	for i := 0; i < nc; i++ {
		c := s[36+3*i:]
		comp := component{precision: int(c[0]&0x7F) + 1, signed: c[0]&0x80 != 0, dx: int(c[1]), dy: int(c[2])}
		if comp.precision > 16 {
			return fmt.Errorf("%w: %d-bit component", ErrUnsupported, comp.precision)
		}
		if comp.dx == 0 || comp.dy == 0 {
			return fmt.Errorf("%w: component subsampling of 0", ErrMalformed)
		}
		h.comps = append(h.comps, comp)
	}
	return nil
}

// apply records one marker segment of the main header or of a tile-part
// header; nc is the number of components.
func (p *params) apply(m int, s []byte, nc int) error {
	switch m {
	case mCOD:
		return p.applyCOD(s)
	case mCOC:
		return p.applyCOC(m, s, nc)
	case mQCD:
		q, err := parseQuant(s)
		if err != nil {
			return err
		}
		p.qcd = q
	case mQCC:
		return p.applyQCC(m, s, nc)
	case mRGN:
		return p.applyRGN(m, s, nc)
	case mPOC:
		return fmt.Errorf("%w: progression order change (POC)", ErrUnsupported)
	case mPPM, mPPT:
		return fmt.Errorf("%w: packed packet headers (PPM/PPT)", ErrUnsupported)
	}
	// Informative markers (TLM, PLM, PLT, CRG, COM: lengths and comments
	// are not needed to decode), reserved ones (FF30–FF3F) and unknown
	// ones with a length (Part 2 extensions that do not change Part 1
	// decoding are harmless to ignore) are skipped.
	return nil
}

// applyCOD records the coding style default.
func (p *params) applyCOD(s []byte) error {
	if len(s) < 5 {
		return fmt.Errorf("%w: COD too short", ErrMalformed)
	}
	c := cod{set: true, sop: s[0]&2 != 0, eph: s[0]&4 != 0, progression: int(s[1]), layers: u16(s[2:]), mct: s[4] == 1}
	if c.progression > 4 {
		return fmt.Errorf("%w: progression order %d", ErrMalformed, c.progression)
	}
	if c.layers == 0 {
		return fmt.Errorf("%w: COD with 0 layers", ErrMalformed)
	}
	st, err := parseSPcod(s[0]&1 != 0, s[5:])
	if err != nil {
		return err
	}
	c.style = st
	p.cod = c
	return nil
}

// applyCOC records one component's coding style.
func (p *params) applyCOC(m int, s []byte, nc int) error {
	c, rest, err := componentOf(m, s, nc)
	if err != nil {
		return err
	}
	if len(rest) < 1 {
		return fmt.Errorf("%w: COC too short", ErrMalformed)
	}
	st, err := parseSPcod(rest[0]&1 != 0, rest[1:])
	if err != nil {
		return err
	}
	p.coc[c] = st
	return nil
}

// applyQCC records one component's quantization.
func (p *params) applyQCC(m int, s []byte, nc int) error {
	c, rest, err := componentOf(m, s, nc)
	if err != nil {
		return err
	}
	q, err := parseQuant(rest)
	if err != nil {
		return err
	}
	p.qcc[c] = q
	return nil
}

// applyRGN records one component's region of interest shift (Maxshift,
// the only style of Part 1).
func (p *params) applyRGN(m int, s []byte, nc int) error {
	c, rest, err := componentOf(m, s, nc)
	if err != nil {
		return err
	}
	if len(rest) < 2 || rest[0] != 0 {
		return fmt.Errorf("%w: RGN style", ErrUnsupported)
	}
	if rest[1] > 37 {
		return fmt.Errorf("%w: RGN shift %d", ErrMalformed, rest[1])
	}
	p.roi[c] = int(rest[1])
	return nil
}

// componentOf reads the component index that starts the segment s of
// marker m (COC, QCC, RGN) and returns it with the rest. It is one byte:
// it takes two only in images of more than 256 components, and more than
// maxComponents are refused at SIZ.
func componentOf(m int, s []byte, nc int) (int, []byte, error) {
	if len(s) < 1 {
		return 0, nil, fmt.Errorf("%w: marker %04X truncated", ErrMalformed, m)
	}
	c := int(s[0])
	if c >= nc {
		return 0, nil, fmt.Errorf("%w: marker %04X names component %d of %d", ErrMalformed, m, c, nc)
	}
	return c, s[1:], nil
}

func parseSPcod(custom bool, s []byte) (codingStyle, error) {
	if len(s) < 5 {
		return codingStyle{}, fmt.Errorf("%w: coding style too short", ErrMalformed)
	}
	st := codingStyle{set: true, levels: int(s[0]), xcb: int(s[1]&0x0F) + 2, ycb: int(s[2]&0x0F) + 2, cbStyle: s[3], reversible: s[4] == 1, customPrec: custom}
	if st.levels > maxLevels {
		return st, fmt.Errorf("%w: %d decomposition levels", ErrMalformed, st.levels)
	}
	if st.xcb > 10 || st.ycb > 10 || st.xcb+st.ycb > 12 {
		return st, fmt.Errorf("%w: code-block size 2^%d × 2^%d", ErrMalformed, st.xcb, st.ycb)
	}
	if s[4] > 1 {
		return st, fmt.Errorf("%w: wavelet transform %d", ErrUnsupported, s[4])
	}
	if st.cbStyle&0xC0 != 0 {
		return st, fmt.Errorf("%w: code-block style %02X (HTJ2K or extensions)", ErrUnsupported, st.cbStyle)
	}
	if custom {
		if len(s) < 5+st.levels+1 {
			return st, fmt.Errorf("%w: precinct sizes truncated", ErrMalformed)
		}
		st.precincts = append([]byte(nil), s[5:5+st.levels+1]...)
		for i, pp := range st.precincts {
			if i > 0 && (pp&0x0F == 0 || pp>>4 == 0) {
				return st, fmt.Errorf("%w: precinct size 1 above resolution 0", ErrMalformed)
			}
		}
	}
	return st, nil
}

// precinctExp returns the precinct size exponents of resolution r.
func (st *codingStyle) precinctExp(r int) (int, int) {
	if !st.customPrec || r >= len(st.precincts) {
		return 15, 15
	}
	return int(st.precincts[r] & 0x0F), int(st.precincts[r] >> 4)
}

func parseQuant(s []byte) (quantization, error) {
	if len(s) < 1 {
		return quantization{}, fmt.Errorf("%w: quantization too short", ErrMalformed)
	}
	q := quantization{set: true, style: int(s[0] & 0x1F), guard: int(s[0] >> 5)}
	b := s[1:]
	switch q.style {
	case 0:
		if len(b) == 0 {
			return q, fmt.Errorf("%w: no quantization exponents", ErrMalformed)
		}
		for _, c := range b {
			q.expo = append(q.expo, int(c>>3))
			q.mant = append(q.mant, 0)
		}
	case 1, 2:
		if len(b) < 2 || len(b)%2 != 0 {
			return q, fmt.Errorf("%w: quantization step sizes", ErrMalformed)
		}
		for i := 0; i+1 < len(b); i += 2 {
			v := u16(b[i:])
			q.expo = append(q.expo, v>>11)
			q.mant = append(q.mant, v&0x7FF)
		}
		if q.style == 1 {
			q.expo, q.mant = q.expo[:1], q.mant[:1]
		}
	default:
		return q, fmt.Errorf("%w: quantization style %d", ErrMalformed, q.style)
	}
	return q, nil
}

// style returns the coding style of component c under these params, with
// the main header's as fallback (T.800 A.6 precedence).
func styleFor(tile, main *params, c int) codingStyle {
	switch {
	case tile != nil && tile.coc[c].set:
		return tile.coc[c]
	case tile != nil && tile.cod.set:
		return tile.cod.style
	case main.coc[c].set:
		return main.coc[c]
	}
	return main.cod.style
}

func quantFor(tile, main *params, c int) quantization {
	switch {
	case tile != nil && tile.qcc[c].set:
		return tile.qcc[c]
	case tile != nil && tile.qcd.set:
		return tile.qcd
	case main.qcc[c].set:
		return main.qcc[c]
	}
	return main.qcd
}

// band returns the exponent and mantissa of subband index i (0 = LL,
// then HL, LH, HH per level from the lowest resolution), deriving them for
// the scalar-derived style (T.800 E.1.1.2).
func (q *quantization) band(i, levels int) (expo, mant int, ok bool) {
	if q.style == 1 {
		if len(q.expo) == 0 {
			return 0, 0, false
		}
		nb := levels // decomposition level of band i
		if i > 0 {
			nb = levels - (i-1)/3
		}
		e := q.expo[0] - levels + nb
		if e < 0 {
			e = 0
		}
		return e, q.mant[0], true
	}
	if i >= len(q.expo) {
		return 0, 0, false
	}
	return q.expo[i], q.mant[i], true
}
