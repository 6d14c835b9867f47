// Package doctest checks the whole programs the guides show: each is
// built from the guide's own text, in a module of its own outside this
// repository, and run.
package doctest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
)

// root is the repository's directory.
func root(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// program returns the Go program the guide marks with
// "<!-- program: NAME -->" before its code block.
func program(t *testing.T, guide, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), guide))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- program: "+name+" -->\n```go\n")
	code, _, ok2 := strings.Cut(rest, "\n```\n")
	if !ok || !ok2 {
		t.Fatalf("%s has no program %q", guide, name)
	}
	return code + "\n"
}

// BuildOutside builds the main package in files (name → content) as a
// module of its own in a temporary directory, with this repository as
// the flasksession module, and returns the binary.
func BuildOutside(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := filepath.Abs(root(t))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/copied\n\ngo 1.25\n\nrequire github.com/ginflask/flasksession v0.0.0\n\nreplace github.com/ginflask/flasksession => " + repo + "\n"
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "program")
	cmd := exec.Command("go", "build", "-mod=mod", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building outside the repository: %v\n%s", err, out)
	}
	return bin
}

// run starts bin with env on a free loopback port until the test ends and
// returns its base URL once it answers.
func run(t *testing.T, bin string, env ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "GIN_MODE=release", "ADDR=" + addr}, env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("program output:\n%s", out.String())
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			return base
		}
	}
	t.Fatalf("the program did not answer on %s", addr)
	return ""
}

// flaskLogin is a Flask-Login app that says who is logged in.
const flaskLogin = `
import os
from flask import Flask
from flask_login import LoginManager, UserMixin, current_user

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
login_manager = LoginManager(app)

class User(UserMixin):
    def __init__(self, id):
        self.id = id

@login_manager.user_loader
def load_user(user_id):
    return User(user_id)

@app.route("/whoami")
def whoami():
    return current_user.id if current_user.is_authenticated else "anonymous"
`

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// The program at the top of docs/flask-login.md logs in through its form
// with a CSRF token and "remember me"; a Flask-Login app on the same key
// sees the user, from the session cookie and from the remember cookie.
func TestLoginProgram(t *testing.T) {
	const key = "doctest-secret-key-0123456789abcdef"
	py := flaskoracle.Debian
	in := flaskoracle.Require(t, py)
	if out, err := exec.Command(in.Path, "-c", "import flask_login").CombinedOutput(); err != nil {
		realtest.Missing(t, "flask_login is not importable under %s (Debian: apt-get install python3-flask-login): %v: %s", in.Path, err, out)
	}
	bin := BuildOutside(t, map[string]string{"main.go": program(t, "docs/flask-login.md", "login")})
	base := run(t, bin, "SECRET_KEY="+key)
	flask := flaskoracle.StartApp(t, py, flaskLogin, map[string]string{"SECRET_KEY": key})

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) string {
		t.Helper()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	m := tokenRE.FindStringSubmatch(get(base + "/"))
	if m == nil {
		t.Fatal("the login page has no CSRF token")
	}
	if body := get(base + "/private"); strings.Contains(body, "Hello") {
		t.Fatalf("/private before the login: %s", body)
	}
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"ada"}, "remember": {"y"}, "csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Hello, ada") {
		t.Fatalf("after the login form: %d %s", resp.StatusCode, b)
	}

	// The same cookies, sent to the Flask app (another port, one host).
	cookies := jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(base, "http://")})
	for _, only := range []string{"session", "remember_token"} {
		req, _ := http.NewRequest("GET", flask+"/whoami", nil)
		for _, c := range cookies {
			if c.Name == only {
				req.AddCookie(c)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "ada" {
			t.Errorf("Flask-Login with only the %s cookie: %q, want ada", only, b)
		}
	}
}

// exampleFiles returns the files a user copies of an example directory:
// all but its tests and its Flask twin, and no subdirectory holding Go
// files (another program).
func exampleFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	base := filepath.Join(root(t), dir)
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if gos, _ := filepath.Glob(filepath.Join(p, "*.go")); p != base && len(gos) > 0 {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, ".py") {
			return nil
		}
		rel, _ := filepath.Rel(base, p)
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Each example directory is a program a user can copy: it imports nothing
// internal to this module, and builds as a module of its own.
func TestExamplesBuildOutside(t *testing.T) {
	for _, dir := range []string{"example", "example/accounts"} {
		t.Run(dir, func(t *testing.T) {
			files := exampleFiles(t, dir)
			for name, src := range files {
				if strings.HasSuffix(name, ".go") && strings.Contains(src, "flasksession/internal/") {
					t.Errorf("%s/%s imports an internal package: a copy does not build", dir, name)
				}
			}
			BuildOutside(t, files)
		})
	}
}
