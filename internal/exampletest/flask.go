package exampletest

import (
	"os/exec"
	"testing"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
)

// PythonModule is a module a Flask twin imports beyond Flask.
type PythonModule struct {
	// Import is the name to import, such as "flask_login".
	Import string
	// Debian is the Debian package that has it, for the skip message.
	Debian string
}

// StartFlask serves the example's Flask twin, flask_app.py in the working
// directory, under py with env until the test ends, and returns its base
// URL. The test skips (or fails under FLASKSESSION_REQUIRE_REAL=1) when py,
// its Flask release or one of the modules is missing.
func StartFlask(t testing.TB, py flaskoracle.Python, env map[string]string, modules ...PythonModule) string {
	t.Helper()
	in := flaskoracle.Require(t, py)
	for _, m := range modules {
		if out, err := exec.Command(in.Path, "-c", "import "+m.Import).CombinedOutput(); err != nil {
			realtest.Missing(t, "%s is not importable under %s (Debian: apt-get install %s): %v: %s", m.Import, in.Path, m.Debian, err, out)
		}
	}
	return flaskoracle.StartApp(t, py, "flask_app.py", env)
}
