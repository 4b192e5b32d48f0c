package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// reasonConstants finds every string constant named Reason* in the
// non-test Go files under emrtd/, with where it is declared.
func reasonConstants(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Reason") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						found[v] = path + ": " + name.Name
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 40 {
		t.Fatalf("found only %d reason constants under emrtd/: the scan is broken", len(found))
	}
	return found
}

// Every reason code a package under emrtd/ declares has words for people
// (or comes only with PASS, whose words are the check's), so a clerk never
// reads a bare code or a generic sentence for a new reason.
func TestEveryReasonHasWords(t *testing.T) {
	for reason, where := range reasonConstants(t) {
		if slices.Contains(passOnlyReasons, reason) {
			continue
		}
		has := false
		for key := range Wording.Reasons {
			if key == reason || strings.HasSuffix(key, " "+reason) {
				has = true
			}
		}
		if !has {
			t.Errorf("reason %s (%s) has no words: add Vietnamese and English to Reasons in emrtd/check/wording.go", reason, where)
		}
	}
}

func TestEveryEntryHasBothLanguages(t *testing.T) {
	check := func(what string, w Words) {
		if strings.TrimSpace(w.VI) == "" || strings.TrimSpace(w.EN) == "" || w.VI == w.EN && !strings.HasPrefix(what, "title") {
			t.Errorf("%s: %+v", what, w)
		}
	}
	for k, w := range Wording.Titles {
		check("title "+k, w)
	}
	for name, m := range map[string]map[string]Words{"status": Wording.Statuses, "reason": Wording.Reasons,
		"check": Wording.Checks, "fallback": Wording.Fallbacks, "headline": Wording.Headlines, "document": Wording.Documents} {
		for k, w := range m {
			check(name+" "+k, w)
		}
	}
	check("test anchor", Wording.TestAnchor)
	for _, k := range Wording.KindOrder {
		if _, ok := Wording.Headlines["FAIL "+k]; !ok {
			t.Errorf("kind %s has no FAIL headline", k)
		}
	}
	for key, kind := range Wording.Kinds {
		if !slices.Contains(Wording.KindOrder, kind) {
			t.Errorf("kind %q of %s is not in KindOrder", kind, key)
		}
	}
}

// Nothing in the table calls a document genuine in the words the desk
// used for every passing read ("Thẻ thật"), a test card included: the
// headline names passports and ID cards as such, test cards as tests.
func TestNoBlanketGenuineCard(t *testing.T) {
	all := []Words{Wording.TestAnchor}
	for _, m := range []map[string]Words{Wording.Reasons, Wording.Checks, Wording.Fallbacks, Wording.Headlines} {
		for _, w := range m {
			all = append(all, w)
		}
	}
	for _, w := range all {
		if strings.Contains(strings.ToLower(w.VI), "thẻ thật") || strings.Contains(strings.ToLower(w.EN), "genuine card") {
			t.Errorf("%+v", w)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		c           Check
		final       bool
		title, text string
		tone        string
	}{
		// aa-clone: the check's own words, not the SOD's bad signature.
		{Check{Name: ActiveAuth, Status: Fail, Reason: "SIGNATURE_INVALID"}, true, "Original chip (active authentication)", "The chip could not sign with the document's secret key: a CLONED chip (or a faulty answer).", "bad"},
		{Check{Name: SODSignature, Status: Fail, Reason: "SIGNATURE_INVALID"}, true, "Digital signature of the data", "The digital signature is invalid: the data may be forged.", "bad"},
		{Check{Name: "dg.hash.DG2", Status: Fail, Reason: "HASH_MISMATCH"}, true, "Photo", "The PHOTO WAS REPLACED after issue: it is not the holder's photo.", "bad"},
		{Check{Name: "dg.hash.DG7", Status: Pass, Reason: "HASH_MATCH"}, true, "Data group DG7", "Unchanged since issue.", "ok"},
		{Check{Name: DSRevocation, Status: Fail, Reason: "DS_REVOKED"}, true, "Signing certificate revocation", "The signing certificate has been REVOKED: do not accept this document.", "bad"},
		// The check's own sentence wins over a generic reason.
		{Check{Name: ChipAuth, Status: NotSupported, Reason: "NOT_SUPPORTED"}, true, "Original chip (chip authentication)", "This chip has no chip-authentication key (common on older documents).", "neutral"},
		// A reason nobody worded yet falls back to the check's words.
		{Check{Name: SODSignature, Status: Pass, Reason: "SOMETHING_NEW"}, true, "Digital signature of the data", "The chip's data carries a valid digital signature.", "ok"},
		{Check{Name: "new.check", Status: Warn, Reason: "SOMETHING_NEW"}, true, "new.check", "Passed with a caveat.", "warn"},
		// While the read runs, a pass is pending, a failure is a failure.
		{Check{Name: SODSignature, Status: Pass}, false, "Digital signature of the data", "Not final yet: do not rely on it.", "neutral"},
		{Check{Name: ChipAuth, Status: Fail, Reason: "KEY_MISMATCH"}, false, "Original chip (chip authentication)", "The chip could not prove it is the original: this is a CLONED chip.", "bad"},
	}
	for _, tt := range tests {
		d := Wording.Describe(tt.c, tt.final)
		if d.Title.EN != tt.title || d.Text.EN != tt.text || d.Tone != tt.tone {
			t.Errorf("%+v final=%v: %q / %q / %s", tt.c, tt.final, d.Title.EN, d.Text.EN, d.Tone)
		}
	}
	if d := Wording.Describe(Check{Name: SODSignature, Status: Pass}, false); d.Status.VI != "Chưa kết luận" {
		t.Errorf("pending status word: %+v", d.Status)
	}
}

func TestHeadline(t *testing.T) {
	pass := Check{Name: SODSignature, Status: Pass}
	tests := []struct {
		v        Verdict
		vi, tone string
	}{
		{Verdict{Overall: "PASS", Checks: []Check{pass}, DocumentType: "id-card", TestAnchor: true}, "Hợp lệ (thẻ thử nghiệm)", "ok"},
		{Verdict{Overall: "PASS", Checks: []Check{pass}, DocumentType: "passport", TestAnchor: true}, "Hợp lệ (hộ chiếu thử nghiệm)", "ok"},
		{Verdict{Overall: "PASS", Checks: []Check{pass}, DocumentType: "passport"}, "Hợp lệ: hộ chiếu thật, dữ liệu đã được xác minh", "ok"},
		{Verdict{Overall: "PASS", Checks: []Check{pass}, DocumentType: "id-card"}, "Hợp lệ: thẻ căn cước thật, dữ liệu đã được xác minh", "ok"},
		{Verdict{Overall: Pending, Checks: []Check{pass, pass}}, "Đang kiểm tra tính xác thực… chưa kết luận", "neutral"},
		{Verdict{Overall: Pending, Checks: []Check{pass, {Name: ChipAuth, Status: Fail, Reason: "KEY_MISMATCH"}}, DocumentType: "id-card"},
			"CẢNH BÁO: chip SAO CHÉP, không phải thẻ căn cước gốc. Không dùng dữ liệu này.", "bad"},
		{Verdict{Overall: "FAIL", Checks: []Check{{Name: DSRevocation, Status: Fail, Reason: "DS_REVOKED"}, {Name: ChipAuth, Status: Unknown, Reason: "KEY_NOT_VERIFIED"}}, DocumentType: "passport"},
			"KHÔNG CHẤP NHẬN: chứng chỉ ký của hộ chiếu đã bị THU HỒI.", "bad"},
		{Verdict{Overall: "FAIL", Checks: []Check{{Name: DSValidity, Status: Fail, Reason: "SIGNED_OUTSIDE_VALIDITY"}}, DocumentType: "id-card"},
			"KHÔNG CHẤP NHẬN: thẻ căn cước được ký bằng chứng chỉ HẾT HẠN hoặc chưa có hiệu lực.", "bad"},
		{Verdict{Overall: "FAIL", Checks: []Check{{Name: "dg.hash.DG13", Status: Fail, Reason: "HASH_MISMATCH"}}, DocumentType: "id-card"},
			"CẢNH BÁO: dữ liệu của thẻ căn cước đã bị SỬA sau khi cấp. Không dùng dữ liệu này.", "bad"},
		{Verdict{Overall: "UNKNOWN", Checks: []Check{{Name: ChipAuth, Status: Unknown, Reason: "KEY_NOT_VERIFIED"}, {Name: DSChain, Status: Unknown, Reason: "CSCA_NOT_TRUSTED"}}, DocumentType: "id-card"},
			"Chưa xác minh được: máy này chưa có chứng chỉ gốc của nơi cấp thẻ căn cước. Hãy kiểm tra giấy tờ bằng mắt.", "warn"},
		{Verdict{Overall: "FAIL", Checks: []Check{{Name: "new.check", Status: Fail, Reason: "SOMETHING_NEW"}}},
			"CẢNH BÁO: giấy tờ không vượt qua kiểm tra. Không dùng dữ liệu này.", "bad"},
	}
	for _, tt := range tests {
		w, tone := Wording.Headline(tt.v)
		if w.VI != tt.vi || tone != tt.tone {
			t.Errorf("%+v: %q %s, want %q %s", tt.v, w.VI, tone, tt.vi, tt.tone)
		}
	}
	if w, _ := Wording.Headline(Verdict{Overall: "PASS", DocumentType: "id-card", TestAnchor: true}); w.EN != "Valid (test card)" {
		t.Errorf("test card in English: %q", w.EN)
	}
}

// Every check name this package declares has a title, and a sentence for
// PASS, so a new check never shows as its bare name.
func TestEveryCheckNameHasWords(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "check.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, _ := strconv.Unquote(lit.Value); strings.Contains(s, ".") || s == Challenge {
						names = append(names, s)
					}
				}
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found %d check names in check.go: the scan is broken", len(names))
	}
	for _, name := range names {
		if _, ok := Wording.Titles[name]; !ok {
			t.Errorf("check %s has no title in emrtd/check/wording.go", name)
		}
		if _, ok := Wording.Checks[name+" PASS"]; !ok {
			t.Errorf("check %s has no PASS sentence in emrtd/check/wording.go", name)
		}
	}
}
