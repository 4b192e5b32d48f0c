package verify

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/idagent/idagent/emrtd/check"
	"github.com/idagent/idagent/emrtd/lds"
)

// signedInfos are the SecurityInfos signed data proves: DG14's when
// passive authentication proved it, EF.CardSecurity's when its own
// signature and chain pass. from names them; when there are none, why
// says why (empty when the document has neither file to offer).
func (v *verification) signedInfos() (infos []*lds.SecurityInfos, from []string, why string) {
	if v.dg14 != nil {
		if ok, reason := v.keyProven(14); ok {
			infos, from = append(infos, v.dg14), append(from, "DG14")
		} else {
			why = "DG14 is not proven: " + reason
		}
	} else if v.sodLists(14) {
		why = v.whyNotRead(14)
	}
	if v.ev.CardSecurity != nil {
		if ok, reason := v.cardSecurityProven(); ok {
			infos, from = append(infos, v.cardSecurity.infos), append(from, "EF.CardSecurity")
		} else if why == "" {
			why = "EF.CardSecurity is not proven: " + reason
		}
	}
	return infos, from, why
}

// isPACE reports whether a SecurityInfo configures PACE (PACEInfo or
// PACEDomainParameterInfo): what a downgrade changes.
func isPACE(info lds.Info) bool {
	return slices.Equal(info.Protocol[:min(len(info.Protocol), len(lds.OIDPACE))], lds.OIDPACE)
}

// holds reports whether any of the sets holds an entry byte for byte.
func holds(sets []*lds.SecurityInfos, raw []byte) bool {
	for _, s := range sets {
		if slices.ContainsFunc(s.Infos, func(i lds.Info) bool { return bytes.Equal(i.Raw, raw) }) {
			return true
		}
	}
	return false
}

// cardAccessConsistency is the cardaccess.consistency check (ICAO 9303-11
// §9.2.11 and §4.2: DG14 and EF.CardSecurity carry EF.CardAccess's
// SecurityInfos so a reader can check the unsigned EF.CardAccess, and so
// the access control it chose, against signed data). FAIL when
// EF.CardAccess holds an entry signed data does not (a planted key, an
// altered PACE configuration) or lacks a PACE configuration signed data
// lists (a downgrade); WARN when it cannot be read though signed data
// lists PACE, or when no signed data lists its PACE configurations;
// UNKNOWN when the signed data is not proven.
func cardAccessConsistency(v *verification) {
	c := check.Check{Name: check.CardAccessConsistency}
	signed, from, why := v.signedInfos()
	signedPACE := v.signedPACE(signed)
	switch {
	case v.ev.CardAccess == nil && len(signedPACE) > 0:
		c.Status, c.Reason = check.Warn, ReasonCardAccessMissing
		c.Message = fmt.Sprintf("The chip's EF.CardAccess could not be read, though %s lists PACE: "+
			"something may have hidden it to make the reader use BAC.", strings.Join(from, " and "))
	case v.ev.CardAccess == nil:
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNoPACE, "The chip has no EF.CardAccess: it offers no PACE."
	case len(signed) == 0 && why != "":
		c.Status, c.Reason = check.Unknown, ReasonCardAccessNotVerified
		c.Message = fmt.Sprintf("EF.CardAccess could not be checked against signed data (%s).", why)
	case len(signed) == 0:
		c.Status, c.Reason = check.Warn, ReasonCardAccessNotSigned
		c.Message = "The document has no signed data (DG14, EF.CardSecurity) to check EF.CardAccess against: its access control settings are unconfirmed."
	default:
		c = v.compareCardAccess(c, signed, signedPACE, strings.Join(from, " and "))
	}
	v.add(c)
}

// signedPACE are the PACE entries of the signed SecurityInfos.
func (v *verification) signedPACE(signed []*lds.SecurityInfos) []lds.Info {
	var out []lds.Info
	for _, s := range signed {
		for _, i := range s.Infos {
			if isPACE(i) && !slices.ContainsFunc(out, func(o lds.Info) bool { return bytes.Equal(o.Raw, i.Raw) }) {
				out = append(out, i)
			}
		}
	}
	return out
}

// compareCardAccess compares EF.CardAccess entry by entry with the signed
// SecurityInfos.
func (v *verification) compareCardAccess(c check.Check, signed []*lds.SecurityInfos, signedPACE []lds.Info, from string) check.Check {
	if v.cardAccess == nil {
		c.Status, c.Reason = check.Fail, ReasonCardAccessMismatch
		c.Message = fmt.Sprintf("EF.CardAccess is malformed; %s is not.", from)
		return c
	}
	var extra, extraPACE, missing []string
	for _, i := range v.cardAccess.Infos {
		if !holds(signed, i.Raw) {
			if isPACE(i) {
				extraPACE = append(extraPACE, infoName(i))
			} else {
				extra = append(extra, infoName(i))
			}
		}
	}
	for _, i := range signedPACE {
		if !holds([]*lds.SecurityInfos{v.cardAccess}, i.Raw) {
			missing = append(missing, infoName(i))
		}
	}
	switch {
	case len(extra) > 0 || (len(signedPACE) > 0 && len(extraPACE)+len(missing) > 0):
		c.Status, c.Reason = check.Fail, ReasonCardAccessMismatch
		c.Message = fmt.Sprintf("EF.CardAccess differs from what %s signs%s%s: it was altered, by a copy of the chip or on the way.",
			from, listed(", it adds ", slices.Concat(extra, extraPACE)), listed(", it lacks ", missing))
	case len(extraPACE) > 0:
		c.Status, c.Reason = check.Warn, ReasonCardAccessNotSigned
		c.Message = fmt.Sprintf("%s does not list EF.CardAccess's PACE configurations (ICAO 9303-11 asks it to), so they are unconfirmed.", from)
	default:
		c.Status, c.Reason = check.Pass, ReasonCardAccessSigned
		c.Message = fmt.Sprintf("EF.CardAccess is what %s signs.", from)
	}
	return c
}

func infoName(i lds.Info) string {
	if i.Name != "" {
		return i.Name
	}
	return i.OID
}

func listed(prefix string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	return prefix + strings.Join(names, ", ")
}

// accessProtocol is the access.protocol check: the chip was opened with
// the access control its signed data lists. A chip whose DG14 (or
// EF.CardSecurity, or failing those EF.CardAccess) lists PACE but was
// opened with BAC reads at most WARN (a relay can strip EF.CardAccess or
// make PACE fail to force BAC); a PACE configuration the signed data does
// not list is WARN too (cardaccess.consistency says how EF.CardAccess
// differs). Away from the desk a PASS rests on the desk's word alone: it
// is SKIPPED (VERIFIED_AT_DESK_ONLY).
func accessProtocol(v *verification) {
	a := v.ev.Access
	if a == nil {
		return
	}
	c := check.Check{Name: check.AccessProtocol}
	signed, from, _ := v.signedInfos()
	signedPACE := v.signedPACE(signed)
	offered, listsPACE := strings.Join(from, " and "), len(signedPACE) > 0
	if !listsPACE && v.cardAccess != nil && len(v.cardAccess.PACE) > 0 {
		offered, listsPACE = "EF.CardAccess", true
	}
	switch {
	case a.Mechanism != MechanismBAC && len(signedPACE) > 0 && !v.paceSigned(a, signed):
		c.Status, c.Reason = check.Warn, ReasonPACENotSigned
		c.Message = fmt.Sprintf("The chip was opened with %s, which %s does not list.", a.Protocol, offered)
	case a.Mechanism != MechanismBAC:
		c.Status, c.Reason, c.Message = check.Pass, ReasonPACEUsed, fmt.Sprintf("The chip was opened with %s.", a.Mechanism)
	case listsPACE:
		c.Status, c.Reason = check.Warn, ReasonPACENotUsed
		c.Message = fmt.Sprintf("%s lists PACE, but the chip was opened with the weaker BAC", offered)
		if a.FallbackReason != "" {
			c.Message += " (" + a.FallbackReason + ")"
		}
		c.Message += ": an attacker between reader and chip can force this."
	default:
		c.Status, c.Reason, c.Message = check.NotSupported, ReasonNoPACE, "The chip offers no PACE; it was opened with BAC."
	}
	if !v.opts.AtDesk && c.Status == check.Pass {
		// Only the desk saw how the chip was opened: its word lowers the
		// verdict (BAC where PACE is signed), it never proves anything.
		c.Status, c.Reason = check.Skipped, ReasonVerifiedAtDeskOnly
		c.Message = fmt.Sprintf("The desk reports that the chip was opened with %s, as its signed data lists; that cannot be checked again here.", a.Mechanism)
	}
	v.add(c)
}

// paceSigned reports whether the PACE configuration that opened the chip
// is one the signed SecurityInfos list.
func (v *verification) paceSigned(a *Access, signed []*lds.SecurityInfos) bool {
	for _, s := range signed {
		for _, p := range s.PACE {
			if lds.ProtocolName(p.Protocol) != a.Protocol {
				continue
			}
			if p.ParameterID == nil || a.ParameterID == nil || *p.ParameterID == *a.ParameterID {
				return true
			}
		}
	}
	return false
}

// comConsistency is the com.consistency check: EF.COM, which is unsigned,
// lists the data groups EF.SOD lists. EF.SOD decides what is read, so a
// difference is only a WARN (real chips have wrong EF.COMs, and an EF.COM
// that hides DG14 or DG15 hides nothing from this reader).
func comConsistency(v *verification) {
	if v.sod == nil {
		return
	}
	c := check.Check{Name: check.COMConsistency}
	if v.com == nil {
		c.Status, c.Reason, c.Message = check.Skipped, ReasonCOMMissing, "The chip's EF.COM was not read or is malformed; EF.SOD says which data groups exist."
		v.add(c)
		return
	}
	signed := v.sod.LDS.DataGroups()
	var onlySOD, onlyCOM []string
	for _, n := range signed {
		if !v.com.Has(n) {
			onlySOD = append(onlySOD, fmt.Sprintf("DG%d", n))
		}
	}
	for _, n := range v.com.DataGroups {
		if !slices.Contains(signed, n) {
			onlyCOM = append(onlyCOM, fmt.Sprintf("DG%d", n))
		}
	}
	if len(onlySOD)+len(onlyCOM) == 0 {
		c.Status, c.Reason, c.Message = check.Pass, ReasonCOMMatches, "EF.COM lists the data groups the signed EF.SOD lists."
	} else {
		c.Status, c.Reason = check.Warn, ReasonCOMMismatch
		c.Message = fmt.Sprintf("EF.COM (unsigned) disagrees with the signed EF.SOD%s%s; the reader followed EF.SOD.",
			listed(": EF.COM leaves out ", onlySOD), listed("; EF.COM adds ", onlyCOM))
	}
	v.add(c)
}
