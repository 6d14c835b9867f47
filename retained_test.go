package flasksession

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// A *Session kept past its request (by a goroutine the handler started)
// must keep reading its own request's cookie, even after gin has recycled
// the gin.Context for another user's request.
func TestRetainedSessionKeepsItsOwnRequest(t *testing.T) {
	key := []byte("retained-session-key-0123456789")
	r := gin.New()
	// Without refresh, an untouched session is never decoded during its
	// request.
	r.Use(New(Config{SecretKey: key, DisableRefreshEachRequest: true}))
	kept := make(chan *Session, 1)
	r.GET("/keep", func(c *gin.Context) {
		kept <- Get(c) // not touched: the cookie is decoded lazily, later
		c.String(http.StatusOK, "ok")
	})
	r.GET("/other", func(c *gin.Context) {
		v, _ := Get(c).GetString("user")
		c.String(http.StatusOK, v)
	})

	mint := func(user string) string {
		m, err := newMiddleware(Config{SecretKey: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.backend.(*cookieBackend).codec.Encode(map[string]any{"user": user})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	serve := func(path, user string) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: DefaultCookieName, Value: mint(user)})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Body.String()
	}

	serve("/keep", "alice")
	s := <-kept
	if got := serve("/other", "mallory"); got != "mallory" {
		t.Fatalf("/other = %q", got)
	}
	if got, _ := s.GetString("user"); got != "alice" {
		t.Errorf("retained session reads user %q, want alice's own", got)
	}
	s.Set("user", "eve")
	if err := s.Save(); err != ErrHeadersWritten {
		t.Errorf("Save after the request = %v, want ErrHeadersWritten", err)
	}
}
