// Command example is Flask's session quickstart ported to Gin: log in
// with a name, see it on every page, log out. Run it with
//
//	go run ./example                  # http://127.0.0.1:8080
//	SECRET_KEY=... go run ./example -addr :8080
//
// flask_app.py is the same app in Flask; started with the same
// SECRET_KEY, the two share their logins.
package main

import (
	"net/http"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/exampleapp"
)

func main() { exampleapp.Main(newHandler) }

// newHandler is the quickstart app; it has no settings of its own.
func newHandler(cfg flasksession.Config, _ func(string) string) (http.Handler, error) {
	return newRouter(cfg), nil
}
