// Command greeter is an example program for exampletest's own tests: it
// answers every request with $GREETING.
package main

import (
	"io"
	"net/http"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/exampleapp"
)

func main() {
	exampleapp.Main(func(_ flasksession.Config, getenv func(string) string) (http.Handler, error) {
		greeting := getenv("GREETING")
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, greeting) }), nil
	})
}
