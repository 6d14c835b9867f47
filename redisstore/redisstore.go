package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/storecall"
	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix of a Store made without WithPrefix: the
// session with ID abc is the Redis string key "session:abc".
const DefaultPrefix = "session:"

// DefaultTimeout bounds each store operation when New is given no
// WithTimeout. A session command takes well under a millisecond; this only
// ends calls to a Redis that hangs or is failing over.
const DefaultTimeout = 3 * time.Second

// Store keeps flasksession's server-side records in Redis through a
// go-redis client: one string key per session, holding the session's bytes
// as the middleware gives them (Flask's tagged JSON), with the record's
// expiry as the key's TTL. It implements flasksession.Store and is safe for
// concurrent use.
//
// Every method is one command or one Lua script on one key, so it is
// atomic on its record and works on Redis Cluster without cross-slot
// commands.
type Store struct {
	client   redis.UniversalClient
	prefix   string
	timeout  time.Duration
	ctxAware bool // the client puts context deadlines on its sockets

	noExpireTime atomic.Bool // Redis said it has no PEXPIRETIME (before 7.0)
}

var (
	_ flasksession.Store        = (*Store)(nil)
	_ flasksession.ExpiryReader = (*Store)(nil)
)

// Option changes a setting of New.
type Option func(*Store)

// WithPrefix sets the key prefix (DefaultPrefix if not given). Give each
// app sharing a Redis its own, e.g. "myapp:session:"; on Redis Cluster a
// prefix with a hash tag ("{sess}:") would put every session in one slot,
// on one master: do not use one.
func WithPrefix(prefix string) Option {
	return func(s *Store) { s.prefix = prefix }
}

// WithTimeout bounds each store operation to d (DefaultTimeout if not
// given), on top of the request's context; d <= 0 leaves only the
// context's deadline and the client's own timeouts.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) { s.timeout = d }
}

// New returns a Store on client: a *redis.Client (redis.NewClient), a
// Sentinel-backed *redis.Client (redis.NewFailoverClient) or a
// *redis.ClusterClient (redis.NewClusterClient). The store does not close
// the client.
//
// Create the client with ContextTimeoutEnabled: true, as the examples do.
// go-redis then puts the context's deadline (the store's timeout, or the
// request's own deadline if nearer) on the connection, and a Redis that
// hangs fails the operation at that deadline; a cancelled request sends no
// command and stops waiting for a pooled connection. go-redis does not
// interrupt a command already on the wire when the context is cancelled:
// that command ends at the deadline.
//
// A client without ContextTimeoutEnabled (go-redis's default) would hold a
// hung command until its ReadTimeout, after retries; for such a client
// each operation runs on a goroutine of its own and returns at the
// deadline or the cancellation, whichever comes first, leaving the command
// to finish in the background. That costs a goroutine and a channel per
// operation.
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{client: client, prefix: DefaultPrefix, timeout: DefaultTimeout, ctxAware: contextAware(client)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// contextAware reports whether client puts context deadlines on its
// connections (go-redis's ContextTimeoutEnabled).
func contextAware(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client: // redis.NewClient and redis.NewFailoverClient
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// Find returns the record's data with GET: one round trip.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	var data []byte
	err := s.do(ctx, "find", func(ctx context.Context) error {
		var err error
		data, err = s.client.Get(ctx, s.prefix+id).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// Create stores a new record with SET NX PXAT: one round trip. It returns
// flasksession.ErrRecordExists when the ID is taken.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	err := s.do(ctx, "create", func(ctx context.Context) error {
		return s.client.Do(ctx, "set", s.prefix+id, data, "nx", "pxat", unixMilli(expiry)).Err()
	})
	if errors.Is(err, redis.Nil) {
		return flasksession.ErrRecordExists
	}
	return err
}

// updateScript is Update's version check: compare, then set, atomically.
// It returns 0 when the record is gone, 2 when its data is not old, 1
// after writing.
var updateScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cur ~= ARGV[1] then return 2 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
return 1
`)

// Update replaces an existing record: with old nil, SET XX PXAT; with old
// set, a Lua script (EVALSHA, falling back to EVAL once per server) that
// writes only while the stored data equals old. Either is one round trip.
// It returns flasksession.ErrRecordNotFound when the record is gone and
// flasksession.ErrConflict when the data changed.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	var status int64
	err := s.do(ctx, "update", func(ctx context.Context) error {
		key, ms := s.prefix+id, unixMilli(expiry)
		if old == nil {
			err := s.client.Do(ctx, "set", key, data, "xx", "pxat", ms).Err()
			if err == nil {
				status = 1
			}
			return err
		}
		var err error
		status, err = updateScript.Run(ctx, s.client, []string{key}, old, data, ms).Int64()
		return err
	})
	switch {
	case errors.Is(err, redis.Nil):
		return flasksession.ErrRecordNotFound
	case err != nil:
		return err
	case status == 0:
		return flasksession.ErrRecordNotFound
	case status == 2:
		return flasksession.ErrConflict
	case status != 1:
		return &Error{Op: "update", Prefix: s.prefix, Err: fmt.Errorf("unexpected script result %d", status)}
	}
	return nil
}

// Touch moves an existing record's expiry with PEXPIREAT, without
// rewriting its data: one round trip. It never creates a record: it
// returns flasksession.ErrRecordNotFound when the record is gone.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	var set bool
	err := s.do(ctx, "touch", func(ctx context.Context) error {
		var err error
		set, err = s.client.PExpireAt(ctx, s.prefix+id, time.UnixMilli(unixMilli(expiry))).Result()
		return err
	})
	if err == nil && !set {
		return flasksession.ErrRecordNotFound
	}
	return err
}

// Expiry returns when the record under id expires, with PEXPIRETIME: one
// round trip, and the expiry given to Create, Update or Touch to the
// millisecond. found is false for a record that is missing or expired.
// It implements flasksession.ExpiryReader. On a Redis before 7.0, which
// has no PEXPIRETIME, it sends PTTL instead (after the first refusal,
// only PTTL), and the expiry is then this machine's clock plus the TTL,
// off by the round trip and by the two machines' clock difference. An ACL
// user needs +pexpiretime (+pttl before 7.0).
func (s *Store) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	var (
		ms    int64
		start time.Time
		ttl   bool // ms is a PTTL
	)
	err := s.do(ctx, "expiry", func(ctx context.Context) error {
		key := s.prefix + id
		if !s.noExpireTime.Load() {
			var err error
			ms, err = s.client.Do(ctx, "pexpiretime", key).Int64()
			if !unknownCommand(err) {
				return err
			}
			s.noExpireTime.Store(true)
		}
		var err error
		start, ttl = time.Now(), true
		ms, err = s.client.Do(ctx, "pttl", key).Int64()
		return err
	})
	switch {
	case err != nil:
		return time.Time{}, false, err
	case ms == -2: // no such key
		return time.Time{}, false, nil
	case ms == -1:
		// Not a record this store wrote: every one has a TTL.
		return time.Time{}, false, &Error{Op: "expiry", Prefix: s.prefix, Err: errors.New("key has no TTL")}
	case ttl:
		return start.Add(time.Duration(ms) * time.Millisecond), true, nil
	}
	return time.UnixMilli(ms), true, nil
}

// unknownCommand reports whether err is Redis refusing a command it does
// not know.
func unknownCommand(err error) bool {
	var rerr redis.Error
	return errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "ERR unknown command")
}

// Delete removes the record with DEL: one round trip.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.do(ctx, "delete", func(ctx context.Context) error {
		return s.client.Del(ctx, s.prefix+id).Err()
	})
}

// unixMilli is expiry for PXAT and PEXPIREAT, which refuse times before
// 1970: such an expiry (or the zero time) becomes the earliest one Redis
// takes, so the record is gone at once.
func unixMilli(expiry time.Time) int64 {
	return max(expiry.UnixMilli(), 1)
}

// do runs call bounded by the store's timeout and ctx, and wraps its error
// in an *Error (redis.Nil, a reply and not a failure, passes through).
func (s *Store) do(ctx context.Context, op string, call func(context.Context) error) error {
	ctx, cancel := storecall.Bound(ctx, s.timeout)
	defer cancel()
	err := ctx.Err() // a request already cancelled sends nothing
	switch {
	case err != nil:
	case s.ctxAware || ctx.Done() == nil:
		err = call(ctx)
	default:
		// The client would not stop at the deadline: wait for the reply or
		// the context, whichever comes first, leaving a command cut short
		// to finish in the background. done is buffered so that goroutine
		// never blocks.
		done := make(chan error, 1)
		go func() { done <- call(ctx) }()
		select {
		case err = <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	return &Error{Op: op, Prefix: s.prefix, Err: storecall.Cause(ctx, err)}
}

// Error is a failed Redis call of a Store: Redis unreachable, timing out,
// refusing writes (a replica during a failover: READONLY), or the request
// cancelled. It names the operation and the key prefix, never the session
// ID or data, and unwraps to the cause, so errors.Is finds
// context.Canceled or context.DeadlineExceeded.
type Error struct {
	Op     string // "find", "create", "update", "touch", "delete" or "expiry"
	Prefix string // the store's key prefix
	Err    error  // the cause
}

func (e *Error) Error() string {
	return "redisstore: " + e.Op + " " + e.Prefix + "…: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
