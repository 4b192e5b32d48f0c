package jpeg2000

// Inverse discrete wavelet transforms (T.800 Annex F): the reversible 5/3
// on integers and the irreversible 9/7 on floats, one level at a time,
// rows first, then columns (2D_SR), with symmetric extension.

// Lifting constants of the 9/7 filter (T.800 Table F.4).
const (
	dwtAlpha = -1.586134342059924
	dwtBeta  = -0.052980118572961
	dwtGamma = 0.882911075530934
	dwtDelta = 0.443506852043971
	dwtK     = 1.230174104914001
)

// idwt53 transforms buf (stride w) in place over the resolutions of tc.
func idwt53(buf []int32, w int, tc *tileComp) { idwt(buf, w, tc, lift53) }

// idwt97 is idwt53 for the irreversible filter.
func idwt97(buf []float32, w int, tc *tileComp) { idwt(buf, w, tc, lift97) }

// idwt runs the inverse transform with the filter's lifting steps, one
// resolution at a time: each row, then each column, is interleaved and
// lifted.
func idwt[T int32 | float32](buf []T, w int, tc *tileComp, lift func(x []T, cas int)) {
	var tmp []T
	for r := 1; r < len(tc.res); r++ {
		res := &tc.res[r]
		rw, rh := res.x1-res.x0, res.y1-res.y0
		if rw <= 0 || rh <= 0 {
			continue
		}
		sw, sh := ceilShift(res.x1, 1)-ceilShift(res.x0, 1), ceilShift(res.y1, 1)-ceilShift(res.y0, 1)
		if n := max(rw, rh); cap(tmp) < n {
			tmp = make([]T, n)
		}
		for y := 0; y < rh; y++ {
			row := buf[y*w : y*w+rw]
			interleave(tmp[:rw], row, sw, res.x0&1)
			lift(tmp[:rw], res.x0&1)
			copy(row, tmp[:rw])
		}
		col := make([]T, rh)
		for x := 0; x < rw; x++ {
			for y := 0; y < rh; y++ {
				col[y] = buf[y*w+x]
			}
			interleave(tmp[:rh], col, sh, res.y0&1)
			lift(tmp[:rh], res.y0&1)
			for y := 0; y < rh; y++ {
				buf[y*w+x] = tmp[y]
			}
		}
	}
}

// interleave puts the low half (first sw samples of src) at the
// positions of even absolute index and the high half at the odd ones.
func interleave[T int32 | float32](dst, src []T, sw, cas int) {
	for i := range dst {
		if (i+cas)&1 == 0 {
			dst[i] = src[(i-cas)>>1]
		} else {
			dst[i] = src[sw+(i-(1-cas))>>1]
		}
	}
}

func mirror(i, n int) int {
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*(n-1) - i
		}
	}
	return i
}

func lift53(x []int32, cas int) {
	n := len(x)
	if n == 1 {
		if cas == 1 {
			x[0] /= 2
		}
		return
	}
	for i := cas; i < n; i += 2 { // even absolute positions: low
		x[i] -= (x[mirror(i-1, n)] + x[mirror(i+1, n)] + 2) >> 2
	}
	for i := 1 - cas; i < n; i += 2 {
		x[i] += (x[mirror(i-1, n)] + x[mirror(i+1, n)]) >> 1
	}
}

func lift97(x []float32, cas int) {
	n := len(x)
	if n == 1 {
		if cas == 1 {
			x[0] /= 2
		}
		return
	}
	lo, hi := cas, 1-cas
	for i := lo; i < n; i += 2 {
		x[i] *= dwtK
	}
	for i := hi; i < n; i += 2 {
		x[i] *= 1 / dwtK
	}
	step := func(start int, c float32) {
		i := start
		if i == 0 { // left edge: mirror x[-1] = x[1]
			x[0] -= c * 2 * x[1]
			i = 2
		}
		for ; i < n-1; i += 2 {
			x[i] -= c * (x[i-1] + x[i+1])
		}
		if i == n-1 { // right edge: mirror x[n] = x[n-2]
			x[i] -= c * 2 * x[i-1]
		}
	}
	step(lo, dwtDelta)
	step(hi, dwtGamma)
	step(lo, dwtBeta)
	step(hi, dwtAlpha)
}
