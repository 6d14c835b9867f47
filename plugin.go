package flasksession

import (
	"bufio"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/bufpool"
)

var headerBufs = &bufpool.Pool{Max: 16 << 10}

// contextKey is the gin.Context key of the request's *Session.
type contextKey struct{}

// New returns the session middleware: r.Use(flasksession.New(cfg)). It
// panics if cfg is invalid (see Config.Validate), so a missing or weak
// key stops the program at startup with a message that says what to do.
func New(cfg Config) gin.HandlerFunc {
	m, err := newMiddleware(cfg, time.Now)
	if err != nil {
		panic(err.Error())
	}
	return m.handle
}

// Plugin returns New(cfg) as a gin.OptionFunc:
// gin.New(flasksession.Plugin(cfg)).
func Plugin(cfg Config) gin.OptionFunc {
	h := New(cfg)
	return func(e *gin.Engine) { e.Use(h) }
}

// Get returns the request's session: Flask's `session`. It panics if the
// middleware did not run for c; Lookup does not.
func Get(c *gin.Context) *Session {
	s, ok := Lookup(c)
	if !ok {
		panic(ErrNoMiddleware.Error())
	}
	return s
}

// Lookup returns the request's session and whether the middleware ran
// for c.
func Lookup(c *gin.Context) (*Session, bool) {
	// Fast path: our writer is usually still c.Writer. c.Keys covers the
	// rest: writers wrapped by later middleware, and c.Copy().
	if w, ok := c.Writer.(*hookWriter); ok && w.rs.c == c {
		return &w.rs.sess, true
	}
	v, ok := c.Get(contextKey{})
	if !ok {
		return nil, false
	}
	s, ok := v.(*Session)
	return s, ok
}

// middleware is a Config made ready for requests: validated, copied and
// precomputed once.
type middleware struct {
	name     string
	backend  backend
	codec    *flaskcookie.Codec // the cookie backend's, also for CookieStore
	format   cookieFormat
	lifetime time.Duration
	refresh  bool
	maxSize  int // < 0: no limit
	onError  func(*gin.Context, error)
	now      func() time.Time
}

func newMiddleware(cfg Config, now func() time.Time) (*middleware, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.CookiePath == "" {
		cfg.CookiePath = "/"
	}
	if cfg.CookieSameSite == 0 {
		cfg.CookieSameSite = http.SameSiteLaxMode
	}
	if cfg.PermanentLifetime == 0 {
		cfg.PermanentLifetime = DefaultPermanentLifetime
	}
	if cfg.MaxCookieSize == 0 {
		cfg.MaxCookieSize = DefaultMaxCookieSize
	}
	m := &middleware{
		name:     cfg.CookieName,
		format:   newCookieFormat(&cfg),
		lifetime: cfg.PermanentLifetime,
		refresh:  !cfg.DisableRefreshEachRequest,
		maxSize:  cfg.MaxCookieSize,
		onError:  cfg.ErrorHandler,
		now:      now,
	}
	if cfg.Store != nil {
		m.backend = &serverBackend{store: cfg.Store, name: cfg.CookieName, lifetime: cfg.PermanentLifetime}
		return m, nil
	}
	codec, err := flaskcookie.New(flaskcookie.Options{
		SecretKey: cfg.SecretKey,
		Fallbacks: cfg.SecretKeyFallbacks,
		MaxAge:    cfg.PermanentLifetime,
	})
	if err != nil {
		return nil, err
	}
	m.codec = codec
	m.backend = &cookieBackend{codec: codec, name: cfg.CookieName}
	return m, nil
}

func (m *middleware) handle(c *gin.Context) {
	rs := &requestState{m: m, c: c, cookieAt: -1}
	rs.sess.rs = rs
	rs.w.ResponseWriter = c.Writer
	rs.w.rs = rs
	c.Writer = &rs.w
	c.Set(contextKey{}, &rs.sess)
	c.Next()
	rs.finish()
}

// requestState is everything the middleware keeps for one request, in
// one allocation.
type requestState struct {
	m        *middleware
	c        *gin.Context
	sess     Session
	w        hookWriter
	sent     bool  // response headers went out
	saved    bool  // a save ran (its header, if any, is in place)
	cookieAt int   // index of our Set-Cookie header value, or -1
	handle   any   // the backend's state for this session
	regen    bool  // Regenerate was called
	rejected error // why the cookie was rejected, until reported
}

// load decodes the request's cookie; rs.sess.mu is held. A missing or
// rejected cookie gives an empty session; a rejection goes to the error
// handler only, when the session is saved (not here, under the lock,
// where a handler using the session would deadlock).
func (rs *requestState) load() map[string]any {
	values, handle, err := rs.m.backend.load(rs.c.Request, rs.m.now())
	rs.handle = handle
	if err != nil {
		rs.rejected = &InvalidCookieError{Err: err}
		return nil
	}
	return values
}

// beforeWrite saves the session just before the headers go out.
func (rs *requestState) beforeWrite() {
	if !rs.sent {
		_ = rs.save()
		rs.sent = true
	}
}

// finish runs after the handler chain. A handler that wrote nothing leaves
// the headers to gin, which flushes its own writer after the chain,
// bypassing ours, so this is the last chance to save.
func (rs *requestState) finish() {
	if rs.w.ResponseWriter.Written() {
		rs.sent = true
	}
	_ = rs.save()
}

// save applies Flask's save_session to the response headers. It does the
// work once per request unless the session changes again. Failures go to
// c.Errors and the error handler, and are returned.
func (rs *requestState) save() error {
	rejected, err := rs.saveLocked()
	if rejected != nil && rs.m.onError != nil {
		rs.m.onError(rs.c, rejected)
	}
	if err != nil {
		rs.report(err)
	}
	return err
}

func (rs *requestState) saveLocked() (rejected, err error) {
	rs.sess.mu.Lock()
	defer rs.sess.mu.Unlock()
	err = rs.applyLocked()
	rejected, rs.rejected = rs.rejected, nil
	return rejected, err
}

// applyLocked does the work of save; rs.sess.mu is held.
func (rs *requestState) applyLocked() error {
	s := &rs.sess
	if rs.sent || rs.w.ResponseWriter.Written() {
		if s.unsaved {
			s.unsaved = false
			return ErrHeadersWritten
		}
		return nil
	}
	if rs.saved && !s.unsaved {
		return nil
	}
	rs.saved = true
	s.unsaved = false
	m := rs.m
	if !s.loaded && !needsLoad(hasCookie(rs.c.Request.Header, m.name), m.refresh) {
		return nil // untouched, and nothing to refresh
	}
	s.load()
	h := rs.w.ResponseWriter.Header()
	if s.accessed {
		addVaryCookie(h)
	}
	var cookie string
	switch decideCookie(len(s.values) == 0, s.modified, s.permanent(), m.refresh) {
	case actionNone:
		rs.putCookie(h, "")
		return nil
	case actionDelete:
		rs.regen = false
		if err := m.backend.remove(rs.c.Request, rs.handle); err != nil {
			return &SaveError{Err: err}
		}
		cookie = m.format.deletion()
	case actionSet:
		if rs.regen {
			rs.regen = false
			m.backend.regenerate(rs.handle)
		}
		var err error
		if cookie, err = m.encode(rs, s.values, s.permanent()); err != nil {
			rs.putCookie(h, "")
			return err
		}
	}
	rs.putCookie(h, cookie)
	addVaryCookie(h)
	return nil
}

// putCookie sets (or with "" removes) our Set-Cookie header, replacing the
// one an earlier save of this request put there.
func (rs *requestState) putCookie(h http.Header, cookie string) {
	vals := h["Set-Cookie"]
	if rs.cookieAt >= 0 && rs.cookieAt < len(vals) {
		if cookie != "" {
			vals[rs.cookieAt] = cookie
			return
		}
		h["Set-Cookie"] = append(vals[:rs.cookieAt], vals[rs.cookieAt+1:]...)
		rs.cookieAt = -1
		return
	}
	if cookie != "" {
		rs.cookieAt = len(vals)
		h["Set-Cookie"] = append(vals, cookie)
	}
}

func (rs *requestState) report(err error) {
	_ = rs.c.Error(err)
	if rs.m.onError != nil {
		rs.m.onError(rs.c, err)
	}
}

// encode returns the Set-Cookie header value for a session, compressing
// only when the plain cookie is over the limit.
func (m *middleware) encode(rs *requestState, values map[string]any, permanent bool) (string, error) {
	now := m.now()
	expires := expiresAt(permanent, now, m.lifetime)
	bp := headerBufs.Get()
	defer headerBufs.Put(bp)
	b, err := m.appendCookie(*bp, rs, values, now, expires, false)
	if err != nil {
		return "", &SaveError{Err: err}
	}
	if m.maxSize >= 0 && len(b) > m.maxSize {
		size := len(b)
		b, err = m.appendCookie(b[:0], rs, values, now, expires, true)
		if err != nil {
			return "", &SaveError{Err: err}
		}
		if len(b) > m.maxSize {
			*bp = b
			return "", &CookieTooLargeError{Name: m.name, Size: min(size, len(b)), Limit: m.maxSize}
		}
	}
	*bp = b
	return string(b), nil
}

func (m *middleware) appendCookie(dst []byte, rs *requestState, values map[string]any, now, expires time.Time, compress bool) ([]byte, error) {
	dst = append(dst, m.format.name...)
	dst, err := m.backend.save(dst, rs.c.Request, rs.handle, values, now, compress)
	if err != nil {
		return dst, err
	}
	return m.format.appendAttrs(dst, expires), nil
}

func hasCookie(h http.Header, name string) bool {
	v, ok := readCookie(h, name)
	return ok && v != ""
}

// hookWriter saves the session just before the response headers go out,
// whichever way the handler writes.
type hookWriter struct {
	gin.ResponseWriter
	rs *requestState
}

func (w *hookWriter) WriteHeaderNow() {
	w.rs.beforeWrite()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *hookWriter) Write(b []byte) (int, error) {
	w.rs.beforeWrite()
	return w.ResponseWriter.Write(b)
}

func (w *hookWriter) WriteString(s string) (int, error) {
	w.rs.beforeWrite()
	return w.ResponseWriter.WriteString(s)
}

func (w *hookWriter) Flush() {
	w.rs.beforeWrite()
	w.ResponseWriter.Flush()
}

func (w *hookWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.rs.beforeWrite()
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach the features we do not hook.
func (w *hookWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
