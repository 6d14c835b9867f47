package exampletest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// HTTPClient returns a client that does not follow redirects, so a test
// sees each response; jar may be nil. Its timeout guards against a hung
// server, it is not a timing assertion.
func HTTPClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// NewRequest is a request for u: a form post when form is not nil.
func NewRequest(t testing.TB, method, u string, form url.Values) *http.Request {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// Fetch sends req with client and returns the response with its whole
// body read; an error fails the test.
func Fetch(t testing.TB, client *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

var (
	statusRE = regexp.MustCompile(`<p id="status">([^<]*)</p>`)
	flashRE  = regexp.MustCompile(`<li class="([^"]*)">([^<]*)</li>`)
)

// StatusLine is the text of an example page's <p id="status">, as the
// HTML has it (escaped); "" if there is none.
func StatusLine(body string) string {
	m := statusRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// Flashes lists an example page's flashed messages as "category:
// message", as the HTML has them (escaped).
func Flashes(body string) []string {
	var out []string
	for _, m := range flashRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return out
}
