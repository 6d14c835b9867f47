// Command accounts is a Flask-Login app ported to Gin with
// flasksession/flasklogin: log in with any user name ("remember me"
// optional), a login-required page, a page that needs a fresh login, log
// out. Run it with
//
//	go run ./example/accounts                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example/accounts -addr 127.0.0.1:8081
//	SESSION_PROTECTION=strong SECRET_KEY=... go run ./example/accounts
//
// flask_app.py is the same app on Flask-Login; started with the same
// SECRET_KEY (and SESSION_PROTECTION), the two share their logged-in
// users and remember cookies. The login form carries a CSRF token
// (flasksession/csrf here, Flask-WTF there), which either app accepts.
package main

import (
	"net/http"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/exampleapp"
)

func main() { exampleapp.Main(newHandler) }

// newHandler is the accounts app with the session protection that
// SESSION_PROTECTION names; a typo there stops the program.
func newHandler(cfg flasksession.Config, getenv func(string) string) (http.Handler, error) {
	protection, err := parseProtection(getenv("SESSION_PROTECTION"))
	if err != nil {
		return nil, err
	}
	return newRouter(cfg, protection), nil
}
