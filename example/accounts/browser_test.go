package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/ginflask/flasksession/internal/realtest"
)

// TestBrowserRememberMe logs in with "remember me" on the Gin app in
// headless Chromium, drops the session cookie, and is still logged in, not
// fresh; the settings page then asks for the password again. The login
// form carries its CSRF token, and with a forged one it is refused. Chromium
// then takes the same remember cookie to flask_app.py, which logs it in
// too; Flask's login form posted to the Gin app from the Flask page is
// refused as cross-origin, and posted to Flask it logs in on both.
func TestBrowserRememberMe(t *testing.T) {
	chromium := ""
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			chromium = path
			break
		}
	}
	if chromium == "" {
		realtest.Missing(t, "headless Chromium is not installed (Debian: apt-get install chromium)")
		return
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
	base := startGin(t, "basic")

	// No internet here: keep Chromium from calling home.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	// A guard against a hung browser, not a timing assertion.
	guard, cancelGuard := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelGuard()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(guard, opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	open := func(u string) {
		t.Helper()
		step("opening "+u, chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body"))))
	}
	text := func(css string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		step("reading "+css, err)
		return strings.TrimSpace(s)
	}
	location := func() string {
		t.Helper()
		u, err := chromedp.Run(ctx, chromedp.Location())
		step("reading the URL", err)
		return u
	}
	flashes := func() []string {
		t.Helper()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("ul.flashes li"), li => li.className + ": " + li.textContent)`))
		step("reading the flashes", err)
		return l
	}
	cookies := func() map[string]*network.Cookie {
		t.Helper()
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
		step("reading cookies", err)
		m := map[string]*network.Cookie{}
		for _, c := range res.Cookies {
			m[c.Name] = c
		}
		return m
	}
	dropSession := func() {
		t.Helper()
		_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "session", URL: base + "/"})
		step("deleting the session cookie", err)
	}
	submitLogin := func(name string, remember bool) {
		t.Helper()
		step("filling in the form", chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
		))
		if remember {
			step("ticking remember me", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="remember"]`))))
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`input[type="submit"]`)))
		step("submitting the form", err)
		if resp.Status != 200 {
			t.Fatalf("after submitting: %d %s", resp.Status, resp.URL)
		}
	}

	formToken := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="csrf_token"]').value`))
		step("reading the CSRF field", err)
		return v
	}
	// submitRefused submits the open login form and expects a refusal.
	submitRefused := func(status int64, reason string) {
		t.Helper()
		step("filling in the form", chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "Mallory"),
		))
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`input[type="submit"]`)))
		step("submitting the form", err)
		if resp.Status != status || text("body") != reason {
			t.Errorf("submitted: %d %q, want %d %q", resp.Status, text("body"), status, reason)
		}
	}

	// /private sends the anonymous browser to the login page.
	open(base + "/private")
	if got := location(); got != base+"/login?next=%2Fprivate" {
		t.Errorf("anonymous /private went to %s", got)
	}
	if got := flashes(); len(got) != 1 || got[0] != "message: Please log in to access this page." {
		t.Errorf("login page flashes %q", got)
	}

	// The form carries Flask-WTF's hidden field, filled by csrf.Protect.
	if tok := formToken(); strings.Count(tok, ".") != 2 {
		t.Errorf("login form's CSRF token %q, want a signed token", tok)
	}
	before := time.Now()
	submitLogin("Ada Lovelace", true)
	if got, want := location(), base+"/private"; got != want {
		t.Errorf("after login: %s, want %s (the next parameter)", got, want)
	}
	if got := text("#status"); got != "Private page of Ada Lovelace (fresh)" {
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
	open(base + "/private")
	if got := text("#status"); got != "Private page of Ada Lovelace (not fresh)" {
		t.Errorf("with the remember cookie only: %q", got)
	}
	if _, ok := cookies()["session"]; !ok {
		t.Error("no new session cookie after the remember cookie logged the browser in")
	}

	// A fresh login is needed for the settings.
	open(base + "/settings")
	if got := location(); got != base+"/login?next=%2Fsettings" {
		t.Errorf("stale /settings went to %s", got)
	}
	if got := flashes(); len(got) != 1 || got[0] != "message: Please reauthenticate to access this page." {
		t.Errorf("reauthenticate flashes %q", got)
	}
	submitLogin("Ada Lovelace", false)
	if got := text("#status"); got != "Settings of Ada Lovelace" {
		t.Errorf("after logging in again: %q", got)
	}

	// A form whose token was changed is refused with Flask-WTF's reason.
	open(base + "/login")
	_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="csrf_token"]').value = "forged"`))
	step("forging the token", err)
	submitRefused(400, "The CSRF token is invalid.")
	open(base + "/private") // the refused post changed nothing
	if got := text("#status"); got != "Private page of Ada Lovelace (fresh)" {
		t.Errorf("after the refused post: %q", got)
	}

	t.Run("flask twin", func(t *testing.T) {
		// Cookies are per host, not per port: the Flask app gets the same ones.
		flask := startFlask(t, "basic")
		dropSession()
		open(flask + "/private")
		if got := text("#status"); got != "Private page of Ada Lovelace (not fresh)" {
			t.Errorf("flask_app.py with the Gin remember cookie: %q", got)
		}
		open(flask + "/logout")
		if got := text("#status"); got != "Hello, anonymous" {
			t.Errorf("after logout on flask: %q", got)
		}
		open(base + "/private")
		if got := location(); got != base+"/login?next=%2Fprivate" {
			t.Errorf("the Gin app after logout on flask went to %s", got)
		}
		if _, ok := cookies()["remember_token"]; ok {
			t.Error("the remember cookie outlived the logout")
		}

		// Flask's login form, token and all, sent to the Gin app from the
		// Flask page: another origin (another port), so Chromium marks it
		// Sec-Fetch-Site: same-site and the Gin app refuses it before
		// looking at the (valid) token.
		open(flask + "/login")
		_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form").action = "`+base+`/login"`))
		step("pointing the Flask form at the Gin app", err)
		submitRefused(403, "The request is cross-origin.")

		// Submitted where it belongs, Flask-WTF accepts its form, and the
		// Gin app sees the login.
		open(flask + "/login")
		if tok := formToken(); strings.Count(tok, ".") != 2 {
			t.Errorf("Flask login form's CSRF token %q", tok)
		}
		submitLogin("Grace Hopper", false)
		if got := text("#status"); got != "Hello, Grace Hopper" {
			t.Errorf("after logging in on flask: %q", got)
		}
		open(base + "/private")
		if got := text("#status"); got != "Private page of Grace Hopper (fresh)" {
			t.Errorf("the Gin app after logging in on flask: %q", got)
		}
	})
}
