package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/ginflask/flasksession/internal/exampletest"
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

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each response.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: exampletest.HTTPClient(jar)}
}

// response is one HTTP response as a test sees it.
type response struct {
	status    int
	body      string
	location  string
	setCookie []string
	header    http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, body := exampletest.Fetch(b.t, b.client, req)
	return response{
		status:    resp.StatusCode,
		body:      body,
		location:  resp.Header.Get("Location"),
		setCookie: resp.Header.Values("Set-Cookie"),
		header:    resp.Header,
	}
}

func (b *browser) get(u string) response {
	b.t.Helper()
	return b.do(exampletest.NewRequest(b.t, http.MethodGet, u, nil))
}

func (b *browser) post(u string, form url.Values) response {
	b.t.Helper()
	return b.do(exampletest.NewRequest(b.t, http.MethodPost, u, form))
}

// loginLine is the page's login line, "Logged in as NAME" or "You are not
// logged in", with NAME as the HTML has it (escaped).
func (p response) loginLine() string { return exampletest.StatusLine(p.body) }

// flashes lists the page's flashed messages as "category: message".
func (p response) flashes() []string { return exampletest.Flashes(p.body) }
