package challenge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps challenges in Redis, shared by every replica: taking one is
// one atomic script, so it is spent once whichever replica asks. Keys
// expire by themselves (the challenge's lifetime and a retention to
// recognise replays). Every Redis error is ErrUnavailable: the service
// fails closed and recovers when Redis answers again (go-redis
// reconnects).
type Redis struct {
	Client *redis.Client
	// Prefix starts every key ("idagent:challenge:" when empty).
	Prefix string
}

// takeScript returns the record and marks it used in one step; a used one
// returns "used", an absent one nil. KEEPTTL needs Redis 6.
var takeScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if v == 'used' then return 'used' end
redis.call('SET', KEYS[1], 'used', 'KEEPTTL')
return v`)

func (r *Redis) key(caller string, challenge []byte) string {
	p := r.Prefix
	if p == "" {
		p = "idagent:challenge:"
	}
	return p + key(caller, challenge)
}

// Put implements Store.
func (r *Redis) Put(ctx context.Context, caller string, g Grant, now time.Time) error {
	rec, err := encode(g)
	if err != nil {
		return err
	}
	ttl := g.Expires.Sub(now) + usedRetention
	ok, err := r.Client.SetNX(ctx, r.key(caller, g.Challenge), rec, ttl).Result()
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	case !ok: // 2^-64 per pair: never, but never reuse one either
		return fmt.Errorf("challenge: drawn twice")
	}
	return nil
}

// Take implements Store.
func (r *Redis) Take(ctx context.Context, caller string, challenge []byte, _ time.Time) (Grant, error) {
	v, err := takeScript.Run(ctx, r.Client, []string{r.key(caller, challenge)}).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return Grant{}, ErrUnknown
	case err != nil:
		return Grant{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	case v == "used":
		return Grant{}, ErrUsed
	}
	return decode(challenge, []byte(v))
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.Client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}
