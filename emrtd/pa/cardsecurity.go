package pa

import (
	"encoding/asn1"
	"fmt"

	"github.com/idagent/idagent/emrtd/cms"
)

// OIDSecurityObject is id-SecurityObject (BSI TR-03110), the content type
// of EF.CardSecurity.
var OIDSecurityObject = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 3, 2, 1}

// VerifyCardSecurity verifies EF.CardSecurity (a ContentInfo whose content
// is the chip's SecurityInfos, signed by a document signer) with the same
// checks as an EF.SOD, without data-group hashes. It returns the parsed
// SignedData, whose Content is the DER SecurityInfos for chip
// authentication; an error only when the file is not a usable SignedData.
func VerifyCardSecurity(raw []byte, o Options) (*cms.SignedData, *Result, error) {
	if len(raw) > maxSOD {
		return nil, nil, fmt.Errorf("EF.CardSecurity of %d bytes exceeds %d", len(raw), maxSOD)
	}
	sd, err := cms.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("EF.CardSecurity: %w", err)
	}
	if !sd.ContentType.Equal(OIDSecurityObject) {
		return nil, nil, fmt.Errorf("EF.CardSecurity: content type %s is not id-SecurityObject", sd.ContentType)
	}
	o.DataGroups = nil
	return sd, verifySigned(sd, nil, o), nil
}
