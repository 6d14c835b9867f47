package exampletest

import (
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
