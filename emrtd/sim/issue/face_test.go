package issue

import (
	"bytes"
	"image/jpeg"
	"os"
	"testing"
)

func TestFaceJPEG(t *testing.T) {
	seen := map[string]bool{}
	for seed := uint64(0); seed < 12; seed++ {
		b, err := Face(seed, Sex("MF"[seed%2]))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < minFaceJPEG || len(b) > maxFaceJPEG {
			t.Errorf("seed %d: %d bytes, outside 10–30 KB", seed, len(b))
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if img.Bounds().Dx() != FaceWidth || img.Bounds().Dy() != FaceHeight {
			t.Errorf("seed %d: size %v", seed, img.Bounds())
		}
		if seen[string(b)] {
			t.Errorf("seed %d: same face as an earlier seed", seed)
		}
		seen[string(b)] = true
		if dir := os.Getenv("IDAGENT_FACE_DIR"); dir != "" {
			os.WriteFile(dir+"/face"+string(rune('a'+seed))+".jpg", b, 0o644)
		}
	}
	a, _ := Face(3, Male)
	b, _ := Face(3, Male)
	if !bytes.Equal(a, b) {
		t.Error("face not deterministic")
	}
}

func BenchmarkFace(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Face(uint64(i), Female); err != nil {
			b.Fatal(err)
		}
	}
}
