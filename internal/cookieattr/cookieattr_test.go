package cookieattr

import (
	"net/http"
	"testing"
)

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"example.com":      "example.com",
		".example.com":     "example.com",
		"example.com:8080": "example.com",
		"..a.b:1":          "a.b",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}

// Werkzeug 3.1's dump_cookie writes the attributes in this order.
func TestTail(t *testing.T) {
	for _, tt := range []struct {
		secure, httpOnly bool
		path             string
		sameSite         http.SameSite
		partitioned      bool
		want             string
	}{
		{false, true, "/", http.SameSiteLaxMode, false, "; HttpOnly; Path=/; SameSite=Lax"},
		{true, true, "/app", http.SameSiteStrictMode, false, "; Secure; HttpOnly; Path=/app; SameSite=Strict"},
		{true, false, "/", http.SameSiteNoneMode, true, "; Secure; Path=/; SameSite=None; Partitioned"},
		{false, false, "/", http.SameSiteDefaultMode, false, "; Path=/"},
	} {
		if got := Tail(tt.secure, tt.httpOnly, tt.path, tt.sameSite, tt.partitioned); got != tt.want {
			t.Errorf("Tail(%v, %v, %q, %v, %v) = %q, want %q", tt.secure, tt.httpOnly, tt.path, tt.sameSite, tt.partitioned, got, tt.want)
		}
	}
}
