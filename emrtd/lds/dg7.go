package lds

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/tlv"
)

// DG7 is data group 7 (tag 67): the displayed signature or usual mark,
// 67 { 02 count, 5F43 image, ... }.
type DG7 struct {
	Images []*Image `json:"images"`
}

func (DG7) PersonalData()              {}
func (DG7) String() string             { return "lds.DG7(redacted)" }
func (DG7) GoString() string           { return "lds.DG7(redacted)" }
func (DG7) Format(f fmt.State, _ rune) { writeRedacted(f, "DG7") }

// ParseDG7 parses DG7.
func ParseDG7(b []byte) (*DG7, error) {
	v, err := unwrap("DG7", b, 0x67)
	if err != nil {
		return nil, err
	}
	objs, err := children("DG7", v)
	if err != nil {
		return nil, err
	}
	d := &DG7{Images: []*Image{}}
	for _, o := range objs {
		if o.Tag == 0x5F43 {
			if len(d.Images) >= maxItems {
				return nil, fmt.Errorf("%w: DG7 holds more than %d images", ErrTooLarge, maxItems)
			}
			d.Images = append(d.Images, NewImage(o.Value))
		}
	}
	if len(d.Images) == 0 {
		return nil, fmt.Errorf("%w: DG7 holds no image (5F43)", ErrMalformed)
	}
	return d, nil
}

// EncodeDG7 wraps images as DG7 (for tests and the software chip).
func EncodeDG7(images ...[]byte) []byte {
	parts := [][]byte{intDERBytes(len(images))}
	for _, im := range images {
		parts = append(parts, tlv.Encode(0x5F43, im))
	}
	return tlv.Encode(0x67, parts...)
}

func intDERBytes(n int) []byte { return tlv.Encode(tagInteger, []byte{byte(n)}) }
