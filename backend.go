package flasksession

import (
	"net/http"
	"time"

	"github.com/ginflask/flasksession/flaskcookie"
)

// backend is where sessions live: in the cookie itself (cookieBackend) or
// in a server-side store whose ID the cookie carries (serverBackend). The
// middleware owns the cookie's attributes, expiry and the Flask rules;
// a backend only turns values into a cookie value and back.
type backend interface {
	// load reads the request's session. No cookie gives (nil, h, nil);
	// a rejected one (nil, h, err). h is kept for save and remove.
	load(r *http.Request, now time.Time) (values map[string]any, h any, err error)
	// save stores values and appends the cookie value to dst; compress
	// is a hint for values that do not fit a cookie otherwise.
	save(dst []byte, r *http.Request, h any, values map[string]any, now time.Time, compress bool) ([]byte, error)
	// remove deletes what save stored.
	remove(r *http.Request, h any) error
	// regenerate makes the next save use a new session ID.
	regenerate(h any)
}

// cookieBackend keeps the whole session in the signed cookie.
type cookieBackend struct {
	codec *flaskcookie.Codec
	name  string
}

func (b *cookieBackend) load(r *http.Request, now time.Time) (map[string]any, any, error) {
	raw, ok := readCookie(r.Header, b.name)
	if !ok || raw == "" {
		return nil, nil, nil
	}
	d, err := b.codec.DecodeAt(raw, now)
	return d.Session, nil, err
}

func (b *cookieBackend) save(dst []byte, _ *http.Request, _ any, values map[string]any, now time.Time, compress bool) ([]byte, error) {
	if compress {
		return b.codec.AppendEncodeCompressedAt(dst, values, now)
	}
	return b.codec.AppendEncodeAt(dst, values, now)
}

// A cookie cannot be revoked: the old value stays valid until it expires.
func (b *cookieBackend) remove(*http.Request, any) error { return nil }
func (b *cookieBackend) regenerate(any)                  {}
