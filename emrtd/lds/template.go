package lds

// tagTagList is the tag list (5C) that opens DG11 and DG12: the tags the
// chip says the template holds.
const tagTagList = 0x5C

// elementParser stores the value of one element of a template in the data
// group being filled.
type elementParser func(v []byte) error

// parseTemplate unwraps the data group name (outer tag), a template of
// optional elements (DG11, DG12), and hands each element to the parser of
// its tag. The tag list goes to tags; an element of a tag without a parser
// is kept in unknown as the chip encodes it. DG11 and DG12 differ only in
// their tag→field tables, so the walk lives here once.
func parseTemplate(name string, b []byte, tag uint32, parsers map[uint32]elementParser, tags *[]uint32, unknown *[]RawData) error {
	v, err := unwrap(name, b, tag)
	if err != nil {
		return err
	}
	objs, err := children(name, v)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.Tag == tagTagList {
			*tags = tagList(o.Value)
			continue
		}
		parse, known := parsers[o.Tag]
		if !known {
			*unknown = append(*unknown, RawData{Tag: o.Tag, Raw: clone(o.Raw)})
			continue
		}
		if err := parse(o.Value); err != nil {
			return err
		}
	}
	return nil
}

// textInto stores an element as text.
func textInto(dst *string) elementParser {
	return func(v []byte) error {
		*dst = text(v)
		return nil
	}
}

// textAppend adds an element, one of a repeated kind, as text.
func textAppend(dst *[]string) elementParser {
	return func(v []byte) error {
		*dst = append(*dst, text(v))
		return nil
	}
}

// countedListAppend adds the values of tag in a counted list (see
// countedList).
func countedListAppend(where string, tag uint32, dst *[]string) elementParser {
	return func(v []byte) error {
		values, err := countedList(where, v, tag)
		if err != nil {
			return err
		}
		*dst = append(*dst, values...)
		return nil
	}
}

// dateInto stores a full date (yyyymmdd, as digits or BCD).
func dateInto(dst **Date) elementParser {
	return func(v []byte) error {
		dt := ParseCompactDate(dateText(v))
		*dst = &dt
		return nil
	}
}

// imageInto stores an image.
func imageInto(dst **Image) elementParser {
	return func(v []byte) error {
		*dst = NewImage(v)
		return nil
	}
}
