// Package flasklogin is Flask-Login for Gin: log users in and out, "remember
// me", and login-required routes, with the same session keys and remember
// cookie as Flask-Login 0.6, so a Flask app on Flask-Login and a Gin app on
// flasksession share their logged-in users.
//
// # Quick start
//
//	sessCfg := flasksession.DefaultConfig()
//	sessCfg.SecretKey = key // Flask's SECRET_KEY; flasklogin signs with it too
//	r := gin.New()
//	r.Use(flasksession.New(sessCfg), flasklogin.New(flasklogin.Config{
//		UserLoader: func(ctx context.Context, id string) (flasklogin.User, error) {
//			return users.Find(ctx, id) // nil, or flasklogin.ErrUserNotFound, for an unknown ID
//		},
//		LoginView: "/login",
//	}))
//	r.POST("/login", func(c *gin.Context) {
//		u := ... // check the password
//		flasklogin.LoginUser(c, u, flasklogin.Remember(c.PostForm("remember") == "y"))
//		// "next" comes from the client: follow it only if it is a path on
//		// this site. IsSafeNext also refuses what a browser, or the path
//		// cleaning in c.Redirect, would send to another host ("/./\evil").
//		next := c.Query("next")
//		if !flasklogin.IsSafeNext(next) {
//			next = "/"
//		}
//		c.Redirect(http.StatusFound, next)
//	})
//	r.GET("/private", flasklogin.LoginRequired(), func(c *gin.Context) {
//		c.String(200, "Hello, %s", flasklogin.CurrentUser(c).ID())
//	})
//
// docs/flask-login.md puts each Flask-Login call next to its Go line;
// example/accounts is a whole app with its Flask twin.
//
// # Middleware order
//
// flasksession's middleware must run before this package's (New panics
// with ErrNoSession otherwise). Both wrap c.Writer to act just before the
// response headers go out; this package's wrapper is the outer one, so it
// sets or clears the remember cookie and takes "_remember" out of the
// session first, and the session is saved after, with the change. A handler
// may write its response any way (c.String, c.Writer.Write, Flush, ...);
// if it writes nothing, the middleware does its work when the chain ends.
// Only a write to a writer captured before New wrapped c.Writer escapes
// the hook; the remember cookie is then not updated and ErrHeadersWritten
// goes to c.Errors.
// LoginRequired and FreshLoginRequired go after New, per route or group.
//
// # Session IDs and ending logins
//
// Every change of who is logged in (LoginUser, LogoutUser, a login from
// the remember cookie) moves a server-side session (flasksession's
// Config.Store) to a new ID and deletes the record under the old one:
// an ID planted before a login, or copied before a logout, logs nobody
// in. Cookie sessions have no ID; a copied cookie stays valid until it
// expires, as in Flask.
//
// To end logins before that, on every device and with their remember
// cookies, use Flask-Login's alternative tokens: User.ID returns a token
// kept with the user (say "42:Zq0...") that the UserLoader looks up, and
// Config.RevokeLogins replaces it. LogoutEverywhere and
// LogoutOtherDevices call it; every session and remember cookie holding
// the old token then loads no user, in this app and in a Flask app whose
// user_loader reads the same table. The check costs nothing beyond the
// loader's lookup, which every logged-in request makes anyway
// (BenchmarkLoggedIn: within the noise of a plain ID). With a server-side
// store the user's sessions are also indexed at login, at the cost of one
// read and one write of the index per login and nothing per request:
// LogoutOtherDevices deletes their records at once, Sessions lists them
// (created, last seen, User-Agent) and EndSession ends one.
//
// # Flask-Login's state, as this package keeps it
//
// Read from the source of Flask-Login 0.6.2 (Debian's python3-flask-login)
// and checked against it live (example/accounts's tests):
//
// Session keys. login_user stores "_user_id" (the user's ID, a string),
// "_fresh" (a bool, true unless NotFresh) and "_id" (the session
// identifier, below); with remember, "_remember": "set" and, if a Duration
// is given, "_remember_seconds" (a float of seconds; an int written by
// another app is read too). logout_user removes "_user_id", "_fresh" and
// "_id" and, when the request carries a remember cookie, sets "_remember":
// "clear" and removes "_remember_seconds". confirm_login sets "_fresh"
// true and "_id" anew. A login is fresh when "_fresh" is true in Python's
// sense.
//
// Session identifier ("_id"). The hex SHA-512 of "ADDR|AGENT": ADDR is the
// client's address, AGENT the User-Agent; each is written as Python writes
// bytes in an f-string (b'127.0.0.1'), or None when absent. Flask-Login
// takes ADDR from X-Forwarded-For as sent (SessionIdentifier); this package
// takes gin's c.ClientIP(), which believes the header only from the
// engine's trusted proxies (gin.Engine.SetTrustedProxies): the same
// address unless a client forges the header.
//
// Loading the user (current_user), once per request. First the session
// protection check; then the UserLoader with "_user_id" if set; if that
// gives no user, the remember cookie, unless the session's "_remember" is
// "clear": a valid one stores its user ID as "_user_id" with "_fresh"
// false (not "_id"), and the UserLoader gives the user.
//
// Session protection. Nothing happens for an empty session or one whose
// "_id" is this request's identifier. Otherwise basic mode, or any mode for
// a permanent session, sets "_fresh" to false (unless it already is
// False); strong mode removes "_user_id", "_remember", "_remember_seconds",
// "_id", "_fresh" and "next", sets "_remember": "clear", and the request is
// anonymous. As in Flask-Login, a login restored from the remember cookie
// has no "_id", so under strong protection the next request logs it out.
//
// Remember cookie. The value is "user_id|digest", digest being the
// lowercase hex HMAC-SHA512 of the user ID, keyed by SECRET_KEY (as
// Latin-1 bytes, as Flask-Login encodes a str key); it is verified by
// splitting at the last "|" and comparing in constant time (RememberCodec).
// Flask-Login knows no fallback keys: a new SECRET_KEY forgets every
// remembered login, here too.
// Its name, path, domain, Secure, HttpOnly (on) and SameSite (none) come
// from Config; it expires "_remember_seconds" or RememberCookieDuration
// (365 days) from now, with no Max-Age. Values are quoted and read as
// Werkzeug 2.2 does (octal escapes inside double quotes), the Werkzeug
// Flask-Login 0.6.2 runs on.
//
// After each request (_update_remember_cookie): if
// RememberCookieRefreshEachRequest is on, the session has no "_remember"
// and the request carries a valid remember cookie for the session's user,
// it gets "set". Flask-Login 0.6.2 sets it for every login, remembered or
// not (its issue #824); a login that did not ask to be remembered gets no
// remember cookie here. Then "_remember" is popped: "set" with a
// "_user_id" in the session sets the cookie, "clear" deletes it (Expires
// in 1970, Max-Age=0, same Domain and Path).
//
// Unauthorized. LoginRequired answers an anonymous OPTIONS request 204
// without running the handler (Flask-Login runs the view); an anonymous
// request gets Config.Unauthorized if set, else without a LoginView
// Werkzeug's 401 page (and one log line naming Config.LoginView), else the
// login message flashed (category "message" by default) and a 302 to
// LoginURLFor(view, Config.SiteURL): the view with next= the request's
// path and query, query parameters sorted and encoded as Werkzeug does.
// Unlike Flask-Login, a view on another host gets an absolute next only
// from Config.SiteURL, never from the request's Host header, which the
// client controls. FreshLoginRequired does the same, then sends a login that
// is not fresh to Config.NeedsRefresh or RefreshView with the refresh
// message. Flask-Login does not check "next"; IsSafeNext is the check to
// make before redirecting to it (only local paths).
//
// Not carried over: signals, request_loader and header_loader,
// USE_SESSION_FOR_NEXT, FORCE_HOST_FOR_REDIRECTS, LOGIN_DISABLED,
// per-blueprint login views (use a group with its own Config.Unauthorized),
// and localize_callback.
package flasklogin
