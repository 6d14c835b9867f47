package flasksession

import (
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/hookwriter"
)

// New returns the session middleware: r.Use(flasksession.New(cfg)). It
// panics if cfg is invalid (see Config.Validate), so a missing or weak
// key stops the program at startup with a message that says what to do.
//
// The middleware hooks c.Writer, to save the session just before the
// response starts, and gives c.Request a context that carries the
// session (c.Request.WithContext, as tracing middleware do), so that Get
// finds it on a c.Copy() and behind writers later middleware wrap.
func New(cfg Config) gin.HandlerFunc {
	m, err := newMiddleware(cfg, time.Now)
	if err != nil {
		panic(startupError(err))
	}
	return m.handle
}

// startupError is err with the fix a developer needs at startup: how to
// make a key. It still matches err with errors.Is.
func startupError(err error) error {
	switch {
	case errors.Is(err, ErrNoSecretKey):
		return fmt.Errorf("%w (generate one: go run github.com/ginflask/flasksession/cmd/flasksession genkey)", err)
	case errors.Is(err, ErrWeakSecretKey):
		return fmt.Errorf("%w (generate a longer one: go run github.com/ginflask/flasksession/cmd/flasksession genkey; or set Config.AllowWeakSecretKey to share a Flask app's short key)", err)
	}
	return err
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
		panic(ErrNoMiddleware)
	}
	return s
}

// Lookup returns the request's session and whether the middleware ran
// for c. It finds the session through c.Writer or, failing that, through
// c.Request's context: a handler that gives c.Request a context not
// derived from the request's (context.Background(), say) and then wraps
// c.Writer or copies c loses it there.
func Lookup(c *gin.Context) (*Session, bool) {
	// Fast path: our writer is usually still c.Writer. The request's
	// context covers the rest: writers wrapped by later middleware, and
	// c.Copy().
	if w, ok := c.Writer.(*hookwriter.Writer[*request]); ok && w.Hook.c == c {
		return &w.Hook.sess, true
	}
	if c.Request == nil {
		return nil, false
	}
	r, ok := c.Request.Context().Value(sessionKey{}).(*request)
	if !ok {
		return nil, false
	}
	return &r.sess, true
}

// middleware is a Config made ready for requests.
type middleware struct {
	cfg     Config // resolved: every default filled in
	format  *cookieFormat
	backend backend
	now     func() time.Time
}

func newMiddleware(cfg Config, now func() time.Time) (*middleware, error) {
	cfg, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	m := &middleware{cfg: cfg, now: now}
	m.format = newCookieFormat(&m.cfg)
	if cfg.Store != nil {
		m.backend, err = newServerBackend(&m.cfg, m.format)
	} else {
		m.backend, err = newCookieBackend(&m.cfg, m.format)
	}
	return m, err
}

// handle serves one request: the session loads on first use, the handlers
// run, and the commit turns the session into Set-Cookie and Vary headers
// just before the response starts (the writer hook), or here, after the
// chain, if nothing was written.
func (m *middleware) handle(c *gin.Context) {
	if s, ok := Lookup(c); ok {
		// Registered again, on a group say: one request, one session,
		// one cookie; the innermost Config applies.
		s.r.reconfigure(m)
		c.Next()
		return
	}
	r := m.begin(c)
	defer r.handBackForm()
	c.Next()
	r.commit(true)
}
