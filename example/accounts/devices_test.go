package main

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/exampletest"
)

// device is one browser logged in as the test's user.
type device struct {
	name string
	// private opens /private and returns its status line, or "" when it
	// is sent to log in.
	private func(t *testing.T) string
}

// clientDevice is a plain HTTP client seen through base; its cookies go
// to both apps, as a browser's go to both ports of one host.
func clientDevice(name string, cl *client, base string) device {
	return device{name, func(t *testing.T) string {
		t.Helper()
		return privateLine(t, cl, base)
	}}
}

// privateLine is cl's /private on base: the status line, or "" for the
// redirect to log in.
func privateLine(t *testing.T, cl *client, base string) string {
	t.Helper()
	r := cl.get(base + "/private")
	switch {
	case r.Status == http.StatusOK:
		return r.line()
	case r.Status == http.StatusFound && r.Location() == "/login?next=%2Fprivate":
		return ""
	}
	t.Errorf("%s/private: %d %q", base, r.Status, r.Location())
	return "?"
}

// pressLogoutOthers submits cl's "Log out other devices" form, on base's
// /private, and returns the answer to the POST.
func pressLogoutOthers(t *testing.T, cl *client, base string) response {
	t.Helper()
	r := cl.post(base+"/logout-others", url.Values{"csrf_token": {cl.pageToken(base, "/private")}})
	if r.Status != http.StatusFound || r.Location() != "/private" {
		t.Fatalf("POST %s/logout-others: %d %q, want 302 /private:\n%s", base, r.Status, r.Location(), r.Body)
	}
	return r
}

// TestLogoutOtherDevices is "log out everywhere", live: one user logged in
// from three browsers at once, headless Chromium and a plain HTTP client
// on the Gin app and another HTTP client on flask_app.py, the two apps on
// one SECRET_KEY and one TOKENS_DIR. One browser presses "Log out other
// devices" (the Flask client, the Gin client, then Chromium): it stays
// logged in on both apps, as fresh as it was, remembered if it was; every
// other browser is logged out, and so is a remember cookie copied before.
func TestLogoutOtherDevices(t *testing.T) {
	b := exampletest.NewBrowser(t)
	a := startApps(t, "basic")

	// chromiumPrivate is Chromium's /private on the Gin app.
	chromiumPrivate := func(t *testing.T) string {
		t.Helper()
		b.Open(a.gin + "/private")
		if b.Location() == a.gin+"/login?next=%2Fprivate" {
			return ""
		}
		return b.Text("#status")
	}
	chromiumRemember := func() string {
		if c := b.Cookies(a.gin + "/")["remember_token"]; c != nil {
			return c.Value
		}
		return ""
	}

	for _, tc := range []struct {
		caller   string // who presses: "flask client", "gin client" or "chromium"
		user     string
		fresh    bool // the caller's login is fresh
		remember bool // and remembered
	}{
		{"flask client", "Grace Hopper", false, true},
		{"gin client", "Ada Lovelace", true, false},
		{"chromium", "Katherine Johnson", true, true},
	} {
		t.Run(tc.caller+" presses", func(t *testing.T) {
			freshness := "not fresh"
			if tc.fresh {
				freshness = "fresh"
			}
			line := func(freshness string) string { return "Private page of " + tc.user + " (" + freshness + ")" }

			// Chromium logs in on the Gin app with "remember me".
			b.Open(a.gin + "/login")
			b.FillLogin(tc.user, true)
			if resp := b.Submit(); resp.Status != http.StatusOK || b.Text("#status") != "Hello, "+tc.user {
				t.Fatalf("Chromium's login: %d %q", resp.Status, b.Text("#status"))
			}
			// The Gin client logs in on the Gin app, the Flask client on
			// flask_app.py, both remembered unless the caller is not.
			ginCl, flaskCl := newClient(t), newClient(t)
			logIn(t, ginCl, a.gin, tc.user, tc.caller != "gin client" || tc.remember, "")
			logIn(t, flaskCl, a.flask, tc.user, tc.caller != "flask client" || tc.remember, "")
			if tc.caller == "flask client" && !tc.fresh {
				// Restored from the remember cookie: not fresh.
				flaskCl.SetCookie("session", "")
			}
			// A remember cookie copied off Chromium logs in anywhere, for now.
			oldRemember := chromiumRemember()
			if oldRemember == "" {
				t.Fatal("Chromium has no remember cookie")
			}
			copied := newClient(t)
			copied.SetCookie("remember_token", oldRemember)
			for _, base := range []string{a.gin, a.flask} {
				if got := privateLine(t, copied, base); got != line("not fresh") {
					t.Fatalf("the copied remember cookie on %s before: %q", base, got)
				}
			}

			devices := []device{
				{"chromium", chromiumPrivate},
				clientDevice("gin client", ginCl, a.gin),
				clientDevice("flask client", flaskCl, a.flask),
				clientDevice("copied remember cookie", copied, a.gin),
			}
			for _, d := range devices {
				want := line("fresh")
				switch d.name {
				case tc.caller:
					want = line(freshness)
				case "copied remember cookie":
					want = line("not fresh")
				}
				if got := d.private(t); got != want {
					t.Fatalf("%s before: %q, want %q", d.name, got, want)
				}
			}

			// The caller presses the button.
			switch tc.caller {
			case "chromium":
				b.Open(a.gin + "/private")
				if resp := b.Submit(); resp.Status != http.StatusOK || b.Location() != a.gin+"/private" {
					t.Fatalf("Chromium pressed: %d %s", resp.Status, b.Location())
				}
				if got := b.Flashes(); !slices.Equal(got, []string{"message: Logged out of your other devices."}) {
					t.Errorf("Chromium's flashes: %q", got)
				}
				if got, want := b.Text("#status"), line(freshness); got != want {
					t.Errorf("Chromium after pressing: %q, want %q", got, want)
				}
				if got := chromiumRemember(); got == "" || got == oldRemember {
					t.Errorf("Chromium's remember cookie after pressing: %q, want a new one", got)
				}
			default:
				callerCl, base := ginCl, a.gin
				if tc.caller == "flask client" {
					callerCl, base = flaskCl, a.flask
				}
				before := callerCl.Cookie("remember_token")
				r := pressLogoutOthers(t, callerCl, base)
				if v, ok := r.setCookie("remember_token"); ok != tc.remember || tc.remember && (v == "" || v == before) {
					t.Errorf("the caller's remember cookie: set %v %q (before %q), want a new one: %v", ok, v, before, tc.remember)
				}
				page := callerCl.get(base + "/private")
				if got := page.flashes(); !slices.Equal(got, []string{"message: Logged out of your other devices."}) {
					t.Errorf("the caller's flashes: %q", got)
				}
				// Logged in on both apps, as fresh as before.
				for _, other := range []string{a.gin, a.flask} {
					if got, want := privateLine(t, callerCl, other), line(freshness); got != want {
						t.Errorf("the caller on %s after pressing: %q, want %q", other, got, want)
					}
				}
				if tc.remember {
					// Its new remember cookie alone logs in, on both apps.
					for _, other := range []string{a.gin, a.flask} {
						alone := newClient(t)
						alone.SetCookie("remember_token", callerCl.Cookie("remember_token"))
						if got := privateLine(t, alone, other); got != line("not fresh") {
							t.Errorf("the caller's new remember cookie alone on %s: %q", other, got)
						}
					}
				}
			}

			// Everyone else is logged out, Chromium (re-loading /private)
			// included.
			for _, d := range devices {
				if d.name == tc.caller {
					continue
				}
				if got := d.private(t); got != "" {
					t.Errorf("%s after %s pressed: %q, want logged out", d.name, tc.caller, got)
				}
			}
			// The HTTP clients are logged out of the other app too.
			for _, d := range []struct {
				name string
				cl   *client
			}{{"gin client", ginCl}, {"flask client", flaskCl}} {
				if d.name == tc.caller {
					continue
				}
				for _, base := range []string{a.gin, a.flask} {
					if got := privateLine(t, d.cl, base); got != "" {
						t.Errorf("%s on %s after %s pressed: %q, want logged out", d.name, base, tc.caller, got)
					}
				}
			}
			// The remember cookie copied before logs in nowhere.
			for _, base := range []string{a.gin, a.flask} {
				cl := newClient(t)
				cl.SetCookie("remember_token", oldRemember)
				if got := privateLine(t, cl, base); got != "" {
					t.Errorf("the old remember cookie on %s: %q, want logged out", base, got)
				}
				if r := cl.get(base + "/"); r.line() != "Hello, anonymous" {
					t.Errorf("the old remember cookie on %s /: %q", base, r.line())
				}
			}
		})
	}
}

// sameStateAfterRevoke: "Log out other devices" on a login restored from
// the remember cookie leaves the same session on both sides (the user
// under a new token, still not fresh) and sets the same new remember
// cookie.
func sameStateAfterRevoke(t *testing.T, a apps) {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte(testKey)})
	if err != nil {
		t.Fatal(err)
	}
	decode := func(base, v string) map[string]any {
		t.Helper()
		s, err := codec.Decode(v)
		if err != nil {
			t.Fatalf("%s session cookie: %v", base, err)
		}
		return s
	}
	var sessions []map[string]any
	var remembers []string
	for _, base := range []string{a.gin, a.flask} {
		cl := newClient(t)
		logIn(t, cl, base, trickyName, true, "")
		cl.SetCookie("session", "")
		cl.get(base + "/private")
		oldID := decode(base, cl.Cookie("session"))["_user_id"]
		r := pressLogoutOthers(t, cl, base)
		s := decode(base, r.CookieValue(t, "session"))
		id, _ := s["_user_id"].(string)
		name, tok, _ := strings.Cut(strings.TrimPrefix(id, trickyName), ":")
		if name != "" || !validToken(tok) || id == oldID {
			t.Errorf("%s: _user_id %q after the rotation, before %q", base, id, oldID)
		}
		s["_user_id"] = "NAME:TOKEN" // each app drew its own token
		sessions = append(sessions, s)
		rc, _ := r.Cookie(t, "remember_token")
		rc = strings.Replace(rc, tok, "TOKEN", 1)
		remembers = append(remembers, digestRE.ReplaceAllString(expiresRE.ReplaceAllString(rc, "Expires=..."), "|DIGEST"))
	}
	sameSession(t, sessions[0], sessions[1])
	if remembers[0] != remembers[1] || !strings.Contains(remembers[0], "TOKEN|DIGEST") {
		t.Errorf("remember cookie:\n gin  %s\n flask %s", remembers[0], remembers[1])
	}
}

var digestRE = regexp.MustCompile(`\|[0-9a-f]{128}`)
