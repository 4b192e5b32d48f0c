// Command windows prints the files that installer/windows/build.sh puts into
// the Windows installer besides the binary, so that they come from the
// agent's own code rather than a copy that drifts:
//
//	go run ./installer/windows initial-config > config.json
//
// prints config.InitialFile with the service log file
// C:\ProgramData\idagent\logs\idagent.log, the configuration the MSI writes
// to %ProgramData%\idagent\config.json.
//
// build.sh builds the signed MSI with wixl (msitools) and osslsigncode;
// idagent.wxs is its WiX source and README.md tells IT staff how to deploy
// it. The tests check the ADMX/ADML group policy template and, when
// IDAGENT_DIST names a directory holding idagent-*-x64.msi, the built MSI:
// its tables (msiinfo), its files (msiextract) and both signatures
// (osslsigncode verify). IDAGENT_REQUIRE_DIST=1 makes a missing MSI a
// failure instead of a skip.
package main
