package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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
	return &browser{t: t, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
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
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return response{
		status:    resp.StatusCode,
		body:      string(body),
		location:  resp.Header.Get("Location"),
		setCookie: resp.Header.Values("Set-Cookie"),
		header:    resp.Header,
	}
}

func (b *browser) get(u string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var (
	statusRE = regexp.MustCompile(`<p id="status">([^<]*)</p>`)
	flashRE  = regexp.MustCompile(`<li class="([^"]*)">([^<]*)</li>`)
)

// loginLine is the page's login line, "Logged in as NAME" or "You are not
// logged in", with NAME as the HTML has it (escaped).
func (p response) loginLine() string {
	m := statusRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// flashes lists the page's flashed messages as "category: message".
func (p response) flashes() []string {
	var out []string
	for _, m := range flashRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return out
}
