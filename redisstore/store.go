// Package redisstore sets up github.com/gin-contrib/sessions' Redis store
// for the flasksession middleware: sessions are kept in Redis as readable
// JSON (Flask's tagged JSON inside a small record, see Serializer), with no
// size cap of their own, and the cookie carries only a signed session ID.
//
//	store, err := redisstore.NewStore(10, "tcp", "localhost:6379", "", "", hashKey)
//	if err != nil { ... }
//	r.Use(flasksession.New(flasksession.Config{Store: store}))
//
// A store made some other way (redis.NewStoreWithPool, for TLS or
// Sentinel) is made ready with Configure. See docs/server-side.md for
// running on Redis in production.
package redisstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/boj/redistore"
	"github.com/gin-contrib/sessions/redis"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/gorilla/securecookie"
)

// ErrNotRedisStore is returned by Configure for a store that does not come
// from github.com/gin-contrib/sessions/redis.
var ErrNotRedisStore = errors.New("flasksession: redisstore.Configure needs a store made by github.com/gin-contrib/sessions/redis (NewStore, NewStoreWithDB or NewStoreWithPool)")

// NewStore connects to Redis like github.com/gin-contrib/sessions/redis's
// NewStore (size idle connections; network "tcp" or "unix"; address
// host:port; username and password for Redis ACL/AUTH, "" for none) and
// configures the store with Configure. keyPairs sign (and with a second
// key, encrypt) the session-ID cookie: use one random 32- or 64-byte key,
// the same on every instance. It fails if Redis does not answer PING.
//
// Unlike gin-contrib's pool, which sends PING before every command, this
// one checks only connections idle for over a minute, so a session load
// or save is one round trip, not two; and its connections time out
// (DialTimeout, IOTimeout) where gin-contrib's wait forever.
func NewStore(size int, network, address, username, password string, keyPairs ...[]byte) (redis.Store, error) {
	if len(keyPairs) == 0 || len(keyPairs[0]) == 0 {
		return nil, errNoKey
	}
	pool := newPool(size, func() (redigo.Conn, error) {
		return redigo.Dial(network, address, append(dialTimeouts(),
			redigo.DialUsername(username), redigo.DialPassword(password))...)
	})
	s, err := redis.NewStoreWithPool(pool, keyPairs...)
	if err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("flasksession: cannot reach Redis at %s %s: %w", network, address, err)
	}
	return s, Configure(s)
}

// NewStoreWithURL is NewStore for a Redis URL, the usual way to reach a
// managed Redis over TLS with a password:
// "rediss://user:password@host:6380/0" (TLS), "redis://host:6379/2" (plain,
// database 2). See github.com/gomodule/redigo/redis.DialURL for the
// accepted forms.
func NewStoreWithURL(size int, url string, keyPairs ...[]byte) (redis.Store, error) {
	if len(keyPairs) == 0 || len(keyPairs[0]) == 0 {
		return nil, errNoKey
	}
	pool := newPool(size, func() (redigo.Conn, error) { return redigo.DialURL(url, dialTimeouts()...) })
	s, err := redis.NewStoreWithPool(pool, keyPairs...)
	if err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("flasksession: cannot reach Redis at the URL given: %w", err)
	}
	return s, Configure(s)
}

// Timeouts for every connection: a session load or save takes a
// millisecond, and a Redis that hangs must fail the request, not hold it
// forever (redigo's default).
const (
	DialTimeout = 5 * time.Second // connecting, TLS handshake included
	IOTimeout   = 3 * time.Second // each command's write and read
)

func dialTimeouts() []redigo.DialOption {
	return []redigo.DialOption{
		redigo.DialConnectTimeout(DialTimeout),
		redigo.DialReadTimeout(IOTimeout),
		redigo.DialWriteTimeout(IOTimeout),
	}
}

// newPool is redistore's pool (240 s idle timeout), checking connections
// with PING only after a minute idle, as redigo's documentation suggests.
func newPool(size int, dial func() (redigo.Conn, error)) *redigo.Pool {
	return &redigo.Pool{
		MaxIdle:     size,
		IdleTimeout: 240 * time.Second,
		TestOnBorrow: func(c redigo.Conn, lastUsed time.Time) error {
			if time.Since(lastUsed) < time.Minute {
				return nil
			}
			_, err := c.Do("PING")
			return err
		},
		Dial: dial,
	}
}

var errNoKey = errors.New("flasksession: redisstore needs a key to sign session-ID cookies: pass one random 32-byte key (securecookie.GenerateRandomKey(32)), the same on every instance")

// Configure makes a gin-contrib Redis store ready for the flasksession
// middleware:
//
//   - records are written by Serializer, as readable JSON, instead of gob;
//   - redistore's 4096-byte cap on a record is lifted (a server-side
//     session may be large; cap it yourself with
//     redis.GetRedisStore(s) then SetMaxLength if you want one);
//   - the signed session-ID cookie is accepted whatever its age: the
//     middleware expires sessions by Config.PermanentLifetime and the
//     record's Redis TTL, and the codec's own 30-day limit would otherwise
//     cut the default 31-day lifetime short.
//
// The key prefix ("session_") and the connection pool are left as they
// are.
func Configure(s redis.Store) error {
	rs, err := redis.GetRedisStore(s)
	if err != nil {
		return ErrNotRedisStore
	}
	configure(rs)
	return nil
}

func configure(rs *redistore.RediStore) {
	rs.SetSerializer(Serializer{})
	rs.SetMaxLength(0)
	for _, c := range rs.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(0)
		}
	}
}
