package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/ginflask/flasksession/internal/exampletest"
)

// TestBrowserRememberMe logs in with "remember me" on the Gin app in
// headless Chromium, drops the session cookie, and is still logged in, not
// fresh; the settings page then asks for the password again. The login
// form carries its CSRF token, and with a forged one it is refused. Chromium
// then takes the same remember cookie to flask_app.py, which logs it in
// too; Flask's login form posted to the Gin app from the Flask page is
// refused as cross-origin, and posted to Flask it logs in on both.
func TestBrowserRememberMe(t *testing.T) {
	b := exampletest.NewBrowser(t)
	tokens := t.TempDir() // the flask twin shares the users' tokens
	base := startGin(t, "basic", tokens)

	cookies := func() map[string]*network.Cookie {
		t.Helper()
		return b.Cookies(base + "/")
	}
	dropSession := func() {
		t.Helper()
		b.DeleteCookie("session", base+"/")
	}
	submitLogin := func(name string, remember bool) {
		t.Helper()
		b.FillLogin(name, remember)
		if resp := b.Submit(); resp.Status != 200 {
			t.Fatalf("after submitting: %d %s", resp.Status, resp.URL)
		}
	}
	formToken := func() string {
		t.Helper()
		return b.Eval(`document.querySelector('input[name="csrf_token"]').value`)
	}
	// submitRefused submits the open login form and expects a refusal.
	submitRefused := func(status int64, reason string) {
		t.Helper()
		b.FillLogin("Mallory", false)
		if resp := b.Submit(); resp.Status != status || b.Text("body") != reason {
			t.Errorf("submitted: %d %q, want %d %q", resp.Status, b.Text("body"), status, reason)
		}
	}

	// /private sends the anonymous browser to the login page.
	b.Open(base + "/private")
	if got := b.Location(); got != base+"/login?next=%2Fprivate" {
		t.Errorf("anonymous /private went to %s", got)
	}
	if got := b.Flashes(); len(got) != 1 || got[0] != "message: Please log in to access this page." {
		t.Errorf("login page flashes %q", got)
	}

	// The form carries Flask-WTF's hidden field, filled by csrf.Protect.
	if tok := formToken(); strings.Count(tok, ".") != 2 {
		t.Errorf("login form's CSRF token %q, want a signed token", tok)
	}
	before := time.Now()
	submitLogin("Ada Lovelace", true)
	if got, want := b.Location(), base+"/private"; got != want {
		t.Errorf("after login: %s, want %s (the next parameter)", got, want)
	}
	if got := b.Text("#status"); got != "Private page of Ada Lovelace (fresh)" {
		t.Errorf("after login: %q", got)
	}
	rc := cookies()["remember_token"]
	if rc == nil {
		t.Fatal("no remember cookie after logging in with remember me")
	}
	year := before.Add(365 * 24 * time.Hour)
	if exp := time.Unix(int64(rc.Expires), 0); !rc.HTTPOnly || rc.Session || exp.Before(year.Add(-time.Minute)) || exp.After(year.Add(time.Hour)) {
		t.Errorf("remember cookie: HttpOnly %v, session %v, expires %v; want HttpOnly, expiring in 365 days", rc.HTTPOnly, rc.Session, exp)
	}

	// The browser loses its session cookie (closed, expired, cleared).
	dropSession()
	if _, ok := cookies()["session"]; ok {
		t.Fatal("the session cookie is still there")
	}
	b.Open(base + "/private")
	if got := b.Text("#status"); got != "Private page of Ada Lovelace (not fresh)" {
		t.Errorf("with the remember cookie only: %q", got)
	}
	if _, ok := cookies()["session"]; !ok {
		t.Error("no new session cookie after the remember cookie logged the browser in")
	}

	// A fresh login is needed for the settings.
	b.Open(base + "/settings")
	if got := b.Location(); got != base+"/login?next=%2Fsettings" {
		t.Errorf("stale /settings went to %s", got)
	}
	if got := b.Flashes(); len(got) != 1 || got[0] != "message: Please reauthenticate to access this page." {
		t.Errorf("reauthenticate flashes %q", got)
	}
	submitLogin("Ada Lovelace", false)
	if got := b.Text("#status"); got != "Settings of Ada Lovelace" {
		t.Errorf("after logging in again: %q", got)
	}

	// A form whose token was changed is refused with Flask-WTF's reason.
	b.Open(base + "/login")
	b.Eval(`document.querySelector('input[name="csrf_token"]').value = "forged"`)
	submitRefused(400, "The CSRF token is invalid.")
	b.Open(base + "/private") // the refused post changed nothing
	if got := b.Text("#status"); got != "Private page of Ada Lovelace (fresh)" {
		t.Errorf("after the refused post: %q", got)
	}

	t.Run("flask twin", func(t *testing.T) {
		// Cookies are per host, not per port: the Flask app gets the same ones.
		flask := startFlask(t, "basic", tokens)
		dropSession()
		b.Open(flask + "/private")
		if got := b.Text("#status"); got != "Private page of Ada Lovelace (not fresh)" {
			t.Errorf("flask_app.py with the Gin remember cookie: %q", got)
		}
		// Opening /logout only asks; its form's POST logs out.
		b.Open(flask + "/logout")
		if got := b.Text("#status"); got != "Log out Ada Lovelace?" {
			t.Errorf("flask's /logout: %q", got)
		}
		if resp := b.Submit(); resp.Status != 200 || b.Text("#status") != "Hello, anonymous" {
			t.Errorf("after logout on flask: %d %q", resp.Status, b.Text("#status"))
		}
		b.Open(base + "/private")
		if got := b.Location(); got != base+"/login?next=%2Fprivate" {
			t.Errorf("the Gin app after logout on flask went to %s", got)
		}
		if _, ok := cookies()["remember_token"]; ok {
			t.Error("the remember cookie outlived the logout")
		}

		// Flask's login form, token and all, sent to the Gin app from the
		// Flask page: another origin (another port), so Chromium marks it
		// Sec-Fetch-Site: same-site and the Gin app refuses it before
		// looking at the (valid) token.
		b.Open(flask + "/login")
		b.Eval(`document.querySelector("form").action = "` + base + `/login"`)
		submitRefused(403, "The request is cross-origin.")

		// Submitted where it belongs, Flask-WTF accepts its form, and the
		// Gin app sees the login.
		b.Open(flask + "/login")
		if tok := formToken(); strings.Count(tok, ".") != 2 {
			t.Errorf("Flask login form's CSRF token %q", tok)
		}
		submitLogin("Grace Hopper", false)
		if got := b.Text("#status"); got != "Hello, Grace Hopper" {
			t.Errorf("after logging in on flask: %q", got)
		}
		b.Open(base + "/private")
		if got := b.Text("#status"); got != "Private page of Grace Hopper (fresh)" {
			t.Errorf("the Gin app after logging in on flask: %q", got)
		}
	})
}
