package files

import (
	"bytes"
	"context"
	"testing"

	"github.com/idagent/idagent/emrtd/sim"
)

// A READ BINARY sent by another layer (chip authentication's proof of its
// new keys) and handed over with UseFirstRead saves the file's first
// exchange; a stored answer for another file is discarded.
func TestFirstRead(t *testing.T) {
	s := openSim(t, "cccd", sim.Options{Seed: 5, Limits: sim.Limits{NoExtended: true}}, Options{})
	ctx := context.Background()
	if _, err := s.reader.ReadFile(ctx, EFCOM); err != nil { // learn the link
		t.Fatal(err)
	}
	dg2 := DataGroup(2)
	cmd, ok := s.reader.FirstRead(dg2)
	if !ok || cmd.P1 != 0x82 || cmd.P2 != 0 {
		t.Fatalf("first read %v %v", cmd, ok)
	}
	resp, err := s.reader.Transport().Exchange(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	s.reader.UseFirstRead(dg2, resp)
	before := s.meter.Stats()
	data, err := s.reader.ReadFile(ctx, dg2)
	if err != nil || !bytes.Equal(data, s.chip.Document().Files[dg2.FID]) {
		t.Fatalf("DG2: %v", err)
	}
	want := minExchanges(s, []File{dg2}, s.reader.Link().Chunk) - 1
	if got := s.meter.Stats().Sub(before).Exchanges; got != want {
		t.Errorf("%d exchanges after the first read, want %d", got, want)
	}

	// An answer stored for DG1 does not answer DG13.
	cmd, _ = s.reader.FirstRead(DataGroup(1))
	resp, _ = s.reader.Transport().Exchange(ctx, cmd)
	s.reader.UseFirstRead(DataGroup(1), resp)
	data, err = s.reader.ReadFile(ctx, DataGroup(13))
	if err != nil || !bytes.Equal(data, s.chip.Document().Files[DataGroup(13).FID]) {
		t.Fatalf("DG13: %v", err)
	}
	if _, ok := (&Reader{sfi: no}).FirstRead(dg2); ok {
		t.Error("first read offered without short file identifiers")
	}
}
