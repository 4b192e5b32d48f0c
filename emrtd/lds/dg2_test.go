package lds

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"strings"
	"testing"

	"github.com/idagent/idagent/emrtd/tlv"
)

func testJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testJP2(t testing.TB) []byte {
	b, err := os.ReadFile("jpeg2000/testdata/rgb_97.jp2")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDG2ISO19794JPEG(t *testing.T) {
	img := testJPEG(t, 90, 120)
	dg2 := EncodeDG2(tlv.Encode(0x5F2E, Encode19794(img, false, 90, 120)))
	d, err := ParseDG2(dg2)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Faces) != 1 {
		t.Fatalf("%d faces", len(d.Faces))
	}
	f := d.Faces[0]
	if f.Encoding != "ISO/IEC 19794-5" || f.RecordVersion != "010" || f.ImageDataType != "JPEG" || f.FaceImageType != "full frontal" || f.DeclaredWidth != 90 {
		t.Errorf("face %s %s %s %s %d", f.Encoding, f.RecordVersion, f.ImageDataType, f.FaceImageType, f.DeclaredWidth)
	}
	if f.FormatOwner != 0x0101 || f.FormatType != 8 {
		t.Errorf("header %x %x", f.FormatOwner, f.FormatType)
	}
	if f.Image.Type != FormatJPEG || f.Image.Width != 90 || f.Image.Height != 120 || !bytes.Equal(f.Image.Data, img) {
		t.Errorf("image %s %dx%d", f.Image.Type, f.Image.Width, f.Image.Height)
	}
	p, err := PortraitFromDG2(dg2, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.MIMEType != "image/jpeg" || p.Transcoded || !bytes.Equal(p.Data, img) {
		t.Errorf("portrait %s %v", p.MIMEType, p.Transcoded)
	}
}

func TestDG2ISO39794JPEG2000(t *testing.T) {
	jp2 := testJP2(t)
	// A 39794-5 face image data block: version block, then a
	// representation with the image and its 2D information.
	block := tlv.Encode(0x7F2E,
		tlv.Encode(0xA0, tlv.Encode(0x80, []byte{0}), tlv.Encode(0x81, []byte{0x07, 0xE3})),
		tlv.Encode(0xA1, tlv.Encode(0x30,
			tlv.Encode(0x80, []byte{1}),
			tlv.Encode(0xA1, tlv.Encode(0xA0,
				tlv.Encode(0x80, jp2),
				tlv.Encode(0xA1, tlv.Encode(0xA0, tlv.Encode(0x80, []byte{3})), tlv.Encode(0xA7, tlv.Encode(0x80, []byte{96}), tlv.Encode(0x81, []byte{120}))))))))
	d, err := ParseDG2(EncodeDG2(block))
	if err != nil {
		t.Fatal(err)
	}
	f := d.Faces[0]
	if f.Encoding != "ISO/IEC 39794-5" || f.Image.Type != FormatJPEG2000 || f.Image.Container != "jp2" || f.Image.Width != 96 || f.Image.Height != 120 {
		t.Fatalf("face %s %s %s %dx%d", f.Encoding, f.Image.Type, f.Image.Container, f.Image.Width, f.Image.Height)
	}
	for _, asPNG := range []bool{false, true} {
		p, err := PortraitFromDG2(EncodeDG2(block), asPNG)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "image/jpeg", true: "image/png"}[asPNG]
		if p.MIMEType != want || !p.Transcoded || len(p.Data) == 0 {
			t.Errorf("portrait %s %v", p.MIMEType, p.Transcoded)
		}
		if img, _, err := image.Decode(bytes.NewReader(p.Data)); err != nil || img.Bounds().Dx() != 96 {
			t.Errorf("transcoded image: %v", err)
		}
	}
	// A 19794-5 record holding a JPEG 2000 codestream.
	cs, _ := os.ReadFile("jpeg2000/testdata/grey_97.j2k")
	d, err = ParseDG2(EncodeDG2(tlv.Encode(0x5F2E, Encode19794(cs, true, 96, 120))))
	if err != nil || d.Faces[0].Image.Container != "codestream" || d.Faces[0].ImageDataType != "JPEG 2000" {
		t.Fatalf("19794 JPEG 2000: %v", err)
	}
}

func TestDG2Rejects(t *testing.T) {
	img := testJPEG(t, 8, 8)
	rec := Encode19794(img, false, 8, 8)
	for name, b := range map[string][]byte{
		"no 7F61":        tlv.Encode(0x75, tlv.Encode(0x02, []byte{1})),
		"no template":    tlv.Encode(0x75, tlv.Encode(0x7F61, tlv.Encode(0x02, []byte{1}))),
		"no data block":  tlv.Encode(0x75, tlv.Encode(0x7F61, tlv.Encode(0x7F60, tlv.Encode(0xA1)))),
		"not FAC":        EncodeDG2(tlv.Encode(0x5F2E, append([]byte("XAC"), rec[3:]...))),
		"short record":   EncodeDG2(tlv.Encode(0x5F2E, rec[:40])),
		"39794 no image": EncodeDG2(tlv.Encode(0x7F2E, tlv.Encode(0xA0, tlv.Encode(0x80, []byte{1})))),
	} {
		if _, err := ParseDG2(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A record that claims more than it holds still gives its image.
	if d, err := ParseDG2(EncodeDG2(tlv.Encode(0x5F2E, rec[:len(rec)-10]))); err != nil || d.Faces[0].Image.Type != FormatJPEG {
		t.Errorf("long record: %v", err)
	}
	// Records that miscount their length (real-chips.md L-06): 8 bytes too
	// many (New Zealand), one too few (the UK): the whole image is read.
	for _, miscount := range []int{8, 1, -1, -8} {
		r := append([]byte(nil), rec...)
		binary.BigEndian.PutUint32(r[14:], binary.BigEndian.Uint32(r[14:])+uint32(miscount))
		d, err := ParseDG2(EncodeDG2(tlv.Encode(0x5F2E, r)))
		if err != nil || !bytes.Equal(d.Faces[0].Image.Data, img) {
			t.Errorf("record length off by %d: %v", miscount, err)
		}
	}
	// A bare image without the 19794-5 record (raw JPEG 2000 or JPEG).
	for _, raw := range [][]byte{testJP2(t), img} {
		d, err := ParseDG2(EncodeDG2(tlv.Encode(0x5F2E, raw)))
		if err != nil || !bytes.Equal(d.Faces[0].Image.Data, raw) {
			t.Errorf("raw image: %v", err)
		}
	}
	d, _ := ParseDG2(EncodeDG2(tlv.Encode(0x5F2E, rec)))
	if s := fmt.Sprintf("%v %+v %#v", d, d.Faces[0], d.Faces[0].Image); strings.Contains(s, "JFIF") || strings.Contains(s, "255") {
		t.Errorf("leak: %s", s)
	}
}

func TestDG7DG11DG12(t *testing.T) {
	img := testJPEG(t, 40, 20)
	d7, err := ParseDG7(EncodeDG7(img))
	if err != nil || len(d7.Images) != 1 || d7.Images[0].Width != 40 {
		t.Fatalf("DG7: %v", err)
	}
	// DG11 and DG12 laid out as ICAO 9303-10 §4.7.11–12 describes them,
	// with the names of its specimen.
	dg11 := tlv.Encode(0x6B,
		tlv.Encode(0x5C, []byte{0x5F, 0x0E, 0xA0, 0x5F, 0x10, 0x5F, 0x2B, 0x5F, 0x11, 0x5F, 0x42, 0x5F, 0x12, 0x5F, 0x13, 0x5F, 0x14, 0x5F, 0x15, 0x5F, 0x17, 0x5F, 0x18}),
		encodeText(0x5F0E, "ERIKSSON<<ANNA<MARIA"),
		tlv.Encode(0xA0, tlv.Encode(tagInteger, []byte{2}), encodeText(0x5F0F, "ERIKSSON<<ANNA"), encodeText(0x5F0F, "SVENSSON<<ANNA<MARIA")),
		encodeText(0x5F10, "123456789"),
		encodeText(0x5F2B, "19740812"),
		encodeText(0x5F11, "ZENITH,UTOPIA"),
		encodeText(0x5F42, "123 MAPLE RD<ANYTOWN<UTOPIA"),
		encodeText(0x5F12, "1-555-555-1212"),
		encodeText(0x5F13, "TRAVEL AGENT"),
		encodeText(0x5F14, "PRESIDENT"),
		encodeText(0x5F15, "SUMMARY"),
		encodeText(0x5F17, "X12345678"),
		encodeText(0x5F18, "CUSTODY"),
		encodeText(0x5F20, "future"),
	)
	d11, err := ParseDG11(dg11)
	if err != nil {
		t.Fatal(err)
	}
	if d11.Surname != "ERIKSSON" || d11.GivenNames != "ANNA MARIA" || len(d11.OtherNames) != 2 || d11.PersonalNumber != "123456789" ||
		d11.DateOfBirth.ISO != "1974-08-12" || d11.PlaceOfBirth != "ZENITH,UTOPIA" || d11.Address != "123 MAPLE RD<ANYTOWN<UTOPIA" ||
		d11.Telephone == "" || d11.Profession != "TRAVEL AGENT" || d11.Title != "PRESIDENT" || d11.PersonalSummary == "" ||
		len(d11.OtherTravelDocs) != 1 || d11.Custody == "" || len(d11.Unknown) != 1 || len(d11.Tags) != 12 {
		t.Errorf("DG11 %+v", *d11) // redacted: shows nothing
	}
	// BCD date of birth (older chips).
	if d, _ := ParseDG11(tlv.Encode(0x6B, tlv.Encode(0x5F2B, []byte{0x19, 0x74, 0x08, 0x12}))); d.DateOfBirth.ISO != "1974-08-12" {
		t.Errorf("BCD date %q", d.DateOfBirth.ISO)
	}
	dg12 := tlv.Encode(0x6C,
		tlv.Encode(0x5C, []byte{0x5F, 0x19, 0x5F, 0x26, 0xA0, 0x5F, 0x1B, 0x5F, 0x1C, 0x5F, 0x1D, 0x5F, 0x55, 0x5F, 0x56}),
		encodeText(0x5F19, "UTOPIA"),
		encodeText(0x5F26, "20020531"),
		tlv.Encode(0xA0, tlv.Encode(tagInteger, []byte{1}), encodeText(0x5F1A, "ERIKSSON<<JOHN")),
		encodeText(0x5F1B, "ENDORSEMENT"),
		encodeText(0x5F1C, "TAX"),
		tlv.Encode(0x5F1D, img),
		encodeText(0x5F55, "20020531142100"),
		encodeText(0x5F56, "A1B2C3"),
	)
	d12, err := ParseDG12(dg12)
	if err != nil {
		t.Fatal(err)
	}
	if d12.IssuingAuthority != "UTOPIA" || d12.DateOfIssue.ISO != "2002-05-31" || len(d12.OtherPersons) != 1 || d12.Endorsements == "" ||
		d12.TaxExit == "" || d12.FrontImage == nil || d12.FrontImage.Type != FormatJPEG || d12.PersonalizationTime != "20020531142100" || d12.PersonalizationSystemSerial != "A1B2C3" {
		t.Errorf("DG12 parse")
	}
	for _, b := range [][]byte{tlv.Encode(0x6B, tlv.Encode(0xA0, tlv.Encode(tagInteger, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}))), tlv.Encode(0x67, tlv.Encode(0x02, []byte{0}))} {
		if _, err := Parse(mustDG(DGByTag(uint32(b[0]))), b); err == nil {
			t.Errorf("tag %X: no error", b[0])
		}
	}
}

func mustDG(n int) File {
	f, _ := DataGroup(n)
	return f
}
