package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/ginflask/flasksession/internal/exampletest"
)

// A real browser logs in and out of the built example: it fills in the
// form, sees the name and the flash, reloads, logs out, logs in again with
// "remember me" and finds a cookie that lasts 31 days.
func TestBrowser(t *testing.T) {
	b := exampletest.NewBrowser(t)
	base, _ := startExample(t, testKey)

	sessionCookie := func() *network.Cookie {
		t.Helper()
		return b.Cookies(base + "/")["session"]
	}
	login := func(name string, remember bool) {
		t.Helper()
		b.Open(base + "/login")
		b.FillLogin(name, remember)
		if resp := b.Submit(); resp.Status != 200 || !strings.HasSuffix(resp.URL, "/") {
			t.Fatalf("after submitting: %d %s, want 200 on /", resp.Status, resp.URL)
		}
	}
	logout := func() {
		t.Helper()
		b.Open(base + "/logout")
		if got := b.Text("#status"); got != "You are not logged in" {
			t.Errorf("after logout: %q", got)
		}
		if got := b.Flashes(); len(got) != 1 || got[0] != "message: Logged out" {
			t.Errorf("after logout: flashes %q", got)
		}
	}

	b.Open(base + "/")
	if got := b.Text("#status"); got != "You are not logged in" {
		t.Errorf("first visit: %q", got)
	}

	login("Ada <Lovelace>", false)
	if got := b.Text("#status"); got != "Logged in as Ada <Lovelace>" {
		t.Errorf("after login: %q", got)
	}
	if got := b.Flashes(); len(got) != 1 || got[0] != "message: Logged in" {
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
	if js := b.Eval(`document.cookie`); strings.Contains(js, "session=") {
		t.Errorf("document.cookie shows the session cookie: %q", js)
	}

	b.Do("reloading", chromedp.Reload())
	if got := b.Text("#status"); got != "Logged in as Ada <Lovelace>" {
		t.Errorf("after reload: %q", got)
	}
	if got := b.Flashes(); len(got) != 0 {
		t.Errorf("after reload: flashes %q, want none (shown once)", got)
	}

	logout()

	before := time.Now()
	login("Grace", true)
	after := time.Now()
	if got := b.Text("#status"); got != "Logged in as Grace" {
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
