package main

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/ginflask/flasksession/csrf"
)

// TestLogoutIsPost: on both apps, GET /logout only shows the form that
// logs out (a link or an <img> logs nobody out), a POST without the CSRF
// token is refused, and the form's POST logs out. "Log out other devices"
// is refused without a token too, and sends an anonymous post to log in.
func TestLogoutIsPost(t *testing.T) {
	a := startApps(t, "basic")
	for _, app := range []struct{ name, base string }{{"gin", a.gin}, {"flask", a.flask}} {
		t.Run(app.name, func(t *testing.T) {
			base := app.base
			cl := newClient(t)
			logIn(t, cl, base, "alice", true, "")
			cl.get(base + "/") // takes the "Logged in." flash
			stillIn := func(after string) {
				t.Helper()
				if got := privateLine(t, cl, base); got != "Private page of alice (fresh)" {
					t.Errorf("after %s: %q, want still logged in", after, got)
				}
			}

			r := cl.get(base + "/logout")
			if r.Status != http.StatusOK || r.line() != "Log out alice?" || r.token() == "" {
				t.Errorf("GET /logout: %d %q, token %q; want the confirm page with its form", r.Status, r.line(), r.token())
			}
			if _, ok := r.setCookie("remember_token"); ok {
				t.Errorf("GET /logout touched the remember cookie: %v", r.setCookies())
			}
			stillIn("GET /logout")

			for _, path := range []string{"/logout", "/logout-others"} {
				r := cl.post(base+path, url.Values{})
				if r.Status != http.StatusBadRequest || r.Body != csrf.Reason(csrf.ErrTokenMissing) {
					t.Errorf("POST %s without a token: %d %q, want 400 %q", path, r.Status, r.Body, csrf.Reason(csrf.ErrTokenMissing))
				}
				if len(r.setCookies()) != 0 {
					t.Errorf("POST %s without a token set cookies: %v", path, r.setCookies())
				}
				stillIn("POST " + path + " without a token")
			}

			r = cl.logout(base)
			if v, ok := r.setCookie("remember_token"); !ok || v != "" {
				t.Errorf("the logout did not clear the remember cookie: %v", r.setCookies())
			}
			home := cl.get(base + "/")
			if home.line() != "Hello, anonymous" || !slices.Equal(home.flashes(), []string{"message: Logged out."}) {
				t.Errorf("after the logout: %q, flashes %q", home.line(), home.flashes())
			}
			if r := cl.get(base + "/logout"); r.Status != http.StatusOK || r.line() != "Nobody is logged in." {
				t.Errorf("GET /logout, logged out: %d %q", r.Status, r.line())
			}

			// Anonymous, with a valid token: sent to log in, as
			// @login_required does.
			r = cl.post(base+"/logout-others", url.Values{"csrf_token": {cl.pageToken(base, "/logout")}})
			if r.Status != http.StatusFound || r.Location() != "/login?next=%2Flogout-others" {
				t.Errorf("anonymous POST /logout-others: %d %q", r.Status, r.Location())
			}
		})
	}
}
