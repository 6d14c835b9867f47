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

// chromiumPath finds Debian's chromium (package "chromium").
func chromiumPath() (string, bool) {
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, true
		}
	}
	return "", false
}

// A real browser logs in and out of the built example: it fills in the
// form, sees the name and the flash, reloads, logs out, logs in again with
// "remember me" and finds a cookie that lasts 31 days.
func TestBrowser(t *testing.T) {
	chromium, ok := chromiumPath()
	if !ok {
		realtest.Missing(t, "headless Chromium is not installed (Debian: apt-get install chromium)")
		return
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
	base, _ := startExample(t, testKey)

	// The machine may have no internet: these flags keep Chromium from
	// calling home and flooding refused connections.
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
	text := func(css string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		step("reading "+css, err)
		return strings.TrimSpace(s)
	}
	flashes := func() []string {
		t.Helper()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("ul.flashes li"), li => li.className + ": " + li.textContent)`))
		step("reading the flashes", err)
		return l
	}
	sessionCookie := func() *network.Cookie {
		t.Helper()
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
		step("reading cookies", err)
		for _, c := range res.Cookies {
			if c.Name == "session" {
				return c
			}
		}
		return nil
	}
	login := func(name string, remember bool) {
		t.Helper()
		step("opening /login", chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
		))
		if remember {
			step("ticking remember me", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="remember"]`))))
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`input[type="submit"]`)))
		step("submitting the form", err)
		if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/") {
			t.Fatalf("after submitting: %d %s, want 200 on /", resp.Status, resp.URL)
		}
	}
	logout := func() {
		t.Helper()
		step("opening /logout", chromedp.Do(ctx, chromedp.Navigate(base+"/logout")))
		if got := text("#status"); got != "You are not logged in" {
			t.Errorf("after logout: %q", got)
		}
		if got := flashes(); len(got) != 1 || got[0] != "message: Logged out" {
			t.Errorf("after logout: flashes %q", got)
		}
	}

	step("opening /", chromedp.Do(ctx, chromedp.Navigate(base+"/")))
	if got := text("#status"); got != "You are not logged in" {
		t.Errorf("first visit: %q", got)
	}

	login("Ada <Lovelace>", false)
	if got := text("#status"); got != "Logged in as Ada <Lovelace>" {
		t.Errorf("after login: %q", got)
	}
	if got := flashes(); len(got) != 1 || got[0] != "message: Logged in" {
		t.Errorf("after login: flashes %q, want [message: Logged in]", got)
	}
	c := sessionCookie()
	if c == nil {
		t.Fatal("no session cookie after login")
	}
	if !c.Session || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
		t.Errorf("cookie without remember me: session %v, HttpOnly %v, SameSite %q, Path %q; want a browser-session, HttpOnly, Lax cookie on /",
			c.Session, c.HTTPOnly, c.SameSite, c.Path)
	}
	// HttpOnly: page scripts cannot read it.
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	step("reading document.cookie", err)
	if strings.Contains(js, "session=") {
		t.Errorf("document.cookie shows the session cookie: %q", js)
	}

	step("reloading", chromedp.Do(ctx, chromedp.Reload()))
	if got := text("#status"); got != "Logged in as Ada <Lovelace>" {
		t.Errorf("after reload: %q", got)
	}
	if got := flashes(); len(got) != 0 {
		t.Errorf("after reload: flashes %q, want none (shown once)", got)
	}

	logout()

	before := time.Now()
	login("Grace", true)
	after := time.Now()
	if got := text("#status"); got != "Logged in as Grace" {
		t.Errorf("after the remembered login: %q", got)
	}
	c = sessionCookie()
	if c == nil {
		t.Fatal("no session cookie after the remembered login")
	}
	// Expires is sent in whole seconds; the browser stores it as given.
	expires := time.Unix(int64(c.Expires), 0)
	const lifetime = 31 * 24 * time.Hour
	if lo, hi := before.Add(lifetime).Add(-time.Second), after.Add(lifetime).Add(time.Second); c.Session || expires.Before(lo) || expires.After(hi) {
		t.Errorf("remembered cookie: session %v, expires %v; want a persistent cookie expiring 31 days from now (%v .. %v)",
			c.Session, expires.UTC(), lo.UTC(), hi.UTC())
	}

	logout()
	if c := sessionCookie(); c != nil && c.Session {
		t.Errorf("after logout the remembered session became a browser-session cookie: %+v", c)
	}
}
