package exampletest

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

// Browser is one headless Chromium tab (Debian's chromium) driven by a
// test; every method fails the test on an error.
type Browser struct {
	t testing.TB
	// Ctx is the tab, for chromedp calls the methods do not cover.
	Ctx context.Context
}

// chromiumPath finds Debian's chromium (package "chromium").
func chromiumPath() (string, bool) {
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, true
		}
	}
	return "", false
}

// NewBrowser starts headless Chromium with a profile of its own for the
// test and closes it when the test ends. Without Chromium the test skips
// (or fails under FLASKSESSION_REQUIRE_REAL=1); under -short it skips.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	chromium, ok := chromiumPath()
	if !ok {
		realtest.Missing(t, "headless Chromium is not installed (Debian: apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
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
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(guard, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		cancelGuard()
	})
	return &Browser{t: t, Ctx: ctx}
}

// Do runs the actions; what names them in the failure.
func (b *Browser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Open loads url and waits for its body.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.Do("opening "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// Text is the trimmed text of the first element css selects.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// Location is the URL of the page.
func (b *Browser) Location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("reading the URL: %v", err)
	}
	return u
}

// Eval runs a script in the page and returns its string result.
func (b *Browser) Eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// Flashes lists the page's flashed messages (the examples' ul.flashes) as
// "category: message".
func (b *Browser) Flashes() []string {
	b.t.Helper()
	l, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("ul.flashes li"), li => li.className + ": " + li.textContent)`))
	if err != nil {
		b.t.Fatalf("reading the flashes: %v", err)
	}
	return l
}

// Cookies are the cookies the browser would send to url, by name.
func (b *Browser) Cookies(url string) map[string]*network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.Ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		b.t.Fatalf("reading cookies: %v", err)
	}
	m := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		m[c.Name] = c
	}
	return m
}

// DeleteCookie drops the browser's cookie name for url.
func (b *Browser) DeleteCookie(name, url string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.Ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: url}); err != nil {
		b.t.Fatalf("deleting the %s cookie: %v", name, err)
	}
}

// FillLogin types name into the open login form's username field and
// ticks "remember me" if asked; Submit sends it.
func (b *Browser) FillLogin(name string, remember bool) {
	b.t.Helper()
	b.Do("filling in the form",
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
	)
	if remember {
		b.Do("ticking remember me", chromedp.Click(chromedp.CSS(`input[name="remember"]`)))
	}
}

// Submit clicks the page's submit button and returns the response of the
// page it leads to, after any redirects.
func (b *Browser) Submit() *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(`input[type="submit"]`)))
	if err != nil {
		b.t.Fatalf("submitting the form: %v", err)
	}
	return resp
}
