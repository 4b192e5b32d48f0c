package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"testing"
)

// forwarderDLL returns a minimal x64 PE DLL named dllName whose only
// content is an export table with one forwarded export: export → target
// ("module.Function"). It has no code and no imports.
//
// The Wine test needs one: Go 1.22+ programs call ProcessPrng in
// bcryptprimitives.dll when they start (runtime.loadOptionalSyscalls) and
// stop with "bcryptprimitives.dll not found" without it. Windows 10/11
// have it; Wine has it from 9.0 on, not Wine 8 (Debian bookworm). There,
// the test gives the prefix a bcryptprimitives.dll forwarding ProcessPrng
// to advapi32's SystemFunction036 (RtlGenRandom): the same job (fill a
// buffer with random bytes, true on success); the length is a ULONG
// there, a SIZE_T in ProcessPrng, and Go asks for small buffers only.
func forwarderDLL(dllName, export, target string) []byte {
	const (
		fileAlign = 0x200
		sectRVA   = 0x1000 // the one section, .edata, at this RVA
		exportDir = 40     // IMAGE_EXPORT_DIRECTORY
	)
	le := binary.LittleEndian
	// .edata: the directory, the address, name and ordinal tables (one
	// entry each), then the strings.
	sec := make([]byte, exportDir)
	eat := len(sec)
	sec = append(sec, 0, 0, 0, 0)
	names := len(sec)
	sec = append(sec, 0, 0, 0, 0)
	ordinals := len(sec)
	sec = append(sec, 0, 0)
	str := func(s string) uint32 {
		off := len(sec)
		sec = append(append(sec, s...), 0)
		return uint32(sectRVA + off)
	}
	// str appends to sec: take the RVAs before writing into sec.
	nameRVA, exportRVA, targetRVA := str(dllName), str(export), str(target)
	le.PutUint32(sec[12:], nameRVA) // Name
	le.PutUint32(sec[16:], 1)       // Base (ordinal)
	le.PutUint32(sec[20:], 1)       // NumberOfFunctions
	le.PutUint32(sec[24:], 1)       // NumberOfNames
	le.PutUint32(sec[28:], uint32(sectRVA+eat))
	le.PutUint32(sec[32:], uint32(sectRVA+names))
	le.PutUint32(sec[36:], uint32(sectRVA+ordinals))
	le.PutUint32(sec[names:], exportRVA)
	// An address inside the export directory's range is a forwarder:
	// the loader reads "module.Function" there.
	le.PutUint32(sec[eat:], targetRVA)
	raw := (len(sec) + fileAlign - 1) / fileAlign * fileAlign

	b := make([]byte, fileAlign+raw)
	copy(b, "MZ")
	const peOff = 0x40
	le.PutUint32(b[0x3c:], peOff)
	copy(b[peOff:], "PE\x00\x00")
	coff := peOff + 4
	le.PutUint16(b[coff:], pe.IMAGE_FILE_MACHINE_AMD64)
	le.PutUint16(b[coff+2:], 1)    // NumberOfSections
	le.PutUint16(b[coff+16:], 240) // SizeOfOptionalHeader (PE32+, 16 directories)
	le.PutUint16(b[coff+18:], pe.IMAGE_FILE_EXECUTABLE_IMAGE|pe.IMAGE_FILE_LARGE_ADDRESS_AWARE|pe.IMAGE_FILE_DLL)
	opt := coff + 20
	le.PutUint16(b[opt:], 0x20b)             // PE32+
	le.PutUint32(b[opt+8:], uint32(raw))     // SizeOfInitializedData
	le.PutUint64(b[opt+24:], 0x180000000)    // ImageBase; no code, nothing to relocate
	le.PutUint32(b[opt+32:], 0x1000)         // SectionAlignment
	le.PutUint32(b[opt+36:], fileAlign)      // FileAlignment
	le.PutUint16(b[opt+40:], 6)              // MajorOperatingSystemVersion
	le.PutUint16(b[opt+48:], 6)              // MajorSubsystemVersion
	le.PutUint32(b[opt+56:], sectRVA+0x1000) // SizeOfImage
	le.PutUint32(b[opt+60:], fileAlign)      // SizeOfHeaders
	le.PutUint16(b[opt+68:], pe.IMAGE_SUBSYSTEM_WINDOWS_CUI)
	le.PutUint16(b[opt+70:], pe.IMAGE_DLLCHARACTERISTICS_NX_COMPAT)
	le.PutUint64(b[opt+72:], 0x100000)          // stack reserve
	le.PutUint64(b[opt+80:], 0x1000)            // stack commit
	le.PutUint64(b[opt+88:], 0x100000)          // heap reserve
	le.PutUint64(b[opt+96:], 0x1000)            // heap commit
	le.PutUint32(b[opt+108:], 16)               // NumberOfRvaAndSizes
	le.PutUint32(b[opt+112:], sectRVA)          // export directory
	le.PutUint32(b[opt+116:], uint32(len(sec))) // and its size: all of .edata
	sh := opt + 240
	copy(b[sh:], ".edata")
	le.PutUint32(b[sh+8:], uint32(len(sec))) // VirtualSize
	le.PutUint32(b[sh+12:], sectRVA)
	le.PutUint32(b[sh+16:], uint32(raw))
	le.PutUint32(b[sh+20:], fileAlign)
	le.PutUint32(b[sh+36:], pe.IMAGE_SCN_CNT_INITIALIZED_DATA|pe.IMAGE_SCN_MEM_READ)
	copy(b[fileAlign:], sec)
	return b
}

// TestForwarderDLL checks the shim's structure with debug/pe (the Wine
// test checks that Wine loads it: idagent.exe runs).
func TestForwarderDLL(t *testing.T) {
	b := forwarderDLL("bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036")
	f, err := pe.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok || f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 || f.Characteristics&pe.IMAGE_FILE_DLL == 0 || len(f.Sections) != 1 {
		t.Fatalf("not an x64 DLL with one section: %+v", f.FileHeader)
	}
	dir := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	data, err := f.Sections[0].Data()
	if err != nil || dir.VirtualAddress != f.Sections[0].VirtualAddress || int(dir.Size) > len(data) {
		t.Fatalf("export directory %+v, section %+v: %v", dir, f.Sections[0].SectionHeader, err)
	}
	le := binary.LittleEndian
	at := func(rva uint32) []byte { return data[rva-dir.VirtualAddress:] }
	cstr := func(rva uint32) string {
		s := at(rva)
		for i, c := range s {
			if c == 0 {
				return string(s[:i])
			}
		}
		return string(s)
	}
	ed := data[:40]
	if cstr(le.Uint32(ed[12:])) != "bcryptprimitives.dll" || le.Uint32(ed[20:]) != 1 || le.Uint32(ed[24:]) != 1 {
		t.Fatalf("export directory % x", ed)
	}
	if name := cstr(le.Uint32(at(le.Uint32(ed[32:])))); name != "ProcessPrng" {
		t.Errorf("exported name %q", name)
	}
	fwd := le.Uint32(at(le.Uint32(ed[28:])))
	if fwd < dir.VirtualAddress || fwd >= dir.VirtualAddress+dir.Size || cstr(fwd) != "advapi32.SystemFunction036" {
		t.Errorf("export address %#x (%q): want a forwarder to advapi32.SystemFunction036", fwd, cstr(fwd))
	}
}
