// Package webtest is the HTTP harness of this module's tests: a Client
// that behaves as one browser, against a handler in process or a server
// at a base URL (a Go app, a Flask app, both: browsers share cookies
// across ports of one host).
//
// The Client keeps cookies by hand, as the servers wrote them: Go's
// cookiejar rewrites values (it drops the octal escapes Werkzeug writes)
// and hides attributes, and these tests compare Set-Cookie headers byte
// for byte. It never follows redirects, so every response is seen.
package webtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Client is one browser. Its methods fail the test on a transport error.
type Client struct {
	t testing.TB
	// Handler, when set, serves the requests in process: targets are
	// paths ("/login"). Otherwise targets are whole URLs, sent by HTTP.
	Handler http.Handler
	// Header is sent with every request (User-Agent, say).
	Header http.Header
	// RemoteAddr is the client's address for in-process requests
	// ("192.0.2.1:41000"); httptest's default otherwise.
	RemoteAddr string

	http    *http.Client
	cookies map[string]string
	order   []string // cookie names in the order first set
}

// New returns a Client that sends its requests to h in process.
func New(t testing.TB, h http.Handler) *Client {
	c := NewHTTP(t)
	c.Handler = h
	return c
}

// NewHTTP returns a Client that sends its requests by HTTP to whole URLs.
func NewHTTP(t testing.TB) *Client {
	return &Client{
		t:      t,
		Header: http.Header{},
		http: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       time.Minute, // a guard against a hung server, not a timing assertion
		},
		cookies: map[string]string{},
	}
}

// Response is a finished response.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Get sends a GET.
func (c *Client) Get(target string) *Response { return c.Do(http.MethodGet, target, nil, nil) }

// Post sends a POST of form (none if nil).
func (c *Client) Post(target string, form url.Values) *Response {
	return c.Do(http.MethodPost, target, form, nil)
}

// Do sends one request with the client's cookies and Header, plus hdr
// (whose Cookie, if any, replaces the client's), and keeps the cookies
// the response sets: a value sets one, an empty value or a Max-Age of
// zero or less removes it. form, if not nil, is the urlencoded body.
func (c *Client) Do(method, target string, form url.Values, hdr http.Header) *Response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := c.Request(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	return c.Send(req)
}

// keep stores the cookies a response sets.
func (c *Client) keep(h http.Header) {
	for _, raw := range h.Values("Set-Cookie") {
		name, value, deleted := parseSetCookie(raw)
		if deleted {
			value = ""
		}
		c.SetCookie(name, value)
	}
}

// parseSetCookie reads a Set-Cookie header as a browser keeps it: the
// value exactly as written, and whether the header deletes the cookie.
func parseSetCookie(raw string) (name, value string, deleted bool) {
	pair, attrs, _ := strings.Cut(raw, ";")
	name, value, _ = strings.Cut(pair, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	for a := range strings.SplitSeq(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(a), "=")
		if strings.EqualFold(k, "Max-Age") && (strings.HasPrefix(v, "-") || strings.TrimLeft(v, "0") == "") {
			deleted = true
		}
	}
	return name, value, deleted || value == ""
}

// Cookie is the value the client holds for name, "" for none.
func (c *Client) Cookie(name string) string { return c.cookies[name] }

// SetCookie sets the cookie the client sends as name, or with "" removes
// it.
func (c *Client) SetCookie(name, value string) {
	if value == "" {
		delete(c.cookies, name)
		return
	}
	if _, ok := c.cookies[name]; !ok {
		c.order = append(c.order, name)
	}
	c.cookies[name] = value
}

// ClearCookies forgets every cookie: a new visitor in the same client.
func (c *Client) ClearCookies() {
	clear(c.cookies)
	c.order = c.order[:0]
}

// CookieHeader is the Cookie header the client sends, cookies in the
// order they were first set; "" for none.
func (c *Client) CookieHeader() string {
	var parts []string
	for _, n := range c.order {
		if v, ok := c.cookies[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// SetCookies returns the raw Set-Cookie headers for name.
func (r *Response) SetCookies(name string) []string {
	var out []string
	for _, v := range r.Header.Values("Set-Cookie") {
		if n, _, _ := strings.Cut(v, "="); strings.TrimSpace(n) == name {
			out = append(out, v)
		}
	}
	return out
}

// Cookie returns the only Set-Cookie for name, failing t if there are
// several; ok is false when there is none.
func (r *Response) Cookie(t testing.TB, name string) (raw string, ok bool) {
	t.Helper()
	cs := r.SetCookies(name)
	switch len(cs) {
	case 0:
		return "", false
	case 1:
		return cs[0], true
	}
	t.Fatalf("%d Set-Cookie headers for %q: %q", len(cs), name, cs)
	return "", false
}

// CookieValue returns the value of the only Set-Cookie for name, failing
// t if there is none.
func (r *Response) CookieValue(t testing.TB, name string) string {
	t.Helper()
	raw, ok := r.Cookie(t, name)
	if !ok {
		t.Fatalf("no Set-Cookie for %q; headers: %v", name, r.Header)
	}
	_, value, _ := parseSetCookie(raw)
	return value
}

// IsDeletion reports whether a raw Set-Cookie removes its cookie.
func IsDeletion(raw string) bool {
	_, _, deleted := parseSetCookie(raw)
	return deleted
}

// Location is the response's Location header.
func (r *Response) Location() string { return r.Header.Get("Location") }
