// Package jpeg2000 decodes the JPEG 2000 images (ISO/IEC 15444-1, ITU-T
// T.800) that passports store as portraits: JP2 files and raw codestreams,
// lossless (5/3 wavelet, RCT) and lossy (9/7 wavelet, ICT), grey or colour,
// 8 to 16 bits, one tile or many, LRCP/RLCP/RPCL/PCRL/CPRL progressions,
// every code-block style (bypass, reset, termination, vertically causal,
// segmentation symbols). It is written in Go without cgo so that the agent
// builds for Windows as it does for Linux.
//
// Not supported (an error says so): POC progression changes, packed packet
// headers (PPM/PPT), palettes, more than four components, precisions above
// 16 bits, and Part 2 extensions. Decoding is bounded: images larger than
// Limits.MaxPixels, more tiles than Limits.MaxTiles, more than 32
// decomposition levels or oversized code-blocks are refused before any
// large allocation, and no input makes the decoder panic or loop.
package jpeg2000

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// Errors.
var (
	ErrFormat      = errors.New("jpeg2000: not a JPEG 2000 file or codestream")
	ErrMalformed   = errors.New("jpeg2000: malformed")
	ErrUnsupported = errors.New("jpeg2000: unsupported")
	ErrTooLarge    = errors.New("jpeg2000: too large")
)

// Limits bound what the decoder accepts.
type Limits struct {
	MaxPixels int // width × height of the image
	MaxTiles  int
}

// DefaultLimits fit any portrait a travel document holds, and not much
// more. ICAO 9303 and ISO/IEC 19794-5 portraits are about 420 × 525 (0.22
// megapixels); the bound is 1 megapixel (1 048 576 pixels, 1024 × 1024 or
// 800 × 1310: 4.7 times that) in at most 1024 tiles. Decoding allocates
// about 17 bytes a pixel for a colour image (samples, code-block state,
// the 8-bit output): 3.8 MB for a 420 × 525 portrait, 17 MB at the bound.
// (The earlier bound, 4 megapixels in 4096 tiles, let one image take
// 68 MB and more.)
var DefaultLimits = Limits{MaxPixels: 1 << 20, MaxTiles: 1024}

// Kind tells a JP2 file from a raw codestream.
type Kind int

const (
	KindCodestream Kind = 1 // J2K / J2C: starts with SOC, SIZ
	KindJP2        Kind = 2 // JP2 box file
)

func (k Kind) String() string {
	switch k {
	case KindCodestream:
		return "codestream"
	case KindJP2:
		return "jp2"
	}
	return "unknown"
}

// Config is what the headers say about an image.
type Config struct {
	Kind       Kind
	Width      int
	Height     int
	Components int
	Precision  int  // bits of the first component
	Signed     bool // first component
	Reversible bool // 5/3 wavelet (lossless capable)
	Tiles      int
}

var (
	jp2Signature = []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}
	socSiz       = []byte{0xFF, 0x4F, 0xFF, 0x51}
)

// Sniff reports whether data starts like a JP2 file or a codestream.
func Sniff(data []byte) (Kind, bool) {
	switch {
	case bytes.HasPrefix(data, jp2Signature):
		return KindJP2, true
	case bytes.HasPrefix(data, socSiz):
		return KindCodestream, true
	}
	return 0, false
}

// DecodeConfig reads the headers only.
func DecodeConfig(data []byte) (Config, error) {
	cs, jp, err := locate(data)
	if err != nil {
		return Config{}, err
	}
	h, err := parseMainHeader(cs, DefaultLimits)
	if err != nil {
		return Config{}, err
	}
	c := h.config()
	if jp != nil {
		c.Kind = KindJP2
	}
	return c, nil
}

// Decode decodes an image with the default limits. The result is an
// *image.Gray (one or two components) or an *image.RGBA (three or four),
// 8 bits per sample.
func Decode(data []byte) (image.Image, error) { return DecodeWithLimits(data, DefaultLimits) }

// DecodeWithLimits decodes an image within the given limits.
func DecodeWithLimits(data []byte, lim Limits) (img image.Image, err error) {
	cs, jp, err := locate(data)
	if err != nil {
		return nil, err
	}
	h, err := parseMainHeader(cs, lim)
	if err != nil {
		return nil, err
	}
	if jp != nil && jp.palette {
		return nil, fmt.Errorf("%w: JP2 palette (pclr)", ErrUnsupported)
	}
	d := &decoder{h: h, lim: lim}
	if jp != nil {
		d.colourSpace = jp.colourSpace
	}
	return d.decode()
}

// jp2Info is what the JP2 header boxes say.
type jp2Info struct {
	colourSpace uint32 // enumerated colour space of the colr box, 0 if none
	palette     bool
}

// locate returns the codestream inside data: data itself, or the content
// of the jp2c box of a JP2 file.
func locate(data []byte) ([]byte, *jp2Info, error) {
	kind, ok := Sniff(data)
	if !ok {
		return nil, nil, ErrFormat
	}
	if kind == KindCodestream {
		return data, nil, nil
	}
	info := &jp2Info{}
	var cs []byte
	err := walkBoxes(data, 0, func(typ uint32, content []byte) error {
		switch typ {
		case boxJP2H:
			return walkBoxes(content, 1, func(t uint32, c []byte) error {
				switch t {
				case boxColr:
					if len(c) >= 7 && c[0] == 1 {
						info.colourSpace = binary.BigEndian.Uint32(c[3:7])
					}
				case boxPclr:
					info.palette = true
				}
				return nil
			})
		case boxJP2C:
			if cs == nil {
				cs = content
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if cs == nil {
		return nil, nil, fmt.Errorf("%w: JP2 file without codestream box", ErrMalformed)
	}
	if !bytes.HasPrefix(cs, socSiz) {
		return nil, nil, fmt.Errorf("%w: JP2 codestream box does not start with SOC, SIZ", ErrMalformed)
	}
	return cs, info, nil
}

const (
	boxJP2H = 0x6A703268 // 'jp2h'
	boxJP2C = 0x6A703263 // 'jp2c'
	boxColr = 0x636F6C72 // 'colr'
	boxPclr = 0x70636C72 // 'pclr'
)

// walkBoxes calls fn for each box of data. A box of length 0 runs to the
// end; trailing bytes too short for a box header are ignored (some chips
// pad the image).
func walkBoxes(data []byte, depth int, fn func(typ uint32, content []byte) error) error {
	if depth > 2 {
		return fmt.Errorf("%w: JP2 boxes nested too deep", ErrMalformed)
	}
	for n := 0; len(data) >= 8; n++ {
		if n > 1024 {
			return fmt.Errorf("%w: more than 1024 JP2 boxes", ErrMalformed)
		}
		length := uint64(binary.BigEndian.Uint32(data))
		typ := binary.BigEndian.Uint32(data[4:])
		hdr := uint64(8)
		switch length {
		case 0:
			length = uint64(len(data))
		case 1:
			if len(data) < 16 {
				return fmt.Errorf("%w: JP2 box header truncated", ErrMalformed)
			}
			length, hdr = binary.BigEndian.Uint64(data[8:]), 16
		}
		if length < hdr {
			return fmt.Errorf("%w: JP2 box shorter than its header", ErrMalformed)
		}
		if length > uint64(len(data)) {
			if typ != boxJP2C {
				return fmt.Errorf("%w: JP2 box longer than the file", ErrMalformed)
			}
			length = uint64(len(data)) // a truncated codestream still decodes in part
		}
		if err := fn(typ, data[hdr:length]); err != nil {
			return err
		}
		data = data[length:]
	}
	return nil
}
