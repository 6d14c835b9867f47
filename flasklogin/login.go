package flasklogin

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/taggedjson"
)

// LoginOption changes how LoginUser logs a user in.
type LoginOption func(*loginOptions)

type loginOptions struct {
	remember bool
	duration time.Duration
	hasDur   bool
	force    bool
	notFresh bool
}

// Remember sets the remember cookie when on (login_user's remember).
func Remember(on bool) LoginOption { return func(o *loginOptions) { o.remember = on } }

// Duration is how long this login's remember cookie lasts, instead of
// Config.RememberCookieDuration (login_user's duration). It is kept in the
// session as "_remember_seconds", a float of whole microseconds.
func Duration(d time.Duration) LoginOption {
	return func(o *loginOptions) { o.duration, o.hasDur = d, true }
}

// Force logs in an inactive user too (login_user's force).
func Force() LoginOption { return func(o *loginOptions) { o.force = true } }

// NotFresh marks the login not fresh (login_user's fresh=False).
func NotFresh() LoginOption { return func(o *loginOptions) { o.notFresh = true } }

// LoginUser logs user in for this request and the session: Flask-Login's
// login_user. It reports false, and changes nothing, for an inactive user
// (see ActiveUser) unless Force is given. The session gets "_user_id",
// "_fresh" and "_id"; with Remember(true) also "_remember": "set", which
// the middleware turns into the remember cookie when the response starts.
//
// With a server-side store the session moves to a new ID and the record
// under the old one is deleted (flasksession's Session.Regenerate), so an
// ID an attacker planted or copied before the login is worth nothing
// after it. Flask-Login keeps the ID; a Flask app sharing the store is
// unaffected, since the middleware mints the IDs.
func LoginUser(c *gin.Context, user User, opts ...LoginOption) bool {
	var o loginOptions
	for _, opt := range opts {
		opt(&o)
	}
	if a, ok := user.(ActiveUser); ok && !o.force && !a.IsActive() {
		return false
	}
	st := from(c)
	sess := st.sess
	sess.Regenerate()
	sess.Set(KeyUserID, user.ID())
	sess.Set(KeyFresh, !o.notFresh)
	sess.Set(KeyID, st.identifier())
	if o.remember {
		sess.Set(KeyRemember, "set")
		if o.hasDur {
			sess.Set(KeyRememberSeconds, float64(o.duration/time.Microsecond)/1e6)
		}
	}
	st.setUser(user)
	return true
}

// LogoutUser logs the current user out: Flask-Login's logout_user. It
// removes "_user_id", "_fresh" and "_id" from the session and, if the
// request carries a remember cookie, has the response clear it. With a
// server-side store the rest of the session moves to a new ID and the
// record under the old one is deleted, so a request that loaded the
// session before the logout cannot put the login back when it saves.
func LogoutUser(c *gin.Context) {
	st := from(c)
	st.load() // as logout_user's _get_user(), with its side effects
	sess := st.sess
	sess.Regenerate()
	sess.Pop(KeyUserID)
	sess.Pop(KeyFresh)
	sess.Pop(KeyID)
	if _, ok := readCookie(st.req.Header, st.m.cfg.RememberCookieName); ok {
		sess.Set(KeyRemember, "clear")
		sess.Pop(KeyRememberSeconds)
	}
	st.setUser(Anonymous)
}

// CurrentUser returns the logged-in user, or Anonymous: Flask-Login's
// current_user. The user is loaded once per request, from the session's
// "_user_id" or, failing that, from the remember cookie (which logs the
// user in again, not fresh), after the session protection check.
func CurrentUser(c *gin.Context) User {
	u, _ := from(c).load()
	return u
}

// IsAuthenticated reports whether someone is logged in:
// current_user.is_authenticated.
func IsAuthenticated(c *gin.Context) bool {
	return isAuthenticated(CurrentUser(c))
}

func isAuthenticated(u User) bool {
	_, anon := u.(AnonymousUser)
	return u != nil && !anon
}

// LoginFresh reports whether the login is fresh (made in this session
// rather than restored from the remember cookie): Flask-Login's
// login_fresh(), the Python truth of the session's "_fresh".
func LoginFresh(c *gin.Context) bool {
	v, _ := from(c).sess.Get(KeyFresh)
	return taggedjson.Truthy(v)
}

// LoginRemembered reports whether the request carries a valid remember
// cookie that the session does not mean to clear: Flask-Login's
// login_remembered().
func LoginRemembered(c *gin.Context) bool {
	st := from(c)
	v, ok := readCookie(st.req.Header, st.m.cfg.RememberCookieName)
	if !ok || st.rememberCleared() {
		return false
	}
	_, err := st.m.codec.Decode(v)
	return err == nil
}

// ConfirmLogin marks the login fresh again, after the user re-entered
// their password say: Flask-Login's confirm_login().
func ConfirmLogin(c *gin.Context) {
	st := from(c)
	st.sess.Set(KeyFresh, true)
	st.sess.Set(KeyID, st.identifier())
}

// RequireOption changes what LoginRequired and FreshLoginRequired answer
// on one route or group.
type RequireOption func(*requireOptions)

type requireOptions struct {
	unauthorized, needsRefresh gin.HandlerFunc
}

// OnUnauthorized answers anonymous requests with h instead of
// Config.Unauthorized or the redirect: a JSON 401 for an API group, say.
// h must write the response or abort.
func OnUnauthorized(h gin.HandlerFunc) RequireOption {
	return func(o *requireOptions) { o.unauthorized = h }
}

// OnNeedsRefresh answers logins that are not fresh with h instead of
// Config.NeedsRefresh or the redirect.
func OnNeedsRefresh(h gin.HandlerFunc) RequireOption {
	return func(o *requireOptions) { o.needsRefresh = h }
}

// LoginRequired is Flask-Login's @login_required as middleware, for a
// route or a group: an anonymous request gets OnUnauthorized's handler,
// else Config.Unauthorized, else a 302 to LoginURL(Config.LoginView) with
// the login message flashed, else (no LoginView) 401. OPTIONS requests
// never reach the handler anonymously: they get 204 No Content (Flask-Login
// runs the view for them; a CORS preflight, which carries no cookies,
// should be answered before this middleware). A UserLoader error answers
// 500.
func LoginRequired(opts ...RequireOption) gin.HandlerFunc {
	o := requireOpts(opts)
	return func(c *gin.Context) {
		st, ok := check(c)
		if !ok {
			return
		}
		if u, _ := st.load(); !isAuthenticated(u) {
			st.unauthorized(o.unauthorized)
		}
	}
}

// FreshLoginRequired is Flask-Login's @fresh_login_required as
// middleware: LoginRequired, and then a login that is not fresh gets
// OnNeedsRefresh's handler, else Config.NeedsRefresh, else a 302 to
// LoginURL(Config.RefreshView) with the refresh message flashed, else 401.
func FreshLoginRequired(opts ...RequireOption) gin.HandlerFunc {
	o := requireOpts(opts)
	return func(c *gin.Context) {
		st, ok := check(c)
		if !ok {
			return
		}
		if u, _ := st.load(); !isAuthenticated(u) {
			st.unauthorized(o.unauthorized)
		} else if !LoginFresh(c) {
			st.needsRefresh(o.needsRefresh)
		}
	}
}

func requireOpts(opts []RequireOption) requireOptions {
	var o requireOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// check is the shared start of LoginRequired and FreshLoginRequired: it
// reports false when the request already has its answer.
func check(c *gin.Context) (*state, bool) {
	s := from(c)
	u, err := s.load()
	switch {
	case err != nil:
		c.AbortWithStatus(http.StatusInternalServerError)
		return nil, false
	case c.Request.Method == http.MethodOptions && !isAuthenticated(u):
		c.AbortWithStatus(http.StatusNoContent)
		return nil, false
	}
	return s, true
}

// unauthorized is LoginManager.unauthorized; h, if set, overrides the
// Config's handler.
func (st *state) unauthorized(h gin.HandlerFunc) {
	cfg := &st.m.cfg
	if h == nil {
		h = cfg.Unauthorized
	}
	st.answer(h, "LoginView", cfg.LoginView, !cfg.NoLoginMessage, cfg.LoginMessage, cfg.LoginMessageCategory)
}

// needsRefresh is LoginManager.needs_refresh.
func (st *state) needsRefresh(h gin.HandlerFunc) {
	cfg := &st.m.cfg
	if h == nil {
		h = cfg.NeedsRefresh
	}
	st.answer(h, "RefreshView", cfg.RefreshView, !cfg.NoRefreshMessage, cfg.RefreshMessage, cfg.RefreshMessageCategory)
}

// answer is the unauthorized or needs-refresh answer: the handler, or a
// redirect to view (Config.<field>), or without one Werkzeug's 401 page,
// as Flask-Login's abort(401) gives, and a log line naming the field.
func (st *state) answer(handler gin.HandlerFunc, field, view string, flash bool, msg, category string) {
	c := st.c
	defer c.Abort()
	if handler != nil {
		handler(c)
		return
	}
	if view == "" {
		if _, logged := missingViewLogged.LoadOrStore(field, true); !logged {
			fmt.Fprintf(gin.DefaultErrorWriter, "[flasklogin] %s %s: 401, no Config.%s to redirect to; set it (e.g. \"/login\") or Config.Unauthorized (logged once)\n", st.req.Method, st.req.URL.Path, field)
		}
		c.Data(http.StatusUnauthorized, "text/html; charset=utf-8", unauthorizedPage)
		return
	}
	if flash {
		flasksession.Flash(c, msg, category)
	}
	c.Redirect(http.StatusFound, LoginURLFor(view, st.m.cfg.SiteURL, st.req))
}

// missingViewLogged holds the Config fields whose absence was logged.
var missingViewLogged sync.Map

// unauthorizedPage is Werkzeug's 401 page (flask.abort(401)), byte for
// byte as Werkzeug 2.2 and 3.1 write it.
var unauthorizedPage = []byte("<!doctype html>\n<html lang=en>\n<title>401 Unauthorized</title>\n<h1>Unauthorized</h1>\n" +
	"<p>The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials " +
	"(e.g. a bad password), or your browser doesn&#39;t understand how to supply the credentials required.</p>\n")

// rememberCleared reports session.get("_remember") == "clear".
func (st *state) rememberCleared() bool {
	v, _ := st.sess.Get(KeyRemember)
	return v == "clear"
}

// setUser makes u the request's user, as login_user and logout_user do.
func (st *state) setUser(u User) {
	st.mu.Lock()
	st.user, st.loadErr = u, nil
	st.mu.Unlock()
}

// load is Flask-Login's _load_user, once per request; the error is the
// UserLoader's, if it failed.
func (st *state) load() (User, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.user == nil {
		st.user, st.loadErr = st.loadLocked()
		if st.loadErr != nil {
			_ = st.c.Error(st.loadErr)
		}
	}
	return st.user, st.loadErr
}

func (st *state) loadLocked() (User, error) {
	if st.protectionFailed() {
		return Anonymous, nil
	}
	var user User
	if id, ok := st.sess.Get(KeyUserID); ok && id != nil {
		var err error
		if user, err = st.loadUser(userIDString(id)); err != nil {
			return Anonymous, err
		}
	}
	if user == nil {
		if v, ok := readCookie(st.req.Header, st.m.cfg.RememberCookieName); ok && !st.rememberCleared() {
			var err error
			if user, err = st.fromRememberCookie(v); err != nil {
				return Anonymous, err
			}
		}
	}
	if user == nil {
		return Anonymous, nil
	}
	return user, nil
}

// loadUser calls the UserLoader. A nil pointer in the interface, or an
// error matching ErrUserNotFound, is no user.
func (st *state) loadUser(id string) (User, error) {
	u, err := st.m.cfg.UserLoader(st.req.Context(), id)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, nil
	case err != nil:
		return nil, &LoadError{ID: id, Err: err}
	case isNil(u):
		return nil, nil
	}
	return u, nil
}

// ErrUserNotFound is what a UserLoader may return, or wrap, for an ID
// that names no user (a deleted account, sql.ErrNoRows): the request is
// anonymous, as with a nil user. Any other error answers 500.
var ErrUserNotFound = errors.New("flasklogin: user not found")

// isNil reports whether u is nil or holds a nil pointer, map, slice,
// func or channel: `return users[id], nil` with a map of *User gives one.
func isNil(u User) bool {
	if u == nil {
		return true
	}
	switch v := reflect.ValueOf(u); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// fromRememberCookie is _load_user_from_remember_cookie: a valid cookie
// of a user the loader knows logs that user in again, not fresh, and like
// LoginUser moves the session to a new ID. Flask-Login also puts the ID of
// a user the loader does not know into the session; here such a cookie (a
// revoked alternative token, a deleted user) is cleared instead, so that
// it does not cost a loader call and a new session on every request.
func (st *state) fromRememberCookie(value string) (User, error) {
	id, err := st.m.codec.Decode(value)
	if err != nil {
		return nil, nil // expected input: just anonymous
	}
	user, err := st.loadUser(id)
	if err != nil {
		return nil, err
	}
	if user == nil {
		st.dropRemember = true // st.mu is held
		return nil, nil
	}
	st.sess.Regenerate()
	st.sess.Set(KeyUserID, id)
	st.sess.Set(KeyFresh, false)
	return user, nil
}

// protectionFailed is _session_protection_failed: a session that is not
// empty and whose "_id" is not this client's identifier is marked not
// fresh (basic, or a permanent session), or loses Flask-Login's keys and
// its remember cookie (strong), which logs the user out.
func (st *state) protectionFailed() bool {
	mode := st.m.cfg.SessionProtection
	if mode == ProtectionOff {
		return false
	}
	sess := st.sess
	if sess.Len() == 0 {
		return false
	}
	if id, _ := sess.Get(KeyID); id == st.identifier() {
		return false
	}
	if mode == ProtectionBasic || sess.Permanent() {
		if v, ok := sess.Get(KeyFresh); !ok || v != false {
			sess.Set(KeyFresh, false)
		}
		return false
	}
	for _, k := range sessionKeys {
		sess.Pop(k)
	}
	sess.Set(KeyRemember, "clear")
	return true
}
