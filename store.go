package flasksession

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ginflask/flasksession/internal/bufpool"
	"github.com/ginflask/flasksession/internal/cookiecodec"
)

// Store keeps server-side session records (Config.Store). A record is the
// session as Flask's tagged JSON under a session ID the middleware mints;
// the cookie carries only the signed ID. Every method gets the request's
// context and must honour its cancellation.
//
// The methods are what the middleware's guarantees need: a logout sticks
// because Update and Touch never bring back a record that is gone, and a
// request that changed nothing only extends the expiry (Touch) instead of
// rewriting data another request may have changed. Each method must be
// atomic on its one record. The package storetest checks all of this for
// any Store.
type Store interface {
	// Find returns the record's data, never nil when found. A record that
	// is missing or expired is (nil, false, nil), not an error.
	Find(ctx context.Context, id string) (data []byte, found bool, err error)

	// Create stores a new record that expires at expiry. It never
	// overwrites: if id is taken it returns ErrRecordExists (an expired
	// record does not count as taken).
	Create(ctx context.Context, id string, data []byte, expiry time.Time) error

	// Update replaces the data and expiry of an existing record. It
	// returns ErrRecordNotFound, and writes nothing, if the record is gone
	// (deleted or expired). With old non-nil it is a version check: it
	// writes only while the stored data still equals old, and otherwise
	// returns ErrConflict. The middleware passes old only under
	// Config.DetectConflicts; a store that sends old over the network pays
	// for it then.
	Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error

	// Touch sets the expiry of an existing record without rewriting its
	// data. It returns ErrRecordNotFound if the record is gone.
	Touch(ctx context.Context, id string, expiry time.Time) error

	// Delete removes the record. Deleting a missing record is not an error.
	Delete(ctx context.Context, id string) error
}

// ExpiryReader is an optional Store method: when a record expires. The
// user index (UserSessions) uses it to tell when a session was last used;
// with a store without it, SessionInfo.LastSeen is zero.
type ExpiryReader interface {
	// Expiry returns when the record under id expires; found is false
	// for a record that is missing or expired.
	Expiry(ctx context.Context, id string) (expiry time.Time, found bool, err error)
}

// Errors a Store returns; the middleware tests for them with errors.Is.
var (
	// ErrRecordNotFound: Update or Touch found no record under the ID: it
	// was deleted (a logout, a regenerated ID) or it expired.
	ErrRecordNotFound = errors.New("flasksession: session record not found")

	// ErrRecordExists: Create found the ID taken.
	ErrRecordExists = errors.New("flasksession: session record exists")

	// ErrConflict: another request changed the session since this one
	// loaded it (Update's version check, Config.DetectConflicts).
	ErrConflict = errors.New("flasksession: session changed by another request")
)

// backend is where the middleware keeps sessions: in the signed cookie
// itself (cookieBackend) or in a Store whose record ID the cookie carries
// (serverBackend). The middleware owns Flask's rules: whether to save,
// refresh or delete, and the expiry; a backend stores and formats.
type backend interface {
	// open starts a request's session. It does no I/O: loading waits
	// until the session is used.
	open(req *http.Request) sessionState
	// mayRefresh reports whether an untouched request carrying cookie
	// may have to send it again (Flask's refresh of a permanent session).
	// It is false only when that is plain without opening anything.
	mayRefresh(cookie string) bool
}

// sessionState is a backend's hold on one request's session. Its methods
// run with the Session's lock held. Errors that come from the client's
// cookie match ErrInvalidCookie; those from a store match ErrStore.
type sessionState interface {
	// load returns the request's session; nil when there is none.
	load(req *http.Request, now time.Time) (map[string]any, error)
	// refresh sends an untouched session again, signed at now and
	// expiring at expires, if it is permanent (Flask's refresh each
	// request), and returns its Set-Cookie value; "" when there is
	// nothing to send. cookie is the request's session cookie, not empty,
	// and one the backend's mayRefresh did not rule out.
	refresh(req *http.Request, cookie string, now, expires time.Time) (string, error)
	// save stores values and returns their Set-Cookie value. modified
	// is false for a refresh of an unchanged session; regen asks for a
	// new session ID.
	save(req *http.Request, values map[string]any, modified, regen bool, now, expires time.Time) (string, error)
	// remove deletes what save stored.
	remove(req *http.Request) error
}

// cookieBackend keeps the whole session in the signed cookie, in Flask's
// format. It owns the size limit and compression. It keeps nothing per
// request, so it is its own sessionState.
type cookieBackend struct {
	codec   *cookiecodec.Codec
	format  *cookieFormat
	maxSize int // < 0: no limit
}

var headerBufs = &bufpool.Pool{Max: 16 << 10}

func newCookieBackend(cfg *Config, f *cookieFormat) (*cookieBackend, error) {
	codec, err := newCodec(cfg, cfg.PermanentLifetime)
	if err != nil {
		return nil, err
	}
	return &cookieBackend{codec: codec, format: f, maxSize: cfg.MaxCookieSize}, nil
}

// newCodec is the cookie codec for cfg's keys, refusing signatures older
// than maxAge.
func newCodec(cfg *Config, maxAge time.Duration) (*cookiecodec.Codec, error) {
	return cookiecodec.New(cookiecodec.Config{
		SecretKey:          cfg.SecretKey,
		SecretKeyFallbacks: cfg.SecretKeyFallbacks,
		MaxAge:             maxAge,
		MaxSize:            cfg.MaxSessionSize,
	})
}

func (b *cookieBackend) open(*http.Request) sessionState { return b }

// The payload says whether the session is permanent; refresh reads it.
func (b *cookieBackend) mayRefresh(string) bool { return true }

func (b *cookieBackend) load(req *http.Request, now time.Time) (map[string]any, error) {
	raw, ok := readCookie(req.Header, b.format.cookieName)
	if !ok || raw == "" {
		return nil, nil
	}
	d, err := b.codec.DecodeAt(raw, now)
	if err != nil {
		return nil, &InvalidCookieError{Err: err}
	}
	return d.Session, nil
}

func (b *cookieBackend) refresh(_ *http.Request, cookie string, now, expires time.Time) (string, error) {
	bp := headerBufs.Get()
	defer headerBufs.Put(bp)
	dst, permanent, err := b.codec.AppendRefreshAt(append(*bp, b.format.name...), cookie, now)
	*bp = dst
	if err != nil {
		return "", &InvalidCookieError{Err: err}
	}
	if !permanent {
		return "", nil
	}
	// The payload is the one the client sent, so it fits as before.
	dst = b.format.appendAttrs(dst, expires)
	*bp = dst
	return string(dst), nil
}

// save encodes the cookie, compressing only a session that would not fit
// otherwise: compression costs more than the rest of the encoding.
func (b *cookieBackend) save(_ *http.Request, values map[string]any, _, _ bool, now, expires time.Time) (string, error) {
	bp := headerBufs.Get()
	defer headerBufs.Put(bp)
	dst, err := b.appendCookie(*bp, values, now, expires, false)
	*bp = dst
	if err != nil {
		return "", &SaveError{Err: err}
	}
	if b.maxSize >= 0 && len(dst) > b.maxSize {
		plain := len(dst)
		dst, err = b.appendCookie(dst[:0], values, now, expires, true)
		*bp = dst
		if err != nil {
			return "", &SaveError{Err: err}
		}
		if len(dst) > b.maxSize {
			return "", &CookieTooLargeError{Name: b.format.cookieName, Size: min(plain, len(dst)), Limit: b.maxSize}
		}
	}
	return string(dst), nil
}

func (b *cookieBackend) appendCookie(dst []byte, values map[string]any, now, expires time.Time, compress bool) ([]byte, error) {
	dst = append(dst, b.format.name...)
	var err error
	if compress {
		dst, err = b.codec.AppendEncodeCompressedAt(dst, values, now)
	} else {
		dst, err = b.codec.AppendEncodeAt(dst, values, now)
	}
	if err != nil {
		return dst, err
	}
	return b.format.appendAttrs(dst, expires), nil
}

// A cookie cannot be revoked: the old value stays valid until it expires.
func (b *cookieBackend) remove(*http.Request) error { return nil }
