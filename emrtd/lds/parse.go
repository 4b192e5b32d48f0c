package lds

import "fmt"

// Parse parses the content of an LDS file by what it is: *COM, *DG1, *DG2,
// *DG7, *DG11, *DG12, *DG13, *DG15, or *SecurityInfos for DG14 and
// EF.CardAccess (for EF.CardSecurity pass the SignedData's eContent).
// Data groups without a typed parser here (DG3–DG6, DG8–DG10, DG16) and
// EF.SOD (see emrtd/pa) give ErrUnsupported.
func Parse(f File, data []byte) (any, error) {
	switch {
	case f.Name == EFCOM.Name:
		return ParseCOM(data)
	case f.Name == EFCardAccess.Name, f.Name == EFCardSecurity.Name:
		return ParseSecurityInfos(data)
	}
	switch f.DG {
	case 1:
		return ParseDG1(data)
	case 2:
		return ParseDG2(data)
	case 7:
		return ParseDG7(data)
	case 11:
		return ParseDG11(data)
	case 12:
		return ParseDG12(data)
	case 13:
		return ParseDG13(data)
	case 14:
		return ParseDG14(data)
	case 15:
		return ParseDG15(data)
	}
	return nil, fmt.Errorf("%w: no parser for %s", ErrUnsupported, f.Name)
}

// Portrait is the face of DG2 ready for a browser.
type Portrait struct {
	// MIMEType and Data are what to show: image/jpeg or image/png.
	MIMEType string `json:"mimeType"`
	Data     []byte `json:"-"`
	// Original describes the image as the chip stores it.
	Original *Image `json:"original"`
	// Transcoded is true when the chip's image was not shown as is
	// (JPEG 2000 re-encoded).
	Transcoded bool `json:"transcoded"`
	Width      int  `json:"width"`
	Height     int  `json:"height"`
}

func (Portrait) PersonalData()              {}
func (Portrait) String() string             { return "lds.Portrait(redacted)" }
func (Portrait) GoString() string           { return "lds.Portrait(redacted)" }
func (Portrait) Format(f fmt.State, _ rune) { writeRedacted(f, "Portrait") }

// PortraitFromDG2 parses DG2 and returns its first face as a JPEG or PNG a
// browser shows. A JPEG 2000 portrait is transcoded to JPEG (asPNG false)
// or PNG.
func PortraitFromDG2(dg2 []byte, asPNG bool) (*Portrait, error) {
	d, err := ParseDG2(dg2)
	if err != nil {
		return nil, err
	}
	im := d.Portrait()
	if im == nil {
		return nil, fmt.Errorf("%w: DG2 holds no image", ErrMalformed)
	}
	mime, data, err := im.Displayable(asPNG)
	if err != nil {
		return nil, fmt.Errorf("DG2 portrait: %w", err)
	}
	return &Portrait{MIMEType: mime, Data: data, Original: im, Transcoded: im.Type != FormatJPEG && im.Type != FormatPNG, Width: im.Width, Height: im.Height}, nil
}
