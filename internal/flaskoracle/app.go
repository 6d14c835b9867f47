package flaskoracle

import (
	"fmt"
	"github.com/ginflask/flasksession/internal/testserver"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// appStartTimeout bounds how long StartApp waits for the server to answer;
// it only guards against a hang.
const appStartTimeout = 60 * time.Second

// StartApp serves a Flask app with `flask run` under py on a free port of
// 127.0.0.1 until the test ends, and returns its base URL
// ("http://127.0.0.1:PORT"). script is the path of the app's Python file, or,
// when it contains a newline, the app's source itself (written to a
// temporary app.py). The app object is found the way `flask --app` finds it
// (a module-level `app` or `create_app()`). env is added to the process
// environment. Flask's reloader and debugger are off.
//
// It returns once any HTTP response (even a 404) comes back. It skips the
// test (or fails it, under FLASKSESSION_REQUIRE_REAL=1) when py or Flask is
// missing or has the wrong Flask version (see Require).
func StartApp(tb testing.TB, py Python, script string, env map[string]string) (baseURL string) {
	tb.Helper()
	path := Require(tb, py).Path
	if strings.Contains(script, "\n") {
		file := filepath.Join(tb.TempDir(), "app.py")
		if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
			tb.Fatalf("flaskoracle: %v", err)
		}
		script = file
	} else if abs, err := filepath.Abs(script); err == nil {
		script = abs
	}
	if _, err := os.Stat(script); err != nil {
		tb.Fatalf("flaskoracle: app script: %v", err)
	}

	var lastOut string
	// A port picked by listening on :0 can be taken before Flask binds it;
	// try a few.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := testserver.FreePort()
		if err != nil {
			tb.Fatalf("flaskoracle: no free port: %v", err)
		}
		url, out, ok := runApp(tb, path, script, port, env)
		if ok {
			return url
		}
		lastOut = out
		if !strings.Contains(out, "in use") {
			break
		}
	}
	tb.Fatalf("flaskoracle: Flask app %s under %s did not start; output:\n%s", script, py.Name, lastOut)
	return ""
}

// runApp starts one server; on failure it has already stopped it.
func runApp(tb testing.TB, python, script string, port int, env map[string]string) (url, output string, ok bool) {
	tb.Helper()
	cmd := exec.Command(python, "-m", "flask", "--app", script, "run",
		"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--no-reload", "--no-debugger")
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "FLASK_DEBUG=0")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &tailBuffer{max: 32 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("flaskoracle: start flask: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		cmd.Process.Kill()
		<-exited
	}

	url = fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(appStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", out.String(), false
		default:
		}
		resp, err := client.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			tb.Cleanup(func() {
				stop()
				if tb.Failed() {
					tb.Logf("flaskoracle: Flask app output:\n%s", out)
				}
			})
			return url, "", true
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", out.String() + "\n(no answer within " + appStartTimeout.String() + ")", false
}
