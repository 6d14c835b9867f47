// Package flasksession gives Gin handlers Flask's sessions: a signed
// cookie keyed by a secret key, permanent-session lifetimes, flash
// messages, and a session object used like Flask's `session` dict.
//
// Cookies are in Flask's own format, so a Flask app and a Gin app that
// share a secret key share their logged-in users, and a Flask app can move
// to Go route by route.
//
// # Quick start
//
//	r := gin.Default()
//	r.Use(flasksession.New(flasksession.Config{
//		SecretKey: []byte(os.Getenv("SECRET_KEY")),
//	}))
//	r.POST("/login", func(c *gin.Context) {
//		s := flasksession.Get(c)
//		s.Set("username", c.PostForm("username")) // session["username"] = ...
//		s.SetPermanent(true)                     // session.permanent = True
//		flasksession.Flash(c, "Logged in")       // flash("Logged in")
//		c.Redirect(http.StatusSeeOther, "/")
//	})
//	r.GET("/", func(c *gin.Context) {
//		name, ok := flasksession.Get(c).GetString("username")
//		...
//	})
//
// # Saving
//
// There is no Save to call: as in Flask, the session is saved when the
// response starts, however the handler answers (c.JSON, c.String,
// c.Redirect, c.Writer.Write, Flush, Hijack, or nothing at all). The
// cookie is set when the session was modified, refreshed on every
// response when it is permanent, and deleted when it was emptied. A
// change made after the response headers went out cannot be saved: it is
// reported to c.Errors and Config.ErrorHandler as ErrHeadersWritten.
// Session.Save saves early and returns any error.
//
// # Lifetimes
//
// A session ends with the browser session unless SetPermanent(true), in
// which case its cookie expires Config.PermanentLifetime (31 days by
// default) after the last response. Every cookie, permanent or not, is
// refused once its signature is older than that lifetime or dated in the
// future, as in Flask.
//
// # Failures
//
// A bad cookie (tampered, expired, signed with another key, undecodable)
// gives an empty session and a normal response; Config.ErrorHandler sees
// it. A session too large for a cookie (ErrCookieTooLarge) or holding a
// value that cannot be stored (ErrUnserializable) is not saved, the client
// keeps its old cookie, and the error goes to c.Errors, the handler and
// Session.Save. A missing or short secret key stops New at startup.
//
// # Server-side sessions
//
// Config.Store takes a Store (memstore.New, redisstore.New on go-redis,
// or any gin-contrib/sessions store through contribstore): the cookie then
// carries only a session ID the middleware mints and signs, sessions can
// outgrow 4 KB, Session.Destroy ends one everywhere at once, and
// Session.Regenerate moves it to a new ID on login. Handlers do not change.
// A logout sticks: a request that loaded the session before it cannot
// bring it back; and a request that only read the session never rewrites
// it. Package storetest checks a Store for these guarantees.
//
// # Goroutines
//
// A Session may be used from goroutines the handler starts. Changes count
// until the response starts; Get(c) also works on c.Copy(), made before
// or after the session's first use, during the request and after it.
//
// # Packages
//
// The cookie format lives in packages that do not import Gin:
// flaskcookie (the codec), itsdangerous (signing) and taggedjson (Flask's
// tagged JSON). CookieStore serves github.com/gin-contrib/sessions users.
// flasklogin brings Flask-Login and csrf Flask-WTF's CSRF tokens, both
// shared with Flask apps. The command cmd/flasksession makes keys and
// inspects and signs cookies.
package flasksession
