// Package fuzzcorpus reads the corpus files of Go fuzz targets
// (testdata/fuzz/FuzzXxx/*: "go test fuzz v1" and one Go literal a line),
// so that a test can run a target's body on each of them more than once
// and show that what it found reproduces.
package fuzzcorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Bytes returns the inputs of the corpus files in dir whose one value is a
// []byte, by file name, in name order.
func Bytes(dir string) (names []string, inputs [][]byte, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		b, err := readBytes(name)
		if err != nil {
			return nil, nil, err
		}
		names, inputs = append(names, filepath.Base(name)), append(inputs, b)
	}
	return names, inputs, nil
}

func readBytes(name string) ([]byte, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	header, lit, ok := strings.Cut(string(raw), "\n")
	lit = strings.TrimSpace(lit)
	if !ok || header != "go test fuzz v1" || !strings.HasPrefix(lit, "[]byte(") || !strings.HasSuffix(lit, ")") || strings.Contains(lit, "\n") {
		return nil, fmt.Errorf("%s: not a corpus file of one []byte", name)
	}
	s, err := strconv.Unquote(lit[len("[]byte(") : len(lit)-1])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return []byte(s), nil
}
