package webtest

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/itsdangerous"
)

// Request carries what Do would send, and Send keeps the cookies, in
// process and by HTTP.
func TestRequestSend(t *testing.T) {
	eachMode(t, func(t *testing.T, c *Client, base string) {
		c.Header.Set("User-Agent", "webtest/1")
		c.RemoteAddr = "192.0.2.1:41000"
		c.Send(c.Request(http.MethodGet, base+"/set", nil))
		if got := c.CookieHeader(); got != `a=1; b="x\054y"` {
			t.Errorf("after Send, CookieHeader() = %q", got)
		}
		if got := c.Cookies(); !maps.Equal(got, map[string]string{"a": "1", "b": `"x\054y"`}) {
			t.Errorf("Cookies() = %q", got)
		}
		req := c.Request(http.MethodPost, base+"/echo", strings.NewReader("f=v"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		want := `a=1; b="x\054y"|v|webtest/1|`
		if c.Handler != nil {
			want += "192.0.2.1:41000"
		}
		if r := c.Send(req); !strings.HasPrefix(r.Body, want) || c.Handler != nil && r.Body != want {
			t.Errorf("echo = %q, want %q", r.Body, want)
		}
	})
}

func TestSignedID(t *testing.T) {
	key := []byte("webtest key")
	s, err := itsdangerous.NewSigner([][]byte{key}, itsdangerous.SignerConfig{Salt: []byte("flask-session"), KeyDerivation: itsdangerous.DeriveHMAC})
	if err != nil {
		t.Fatal(err)
	}
	if got := SignedID(t, key, string(s.Sign([]byte("abc:p")))); got != "abc:p" {
		t.Errorf("SignedID = %q, want abc:p", got)
	}
}
