package flasklogin

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkCurrentUser is a logged-in request's cost: session load, the
// protection check (identifier hash) and the user loader.
func BenchmarkCurrentUser(b *testing.B) {
	app := newTestApp(b, testConfig(), func(r *gin.Engine) { r.GET("/", whoami) })
	cl := newClient().loggedIn(b)
	req := cl.request("GET", "/")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkSessionIdentifier(b *testing.B) {
	req := newClient().request("GET", "/")
	b.ReportAllocs()
	for b.Loop() {
		SessionIdentifier(req)
	}
}

// BenchmarkReadRememberCookie reads and verifies a remember cookie: a
// plain one (the fast path) and a quoted one (Werkzeug's regexp).
func BenchmarkReadRememberCookie(b *testing.B) {
	codec := NewRememberCodec([]byte(testKey))
	for _, id := range []string{"alice", "Ada Lovelace"} {
		h := http.Header{"Cookie": {"session=abc.def.ghi; remember_token=" + quoteCookieValue(codec.Encode(id))}}
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, _ := readCookie(h, "remember_token")
				if _, err := codec.Decode(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
