package flasksession

import (
	"bufio"
	"errors"
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
		panic(err)
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
	cfg      Config // normalized: defaults filled in
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
		cfg:      cfg,
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
	codec, err := newCodec(&cfg, cfg.PermanentLifetime)
	if err != nil {
		return nil, err
	}
	m.codec = codec
	m.backend = &cookieBackend{codec: codec, name: cfg.CookieName}
	return m, nil
}

// newCodec is the cookie codec for cfg's keys, refusing signatures older
// than maxAge.
func newCodec(cfg *Config, maxAge time.Duration) (*flaskcookie.Codec, error) {
	return flaskcookie.New(flaskcookie.Options{
		SecretKey: cfg.SecretKey,
		Fallbacks: cfg.SecretKeyFallbacks,
		MaxAge:    maxAge,
	})
}

func (m *middleware) handle(c *gin.Context) {
	if _, ok := c.Get(contextKey{}); ok {
		// Registered twice (on the engine and a group, say): the outer one
		// serves the request, or two would each set the cookie.
		c.Next()
		return
	}
	rs := &requestState{m: m, c: c, req: c.Request}
	rs.sess.rs = rs
	rs.w.ResponseWriter = c.Writer
	rs.w.rs = rs
	c.Writer = &rs.w
	c.Set(contextKey{}, &rs.sess)
	c.Next()
	// A handler that wrote nothing leaves the headers to gin, which
	// flushes its own writer after the chain, bypassing ours: this is the
	// last chance to save.
	rs.flush()
}

// requestState is everything the middleware keeps for one request, in
// one allocation. Fields below sess are guarded by sess.mu.
type requestState struct {
	m    *middleware
	c    *gin.Context
	req  *http.Request // c.Request as the middleware saw it; c is recycled after the request, req is not
	w    hookWriter
	sess Session

	sent      bool      // the response headers went out (or the chain ended)
	prepared  bool      // cookie is the outcome for the session unless it is unsaved
	cookie    string    // our Set-Cookie value; "" for none
	setCookie [1]string // backs the Set-Cookie header when ours is the only one
	handle    any       // the backend's state for this session
	regen     bool      // Regenerate or Destroy was called
	errs      []error   // to report to c.Errors and the error handler
	rejected  error     // why the cookie was rejected: for the error handler only
	loadErr   error     // the store failed to load: nothing may be saved over the client's session
	saveErr   error     // the outcome of the latest prepare
}

// load decodes the request's cookie; sess.mu is held. A missing or
// rejected cookie, or a store that failed, gives an empty session. flush
// reports the failure later, on the request's goroutine: a rejected cookie
// (expected input) to the error handler only, a store failure to c.Errors
// as well.
func (rs *requestState) load() map[string]any {
	values, handle, err := rs.m.backend.load(rs.req, rs.m.now())
	rs.handle = handle
	if err != nil {
		if se, ok := err.(*StoreError); ok {
			rs.loadErr = se
		} else {
			rs.rejected = &InvalidCookieError{Err: err}
		}
		return nil
	}
	return values
}

// flush puts the session's cookie and Vary into the response headers,
// once, and reports what went wrong. It runs on the goroutine writing the
// response, the only one that may touch the header map.
func (rs *requestState) flush() {
	s := &rs.sess
	s.mu.Lock()
	if !rs.sent && rs.w.ResponseWriter.Written() {
		rs.sent = true // written past our hook
	}
	if rs.sent {
		rs.lateChangeLocked()
	} else {
		_ = rs.prepareLocked()
		h := rs.w.ResponseWriter.Header()
		if rs.cookie != "" {
			rs.addCookie(h, rs.cookie)
		}
		if s.accessed || rs.cookie != "" {
			addVaryCookie(h)
		}
		rs.sent = true
		if rs.loadErr != nil {
			rs.errs = append(rs.errs, rs.loadErr)
		}
		if rs.saveErr != nil && rs.saveErr != rs.loadErr {
			rs.errs = append(rs.errs, rs.saveErr)
		}
	}
	errs, rejected := rs.errs, rs.rejected
	rs.errs, rs.rejected = nil, nil
	s.mu.Unlock()
	if rejected != nil && rs.m.onError != nil {
		rs.m.onError(rs.c, rejected)
	}
	for _, err := range errs {
		rs.report(err)
	}
}

// lateChangeLocked records a change made after the headers went out.
func (rs *requestState) lateChangeLocked() error {
	if !rs.sess.unsaved {
		return nil
	}
	rs.sess.unsaved = false
	rs.errs = append(rs.errs, ErrHeadersWritten)
	return ErrHeadersWritten
}

// saveNow is Session.Save: it settles the cookie now and returns any
// error; the headers themselves are written by flush, on the request's
// goroutine, so Save is safe from other goroutines.
func (rs *requestState) saveNow() error {
	rs.sess.mu.Lock()
	defer rs.sess.mu.Unlock()
	if rs.sent {
		return rs.lateChangeLocked()
	}
	return rs.prepareLocked()
}

// prepareLocked applies Flask's save_session: it decides whether the
// cookie is set, refreshed or deleted and encodes it into rs.cookie. It
// does the work again only if the session changed since. sess.mu is held.
func (rs *requestState) prepareLocked() error {
	s := &rs.sess
	if rs.prepared && !s.unsaved {
		return rs.saveErr
	}
	rs.prepared = true
	s.unsaved = false
	rs.cookie = ""
	rs.saveErr = rs.prepareCookie()
	return rs.saveErr
}

// prepareCookie is the work of prepareLocked; it reports failures in its
// result only: flush reports the last one, once.
func (rs *requestState) prepareCookie() error {
	s := &rs.sess
	m := rs.m
	if !s.loaded && !needsLoad(hasCookie(rs.req.Header, m.name), m.refresh) {
		return nil // untouched, and nothing to refresh
	}
	s.load()
	action := decideCookie(len(s.values) == 0, s.modified, s.permanent(), m.refresh)
	if action != actionNone && rs.loadErr != nil {
		return rs.loadErr // keep the client's session rather than overwrite what we could not read
	}
	if action != actionNone && rs.regen {
		rs.regen = false
		m.backend.regenerate(rs.handle)
	}
	var err error
	switch action {
	case actionDelete:
		if err = m.backend.remove(rs.req, rs.handle); err == nil {
			rs.cookie = m.format.deletion()
		}
	case actionSet:
		rs.cookie, err = m.encode(rs, s.values, s.permanent())
	}
	return err
}

// addCookie adds our Set-Cookie header. The first value lives in rs, not
// in an allocation of its own; the full slice expression makes any later
// Add copy it rather than write past it.
func (rs *requestState) addCookie(h http.Header, cookie string) {
	if vals := h["Set-Cookie"]; len(vals) > 0 {
		h["Set-Cookie"] = append(vals, cookie)
		return
	}
	rs.setCookie[0] = cookie
	h["Set-Cookie"] = rs.setCookie[:1:1]
}

func (rs *requestState) report(err error) {
	_ = rs.c.Error(err)
	if rs.m.onError != nil {
		rs.m.onError(rs.c, err)
	}
}

// saveError classifies a backend's save error: a store failure stays a
// *StoreError; anything else is a value that could not be serialized.
func saveError(err error) error {
	var se *StoreError
	if errors.As(err, &se) {
		return err
	}
	return &SaveError{Err: err}
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
		return "", saveError(err)
	}
	if _, compresses := m.backend.(*cookieBackend); compresses && m.maxSize >= 0 && len(b) > m.maxSize {
		size := len(b)
		b, err = m.appendCookie(b[:0], rs, values, now, expires, true)
		if err != nil {
			return "", saveError(err)
		}
		if len(b) > m.maxSize {
			*bp = b
			return "", &CookieTooLargeError{Name: m.name, Size: min(size, len(b)), Limit: m.maxSize}
		}
	} else if m.maxSize >= 0 && len(b) > m.maxSize {
		return "", &CookieTooLargeError{Name: m.name, Size: len(b), Limit: m.maxSize}
	}
	*bp = b
	return string(b), nil
}

func (m *middleware) appendCookie(dst []byte, rs *requestState, values map[string]any, now, expires time.Time, compress bool) ([]byte, error) {
	dst = append(dst, m.format.name...)
	dst, err := m.backend.save(dst, rs.req, rs.handle, values, now, compress)
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
	w.rs.flush()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *hookWriter) Write(b []byte) (int, error) {
	w.rs.flush()
	return w.ResponseWriter.Write(b)
}

func (w *hookWriter) WriteString(s string) (int, error) {
	w.rs.flush()
	return w.ResponseWriter.WriteString(s)
}

func (w *hookWriter) Flush() {
	w.rs.flush()
	w.ResponseWriter.Flush()
}

func (w *hookWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.rs.flush()
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach the features we do not hook.
func (w *hookWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
