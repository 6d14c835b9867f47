package main

import (
	"net/http"
	"net/url"
	"testing"
)

// TestCrossNext posts the login form with each "next" to both apps: both
// follow the same targets (flasklogin.IsSafeNext in Go, is_safe_next in
// flask_app.py) and send the same Location: the target, made a URI as
// Werkzeug's redirect() does, or "/".
func TestCrossNext(t *testing.T) {
	a := startApps(t, "basic")
	for _, tt := range []struct {
		next string
		want string // the Location; "" for the target as it is
	}{
		{"/private", ""},
		{"/private?x=1", ""},
		{"/private?next=//evil.invalid#//evil.invalid", ""}, // the query and fragment are free
		{"/a/../private", ""},
		{"/%2e/private", ""},
		{"/settings#top", ""},
		{"/\"<{|}>^`", ""}, // ASCII without whitespace: as it is
		{"/a ", "/a"},      // as it is (Werkzeug's test is "one word"); HTTP drops the trailing space
		{"/a b", "/a%20b"},
		{"/café", "/caf%C3%A9"},
		{"/café?q=é&r=a b#é", "/caf%C3%A9?q=%C3%A9&r=a%20b#%C3%A9"},
		{"/é?#x", "/%C3%A9#x"},
		{"/caf\xe9", "/caf%EF%BF%BD"}, // not UTF-8: decoded with a replacement character

		{"", "/"},
		{"//evil.invalid", "/"},
		{"https://evil.invalid/", "/"},
		{"javascript:alert(1)", "/"},
		{`/\evil.invalid`, "/"},
		{`/./\evil.invalid`, "/"},
		{"/\t/evil.invalid", "/"},
		{"/%2F%2Fevil.invalid", "/"},
		{"/%5Cevil.invalid", "/"},
		{"/..//evil.invalid", "/"},
		{"/%2e%2e//evil.invalid", "/"},
		{"/／evil.invalid", "/"},         // fullwidth solidus
		{"/%EF%BC%8Fevil.invalid", "/"}, // the same, escaped
		{"/100%", "/"},                  // a malformed escape
	} {
		want := tt.want
		if want == "" {
			want = tt.next
		}
		target := "/login"
		if tt.next != "" {
			target += "?next=" + url.QueryEscape(tt.next)
		}
		var got [2]string
		for i, base := range []string{a.gin, a.flask} {
			r := newClient(t).postForm(base, target, url.Values{"username": {"ada"}})
			got[i] = r.Location()
			if r.Status != http.StatusFound || r.Location() != want {
				t.Errorf("%s: POST %s: %d %q, want 302 %q", base, target, r.Status, r.Location(), want)
			}
		}
		if got[0] != got[1] {
			t.Errorf("next=%q: gin redirects to %q, flask to %q", tt.next, got[0], got[1])
		}
	}
}
