package flasksession

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/sessionkeys"
)

// sessionkeys.Of gives flasklogin and csrf the keys of the session
// middleware that runs for the request: the innermost one's while the
// session is unused, as for the rest of its Config.
func TestSessionKeysOf(t *testing.T) {
	a := []byte("keys test: the engine's key, A")
	b := []byte("keys test: the admin group's, B")
	old := []byte("keys test: A's predecessor")
	type seen struct {
		key       []byte
		fallbacks [][]byte
		ok        bool
	}
	var got, onCopy seen
	probe := func(c *gin.Context) {
		got.key, got.fallbacks, got.ok = sessionkeys.Of(c)
		cc := c.Copy() // what a handler's goroutine gets
		onCopy.key, onCopy.fallbacks, onCopy.ok = sessionkeys.Of(cc)
	}

	r := gin.New()
	r.GET("/none", probe)
	withSession := r.Group("/", New(Config{SecretKey: a, SecretKeyFallbacks: [][]byte{old}}))
	withSession.GET("/a", probe)
	withSession.Group("/admin", New(Config{SecretKey: b})).GET("/b", probe)

	for _, tc := range []struct {
		path string
		want seen
	}{
		{"/none", seen{}},
		{"/a", seen{a, [][]byte{old}, true}},
		{"/admin/b", seen{b, nil, true}},
	} {
		got, onCopy = seen{}, seen{}
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tc.path, nil))
		for _, s := range []seen{got, onCopy} {
			if s.ok != tc.want.ok || !bytes.Equal(s.key, tc.want.key) || !slices.EqualFunc(s.fallbacks, tc.want.fallbacks, bytes.Equal) {
				t.Errorf("%s: Of = %q, %q, %v; want %q, %q, %v", tc.path,
					s.key, s.fallbacks, s.ok, tc.want.key, tc.want.fallbacks, tc.want.ok)
			}
		}
	}
}
