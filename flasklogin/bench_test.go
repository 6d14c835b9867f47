package flasklogin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// BenchmarkCurrentUser is a logged-in request's cost: session load, the
// protection check (identifier hash) and the user loader.
func BenchmarkCurrentUser(b *testing.B) {
	app := newTestApp(b, testConfig(), func(r *gin.Engine) { r.GET("/", whoami) })
	cl := newClient(b).loggedIn(b)
	req := cl.request(app, "GET", "/")
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
	req := newClient(b).peer()
	b.ReportAllocs()
	for b.Loop() {
		SessionIdentifier(req)
	}
}

// BenchmarkReadRememberCookie reads and verifies a remember cookie: a
// plain one and a quoted one (Werkzeug quotes a value with a space).
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

// BenchmarkLoggedIn compares a logged-in request without revocable logins
// (the user's ID is its name) with one whose ID is an alternative token
// that RevokeLogins replaces (the check is the loader's lookup by token),
// on cookie sessions and on a server-side store (memstore), whose logins
// are also indexed by user. Both loaders look the user up in a map under
// a lock, as a user cache would.
func BenchmarkLoggedIn(b *testing.B) {
	for _, st := range stores {
		for _, revocable := range []bool{false, true} {
			name := st.name + "/plain"
			if revocable {
				name = st.name + "/revocable"
			}
			b.Run(name, func(b *testing.B) {
				users := newTokenUsers()
				cfg := testConfig()
				var u User = testUser{id: "alice"}
				if revocable {
					cfg.UserLoader, cfg.RevokeLogins = users.load, users.revoke
					u = users.user("alice")
				} else {
					var mu sync.Mutex
					known := map[string]bool{"alice": true}
					cfg.UserLoader = func(_ context.Context, id string) (User, error) {
						mu.Lock()
						defer mu.Unlock()
						if !known[id] {
							return nil, nil
						}
						return testUser{id: id}, nil
					}
				}
				app := newStoreTestApp(b, cfg, st.new())
				app.POST("/login", func(c *gin.Context) { LoginUser(c, u) })
				app.GET("/", whoami)
				cl := newClient(b)
				cl.do(b, app, "POST", "/login")
				req := cl.request(app, "GET", "/")
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					app.ServeHTTP(w, req)
					if w.Code != http.StatusOK || w.Body.String() == "anonymous" {
						b.Fatal(w.Code, w.Body.String())
					}
				}
			})
		}
	}
}

// newStoreTestApp is newTestApp on a session store (nil: cookies).
func newStoreTestApp(b testing.TB, cfg Config, store flasksession.Store) *gin.Engine {
	b.Helper()
	m, err := newManager(cfg, func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	sc := flasksession.DefaultConfig()
	sc.SecretKey = []byte(testKey)
	sc.Store = store
	r := gin.New()
	r.Use(flasksession.New(sc), m.handle)
	return r
}
