package lds

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/idagent/idagent/emrtd/lds/jpeg2000"
)

// ImageFormat is the encoding of an image a data group holds.
type ImageFormat string

const (
	FormatJPEG     ImageFormat = "jpeg"
	FormatJPEG2000 ImageFormat = "jpeg2000"
	FormatPNG      ImageFormat = "png"
	FormatWSQ      ImageFormat = "wsq" // fingerprints (DG3)
	FormatUnknown  ImageFormat = "unknown"
)

// Image is an image of a data group (portrait, signature, document
// images) with what its own header says. Data is kept out of JSON: the
// agent sends the browser the result of Displayable.
type Image struct {
	Type ImageFormat `json:"format"`
	// Container tells a JPEG 2000 JP2 file ("jp2") from a raw codestream
	// ("codestream"); empty for other formats.
	Container string `json:"container,omitempty"`
	MIMEType  string `json:"mimeType"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	Size      int    `json:"size"` // bytes
	Data      []byte `json:"-"`
}

func (Image) PersonalData()              {}
func (Image) String() string             { return "lds.Image(redacted)" }
func (Image) GoString() string           { return "lds.Image(redacted)" }
func (Image) Format(f fmt.State, _ rune) { writeRedacted(f, "Image") }

// NewImage identifies the image in data by its signature and reads its
// dimensions from its header (nothing is decoded). Data is copied.
func NewImage(data []byte) *Image {
	im := &Image{Data: clone(data), Size: len(data), Type: FormatUnknown, MIMEType: "application/octet-stream"}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		im.Type, im.MIMEType = FormatJPEG, "image/jpeg"
		if c, err := jpeg.DecodeConfig(bytes.NewReader(data)); err == nil {
			im.Width, im.Height = c.Width, c.Height
		}
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		im.Type, im.MIMEType = FormatPNG, "image/png"
		if c, err := png.DecodeConfig(bytes.NewReader(data)); err == nil {
			im.Width, im.Height = c.Width, c.Height
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xA0}):
		im.Type, im.MIMEType = FormatWSQ, "image/x-wsq"
	default:
		if kind, ok := jpeg2000.Sniff(data); ok {
			im.Type, im.Container = FormatJPEG2000, kind.String()
			im.MIMEType = "image/jp2"
			if kind == jpeg2000.KindCodestream {
				im.MIMEType = "image/j2c"
			}
			if c, err := jpeg2000.DecodeConfig(data); err == nil {
				im.Width, im.Height = c.Width, c.Height
			}
		}
	}
	return im
}

// Displayable returns the image in a form every browser shows: a JPEG or
// PNG is returned as it is (after checking that its header decodes), a
// JPEG 2000 image is decoded (within jpeg2000.DefaultLimits, the size of a
// portrait) and re-encoded as JPEG (quality 92) — or as PNG when asPNG is
// set, which keeps a lossless image lossless.
func (im *Image) Displayable(asPNG bool) (mimeType string, data []byte, err error) {
	switch im.Type {
	case FormatJPEG:
		if _, err := jpeg.DecodeConfig(bytes.NewReader(im.Data)); err != nil {
			return "", nil, fmt.Errorf("%w: JPEG header: %v", ErrMalformed, err)
		}
		return "image/jpeg", im.Data, nil
	case FormatPNG:
		if _, err := png.DecodeConfig(bytes.NewReader(im.Data)); err != nil {
			return "", nil, fmt.Errorf("%w: PNG header: %v", ErrMalformed, err)
		}
		return "image/png", im.Data, nil
	case FormatJPEG2000:
		img, err := jpeg2000.Decode(im.Data)
		if err != nil {
			return "", nil, fmt.Errorf("decode JPEG 2000: %w", err)
		}
		return encodeDisplayable(img, asPNG)
	}
	return "", nil, fmt.Errorf("%w: image format %s cannot be shown", ErrUnsupported, im.Type)
}

func encodeDisplayable(img image.Image, asPNG bool) (string, []byte, error) {
	var buf bytes.Buffer
	if asPNG {
		if err := png.Encode(&buf, img); err != nil {
			return "", nil, fmt.Errorf("encode PNG: %w", err)
		}
		return "image/png", buf.Bytes(), nil
	}
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		return "", nil, fmt.Errorf("encode JPEG: %w", err)
	}
	return "image/jpeg", buf.Bytes(), nil
}
