package issue

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"sync"
)

// Face image geometry: a 3:4 portrait like an ID photo.
const (
	FaceWidth  = 360
	FaceHeight = 480
)

// Size range of the JPEG: what real CCCD DG2 photos weigh.
const (
	minFaceJPEG = 10 << 10
	maxFaceJPEG = 30 << 10
)

// faceParams are the features of one drawn face, all in pixels or colours.
type faceParams struct {
	background   color.RGBA
	skin, hair   color.RGBA
	shirt, iris  color.RGBA
	lips         color.RGBA
	cx, cy       float64 // face centre
	rx, ry       float64 // face half width and height
	eyeDX, eyeY  float64 // eye offset from the centre line, eye height
	eyeR         float64
	browTilt     float64
	noseLen      float64
	mouthY       float64
	mouthW       float64
	hairLine     float64 // distance of the hairline above the eyes
	longHair     bool
	glasses      bool
	lightFromTop float64 // shading direction
	grain        float64 // sensor noise amplitude
}

func newFaceParams(r *rand.Rand, sex Sex) faceParams {
	jitter := func(base, spread float64) float64 { return base + (r.Float64()*2-1)*spread }
	skins := []color.RGBA{{241, 204, 170, 255}, {228, 185, 150, 255}, {214, 168, 130, 255}, {198, 150, 112, 255}, {234, 196, 162, 255}}
	hairs := []color.RGBA{{20, 16, 14, 255}, {35, 26, 20, 255}, {52, 38, 28, 255}, {80, 60, 45, 255}, {140, 140, 140, 255}}
	shirts := []color.RGBA{{245, 245, 245, 255}, {30, 40, 80, 255}, {60, 60, 60, 255}, {200, 210, 230, 255}, {120, 30, 40, 255}}
	p := faceParams{
		background:   color.RGBA{uint8(jitter(232, 12)), uint8(jitter(238, 10)), 250, 255},
		skin:         skins[r.IntN(len(skins))],
		hair:         hairs[r.IntN(len(hairs))],
		shirt:        shirts[r.IntN(len(shirts))],
		iris:         color.RGBA{uint8(jitter(45, 15)), uint8(jitter(32, 10)), uint8(jitter(25, 8)), 255},
		lips:         color.RGBA{uint8(jitter(180, 20)), uint8(jitter(95, 15)), uint8(jitter(95, 15)), 255},
		cx:           jitter(FaceWidth/2, 8),
		cy:           jitter(FaceHeight*0.45, 10),
		rx:           jitter(88, 10),
		ry:           jitter(118, 10),
		eyeDX:        jitter(38, 5),
		eyeR:         jitter(11, 2),
		browTilt:     jitter(0, 0.15),
		noseLen:      jitter(42, 6),
		mouthW:       jitter(30, 6),
		hairLine:     jitter(62, 10),
		longHair:     sex == Female && r.IntN(4) != 0 || sex == Male && r.IntN(10) == 0,
		glasses:      r.IntN(6) == 0,
		lightFromTop: jitter(0.5, 0.3),
		grain:        jitter(9, 2),
	}
	p.eyeY = p.cy - p.ry*0.12
	p.mouthY = p.cy + p.ry*jitter(0.52, 0.05)
	return p
}

// Face draws the face of a seed (different seeds, different people) and
// encodes it as a JPEG of 10–30 KB. Drawing is most of sim.New's time, so
// the last faces drawn are kept (tests issue many chips of few seeds).
func Face(seed uint64, sex Sex) ([]byte, error) {
	key := faceKey{seed, sex}
	faces.Lock()
	img, ok := faces.m[key]
	faces.Unlock()
	if ok {
		return bytes.Clone(img), nil
	}
	img, err := drawFace(seed, sex)
	if err != nil {
		return nil, err
	}
	faces.Lock()
	if len(faces.m) >= maxFaces {
		clear(faces.m) // bounded: simulate mode draws a new seed per card
	}
	faces.m[key] = img
	faces.Unlock()
	return bytes.Clone(img), nil
}

type faceKey struct {
	seed uint64
	sex  Sex
}

// faces are the faces drawn last, at most maxFaces.
var faces = struct {
	sync.Mutex
	m map[faceKey][]byte
}{m: map[faceKey][]byte{}}

const maxFaces = 64

func drawFace(seed uint64, sex Sex) ([]byte, error) {
	r := rand.New(rand.NewPCG(seed, 0xface))
	p := newFaceParams(r, sex)
	img := image.NewRGBA(image.Rect(0, 0, FaceWidth, FaceHeight))
	for y := 0; y < FaceHeight; y++ {
		for x := 0; x < FaceWidth; x++ {
			c := p.pixel(float64(x)+0.5, float64(y)+0.5)
			n := (r.Float64()*2 - 1) * p.grain
			i := img.PixOffset(x, y)
			img.Pix[i] = clamp(float64(c.R) + n)
			img.Pix[i+1] = clamp(float64(c.G) + n)
			img.Pix[i+2] = clamp(float64(c.B) + n)
			img.Pix[i+3] = 255
		}
	}
	return encodeInRange(img)
}

// encodeInRange picks the JPEG quality that lands in the size range.
func encodeInRange(img image.Image) ([]byte, error) {
	var last []byte
	for _, q := range []int{80, 70, 88, 60, 50, 92} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, fmt.Errorf("encode face JPEG: %w", err)
		}
		last = buf.Bytes()
		if len(last) >= minFaceJPEG && len(last) <= maxFaceJPEG {
			return last, nil
		}
	}
	return last, nil
}

func clamp(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// inEllipse returns how deep (x, y) lies in the ellipse: < 1 inside.
func inEllipse(x, y, cx, cy, rx, ry float64) float64 {
	dx, dy := (x-cx)/rx, (y-cy)/ry
	return dx*dx + dy*dy
}

func shade(c color.RGBA, f float64) color.RGBA {
	return color.RGBA{clamp(float64(c.R) * f), clamp(float64(c.G) * f), clamp(float64(c.B) * f), 255}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	return color.RGBA{
		clamp(float64(a.R)*(1-t) + float64(b.R)*t),
		clamp(float64(a.G)*(1-t) + float64(b.G)*t),
		clamp(float64(a.B)*(1-t) + float64(b.B)*t), 255}
}

// pixel paints back to front: background, shoulders, neck, hair behind the
// head, ears, face, hair on top, then the features.
func (p faceParams) pixel(x, y float64) color.RGBA {
	c := shade(p.background, 1-0.08*y/FaceHeight)
	if y > p.cy+p.ry*0.9 && inEllipse(x, y, p.cx, FaceHeight+40, p.rx*2.2, (FaceHeight-p.cy)*0.95) < 1 {
		c = shade(p.shirt, 0.9+0.1*math.Sin(x/23))
	}
	if math.Abs(x-p.cx) < p.rx*0.45 && y > p.cy && y < p.cy+p.ry*1.35 {
		c = shade(p.skin, 0.82)
	}
	if p.longHair && inEllipse(x, y, p.cx, p.cy+p.ry*0.35, p.rx*1.3, p.ry*1.25) < 1 {
		c = shade(p.hair, 0.9+0.15*math.Sin(x/5))
	}
	for _, side := range []float64{-1, 1} {
		if inEllipse(x, y, p.cx+side*p.rx*0.98, p.eyeY+p.ry*0.12, p.rx*0.15, p.ry*0.2) < 1 {
			c = shade(p.skin, 0.9)
		}
	}
	if d := inEllipse(x, y, p.cx, p.cy, p.rx, p.ry); d < 1 {
		light := 1.05 - 0.18*d - 0.08*p.lightFromTop*(y-p.cy)/p.ry
		c = shade(p.skin, light)
	}
	if p.isHairTop(x, y) {
		c = shade(p.hair, 0.85+0.2*math.Abs(math.Sin(x/4+y/9)))
	}
	return p.features(x, y, c)
}

func (p faceParams) isHairTop(x, y float64) bool {
	top := p.eyeY - p.hairLine
	return inEllipse(x, y, p.cx, p.cy-p.ry*0.08, p.rx*1.1, p.ry*1.08) < 1 &&
		(y < top || (y < p.eyeY && math.Abs(x-p.cx) > p.rx*0.9))
}

func (p faceParams) features(x, y float64, c color.RGBA) color.RGBA {
	for _, side := range []float64{-1, 1} {
		ex := p.cx + side*p.eyeDX
		// eyebrow: a thin tilted bar above the eye
		by := p.eyeY - p.eyeR*2 + side*p.browTilt*(x-ex)
		if math.Abs(x-ex) < p.eyeR*1.6 && math.Abs(y-by) < 3 {
			c = shade(p.hair, 1.1)
		}
		if d := inEllipse(x, y, ex, p.eyeY, p.eyeR*1.5, p.eyeR*0.75); d < 1 {
			c = color.RGBA{240, 238, 235, 255}
			if inEllipse(x, y, ex, p.eyeY, p.eyeR*0.65, p.eyeR*0.65) < 1 {
				c = p.iris
			}
			if inEllipse(x, y, ex, p.eyeY, p.eyeR*0.3, p.eyeR*0.3) < 1 {
				c = color.RGBA{10, 10, 10, 255}
			}
		}
		if p.glasses {
			d := inEllipse(x, y, ex, p.eyeY, p.eyeR*2.4, p.eyeR*1.8)
			if d > 0.85 && d < 1 {
				c = color.RGBA{30, 30, 30, 255}
			}
		}
	}
	// nose: a shaded ridge and two nostrils
	if math.Abs(x-p.cx-4) < 3 && y > p.eyeY && y < p.eyeY+p.noseLen {
		c = mix(c, shade(p.skin, 0.75), 0.5)
	}
	for _, side := range []float64{-1, 1} {
		if inEllipse(x, y, p.cx+side*8, p.eyeY+p.noseLen, 5, 3) < 1 {
			c = shade(p.skin, 0.6)
		}
	}
	if d := inEllipse(x, y, p.cx, p.mouthY, p.mouthW, 7); d < 1 {
		c = p.lips
		if math.Abs(y-p.mouthY) < 1 {
			c = shade(p.lips, 0.6)
		}
	}
	return c
}
