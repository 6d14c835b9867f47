// Command accounts is a Flask-Login app ported to Gin with
// flasksession/flasklogin: log in with any user name ("remember me"
// optional), a login-required page, a page that needs a fresh login, log
// out (a POST with the CSRF token; GET /logout asks first), and "log out
// other devices". Run it with
//
//	go run ./example/accounts                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example/accounts -addr 127.0.0.1:8081
//	SESSION_PROTECTION=strong SECRET_KEY=... go run ./example/accounts
//	TOKENS_DIR=/var/lib/accounts/tokens SECRET_KEY=... go run ./example/accounts
//
// flask_app.py is the same app on Flask-Login; started with the same
// SECRET_KEY (and SESSION_PROTECTION, and TOKENS_DIR), the two share their
// logged-in users and remember cookies. The forms carry a CSRF token
// (flasksession/csrf here, Flask-WTF there), which either app accepts.
//
// A user's ID is "name:token" (Flask-Login's alternative tokens), the
// token kept in TOKENS_DIR, one file per user; "Log out other devices"
// (on either app) gives the user a new token, which logs out every other
// session and remember cookie of that user on both. Without TOKENS_DIR
// both apps use $TMPDIR/flasksession-accounts-tokens-UID ($TMPDIR
// defaulting to /tmp), so two apps started side by side on one machine by
// one user share it.
package main

import (
	"net/http"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/exampleapp"
)

func main() { exampleapp.Main(newHandler) }

// newHandler is the accounts app with the session protection that
// SESSION_PROTECTION names and the users' tokens in TOKENS_DIR (see
// defaultTokensDir when unset); a typo in the first, or a token directory
// that cannot be made or that others could write to, stops the program.
func newHandler(cfg flasksession.Config, getenv func(string) string) (http.Handler, error) {
	protection, err := parseProtection(getenv("SESSION_PROTECTION"))
	if err != nil {
		return nil, err
	}
	dir := getenv("TOKENS_DIR")
	if dir == "" {
		dir = defaultTokensDir()
	}
	tokens, err := openTokenStore(dir)
	if err != nil {
		return nil, err
	}
	return newRouter(cfg, protection, tokens), nil
}
