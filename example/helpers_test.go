package main

import (
	"net/url"
	"testing"

	"github.com/ginflask/flasksession/internal/exampletest"
	"github.com/ginflask/flasksession/internal/webtest"
)

// program is the example program, built once by TestMain.
var program exampletest.Program

func TestMain(m *testing.M) { exampletest.Main(m, &program) }

// startExample runs the built example on a free loopback port with the
// given SECRET_KEY (none if empty) until the test ends, and returns its
// base URL and a function returning what it printed so far.
func startExample(t *testing.T, key string) (baseURL string, output func() string) {
	t.Helper()
	if key == "" {
		return exampletest.Start(t, program)
	}
	return exampletest.Start(t, program, "SECRET_KEY="+key)
}

// browser is one browser: cookies kept as the apps wrote them and shared
// by every port of 127.0.0.1, redirects not followed, so tests see each
// response.
type browser struct{ *webtest.Client }

func newBrowser(t *testing.T) *browser { return &browser{webtest.NewHTTP(t)} }

// response is one HTTP response as a test sees it.
type response struct{ *webtest.Response }

func (b *browser) get(u string) response { return response{b.Get(u)} }

func (b *browser) post(u string, form url.Values) response { return response{b.Post(u, form)} }

// setCookies lists every Set-Cookie header of the response.
func (p response) setCookies() []string { return p.Header.Values("Set-Cookie") }

// loginLine is the page's login line, "Logged in as NAME" or "You are not
// logged in", with NAME as the HTML has it (escaped).
func (p response) loginLine() string { return exampletest.StatusLine(p.Body) }

// flashes lists the page's flashed messages as "category: message".
func (p response) flashes() []string { return exampletest.Flashes(p.Body) }
