package flasksession

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/ginflask/flasksession/internal/cookieattr"
	"github.com/ginflask/flasksession/internal/cookiecodec"
	gsessions "github.com/gorilla/sessions"
)

// CookieStore is the Flask cookie store as a github.com/gin-contrib/sessions
// Store, for code written against that package:
//
//	store, err := flasksession.NewCookieStore(cfg)
//	r.Use(sessions.Sessions("session", store))
//
// Cookies are Flask's, so such an app still shares sessions with Flask.
// gin-contrib's rules apply: handlers call Save, and the cookie attributes
// come from sessions.Options. Values must be stored under string keys.
// As in Flask, and unlike gin-contrib's cookie store (30 days), the cookie
// ends with the browser session unless Options.MaxAge is set.
// Unlike gin-contrib's own cookie store, a cookie older than Options.MaxAge
// (or, when MaxAge is 0, than Config.PermanentLifetime) is refused, and a
// rejected cookie is not logged: it just gives a new session.
type CookieStore struct {
	cfg Config // resolved

	mu    sync.RWMutex
	opts  gsessions.Options
	codec *cookiecodec.Codec
}

var _ sessions.Store = (*CookieStore)(nil)

// NewCookieStore returns a CookieStore for cfg; cfg is validated as by New.
func NewCookieStore(cfg Config) (*CookieStore, error) {
	cfg.Store = nil
	cfg, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	codec, err := newCodec(&cfg, cfg.PermanentLifetime)
	if err != nil {
		return nil, err
	}
	s := &CookieStore{cfg: cfg, codec: codec}
	s.opts = s.withPartitioned(gsessions.Options{
		Path:     cfg.CookiePath,
		Domain:   cookieattr.Domain(cfg.CookieDomain),
		Secure:   cfg.CookieSecure,
		HttpOnly: !cfg.DisableHTTPOnly,
		SameSite: cfg.CookieSameSite,
	})
	return s, nil
}

// Options sets the attributes of cookies saved from now on, and with
// MaxAge > 0 the oldest cookie accepted. gin-contrib's Options has no
// Partitioned: Config.CookiePartitioned still applies.
func (s *CookieStore) Options(o sessions.Options) {
	age := s.cfg.PermanentLifetime
	if o.MaxAge > 0 {
		age = time.Duration(o.MaxAge) * time.Second
	}
	codec, err := newCodec(&s.cfg, age)
	if err != nil {
		panic(err) // the key was validated by NewCookieStore
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = s.withPartitioned(*o.ToGorillaOptions())
	s.codec = codec
}

// withPartitioned applies Config.CookiePartitioned, which implies Secure.
func (s *CookieStore) withPartitioned(o gsessions.Options) gsessions.Options {
	if s.cfg.CookiePartitioned {
		o.Partitioned, o.Secure = true, true
	}
	return o
}

// Get returns the request's session name, cached for the request
// (gorilla/sessions' registry).
func (s *CookieStore) Get(r *http.Request, name string) (*gsessions.Session, error) {
	return gsessions.GetRegistry(r).Get(s, name)
}

// New returns the session name decoded from the request's cookie, or a
// new one when there is no valid cookie. A rejected cookie is not an
// error: bad cookies are expected input.
func (s *CookieStore) New(r *http.Request, name string) (*gsessions.Session, error) {
	s.mu.RLock()
	opts, codec := s.opts, s.codec
	s.mu.RUnlock()
	sess := gsessions.NewSession(s, name)
	sess.Options = &opts
	sess.IsNew = true
	raw, ok := readCookie(r.Header, name)
	if !ok || raw == "" {
		return sess, nil
	}
	values, err := codec.Decode(raw)
	if err != nil {
		return sess, nil
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	sess.IsNew = false
	return sess, nil
}

// Save writes the session's cookie to w, or deletes it when
// Options.MaxAge < 0.
func (s *CookieStore) Save(_ *http.Request, w http.ResponseWriter, sess *gsessions.Session) error {
	opts := sess.Options
	if opts == nil {
		s.mu.RLock()
		o := s.opts
		s.mu.RUnlock()
		opts = &o
	}
	if opts.MaxAge < 0 {
		http.SetCookie(w, gsessions.NewCookie(sess.Name(), "", opts))
		return nil
	}
	values := make(map[string]any, len(sess.Values))
	for k, v := range sess.Values {
		ks, ok := k.(string)
		if !ok {
			return &SaveError{Err: fmt.Errorf("flasksession: session key %v is a %T: Flask sessions take string keys only", k, k)}
		}
		values[ks] = v
	}
	s.mu.RLock()
	codec := s.codec
	s.mu.RUnlock()
	value, err := codec.Encode(values)
	if err != nil {
		return &SaveError{Err: err}
	}
	cookie := gsessions.NewCookie(sess.Name(), value, opts)
	if v := cookie.String(); s.cfg.MaxCookieSize >= 0 && len(v) > s.cfg.MaxCookieSize {
		return &CookieTooLargeError{Name: sess.Name(), Size: len(v), Limit: s.cfg.MaxCookieSize}
	}
	http.SetCookie(w, cookie)
	return nil
}
