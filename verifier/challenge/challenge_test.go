package challenge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idagent/idagent/verifier/internal/redistest"
)

// clock is a settable time for the issuer.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// stores runs f on the in-memory store and on a real redis-server.
func stores(t *testing.T, f func(t *testing.T, s Store)) {
	t.Run("memory", func(t *testing.T) { f(t, NewMemory()) })
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		f(t, newRedis(t, srv.Addr))
	})
}

func newRedis(t *testing.T, addr string) *Redis {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return &Redis{Client: c}
}

// A challenge is spent once, by its caller, before it expires, for its
// transaction; every other attempt is refused with its own error.
func TestSpend(t *testing.T) {
	stores(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		clk := &clock{t: time.Now()}
		iss := &Issuer{Store: s, Now: clk.now}
		g, err := iss.Issue(ctx, "his", "")
		if err != nil || len(g.Challenge) != Len || !g.Expires.Equal(clk.t.Add(DefaultTTL)) {
			t.Fatalf("%v %+v", err, g)
		}
		if err := iss.Spend(ctx, "lab", g.Challenge, ""); !errors.Is(err, ErrUnknown) {
			t.Errorf("other caller: %v", err)
		}
		if err := iss.Spend(ctx, "his", g.Challenge, ""); err != nil {
			t.Errorf("first spend: %v", err)
		}
		if err := iss.Spend(ctx, "his", g.Challenge, ""); !errors.Is(err, ErrUsed) {
			t.Errorf("replay: %v", err)
		}
		if err := iss.Spend(ctx, "his", []byte("12345678"), ""); !errors.Is(err, ErrUnknown) {
			t.Errorf("never issued: %v", err)
		}
		if err := iss.Spend(ctx, "his", []byte("short"), ""); !errors.Is(err, ErrUnknown) {
			t.Errorf("short: %v", err)
		}

		bound, _ := iss.Issue(ctx, "his", "tx-1")
		if err := iss.Spend(ctx, "his", bound.Challenge, "tx-2"); !errors.Is(err, ErrMismatch) {
			t.Errorf("other transaction: %v", err)
		}
		if err := iss.Spend(ctx, "his", bound.Challenge, "tx-1"); !errors.Is(err, ErrUsed) {
			t.Errorf("after a refused attempt: %v", err)
		}
		bound, _ = iss.Issue(ctx, "his", "tx-3")
		if err := iss.Spend(ctx, "his", bound.Challenge, "tx-3"); err != nil {
			t.Errorf("own transaction: %v", err)
		}

		old, _ := iss.Issue(ctx, "his", "")
		clk.t = clk.t.Add(DefaultTTL)
		if err := iss.Spend(ctx, "his", old.Challenge, ""); !errors.Is(err, ErrExpired) {
			t.Errorf("expired: %v", err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
	})
}

// The memory store forgets challenges once they are past their retention.
func TestMemoryForgets(t *testing.T) {
	m := NewMemory()
	clk := &clock{t: time.Now()}
	iss := &Issuer{Store: m, Now: clk.now}
	for range 100 {
		if _, err := iss.Issue(context.Background(), "his", ""); err != nil {
			t.Fatal(err)
		}
	}
	clk.t = clk.t.Add(DefaultTTL + usedRetention + 2*time.Second)
	if _, err := iss.Issue(context.Background(), "his", ""); err != nil || m.Len() != 1 {
		t.Errorf("%v, %d remembered", err, m.Len())
	}
}

// Two replicas sharing Redis: a challenge spent on one is refused on the
// other. With Redis stopped both fail closed; when it is back they work.
func TestRedisSharedAndFailClosed(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	a := &Issuer{Store: newRedis(t, srv.Addr)}
	b := &Issuer{Store: newRedis(t, srv.Addr)}
	g, err := a.Issue(ctx, "his", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Spend(ctx, "his", g.Challenge, ""); err != nil {
		t.Fatalf("spend on the other replica: %v", err)
	}
	if err := a.Spend(ctx, "his", g.Challenge, ""); !errors.Is(err, ErrUsed) {
		t.Errorf("replay on the first replica: %v", err)
	}

	pending, _ := a.Issue(ctx, "his", "")
	srv.Stop()
	if _, err := a.Issue(ctx, "his", ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("issue without Redis: %v", err)
	}
	if err := b.Spend(ctx, "his", pending.Challenge, ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("spend without Redis: %v", err)
	}
	if err := a.Store.Ping(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ping without Redis: %v", err)
	}

	srv.Restart()
	waitPing(t, a.Store)
	waitPing(t, b.Store)
	g, err = a.Issue(ctx, "his", "")
	if err != nil {
		t.Fatalf("issue after Redis returned: %v", err)
	}
	if err := b.Spend(ctx, "his", g.Challenge, ""); err != nil {
		t.Errorf("spend after Redis returned: %v", err)
	}
	// Redis came back empty: what was issued before is unknown, never
	// accepted.
	if err := b.Spend(ctx, "his", pending.Challenge, ""); !errors.Is(err, ErrUnknown) {
		t.Errorf("challenge from before the restart: %v", err)
	}
}

// waitPing waits until s answers: go-redis reconnects in the background
// (a dial probe every second). The bound only ends a hung test.
func waitPing(t *testing.T, s Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.Ping(context.Background())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis not back 30 s after it restarted: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
