package webtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", `b="x\054y"; Path=/`)
	})
	mux.HandleFunc("/del", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Write([]byte(r.Header.Get("Cookie") + "|" + r.Form.Get("f") + "|" + r.Header.Get("User-Agent") + "|" + r.RemoteAddr))
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/echo", http.StatusFound) })
	return mux
}

// eachMode runs f with a Client in process and one by HTTP, with the
// base URL to put before paths.
func eachMode(t *testing.T, f func(t *testing.T, c *Client, base string)) {
	srv := httptest.NewServer(handler())
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name string
		c    *Client
		base string
	}{
		{"in process", New(t, handler()), ""},
		{"HTTP", NewHTTP(t), srv.URL},
	} {
		t.Run(tt.name, func(t *testing.T) { f(t, tt.c, tt.base) })
	}
}

func TestClient(t *testing.T) {
	eachMode(t, func(t *testing.T, c *Client, base string) {
		c.Header.Set("User-Agent", "webtest/1")
		r := c.Get(base + "/set")
		if v := r.CookieValue(t, "b"); v != `"x\054y"` {
			t.Errorf("CookieValue(b) = %q, want the value as written", v)
		}
		if got := c.CookieHeader(); got != `a=1; b="x\054y"` {
			t.Errorf("CookieHeader() = %q", got)
		}
		r = c.Get(base + "/del")
		if raw, _ := r.Cookie(t, "a"); !IsDeletion(raw) || c.Cookie("a") != "" {
			t.Errorf("after %q the client holds a=%q", raw, c.Cookie("a"))
		}
		r = c.Post(base+"/echo", url.Values{"f": {"v"}})
		if want := `b="x\054y"|v|webtest/1|`; len(r.Body) < len(want) || r.Body[:len(want)] != want {
			t.Errorf("echo = %q, want it to start %q", r.Body, want)
		}
		if r := c.Get(base + "/go"); r.Status != http.StatusFound || r.Location() != "/echo" {
			t.Errorf("redirect: %d %q, want 302 /echo, not followed", r.Status, r.Location())
		}
	})
}
