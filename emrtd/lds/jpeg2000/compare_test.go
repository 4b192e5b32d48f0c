package jpeg2000

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compareImages returns the largest and the mean absolute difference per
// sample between got and the PNG at refPath.
func compareImages(t *testing.T, got image.Image, refPath string) (maxDiff int, mean float64) {
	t.Helper()
	f, err := os.Open(refPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds().Dx() != ref.Bounds().Dx() || got.Bounds().Dy() != ref.Bounds().Dy() {
		t.Fatalf("size %v, reference %v", got.Bounds(), ref.Bounds())
	}
	var sum, n float64
	rb, gb := ref.Bounds(), got.Bounds()
	for y := 0; y < rb.Dy(); y++ {
		for x := 0; x < rb.Dx(); x++ {
			r1, g1, b1, _ := got.At(gb.Min.X+x, gb.Min.Y+y).RGBA()
			r2, g2, b2, _ := ref.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			for _, p := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}} {
				d := int(p[0]>>8) - int(p[1]>>8)
				if d < 0 {
					d = -d
				}
				maxDiff = max(maxDiff, d)
				sum += float64(d)
				n++
			}
		}
	}
	return maxDiff, sum / n
}

func samples(t testing.TB) []string {
	files, _ := filepath.Glob("testdata/*.j2k")
	more, _ := filepath.Glob("testdata/*.jp2")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("testdata has %d samples", len(files))
	}
	return files
}

// TestAgainstOpenJPEG compares every sample with opj_decompress's output:
// reversible files must match exactly, irreversible ones within 2 levels
// (float rounding differs between implementations).
func TestAgainstOpenJPEG(t *testing.T) {
	for _, p := range samples(t) {
		ref := strings.TrimSuffix(p, filepath.Ext(p)) + ".png"
		if _, err := os.Stat(ref); err != nil {
			continue
		}
		data, _ := os.ReadFile(p)
		img, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		cfg, err := DecodeConfig(data)
		if err != nil {
			t.Errorf("%s: config: %v", p, err)
			continue
		}
		if cfg.Width != img.Bounds().Dx() || cfg.Height != img.Bounds().Dy() {
			t.Errorf("%s: config %dx%d, image %v", p, cfg.Width, cfg.Height, img.Bounds())
		}
		mx, mean := compareImages(t, img, ref)
		limit := 2
		if cfg.Reversible {
			limit = 0
		}
		if mx > limit || mean > 0.05 {
			t.Errorf("%s: max difference %d, mean %.3f", p, mx, mean)
		}
		wantKind := KindCodestream
		if filepath.Ext(p) == ".jp2" {
			wantKind = KindJP2
		}
		if cfg.Kind != wantKind {
			t.Errorf("%s: kind %v", p, cfg.Kind)
		}
	}
}

func TestPortraitSizedPhoto(t *testing.T) {
	data, err := os.ReadFile("testdata/portrait.jp2")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 420 || img.Bounds().Dy() != 525 {
		t.Fatalf("bounds %v", img.Bounds())
	}
	// The face (skin tone) is where it was drawn.
	r, g, b, _ := img.At(210, 270).RGBA()
	if r>>8 < 180 || g>>8 < 140 || b>>8 > 170 {
		t.Errorf("face colour %d %d %d", r>>8, g>>8, b>>8)
	}
}

// TestTruncated: a cut file decodes what it holds or fails with an error,
// never panics.
func TestTruncated(t *testing.T) {
	for _, p := range samples(t) {
		data, _ := os.ReadFile(p)
		for _, n := range []int{len(data) * 3 / 4, len(data) / 2, len(data) / 4, 200, 60, 12} {
			if n >= len(data) {
				continue
			}
			_, _ = Decode(data[:n])
		}
	}
	data, _ := os.ReadFile("testdata/rgb_lossless.jp2")
	if _, err := Decode(data[:len(data)*2/3]); err != nil {
		t.Errorf("a truncated codestream should still decode: %v", err)
	}
}

func TestRejects(t *testing.T) {
	data, _ := os.ReadFile("testdata/grey_lossless.j2k")
	if _, err := Decode([]byte("not an image")); !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: %v", err)
	}
	// Huge dimensions are refused before any allocation.
	big := bytes.Clone(data)
	siz := bytes.Index(big, []byte{0xFF, 0x51})
	binary.BigEndian.PutUint32(big[siz+6:], 60000)
	binary.BigEndian.PutUint32(big[siz+10:], 60000)
	if _, err := Decode(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("60000 × 60000: %v", err)
	}
	// The default limits: 1024 × 1024 is within, one more row is not.
	for _, c := range []struct {
		w, h   uint32
		tooBig bool
	}{{1024, 1024, false}, {1024, 1025, true}, {800, 1310, false}, {4096, 1024, true}} {
		sized := bytes.Clone(data)
		binary.BigEndian.PutUint32(sized[siz+6:], c.w)
		binary.BigEndian.PutUint32(sized[siz+10:], c.h)
		if _, err := DecodeConfig(sized); errors.Is(err, ErrTooLarge) != c.tooBig {
			t.Errorf("%d × %d: %v", c.w, c.h, err)
		}
	}
	// Tiny tiles over a large image exceed the tile limit.
	tiles := bytes.Clone(data)
	binary.BigEndian.PutUint32(tiles[siz+22:], 1)
	binary.BigEndian.PutUint32(tiles[siz+26:], 1)
	if _, err := Decode(tiles); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1 × 1 tiles: %v", err)
	}
	// Five components.
	five := bytes.Clone(data)
	binary.BigEndian.PutUint16(five[siz+38:], 5)
	if _, err := Decode(five); err == nil {
		t.Errorf("five components accepted")
	}
}

func BenchmarkDecodePortrait(b *testing.B) {
	data, err := os.ReadFile("testdata/portrait.jp2")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	// Small seeds mutate fast; the larger samples are exercised by the
	// tests above.
	seeds, _ := filepath.Glob("testdata/fuzz_*")
	for _, p := range seeds {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxPixels: 256 * 256, MaxTiles: 64}
		img, err := DecodeWithLimits(data, lim)
		if err == nil && img.Bounds().Dx()*img.Bounds().Dy() > lim.MaxPixels {
			t.Fatalf("image %v beyond the limit", img.Bounds())
		}
		_, _ = DecodeConfig(data)
	})
}
