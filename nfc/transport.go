package nfc

import (
	"context"
	"fmt"

	"github.com/idagent/idagent/nfc/apdu"
)

// Transport exchanges structured APDUs. A plain transport (NewTransport)
// talks to a Card directly; a secure-messaging channel (emrtd/sm) wraps
// another Transport and satisfies the same interface, so file access code does
// not care whether the channel is protected.
type Transport interface {
	Exchange(ctx context.Context, cmd apdu.Command) (apdu.Response, error)
}

// maxChained bounds GET RESPONSE chains and 6Cxx retries, so a hostile or
// broken card cannot keep the reader in a loop.
const maxChained = 64

// maxChainedBytes bounds the data collected through GET RESPONSE.
const maxChainedBytes = 1 << 20

// plainTransport encodes commands, follows 61xx with GET RESPONSE and
// answers 6Cxx by resending with Le = SW2.
type plainTransport struct {
	card Card
}

// NewTransport returns a Transport that sends commands to card unprotected.
func NewTransport(card Card) Transport { return plainTransport{card: card} }

func (t plainTransport) Exchange(ctx context.Context, cmd apdu.Command) (apdu.Response, error) {
	return Transceive(ctx, t.card, cmd)
}

// Transceive sends cmd to card and returns its response, following the
// ISO 7816-4 transport rules: 61xx → GET RESPONSE until the card has sent
// everything, 6Cxx → resend the command with Le = SW2.
func Transceive(ctx context.Context, card Card, cmd apdu.Command) (apdu.Response, error) {
	raw, err := cmd.Bytes()
	if err != nil {
		return apdu.Response{}, fmt.Errorf("encode %v: %w", cmd, err)
	}
	resp, err := transmitParsed(ctx, card, raw)
	if err != nil {
		return apdu.Response{}, err
	}
	for i := 0; resp.SW.SW1() == 0x6C && i < maxChained; i++ {
		retry := cmd
		retry.Ne = int(resp.SW.SW2())
		if retry.Ne == 0 {
			retry.Ne = apdu.MaxShortNe
		}
		if raw, err = retry.Bytes(); err != nil {
			return apdu.Response{}, fmt.Errorf("encode %v: %w", retry, err)
		}
		if resp, err = transmitParsed(ctx, card, raw); err != nil {
			return apdu.Response{}, err
		}
	}
	if resp.SW.SW1() != 0x61 {
		return resp, nil
	}
	data := append([]byte(nil), resp.Data...)
	for i := 0; resp.SW.SW1() == 0x61; i++ {
		if i >= maxChained || len(data) > maxChainedBytes {
			return apdu.Response{}, fmt.Errorf("%v: card keeps answering 61xx: %w", cmd, ErrCardUnresponsive)
		}
		ne := int(resp.SW.SW2())
		if ne == 0 {
			ne = apdu.MaxShortNe
		}
		// GET RESPONSE is plain and unchained: clear the chaining bit and
		// the secure-messaging indication, keep the class and channel.
		get := apdu.Command{CLA: cmd.CLA &^ 0x1C, INS: apdu.InsGetResponse, Ne: ne}
		if resp, err = transmitParsed(ctx, card, get.MustBytes()); err != nil {
			return apdu.Response{}, err
		}
		data = append(data, resp.Data...)
	}
	resp.Data = data
	return resp, nil
}

func transmitParsed(ctx context.Context, card Card, raw []byte) (apdu.Response, error) {
	if err := ctx.Err(); err != nil {
		return apdu.Response{}, err
	}
	out, err := card.Transmit(ctx, raw)
	if err != nil {
		return apdu.Response{}, err
	}
	resp, err := apdu.ParseResponse(out)
	if err != nil {
		return apdu.Response{}, fmt.Errorf("%w: %v", ErrCardUnresponsive, err)
	}
	return resp, nil
}
