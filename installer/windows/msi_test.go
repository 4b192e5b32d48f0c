package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/idagent/idagent/agent/config"
	"github.com/idagent/idagent/agent/svc"
)

// upgradeCode identifies idagent across versions: changing it makes a new
// MSI install beside the old one instead of replacing it.
const upgradeCode = "{F5592489-228F-49A0-B573-F0800F7FD940}"

// configArg is the --config argument of the installed service.
const configArg = `[CommonAppDataFolder]idagent\config.json`

// wantRecovery is the sc.exe command line setting the restart actions.
const wantRecovery = `sc.exe" failure idagent reset= 86400 actions= restart/5000/restart/5000/restart/30000`

// require skips (or, with IDAGENT_REQUIRE_DIST=1, fails) the test.
func require(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("IDAGENT_REQUIRE_DIST") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// builtMSI returns the MSI in $IDAGENT_DIST and its version.
func builtMSI(t *testing.T) (path, version string) {
	t.Helper()
	dir := os.Getenv("IDAGENT_DIST")
	if dir == "" {
		require(t, "IDAGENT_DIST is not set: build the MSI (make msi, or installer/windows/build.sh) and set IDAGENT_DIST to its directory")
	}
	for _, tool := range []string{"msiinfo", "msiextract", "osslsigncode"} {
		if _, err := exec.LookPath(tool); err != nil {
			require(t, "%s not found (apt-get install msitools osslsigncode)", tool)
		}
	}
	found, _ := filepath.Glob(filepath.Join(dir, "idagent-*-x64.msi"))
	if len(found) == 0 {
		require(t, "no idagent-*-x64.msi in IDAGENT_DIST=%s", dir)
	}
	if len(found) > 1 {
		t.Fatalf("several MSIs in %s: %v; keep one", dir, found)
	}
	path = found[0]
	version = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "idagent-"), "-x64.msi")
	return path, version
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// row is one row of an MSI table, by column name.
type row map[string]string

// table exports an MSI table with msiinfo (IDT: column names, types, table
// name and keys, then one tab-separated row a line).
func table(t *testing.T, msi, name string) []row {
	t.Helper()
	out := strings.ReplaceAll(run(t, "msiinfo", "export", msi, name), "\r\n", "\n")
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		t.Fatalf("table %s: short export %q", name, out)
	}
	cols := strings.Split(lines[0], "\t")
	var rows []row
	for _, l := range lines[3:] {
		if l == "" {
			continue
		}
		r := row{}
		for i, v := range strings.Split(l, "\t") {
			if i < len(cols) {
				r[cols[i]] = v
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// find returns the rows whose column col is val.
func find(rows []row, col, val string) []row {
	var out []row
	for _, r := range rows {
		if r[col] == val {
			out = append(out, r)
		}
	}
	return out
}

func one(t *testing.T, rows []row, tableName, col, val string) row {
	t.Helper()
	got := find(rows, col, val)
	if len(got) != 1 {
		t.Fatalf("%s: %d rows with %s = %q, want 1: %v", tableName, len(got), col, val, rows)
	}
	return got[0]
}

func num(t *testing.T, r row, col string) int {
	t.Helper()
	n, err := strconv.Atoi(r[col])
	if err != nil {
		t.Fatalf("%s = %q is not a number in %v", col, r[col], r)
	}
	return n
}

func TestMSIProperties(t *testing.T) {
	msi, version := builtMSI(t)
	props := map[string]string{}
	for _, r := range table(t, msi, "Property") {
		props[r["Property"]] = r["Value"]
	}
	for k, want := range map[string]string{
		"ProductName":    "idagent",
		"Manufacturer":   "idagent",
		"ProductVersion": version,
		"UpgradeCode":    upgradeCode,
		"ALLUSERS":       "1",
		"ARPNOMODIFY":    "1",
	} {
		if props[k] != want {
			t.Errorf("Property %s = %q, want %q", k, props[k], want)
		}
	}
	for _, k := range []string{"ARPHELPLINK", "ARPURLINFOABOUT"} {
		if !strings.HasPrefix(props[k], "https://") {
			t.Errorf("Property %s = %q, want a URL (Apps & features)", k, props[k])
		}
	}
	if !regexp.MustCompile(`^\{[0-9A-F-]{36}\}$`).MatchString(props["ProductCode"]) || props["ProductCode"] == upgradeCode {
		t.Errorf("ProductCode %q", props["ProductCode"])
	}
	// ORIGINS and PORT have no default (the registry values are written
	// only when given) and pass from the UI to the elevated server.
	for _, p := range []string{"ORIGINS", "PORT"} {
		if v, ok := props[p]; ok {
			t.Errorf("Property %s has a default %q", p, v)
		}
		if !slices.Contains(strings.Split(props["SecureCustomProperties"], ";"), p) {
			t.Errorf("SecureCustomProperties %q lacks %s", props["SecureCustomProperties"], p)
		}
	}
	if si := run(t, "msiinfo", "suminfo", msi); !strings.Contains(si, "Template: x64;1033") {
		t.Errorf("summary information is not an x64 package:\n%s", si)
	}
}

func TestMSIService(t *testing.T) {
	msi, _ := builtMSI(t)
	si := one(t, table(t, msi, "ServiceInstall"), "ServiceInstall", "Name", svc.Name)
	kc := svc.Config(svc.Spec{ConfigFile: configArg}, "windows")
	args := kc.Arguments
	args[len(args)-1] = `"` + args[len(args)-1] + `"`
	for col, want := range map[string]string{
		"DisplayName": kc.DisplayName,
		"Description": kc.Description,
		"ServiceType": "16", // SERVICE_WIN32_OWN_PROCESS
		"StartType":   "2",  // SERVICE_AUTO_START
		"StartName":   "LocalSystem",
		"Arguments":   strings.Join(args, " "),
		"Component_":  "AgentExe",
	} {
		if si[col] != want {
			t.Errorf("ServiceInstall.%s = %q, want %q", col, si[col], want)
		}
	}
	if ec := num(t, si, "ErrorControl"); ec&0xff != 1 || ec&0x8000 == 0 {
		t.Errorf("ServiceInstall.ErrorControl = %#x, want normal (1) + vital (0x8000)", ec)
	}
	sc := one(t, table(t, msi, "ServiceControl"), "ServiceControl", "Name", svc.Name)
	const (
		startOnInstall    = 0x001
		stopOnInstall     = 0x002
		startOnUninstall  = 0x010
		stopOnUninstall   = 0x020
		removeOnUninstall = 0x080
	)
	ev := num(t, sc, "Event")
	want := startOnInstall | stopOnInstall | stopOnUninstall | removeOnUninstall
	if ev != want {
		t.Errorf("ServiceControl.Event = %#x, want %#x (start on install, stop on install and uninstall, remove on uninstall)", ev, want)
	}
	if ev&startOnUninstall != 0 || sc["Wait"] != "1" || sc["Component_"] != "AgentExe" {
		t.Errorf("ServiceControl %v", sc)
	}
	exe := one(t, table(t, msi, "File"), "File", "FileName", "idagent.exe")
	comp := one(t, table(t, msi, "Component"), "Component", "Component", "AgentExe")
	if exe["Component_"] != "AgentExe" || comp["KeyPath"] != exe["File"] || comp["Directory_"] != "INSTALLDIR" || num(t, comp, "Attributes")&256 == 0 {
		t.Errorf("idagent.exe %v in component %v: want the 64-bit key file of AgentExe in INSTALLDIR", exe, comp)
	}
	lic := one(t, table(t, msi, "File"), "File", "FileName", "LICENSE.txt")
	lc := one(t, table(t, msi, "Component"), "Component", "Component", lic["Component_"])
	if lc["Directory_"] != "INSTALLDIR" || lc["KeyPath"] != lic["File"] {
		t.Errorf("LICENSE.txt %v in component %v: want it beside idagent.exe", lic, lc)
	}
}

func TestMSIRecoveryCustomActions(t *testing.T) {
	msi, _ := builtMSI(t)
	cas := table(t, msi, "CustomAction")
	seq := table(t, msi, "InstallExecuteSequence")
	dirs := table(t, msi, "Directory")
	at := func(action string) int {
		return num(t, one(t, seq, "InstallExecuteSequence", "Action", action), "Sequence")
	}
	for _, tc := range []struct{ action, target string }{
		{"ServiceRecovery", wantRecovery},
		{"ServiceRecoveryFlag", `sc.exe" failureflag idagent 1`},
	} {
		ca := one(t, cas, "CustomAction", "Action", tc.action)
		if !strings.HasPrefix(ca["Target"], `"[System64Folder]sc.exe" `) || !strings.HasSuffix(ca["Target"], tc.target) {
			t.Errorf("%s: Target %q, want \"[System64Folder]...%s", tc.action, ca["Target"], tc.target)
		}
		typ := num(t, ca, "Type")
		const (
			exeInDir      = 34
			ignoreExit    = 0x40
			deferred      = 0x400
			noImpersonate = 0x800
		)
		if typ&0x3f != exeInDir || typ&deferred == 0 || typ&noImpersonate == 0 || typ&ignoreExit == 0 {
			t.Errorf("%s: Type %d, want 34 (exe, working directory) + deferred + no impersonation + ignore exit code", tc.action, typ)
		}
		if len(find(dirs, "Directory", ca["Source"])) != 1 {
			t.Errorf("%s: Source %q is not a directory", tc.action, ca["Source"])
		}
		s := one(t, seq, "InstallExecuteSequence", "Action", tc.action)
		n := num(t, s, "Sequence")
		if !(at("InstallInitialize") < n && at("InstallServices") < n && n < at("StartServices") && n < at("InstallFinalize")) {
			t.Errorf("%s at %d: want after InstallServices (%d), before StartServices (%d), inside InstallInitialize..InstallFinalize",
				tc.action, n, at("InstallServices"), at("StartServices"))
		}
		if s["Condition"] != `NOT REMOVE~="ALL"` {
			t.Errorf("%s: Condition %q, want it on install only", tc.action, s["Condition"])
		}
	}
}

func TestMSIFilesAndFolders(t *testing.T) {
	msi, _ := builtMSI(t)
	dirs := table(t, msi, "Directory")
	for _, d := range []struct{ id, parent, name string }{
		{"INSTALLDIR", "ProgramFiles64Folder", "idagent"},
		{"DATADIR", "CommonAppDataFolder", "idagent"},
		{"LOGDIR", "DATADIR", "logs"},
		{"TRUSTDIR", "DATADIR", "trust"},
		{"ProgramFiles64Folder", "TARGETDIR", "."},
		{"CommonAppDataFolder", "TARGETDIR", "."},
	} {
		r := one(t, dirs, "Directory", "Directory", d.id)
		if r["Directory_Parent"] != d.parent || r["DefaultDir"] != d.name {
			t.Errorf("Directory %s = %v, want %s in %s", d.id, r, d.name, d.parent)
		}
	}
	cfg := one(t, table(t, msi, "File"), "File", "FileName", "config.json")
	comps := table(t, msi, "Component")
	const (
		permanent      = 16
		neverOverwrite = 128
		win64          = 256
	)
	cc := one(t, comps, "Component", "Component", cfg["Component_"])
	if a := num(t, cc, "Attributes"); a&(permanent|neverOverwrite|win64) != permanent|neverOverwrite|win64 || cc["Directory_"] != "DATADIR" {
		t.Errorf("config.json's component %v: want Permanent|NeverOverwrite|64-bit in DATADIR (kept on upgrade and uninstall)", cc)
	}
	folders := table(t, msi, "CreateFolder")
	locks := table(t, msi, "MsiLockPermissionsEx")
	for _, dir := range []string{"DATADIR", "LOGDIR", "TRUSTDIR"} {
		f := one(t, folders, "CreateFolder", "Directory_", dir)
		if a := num(t, one(t, comps, "Component", "Component", f["Component_"]), "Attributes"); a&permanent == 0 {
			t.Errorf("the component creating %s is not permanent (%d)", dir, a)
		}
		// Not ProgramData's inherited ACL, under which any user may add
		// files (a CSCA certificate to trust\).
		l := one(t, locks, "MsiLockPermissionsEx", "LockObject", dir)
		if l["Table"] != "CreateFolder" || l["SDDL"] != lockedSDDL || l["Condition"] != "" {
			t.Errorf("%s: permissions %v, want %s", dir, l, lockedSDDL)
		}
	}
}

// lockedSDDL is the ACL of %ProgramData%\idagent and its folders: not
// inherited, SYSTEM and Administrators full control, Users read and
// execute (0x1200a9); the same as `idagent service install` sets.
const lockedSDDL = svc.DataDirSDDL

func TestMSIOriginsAndPort(t *testing.T) {
	msi, _ := builtMSI(t)
	reg := table(t, msi, "Registry")
	comps := table(t, msi, "Component")
	locs := table(t, msi, "RegLocator")
	search := table(t, msi, "AppSearch")
	cas := table(t, msi, "CustomAction")
	key := strings.TrimPrefix(config.InstallerKey, `HKLM\`)
	for _, tc := range []struct{ prop, value string }{{"ORIGINS", "AllowedOrigins"}, {"PORT", "Port"}} {
		// Written to HKLM\SOFTWARE\idagent only when the property is set.
		r := one(t, reg, "Registry", "Name", tc.value)
		if r["Root"] != "2" || r["Key"] != key || r["Value"] != "["+tc.prop+"]" {
			t.Errorf("Registry %s = %v, want HKLM (2) %s = [%s]", tc.value, r, key, tc.prop)
		}
		c := one(t, comps, "Component", "Component", r["Component_"])
		if c["Condition"] != tc.prop || c["KeyPath"] != r["Registry"] || num(t, c, "Attributes")&256 == 0 {
			t.Errorf("component of %s: %v, want Condition %s, the value as key path, 64-bit", tc.value, c, tc.prop)
		}
		// Remembered on upgrade: AppSearch reads the previous value into
		// SAVED_*, which the property takes unless given anew.
		saved := "SAVED_" + tc.prop
		as := one(t, search, "AppSearch", "Property", saved)
		loc := one(t, locs, "RegLocator", "Signature_", as["Signature_"])
		if loc["Root"] != "2" || loc["Key"] != key || loc["Name"] != tc.value || num(t, loc, "Type")&16 == 0 {
			t.Errorf("RegLocator %v: want the 64-bit HKLM %s\\%s", loc, key, tc.value)
		}
		ca := one(t, cas, "CustomAction", "Target", "["+saved+"]")
		if num(t, ca, "Type")&0x3f != 51 || ca["Source"] != tc.prop {
			t.Errorf("restore action %v: want type 51 setting %s", ca, tc.prop)
		}
		for _, seqName := range []string{"InstallUISequence", "InstallExecuteSequence"} {
			seq := table(t, msi, seqName)
			s := one(t, seq, seqName, "Action", ca["Action"])
			n := num(t, s, "Sequence")
			if n <= num(t, one(t, seq, seqName, "Action", "AppSearch"), "Sequence") || n >= num(t, one(t, seq, seqName, "Action", "LaunchConditions"), "Sequence") ||
				s["Condition"] != saved+" AND NOT "+tc.prop {
				t.Errorf("%s: %v: want after AppSearch, before LaunchConditions, when %s is not given", seqName, s, tc.prop)
			}
		}
	}
	var portCheck bool
	for _, lc := range table(t, msi, "LaunchCondition") {
		portCheck = portCheck || strings.Contains(lc["Condition"], "PORT <= 65535")
	}
	if !portCheck {
		t.Error("no launch condition checks PORT")
	}
}

func TestMSIUpgrade(t *testing.T) {
	msi, version := builtMSI(t)
	ups := table(t, msi, "Upgrade")
	const (
		onlyDetect   = 2
		maxInclusive = 512
	)
	up := one(t, ups, "Upgrade", "ActionProperty", "WIX_UPGRADE_DETECTED")
	if up["UpgradeCode"] != upgradeCode || up["VersionMax"] != version || up["VersionMin"] != "" ||
		num(t, up, "Attributes")&onlyDetect != 0 || num(t, up, "Attributes")&maxInclusive == 0 {
		t.Errorf("Upgrade %v: want every version up to %s (inclusive) of %s removed", up, version, upgradeCode)
	}
	down := one(t, ups, "Upgrade", "ActionProperty", "WIX_DOWNGRADE_DETECTED")
	if down["VersionMin"] != version || num(t, down, "Attributes")&onlyDetect == 0 {
		t.Errorf("Upgrade %v: want newer versions detected only", down)
	}
	if len(find(table(t, msi, "LaunchCondition"), "Condition", "NOT WIX_DOWNGRADE_DETECTED")) != 1 {
		t.Error("no launch condition refuses a downgrade")
	}
	seq := table(t, msi, "InstallExecuteSequence")
	at := func(a string) int { return num(t, one(t, seq, "InstallExecuteSequence", "Action", a), "Sequence") }
	if !(at("FindRelatedProducts") < at("AppSearch") && at("InstallValidate") < at("RemoveExistingProducts") && at("RemoveExistingProducts") < at("InstallInitialize")) {
		t.Error("want FindRelatedProducts first and RemoveExistingProducts between InstallValidate and InstallInitialize")
	}
	props := table(t, msi, "Property")
	if one(t, props, "Property", "Property", "UpgradeCode")["Value"] != upgradeCode {
		t.Error("UpgradeCode changed")
	}
	sec := one(t, props, "Property", "Property", "SecureCustomProperties")["Value"]
	if !strings.Contains(sec, "WIX_UPGRADE_DETECTED") {
		t.Errorf("SecureCustomProperties %q", sec)
	}
}

// caFile is the root the signatures chain to: IDAGENT_SIGN_CAFILE, else
// build.sh's TEST root when it exists, else the system store ("").
func caFile(t *testing.T) string {
	if f := os.Getenv("IDAGENT_SIGN_CAFILE"); f != "" {
		return f
	}
	if f, _ := filepath.Abs("../../build/testsign/root-ca.pem"); fileExists(f) {
		return f
	}
	return ""
}

func fileExists(f string) bool {
	_, err := os.Stat(f)
	return err == nil
}

// tamperedFails checks that file's signature fails on a digest mismatch
// (not because the file no longer parses).
func tamperedFails(t *testing.T, what, file string) {
	t.Helper()
	if ok, out := verify(t, file); ok || !strings.Contains(out, "MISMATCH") {
		t.Errorf("%s: verification did not fail on a digest mismatch (valid: %v):\n%s", what, ok, out)
	}
}

// verify runs osslsigncode verify and reports whether the signature is
// valid, with the output.
func verify(t *testing.T, file string) (bool, string) {
	t.Helper()
	args := []string{"verify", "-in", file}
	if ca := caFile(t); ca != "" {
		args = append(args, "-CAfile", ca)
	}
	out, err := exec.Command("osslsigncode", args...).CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("Signature verification: ok")), string(out)
}

func signer(out string) string {
	if m := regexp.MustCompile(`Subject: (.*)`).FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return "?"
}

// extract unpacks the MSI's files and returns idagent.exe and config.json.
func extract(t *testing.T, msi string) (exe, cfg string) {
	t.Helper()
	dir := t.TempDir()
	run(t, "msiextract", "-C", dir, msi)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.Name() == "idagent.exe":
			exe = p
		case d.Name() == "config.json":
			cfg = p
		}
		return nil
	})
	if err != nil || exe == "" || cfg == "" {
		t.Fatalf("msiextract: idagent.exe %q, config.json %q, %v", exe, cfg, err)
	}
	return exe, cfg
}

func TestMSISignaturesAndPayload(t *testing.T) {
	msi, _ := builtMSI(t)
	ok, out := verify(t, msi)
	if !ok {
		t.Fatalf("the MSI's signature does not verify:\n%s", out)
	}
	if !strings.Contains(out, "Message digest algorithm  : SHA256") && !strings.Contains(out, "Message digest algorithm         : SHA256") {
		t.Errorf("the MSI is not signed with SHA-256:\n%s", out)
	}
	t.Logf("MSI signed by %s", signer(out))
	exe, cfg := extract(t, msi)
	if ok, out := verify(t, exe); !ok {
		t.Fatalf("the installed idagent.exe's signature does not verify:\n%s", out)
	}
	b, err := os.ReadFile(exe)
	if err != nil || len(b) < 0x40 || string(b[:2]) != "MZ" {
		t.Fatalf("idagent.exe is not a PE file: %v", err)
	}
	pe := int(b[0x3c]) | int(b[0x3d])<<8 | int(b[0x3e])<<16 | int(b[0x3f])<<24
	if pe+6 > len(b) || string(b[pe:pe+4]) != "PE\x00\x00" || b[pe+4] != 0x64 || b[pe+5] != 0x86 {
		t.Fatal("idagent.exe is not an x64 Windows executable")
	}
	got, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, InitialConfig()) {
		t.Errorf("config.json in the MSI differs from config.InitialFile(%q):\n%s", LogFile, got)
	}
	// The licence is the repository's, Apache-2.0, with Windows line ends.
	lic, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "LICENSE.txt"))
	if err != nil {
		t.Fatalf("LICENSE.txt beside idagent.exe in the MSI: %v", err)
	}
	want, err := os.ReadFile("../../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.ReplaceAll(lic, []byte("\r\n"), []byte("\n")), want) || !bytes.Contains(lic, []byte("Apache License\r\n")) {
		t.Error("LICENSE.txt in the MSI is not the repository's LICENSE with CRLF line ends")
	}
}

func TestMSITamperedFailsVerification(t *testing.T) {
	msi, _ := builtMSI(t)
	orig, err := os.ReadFile(msi)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A byte of the embedded cabinet (MSCF header, then compressed files):
	// every stream but the signature's is hashed.
	cab := bytes.Index(orig, []byte("MSCF\x00\x00\x00\x00"))
	if cab < 0 {
		t.Fatal("no cabinet found in the MSI")
	}
	tampered := bytes.Clone(orig)
	tampered[cab+100] ^= 0x01
	bad := filepath.Join(dir, "tampered.msi")
	if err := os.WriteFile(bad, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	tamperedFails(t, "a byte of the cabinet flipped", bad)
	// A string of the tables (the recovery command line).
	i := bytes.Index(orig, []byte("restart/5000/restart/5000"))
	if i < 0 {
		t.Fatal("recovery command line not found in the MSI")
	}
	tampered = bytes.Clone(orig)
	tampered[i+8] = '9' // restart/9000
	if err := os.WriteFile(bad, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	tamperedFails(t, "a table string edited", bad)
	// No signature at all.
	unsigned := filepath.Join(dir, "unsigned.msi")
	run(t, "osslsigncode", "remove-signature", "-in", msi, "-out", unsigned)
	if ok, out := verify(t, unsigned); ok {
		t.Errorf("an unsigned MSI verifies:\n%s", out)
	}
	// A tampered executable.
	exe, _ := extract(t, msi)
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	badExe := filepath.Join(dir, "idagent.exe")
	if err := os.WriteFile(badExe, b, 0o600); err != nil {
		t.Fatal(err)
	}
	tamperedFails(t, "idagent.exe with a byte flipped", badExe)
}

func TestInitialConfig(t *testing.T) {
	c, err := config.Parse(InitialConfig(), "") // Windows paths are not absolute on Linux
	if err != nil {
		t.Fatal(err)
	}
	if c.Log.File != LogFile || len(c.Origins) != 0 || c.AllowNativeClients || c.Port() != config.DefaultPort {
		t.Fatalf("installed configuration: %+v", c)
	}
}

// TestWxsMatchesAgent checks idagent.wxs against the agent without an MSI:
// the service's names and arguments as agent/svc has them, the registry
// key the agent reads.
func TestWxsMatchesAgent(t *testing.T) {
	b, err := os.ReadFile("idagent.wxs")
	if err != nil {
		t.Fatal(err)
	}
	var wxs struct {
		Product struct {
			UpgradeCode string `xml:",attr"`
			ID          string `xml:"Id,attr"`
		}
	}
	if err := xml.Unmarshal(b, &wxs); err != nil {
		t.Fatal(err)
	}
	if "{"+wxs.Product.UpgradeCode+"}" != upgradeCode || wxs.Product.ID != "*" {
		t.Errorf("Product UpgradeCode %q Id %q: want the fixed UpgradeCode and a new ProductCode per build", wxs.Product.UpgradeCode, wxs.Product.ID)
	}
	attrs := map[string]string{}
	var exeCommands, registryKeys []string
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			switch {
			case se.Name.Local == "ServiceInstall":
				attrs[a.Name.Local] = a.Value
			case se.Name.Local == "CustomAction" && a.Name.Local == "ExeCommand":
				exeCommands = append(exeCommands, a.Value)
			case se.Name.Local == "RegistryValue" && a.Name.Local == "Key":
				registryKeys = append(registryKeys, a.Value)
			}
		}
	}
	kc := svc.Config(svc.Spec{ConfigFile: configArg}, "windows")
	args := kc.Arguments
	args[len(args)-1] = `"` + args[len(args)-1] + `"`
	for k, want := range map[string]string{"Name": svc.Name, "DisplayName": kc.DisplayName, "Description": kc.Description, "Arguments": strings.Join(args, " ")} {
		if attrs[k] != want {
			t.Errorf("ServiceInstall %s = %q, want %q (agent/svc)", k, attrs[k], want)
		}
	}
	if !slices.ContainsFunc(exeCommands, func(c string) bool { return strings.HasSuffix(c, wantRecovery) }) {
		t.Errorf("idagent.wxs does not set the recovery actions: %q", exeCommands)
	}
	for _, k := range registryKeys {
		if `HKLM\`+k != config.InstallerKey {
			t.Errorf("idagent.wxs writes %s, the agent reads %s", k, config.InstallerKey)
		}
	}
	if len(registryKeys) != 2 {
		t.Errorf("registry values %q, want AllowedOrigins and Port", registryKeys)
	}
}

func TestBuildScriptRejectsBadVersions(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, v := range []string{"0.1", "v0.1.0", "0.1.0-rc1", "0.1.0+abc", "1.2.3.4", "256.0.0", "1.256.0", "1.2.65536", "01.2.3", ""} {
		out, err := exec.Command("bash", "build.sh", "--version", v, "--binary", "/nonexistent/idagent.exe", "--out", filepath.Join(t.TempDir(), "x.msi")).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "MSI ProductVersion") && v != "" {
			t.Errorf("version %q: %v\n%s", v, err, out)
		}
	}
	out, err := exec.Command("bash", "build.sh", "--version", "255.255.65535", "--binary", "/nonexistent/idagent.exe", "--out", filepath.Join(t.TempDir(), "x.msi")).CombinedOutput()
	if err == nil || strings.Contains(string(out), "MSI ProductVersion") {
		t.Errorf("a valid version was refused or a missing binary accepted: %v\n%s", err, out)
	}
	out, err = exec.Command("bash", "build.sh", "--version", "0.1.0", "--binary", "/nonexistent/idagent.exe", "--out", "x.zip").CombinedOutput()
	if err == nil || !strings.Contains(string(out), ".msi") {
		t.Errorf("--out x.zip: %v\n%s", err, out)
	}
}
