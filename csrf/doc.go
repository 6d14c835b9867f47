// Package csrf protects the forms of a Gin app that shares its sessions with
// Flask, the way Flask-WTF does, so that either app accepts the tokens the
// other renders: a Flask-WTF form posts to a Gin route and a Gin form to a
// Flask view, on one SECRET_KEY.
//
// # Quick start
//
//	key := []byte(os.Getenv("SECRET_KEY"))
//	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: key}))
//	r.Use(csrf.Protect(csrf.Config{})) // CSRFProtect(app), on the session's key
//	r.GET("/login", func(c *gin.Context) {
//		c.HTML(http.StatusOK, "login.html", gin.H{
//			"csrf_token": csrf.TemplateFunc(c), // {{ csrf_token() }}
//		})
//	})
//	r.POST("/login", login) // runs only with a valid token
//
// and in the template, as in a Flask-WTF one:
//
//	<input type="hidden" name="csrf_token" value="{{call .csrf_token}}">
//
// # Tokens, as Flask-WTF 1.1 makes them
//
// The session holds a raw token under "csrf_token": 40 hex digits, the
// SHA-1 of 64 random bytes, made the first time a request needs one. The
// form carries that raw token signed by itsdangerous's
// URLSafeTimedSerializer with the salt "wtf-csrf-token" (django-concat key
// derivation, HMAC-SHA1, a timestamp): Token makes it, once per request.
// A posted token passes when its signature holds under the key, it is at
// most TimeLimit (one hour) old, and it signs the raw token of this session.
// Tokens are byte for byte the ones Flask-WTF makes from the same raw token,
// key and second.
//
// # The checks, in order
//
// Protect checks the methods POST, PUT, PATCH and DELETE, on matched routes
// not exempt:
//
//  1. Cross-origin requests, before any token: a browser request whose
//     Sec-Fetch-Site is cross-site or same-site, or, from a browser too old
//     to send it, whose Origin is not the Host, is refused with
//     ErrCrossOrigin (403), by net/http.CrossOriginProtection. This stops
//     forged posts even from pages that hold a valid token and from sibling
//     subdomains. Requests without these headers (curl, other servers) pass
//     on to the token check. Flask-WTF does not have this check; it can be
//     turned off (Config.DisableCrossOriginCheck) and origins trusted
//     (Config.TrustedOrigins).
//  2. The token: ErrTokenMissing, ErrSessionTokenMissing, ErrTokenExpired,
//     ErrTokenInvalid, ErrTokensDoNotMatch (400).
//  3. On HTTPS, the Referer: ErrReferrerMissing, ErrReferrerMismatch (400).
//
// A refusal aborts the request with Reason(err), Flask-WTF's own sentence
// ("The CSRF token is missing."), or goes to Config.ErrorHandler.
//
// # Several workers and instances
//
// Config.SecretKey left empty signs with the session middleware's key, as
// Flask-WTF signs with SECRET_KEY unless WTF_CSRF_SECRET_KEY is set: the
// program names its key once. A different key given there is a wiring
// mistake (ErrKeyMismatch) unless Config.SeparateSecretKey says the Flask
// side has a WTF_CSRF_SECRET_KEY of its own.
//
// Every process, Go and Python, must share one key. A key drawn at random
// per process makes the session cookie of one worker unreadable to another,
// and the form posted there fails with "The CSRF session token is
// missing."; a shared session key but a different WTF_CSRF_SECRET_KEY gives
// "The CSRF token is invalid.".
//
// # Differences from Flask-WTF
//
//   - The zero TimeLimit means one hour; NoTimeLimit means none (Flask-WTF:
//     None). Flask-WTF's WTF_CSRF_TIME_LIMIT = 0 has no equivalent.
//   - A form field ending in the field name ("prefix-csrf_token") is looked
//     for in name order, not form order.
//   - Signatures are read strictly (canonical base64 only), so a few
//     alterations Python tolerates are refused here as invalid.
//   - A session value that is not a string is a mismatch, not a server
//     error, and is replaced by Token.
package csrf
