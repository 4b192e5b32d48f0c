package sim

// documentProfiles are chips modelled on documents that the catalogue of
// real chips (../shared/reference/real-chips.md) describes: a chip profile
// and a preset of quirks. Each reads and passes with the mechanism its
// base chip has (emrtd/read's matrix test).
func documentProfiles() []*Profile {
	return []*Profile{
		document("passport-bac-only", "passport-old-bac",
			"old BAC passport as in issue 14: no EF.CardAccess, no DG14; BAC, active authentication RSA-1024 SHA-1; "+
				"READ BINARY by short file identifier answers a plain 6A82, a refused command stays counted in the SSC (SM-02c), short APDUs only",
			[]string{"no-sfi", "sm-error-plain-counted", "no-extended"}),
		document("passport", "passport-short-apdu",
			"passport without extended length whose chip keeps the session after a plain error (gmrtd #457/#458's Chinese passport): "+
				"PACE, BAC, chip and active authentication as passport; an extended command answers a plain 6700 (not counted), a refused "+
				"protected command a plain status word with the session kept and the command counted (SM-02c), a read past the end 6282 with the bytes left",
			[]string{"no-extended", "sm-error-plain-counted", "eof-6282"}),
		document("passport-bac-only", "passport-aa-rsa2048",
			"passport whose active authentication signature needs extended length (NFCPassportReader #194's Australian passport): "+
				"BAC, AA RSA-2048 ISO/IEC 9796-2 SHA-256; INTERNAL AUTHENTICATE with a short Le answers the signature cut to 231 bytes and 9000",
			[]string{"aa-cut-231"}),
		document("cccd", "cccd-p256",
			"CCCD of the generation whose EF.CardAccess ends 02 01 0C (public Vietnamese reader projects): PACE-GM ECDH AES-128 on "+
				"NIST P-256 (parameter 12) with the CAN or the MRZ; otherwise as cccd",
			[]string{"pace-parameter-id-12"}),
		document("cccd2024", "id-pace-only",
			"PACE-only ID card with several PACEInfos that needs the parameter ID (German and Polish eIDs, NFCPassportReader PR #269): "+
				"besides the card's PACE-GM on brainpoolP256r1, PACE-IM on P-256 and PACE-DH; MSE:Set AT without tag 84 answers 6A87; "+
				"BAC refused (6982); strict case-3 commands (T-07), SELECT MF 6A86",
			[]string{"pace-several-infos", "pace-parameter-id-required", "strict-case3", "select-mf-6a86"}),
	}
}

// document derives a document profile from a registered chip profile: a
// copy with its own name, description and quirks.
func document(base, name, description string, quirks []string) *Profile {
	b, err := LookupProfile(base)
	if err != nil {
		panic(err)
	}
	p := b.clone()
	p.Name, p.Description, p.Quirks, p.Base = name, description, quirks, base
	return p
}
