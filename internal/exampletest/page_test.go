package exampletest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
)

func TestStatusLineFlashes(t *testing.T) {
	tests := []struct {
		body    string
		status  string
		flashes []string
	}{
		{"", "", nil},
		{`<p id="status">Logged in as a &amp; b</p>`, "Logged in as a &amp; b", nil},
		{`<p id="other">x</p><p id="status"></p>`, "", nil},
		{"<ul class=\"flashes\">\n<li class=\"message\">Logged in</li>\n<li class=\"error\">&lt;oops&gt;</li>\n</ul>\n<p id=\"status\">Hello, anonymous</p>",
			"Hello, anonymous", []string{"message: Logged in", "error: &lt;oops&gt;"}},
	}
	for _, tt := range tests {
		if got := StatusLine(tt.body); got != tt.status {
			t.Errorf("StatusLine(%q) = %q, want %q", tt.body, got, tt.status)
		}
		if got := Flashes(tt.body); !slices.Equal(got, tt.flashes) {
			t.Errorf("Flashes(%q) = %q, want %q", tt.body, got, tt.flashes)
		}
	}
}

// Fetch shows a redirect instead of following it, and a form post arrives
// as a form.
func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.WriteString(w, r.PostFormValue("name"))
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	client := HTTPClient(nil)

	resp, _ := Fetch(t, client, NewRequest(t, http.MethodGet, srv.URL+"/", nil))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/elsewhere" {
		t.Errorf("GET: %d %q, want the redirect itself", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := Fetch(t, client, NewRequest(t, http.MethodPost, srv.URL+"/", url.Values{"name": {"a&b c"}}))
	if resp.StatusCode != http.StatusOK || body != "a&b c" {
		t.Errorf("POST: %d %q, want 200 %q", resp.StatusCode, body, "a&b c")
	}
}
