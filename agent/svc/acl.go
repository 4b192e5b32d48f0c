package svc

// DataDirSDDL is the ACL of the data directory on Windows: SYSTEM and
// Administrators have full control and Users read access, inherited by
// everything below, and nothing is inherited from ProgramData, whose
// default lets every user create files there. A desk user could otherwise
// drop a certificate into trust\ and have it trusted as a CSCA, or edit the
// allowed origins. The MSI sets the same ACL (installer/windows); `idagent
// service install` sets it with ProtectDataDir.
const DataDirSDDL = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
