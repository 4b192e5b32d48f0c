package lds

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/idagent/idagent/emrtd/lds/jpeg2000"
	"github.com/idagent/idagent/emrtd/tlv"
)

// DG2 is data group 2 (tag 75): the encoded face. 75 { 7F61 { 02 count,
// 7F60 { A1 { biometric header }, 5F2E or 7F2E { data } }, ... } }.
type DG2 struct {
	Faces []*Face `json:"faces"`
}

// Face is one biometric information template of DG2.
type Face struct {
	// Encoding is "ISO/IEC 19794-5" (5F2E) or "ISO/IEC 39794-5" (7F2E).
	Encoding string `json:"encoding"`
	Image    *Image `json:"image"`

	// From the biometric header template (A1).
	FormatOwner int `json:"formatOwner,omitempty"`
	FormatType  int `json:"formatType,omitempty"`

	// From the ISO/IEC 19794-5 facial record (empty for 39794-5).
	RecordVersion  string `json:"recordVersion,omitempty"` // "010"
	Gender         string `json:"gender,omitempty"`
	EyeColour      string `json:"eyeColour,omitempty"`
	HairColour     string `json:"hairColour,omitempty"`
	Expression     int    `json:"expression,omitempty"`
	FeaturePoints  int    `json:"featurePoints,omitempty"`
	FaceImageType  string `json:"faceImageType,omitempty"` // "basic", "full frontal", "token frontal"
	ImageDataType  string `json:"imageDataType,omitempty"` // "JPEG", "JPEG 2000"
	ColourSpace    int    `json:"colourSpace,omitempty"`
	SourceType     int    `json:"sourceType,omitempty"`
	DeviceType     int    `json:"deviceType,omitempty"`
	Quality        int    `json:"quality,omitempty"`
	DeclaredWidth  int    `json:"declaredWidth,omitempty"` // as the record says; Image has the image's own
	DeclaredHeight int    `json:"declaredHeight,omitempty"`
}

func (DG2) PersonalData()              {}
func (DG2) String() string             { return "lds.DG2(redacted)" }
func (DG2) GoString() string           { return "lds.DG2(redacted)" }
func (DG2) Format(f fmt.State, _ rune) { writeRedacted(f, "DG2") }
func (Face) PersonalData()             {}
func (Face) String() string            { return "lds.Face(redacted)" }
func (Face) GoString() string          { return "lds.Face(redacted)" }
func (Face) Format(f fmt.State, _ rune) {
	writeRedacted(f, "Face")
}

// Portrait returns the first face's image, nil when there is none.
func (d *DG2) Portrait() *Image {
	for _, f := range d.Faces {
		if f.Image != nil {
			return f.Image
		}
	}
	return nil
}

// ParseDG2 parses DG2.
func ParseDG2(b []byte) (*DG2, error) {
	v, err := unwrap("DG2", b, 0x75)
	if err != nil {
		return nil, err
	}
	group, ok, err := tlv.Find(v, 0x7F61)
	if err != nil {
		return nil, fmt.Errorf("%w: DG2: %v", ErrMalformed, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: DG2 has no biometric information group template (7F61)", ErrMalformed)
	}
	objs, err := children("DG2 7F61", group.Value)
	if err != nil {
		return nil, err
	}
	d := &DG2{Faces: []*Face{}}
	for _, o := range objs {
		if o.Tag != 0x7F60 {
			continue
		}
		if len(d.Faces) >= maxItems {
			return nil, fmt.Errorf("%w: DG2 holds more than %d templates", ErrTooLarge, maxItems)
		}
		f, err := parseBIT(o.Value)
		if err != nil {
			return nil, fmt.Errorf("DG2 template %d: %w", len(d.Faces)+1, err)
		}
		d.Faces = append(d.Faces, f)
	}
	if len(d.Faces) == 0 {
		return nil, fmt.Errorf("%w: DG2 holds no biometric information template (7F60)", ErrMalformed)
	}
	return d, nil
}

// parseBIT parses one biometric information template (7F60).
func parseBIT(v []byte) (*Face, error) {
	objs, err := children("DG2 7F60", v)
	if err != nil {
		return nil, err
	}
	f := &Face{}
	found := false
	for _, o := range objs {
		switch o.Tag {
		case 0xA1:
			hdr, err := children("DG2 biometric header", o.Value)
			if err != nil {
				return nil, err
			}
			for _, h := range hdr {
				switch h.Tag {
				case 0x87:
					f.FormatOwner = beInt(h.Value)
				case 0x88:
					f.FormatType = beInt(h.Value)
				}
			}
		case 0x5F2E:
			f.Encoding = "ISO/IEC 19794-5"
			if err := f.parse19794(o.Value); err != nil {
				return nil, err
			}
			found = true
		case 0x7F2E:
			f.Encoding = "ISO/IEC 39794-5"
			if err := f.parse39794(o.Value); err != nil {
				return nil, err
			}
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: no biometric data block (5F2E or 7F2E)", ErrMalformed)
	}
	return f, nil
}

func beInt(b []byte) int {
	n := 0
	for i, c := range b {
		if i >= 4 {
			break
		}
		n = n<<8 | int(c)
	}
	return n
}

var (
	genders     = map[byte]string{0: "unspecified", 1: "male", 2: "female", 0xFF: "unknown"}
	eyeColours  = map[byte]string{0: "unspecified", 1: "black", 2: "blue", 3: "brown", 4: "gray", 5: "green", 6: "multi-coloured", 7: "pink", 0xFF: "other"}
	hairColours = map[byte]string{0: "unspecified", 1: "bald", 2: "black", 3: "blonde", 4: "brown", 5: "gray", 6: "white", 7: "red", 8: "green", 9: "blue", 0xFF: "unknown"}
	faceTypes   = map[byte]string{0: "basic", 1: "full frontal", 2: "token frontal"}
	dataTypes   = map[byte]string{0: "JPEG", 1: "JPEG 2000"}
)

// maxMiscount is how many bytes a 19794-5 record may claim too few and
// still be read whole.
const maxMiscount = 8

// parse19794 reads an ISO/IEC 19794-5:2005 facial record: the 14-byte
// record header ("FAC\0", version, length, count), then per face a 20-byte
// facial information block, 8 bytes per feature point, 12 bytes of image
// information and the image. Only the first face is taken (passports hold
// one). Other versions fall back to finding the image by its signature.
func (f *Face) parse19794(b []byte) error {
	if isImage(b) {
		// A bare image without the record around it (real-chips.md L-06:
		// raw JPEG 2000 on some passports).
		f.Encoding = "image without ISO/IEC 19794-5 header"
		f.Image = NewImage(b)
		return nil
	}
	if len(b) < 14 || !bytes.Equal(b[:4], []byte("FAC\x00")) {
		return fmt.Errorf("%w: 19794-5 record does not start with FAC", ErrMalformed)
	}
	f.RecordVersion = string(bytes.TrimRight(b[4:8], "\x00"))
	if f.RecordVersion != "010" {
		return f.findImage(b[8:])
	}
	if n := binary.BigEndian.Uint16(b[12:]); n == 0 {
		return fmt.Errorf("%w: 19794-5 record holds no face", ErrMalformed)
	}
	rec := b[14:]
	if len(rec) < 20 {
		return fmt.Errorf("%w: 19794-5 facial information truncated", ErrMalformed)
	}
	length := int64(binary.BigEndian.Uint32(rec))
	if length < 32 {
		return fmt.Errorf("%w: 19794-5 facial record length %d", ErrMalformed, length)
	}
	// Chips miscount (real-chips.md L-06: 8 bytes too many on New
	// Zealand passports, one too few on British ones): a record that
	// claims more bytes than the block holds keeps what is there, and one
	// that claims up to maxMiscount fewer keeps the whole block (the image
	// decoder finds the image's end; data after it is ignored).
	if length < int64(len(rec))-maxMiscount {
		rec = rec[:length]
	}
	f.FeaturePoints = int(binary.BigEndian.Uint16(rec[4:]))
	f.Gender = genders[rec[6]]
	f.EyeColour = eyeColours[rec[7]]
	f.HairColour = hairColours[rec[8]]
	f.Expression = int(binary.BigEndian.Uint16(rec[12:]))
	info := 20 + 8*f.FeaturePoints
	if info+12 > len(rec) {
		return fmt.Errorf("%w: 19794-5 feature points run past the record", ErrMalformed)
	}
	ii := rec[info : info+12]
	f.FaceImageType = faceTypes[ii[0]]
	f.ImageDataType = dataTypes[ii[1]]
	f.DeclaredWidth = int(binary.BigEndian.Uint16(ii[2:]))
	f.DeclaredHeight = int(binary.BigEndian.Uint16(ii[4:]))
	f.ColourSpace = int(ii[6])
	f.SourceType = int(ii[7])
	f.DeviceType = int(binary.BigEndian.Uint16(ii[8:]))
	f.Quality = int(binary.BigEndian.Uint16(ii[10:]))
	data := rec[info+12:]
	if len(data) == 0 {
		return fmt.Errorf("%w: 19794-5 record holds no image data", ErrMalformed)
	}
	f.Image = NewImage(data)
	return nil
}

// parse39794 reads an ISO/IEC 39794-5 face image data block, a tagged
// BER structure. The image is the representation data: found as the
// largest primitive value that starts with an image signature, which does
// not depend on the exact context tags of each edition.
func (f *Face) parse39794(b []byte) error {
	var best []byte
	var walk func(v []byte, depth int) error
	walk = func(v []byte, depth int) error {
		if depth > 8 {
			return fmt.Errorf("%w: 39794-5 block nested deeper than 8", ErrMalformed)
		}
		objs, err := children("DG2 39794-5 block", v)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if o.Constructed() {
				if err := walk(o.Value, depth+1); err != nil {
					return err
				}
				continue
			}
			if isImage(o.Value) && len(o.Value) > len(best) {
				best = o.Value
			}
		}
		return nil
	}
	if err := walk(b, 0); err != nil {
		return err
	}
	if best == nil {
		return fmt.Errorf("%w: 39794-5 block holds no JPEG or JPEG 2000 image", ErrMalformed)
	}
	f.Image = NewImage(best)
	return nil
}

// findImage takes the image that starts at the first image signature.
func (f *Face) findImage(b []byte) error {
	for i := 0; i+4 <= len(b); i++ {
		if isImage(b[i:]) {
			f.Image = NewImage(b[i:])
			return nil
		}
	}
	return fmt.Errorf("%w: no JPEG or JPEG 2000 image found in the biometric data block", ErrMalformed)
}

func isImage(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) {
		return true
	}
	_, ok := jpeg2000.Sniff(b)
	return ok
}

// Encode19794 builds an ISO/IEC 19794-5:2005 record holding one image
// (for tests and the software chip): a basic face, JPEG or JPEG 2000.
func Encode19794(img []byte, jpeg2000Data bool, width, height int) []byte {
	var rec bytes.Buffer
	length := 20 + 12 + len(img)
	rec.WriteString("FAC\x00010\x00")
	binary.Write(&rec, binary.BigEndian, uint32(14+length))
	binary.Write(&rec, binary.BigEndian, uint16(1))
	binary.Write(&rec, binary.BigEndian, uint32(length))
	rec.Write(make([]byte, 16)) // no feature points, unspecified attributes
	dt := byte(0)
	if jpeg2000Data {
		dt = 1
	}
	rec.Write([]byte{1, dt})
	binary.Write(&rec, binary.BigEndian, uint16(width))
	binary.Write(&rec, binary.BigEndian, uint16(height))
	rec.Write([]byte{1, 2, 0, 0, 0, 0})
	rec.Write(img)
	return rec.Bytes()
}

// EncodeDG2 wraps biometric data blocks (tag 5F2E or 7F2E each) as DG2.
func EncodeDG2(blocks ...[]byte) []byte {
	parts := [][]byte{tlv.Encode(tagInteger, []byte{byte(len(blocks))})}
	for _, blk := range blocks {
		header := tlv.Encode(0xA1,
			tlv.Encode(0x80, []byte{1, 1}),
			tlv.Encode(0x81, []byte{2}),
			tlv.Encode(0x87, []byte{0x01, 0x01}),
			tlv.Encode(0x88, []byte{0x00, 0x08}))
		parts = append(parts, tlv.Encode(0x7F60, header, blk))
	}
	return tlv.Encode(0x75, tlv.Encode(0x7F61, parts...))
}
