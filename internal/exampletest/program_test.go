package exampletest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
)

// Start runs the program with only the given environment, returns once it
// listens, and stops it when the test ends.
func TestStart(t *testing.T) {
	prog, err := build("testdata/greeter", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GREETING", "from the test's own environment")
	tests := []struct {
		name     string
		env      []string
		body     string
		warnings bool // the random-key warning
	}{
		{"key and greeting", []string{"SECRET_KEY=exampletest-key-0123456789abcdef", "GREETING=hello"}, "hello", false},
		{"no key", []string{"GREETING=hi"}, "hi", true},
		{"nothing", nil, "", true},
	}
	for _, tt := range tests {
		var base string
		t.Run(tt.name, func(t *testing.T) {
			var output func() string
			base, output = Start(t, prog, tt.env...)
			if !strings.HasPrefix(base, "http://127.0.0.1:") {
				t.Errorf("base URL %q, want one on 127.0.0.1", base)
			}
			if body := get(t, base); body != tt.body {
				t.Errorf("GET / = %q, want %q", body, tt.body)
			}
			if out := output(); !strings.Contains(out, "Listening on "+base+"\n") || strings.Contains(out, "SECRET_KEY is not set") != tt.warnings {
				t.Errorf("output %q; want the Listening line, key warning %v", out, tt.warnings)
			}
		})
		if resp, err := http.Get(base); err == nil {
			resp.Body.Close()
			t.Errorf("%s: the program still answers after its test ended", tt.name)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A module the Flask twin needs and Python lacks skips the test (fails it
// under FLASKSESSION_REQUIRE_REAL=1) before the app starts.
func TestStartFlaskMissingModule(t *testing.T) {
	t.Setenv(realtest.EnvVar, "")
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		StartFlask(t, flaskoracle.Pythons()[0], nil, PythonModule{Import: "no_such_module_for_exampletest", Debian: "python3-none"})
		t.Error("StartFlask went on without the module")
	})
	if !skipped {
		t.Error("StartFlask did not skip")
	}
}
