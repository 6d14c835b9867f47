package webtest

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ginflask/flasksession/itsdangerous"
)

// Request is the request Do would send for target with body: the
// client's RemoteAddr (in process), Header and cookies set, no
// Content-Type. It is for a request Do cannot make (a JSON body, another
// Host), changed and then sent with Send, or for a benchmark that serves
// the same request to the Handler many times.
func (c *Client) Request(method, target string, body io.Reader) *http.Request {
	c.t.Helper()
	var req *http.Request
	if c.Handler != nil {
		req = httptest.NewRequest(method, target, body)
		if c.RemoteAddr != "" {
			req.RemoteAddr = c.RemoteAddr
		}
	} else {
		var err error
		if req, err = http.NewRequest(method, target, body); err != nil {
			c.t.Fatalf("%s %s: %v", method, target, err)
		}
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if ch := c.CookieHeader(); ch != "" {
		req.Header.Set("Cookie", ch)
	}
	return req
}

// Send sends req as it is, to the Handler or by HTTP, and keeps the
// cookies the response sets, as Do does.
func (c *Client) Send(req *http.Request) *Response {
	c.t.Helper()
	var resp *http.Response
	if c.Handler != nil {
		rec := httptest.NewRecorder()
		c.Handler.ServeHTTP(rec, req)
		resp = rec.Result()
	} else {
		var err error
		if resp, err = c.http.Do(req); err != nil {
			c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	c.keep(resp.Header)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// SignedID is what a server-side session's cookie value holds under its
// signature, the session ID signed with secretKey as Flask-Session signs
// it (SESSION_USE_SIGNER: salt "flask-session", HMAC key derivation);
// flasksession's own cookies mark a permanent session's ID with ":p"
// there. It fails t unless value is so signed.
func SignedID(t testing.TB, secretKey []byte, value string) string {
	t.Helper()
	s, err := itsdangerous.NewSigner([][]byte{secretKey}, itsdangerous.SignerConfig{
		Salt: []byte("flask-session"), KeyDerivation: itsdangerous.DeriveHMAC,
	})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := s.Unsign([]byte(value))
	if err != nil {
		t.Fatalf("cookie value %q is not a session ID signed as Flask-Session signs it: %v", value, err)
	}
	return string(id)
}

// Cookies returns a copy of the cookies the client holds, name to value
// as written.
func (c *Client) Cookies() map[string]string { return maps.Clone(c.cookies) }
