package flasklogin

import (
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/hookwriter"
	"github.com/ginflask/flasksession/internal/sessionkeys"
)

// Session keys Flask-Login keeps (flask_login.config.SESSION_KEYS).
const (
	KeyUserID          = "_user_id"          // the user's ID, a string
	KeyFresh           = "_fresh"            // a bool: logged in during this session
	KeyID              = "_id"               // the SessionIdentifier at login
	KeyRemember        = "_remember"         // "set" or "clear", for the end of the request
	KeyRememberSeconds = "_remember_seconds" // the login's remember Duration, a float
	KeyNext            = "next"              // USE_SESSION_FOR_NEXT's target (not used here; strong protection removes it)
)

// sessionKeys is SESSION_KEYS, what strong protection removes.
var sessionKeys = []string{KeyUserID, KeyRemember, KeyRememberSeconds, KeyID, KeyFresh, KeyNext}

// manager is a Config made ready for requests.
type manager struct {
	cfg    Config
	codec  *RememberCodec
	format cookieFormat
	now    func() time.Time
	// perKey holds, with Config.SecretKey empty, a copy of this manager
	// per session middleware key, with that key's codec (forRequest).
	perKey *sessionkeys.Cache[*manager]
}

// stateKey is the gin.Context key of the request's *state.
type stateKey struct{}

// New returns the login middleware: Flask-Login's LoginManager.init_app.
// Register it after flasksession's middleware, on the engine or on the
// groups that use logins:
//
//	r.Use(flasksession.New(sessCfg), flasklogin.New(loginCfg))
//
// With Config.SecretKey empty the remember cookie is signed with the
// session middleware's key. New panics if cfg is invalid (see
// Config.Validate), and at the first request with ErrNoSession without the
// session middleware before it, or with ErrKeyMismatch when
// Config.SecretKey is not that middleware's key.
func New(cfg Config) gin.HandlerFunc {
	m, err := newManager(cfg, time.Now)
	if err != nil {
		panic(err)
	}
	return m.handle
}

func newManager(cfg Config, now func() time.Time) (*manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	m := &manager{cfg: cfg, format: newCookieFormat(&cfg), now: now}
	if len(cfg.SecretKey) > 0 {
		m.codec = NewRememberCodec(cfg.SecretKey)
	} else {
		m.perKey = new(sessionkeys.Cache[*manager]) // the session's key, on its first request
	}
	return m, nil
}

// state is what the middleware keeps for one request. mu guards the
// fields below it, so handlers may use the functions of this package from
// goroutines they start (with a c.Copy(), as gin requires).
type state struct {
	m    *manager
	c    *gin.Context
	req  *http.Request
	sess *flasksession.Session
	w    hookwriter.Writer[*state] // c.Writer from here on: one allocation with the state

	mu           sync.Mutex
	user         User // nil until loaded
	loadErr      error
	done         bool // the remember cookie rule ran
	dropRemember bool // the remember cookie names no user: clear it
}

func (m *manager) handle(c *gin.Context) {
	if _, ok := c.Get(stateKey{}); ok {
		c.Next() // registered twice: the outer one serves
		return
	}
	sess, ok := flasksession.Lookup(c)
	if !ok {
		panic(ErrNoSession)
	}
	st := &state{m: m.forRequest(c), c: c, req: c.Request, sess: sess}
	c.Set(stateKey{}, st)
	st.w = hookwriter.Writer[*state]{ResponseWriter: c.Writer, Hook: st}
	c.Writer = &st.w
	c.Next()
	st.afterRequest()
}

// from returns the request's state; it panics with ErrNoLoginMiddleware
// without the middleware.
func from(c *gin.Context) *state {
	v, ok := c.Get(stateKey{})
	if !ok {
		panic(ErrNoLoginMiddleware)
	}
	return v.(*state)
}

// afterRequest is Flask-Login's _update_remember_cookie, run once, before
// the response headers go out (and so before the session is saved).
func (st *state) afterRequest() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return
	}
	st.done = true
	sess := st.sess
	if st.c.Writer.Written() {
		// Written past our hook: too late for a cookie.
		if sess.Has(KeyRemember) || st.m.cfg.RememberCookieRefreshEachRequest {
			_ = st.c.Error(ErrHeadersWritten)
		}
		return
	}
	if st.m.cfg.RememberCookieRefreshEachRequest && !sess.Has(KeyRemember) && st.remembered() {
		sess.Set(KeyRemember, "set")
	}
	op, ok := sess.Pop(KeyRemember)
	h := st.c.Writer.Header()
	if !ok {
		if st.dropRemember {
			h.Add("Set-Cookie", st.m.format.clear())
		}
		return
	}
	switch op {
	case "set":
		id, ok := sess.Get(KeyUserID)
		if !ok {
			return
		}
		now := st.m.now()
		expires := now.Add(st.rememberDuration())
		h.Add("Set-Cookie", st.m.format.set(st.m.codec.Encode(userIDString(id)), expires))
	case "clear":
		h.Add("Set-Cookie", st.m.format.clear())
	}
}

// remembered reports whether the login asked to be remembered: the
// request carries a valid remember cookie for the session's user. Only
// such a login has its remember cookie refreshed (Flask-Login's fix of
// issue #824, pull request #899); the session needs no key of its own for
// it, so Flask-Login 0.6.2 reads the state as before.
func (st *state) remembered() bool {
	id, ok := st.sess.Get(KeyUserID)
	if !ok {
		return false
	}
	v, ok := readCookie(st.req.Header, st.m.cfg.RememberCookieName)
	if !ok {
		return false
	}
	cookieID, err := st.m.codec.Decode(v)
	return err == nil && cookieID == userIDString(id)
}

// rememberDuration is the session's _remember_seconds (a float, or an int
// when another app wrote one), else Config.RememberCookieDuration.
func (st *state) rememberDuration() time.Duration {
	v, ok := st.sess.Get(KeyRememberSeconds)
	if !ok {
		return st.m.cfg.RememberCookieDuration
	}
	var secs float64
	switch v := v.(type) {
	case float64:
		secs = v
	case int:
		secs = float64(v)
	case int64:
		secs = float64(v)
	default:
		return st.m.cfg.RememberCookieDuration
	}
	// Python's timedelta would overflow where Flask-Login answers 500;
	// keep to what time.Duration holds.
	const maxSecs = float64(math.MaxInt64/int64(time.Second)) / 2
	if math.IsNaN(secs) || secs > maxSecs || secs < -maxSecs {
		return st.m.cfg.RememberCookieDuration
	}
	return time.Duration(math.Round(secs*1e6)) * time.Microsecond
}

// BeforeWrite is the writer hook: the remember cookie rule runs just
// before the response headers go out, whichever way the handler writes;
// the session's own hook, inside this one, then saves the session with
// "_remember" gone.
func (st *state) BeforeWrite() { st.afterRequest() }
