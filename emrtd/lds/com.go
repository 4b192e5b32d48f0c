package lds

import (
	"fmt"

	"github.com/idagent/idagent/emrtd/tlv"
)

// COM is EF.COM (tag 60): the LDS and Unicode versions and the list of data
// groups present. It is not signed (the SOD does not cover it), so it is a
// hint for what to read, never proof of what the chip holds.
type COM struct {
	// LDSVersion is "aa.bb" from the four digits of tag 5F01 ("0107" →
	// "1.7"); the raw digits when they are not four digits.
	LDSVersion string `json:"ldsVersion,omitempty"`
	// UnicodeVersion is "aa.bb.cc" from the six digits of tag 5F36.
	UnicodeVersion string `json:"unicodeVersion,omitempty"`
	// Tags is the tag list (5C) as it stands.
	Tags []uint32 `json:"tags"`
	// DataGroups are the data group numbers of the known tags, in list order.
	DataGroups []int `json:"dataGroups"`
}

// ParseCOM parses EF.COM.
func ParseCOM(b []byte) (*COM, error) {
	v, err := unwrap("EF.COM", b, EFCOM.Tag)
	if err != nil {
		return nil, err
	}
	objs, err := children("EF.COM", v)
	if err != nil {
		return nil, err
	}
	c := &COM{Tags: []uint32{}, DataGroups: []int{}}
	seenList := false
	for _, o := range objs {
		switch o.Tag {
		case 0x5F01:
			c.LDSVersion = version(o.Value, 2)
		case 0x5F36:
			c.UnicodeVersion = version(o.Value, 3)
		case 0x5C:
			seenList = true
			if err := c.parseTagList(o.Value); err != nil {
				return nil, err
			}
		}
	}
	if !seenList {
		return nil, fmt.Errorf("%w: EF.COM has no tag list (5C)", ErrMalformed)
	}
	return c, nil
}

// parseTagList reads the tag list. Data group tags are single bytes, but
// the list is decoded as BER tags so that a multi-byte tag does not shift
// every tag after it.
func (c *COM) parseTagList(v []byte) error {
	for len(v) > 0 {
		if len(c.Tags) >= maxItems {
			return fmt.Errorf("%w: EF.COM tag list longer than %d", ErrTooLarge, maxItems)
		}
		tag, n := v[0], 1
		t := uint32(tag)
		if tag&0x1F == 0x1F { // multi-byte tag
			for n < len(v) && n < 4 {
				t = t<<8 | uint32(v[n])
				n++
				if v[n-1]&0x80 == 0 {
					break
				}
			}
		}
		v = v[n:]
		c.Tags = append(c.Tags, t)
		if dg := DGByTag(t); dg != 0 {
			c.DataGroups = append(c.DataGroups, dg)
		}
	}
	return nil
}

// Has reports whether EF.COM lists data group n.
func (c *COM) Has(n int) bool {
	for _, d := range c.DataGroups {
		if d == n {
			return true
		}
	}
	return false
}

// version turns "0107" into "1.7" and "040000" into "4.0.0": pairs of
// digits with leading zeros dropped. Other text is returned as it stands.
func version(v []byte, pairs int) string {
	if len(v) != 2*pairs {
		return text(v)
	}
	out := ""
	for i := 0; i < pairs; i++ {
		a, b := v[2*i], v[2*i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return text(v)
		}
		n := int(a-'0')*10 + int(b-'0')
		if i > 0 {
			out += "."
		}
		out += fmt.Sprint(n)
	}
	return out
}

// EncodeCOM encodes EF.COM (for tests and the software chip): ldsVersion
// and unicodeVersion as their digits ("0107", "040000").
func EncodeCOM(ldsVersion, unicodeVersion string, dataGroups []int) []byte {
	var list []byte
	for _, n := range dataGroups {
		if n >= 1 && n <= 16 {
			list = append(list, byte(dgTags[n]))
		}
	}
	return tlv.Encode(EFCOM.Tag,
		tlv.Encode(0x5F01, []byte(ldsVersion)),
		tlv.Encode(0x5F36, []byte(unicodeVersion)),
		tlv.Encode(0x5C, list))
}
