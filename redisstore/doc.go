// Package redisstore keeps flasksession's server-side sessions in Redis,
// through a github.com/redis/go-redis/v9 client: one server
// (redis.NewClient), a Sentinel-managed master (redis.NewFailoverClient) or
// a Redis Cluster (redis.NewClusterClient), with the same store.
//
//	client := redis.NewClient(&redis.Options{
//		Addr:                  "redis.internal:6379",
//		ContextTimeoutEnabled: true, // the store's timeout reaches the socket
//	})
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: key,
//		Store:     redisstore.New(client),
//	}))
//
// # Records
//
// A session is one string key, "session:" + ID (WithPrefix changes the
// prefix), holding the session as the middleware gives it: Flask's tagged
// JSON, readable by redis-cli or any language. The key's TTL is the
// session's expiry.
//
// # Sharing sessions with Flask-Session
//
// The default prefix is Flask-Session's SESSION_KEY_PREFIX, so with
// flasksession.Config.FlaskSession the records are a Flask-Session app's
// (pickle, msgpack or JSON, as the app's version writes them) and the two
// apps share sessions on one Redis:
//
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: key, // the Flask app's SECRET_KEY
//		Store:     redisstore.New(client),
//		FlaskSession: &flasksession.FlaskSession{
//			Codec:     flaskrecord.Codec{Format: flaskrecord.Pickle},
//			UseSigner: true, // SESSION_USE_SIGNER = True
//		},
//	}))
//
// Flask-Session writes with SETEX, this store with SET PXAT: each reads
// the other's keys and TTLs. The record format is the middleware's
// setting, not the store's, so every Store shares it the same way.
//
// # Commands and round trips
//
// Each method is one command, or one Lua script, on one key: atomic on its
// record, and never a cross-slot operation on a Cluster.
//
//	Find    GET                              1 round trip
//	Create  SET NX PXAT                      1
//	Update  SET XX PXAT                      1
//	        with a version check: EVALSHA    1 (2 the first time per server)
//	Touch   PEXPIREAT                        1
//	Delete  DEL                              1
//	Expiry  PEXPIRETIME (PTTL before Redis 7) 1
//
// So the middleware's requests cost: a request that does not use the
// session, nothing, or one PEXPIREAT to refresh a permanent session (the
// signed ID cookie says which); a new session, SET NX; a read, GET (+
// PEXPIREAT); a read-modify-save, GET and SET XX; a logout, GET and DEL.
// At most two round trips, three for a login that regenerates the ID,
// plus a GET and a version-checked update of the user's index for a login
// (flasksession.UserSessions, which also sends PEXPIRETIME per session
// listed). SET XX, PEXPIREAT and the version-check script never bring
// back a record that was deleted: a logout sticks, and a refresh never
// rewrites data.
//
// # Timeouts
//
// Each operation ends at the store's timeout (DefaultTimeout, WithTimeout)
// or the request context's deadline or cancellation. Build the client with
// ContextTimeoutEnabled: true so that go-redis puts the deadline on the
// connection; see New for clients without it. Keep the client's own
// timeouts on (never -1): DialTimeout bounds connecting and the TLS
// handshake, ReadTimeout and WriteTimeout each command (go-redis's
// defaults are 5 s), PoolTimeout the wait for a free connection.
//
// # Errors
//
// A failed Redis call is an *Error naming the operation and the key prefix,
// never the session ID or data; errors.Is finds its cause
// (context.DeadlineExceeded, context.Canceled, ...).
//
// docs/server-side.md in the repository covers Sentinel and Cluster client
// construction, TLS and ACL users, pool sizing and what happens during a
// failover. The tests start redis-server themselves (a single server, TLS,
// an ACL user, a 3-master Cluster, Sentinel); without it they skip, or fail
// under FLASKSESSION_REQUIRE_REAL=1.
package redisstore
