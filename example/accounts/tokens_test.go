package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
)

// The token store: a file per user, the loader takes only the current
// token, a rotation refuses every ID handed out before.
func TestTokenStore(t *testing.T) {
	s, err := openTokenStore(filepath.Join(t.TempDir(), "tokens"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"alice", trickyName, "a:b:c", ""} {
		tok, err := s.ensure(name)
		if err != nil || !validToken(tok) {
			t.Fatalf("ensure(%q) = %q, %v", name, tok, err)
		}
		if again, _ := s.ensure(name); again != tok {
			t.Errorf("ensure(%q) again = %q, want %q", name, again, tok)
		}
		sum := sha256.Sum256([]byte(name))
		fi, err := os.Stat(filepath.Join(s.dir, hex.EncodeToString(sum[:])))
		if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%q's token file: %v, %v; want mode 0600", name, fi, err)
		}
		u, err := s.loadUser(ctx, name+":"+tok)
		if err != nil || u != (user{name, tok}) {
			t.Errorf("loadUser(%q) = %#v, %v", name+":"+tok, u, err)
		}
		nu, err := s.revokeLogins(ctx, u)
		if err != nil || nu.ID() == u.ID() || nu.(user).name != name {
			t.Fatalf("revokeLogins = %#v, %v", nu, err)
		}
		for _, id := range []string{u.ID(), name, name + ":", name + ":" + strings.ToUpper(tok), "nobody:" + tok} {
			if u, err := s.loadUser(ctx, id); u != nil || err != nil {
				t.Errorf("loadUser(%q) after the rotation = %#v, %v; want nil, nil", id, u, err)
			}
		}
		if u, err := s.loadUser(ctx, nu.ID()); err != nil || u != nu {
			t.Errorf("loadUser(the new ID) = %#v, %v", u, err)
		}
	}
	// A damaged file is replaced at the next login.
	if err := os.WriteFile(s.path("bob"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if u, err := s.loadUser(ctx, "bob:garbage"); u != nil || err != nil {
		t.Errorf("loadUser with a damaged file = %#v, %v", u, err)
	}
	if tok, err := s.ensure("bob"); err != nil || !validToken(tok) {
		t.Errorf("ensure over a damaged file = %q, %v", tok, err)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// A token directory other users may write to stops the program.
func TestTokenStoreRefusesSharedDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := sharedDir(t)
	if _, err := openTokenStore(dir); err == nil || !strings.Contains(err.Error(), "writable by other users") {
		t.Errorf("openTokenStore(a 0777 dir) = %v", err)
	}
	env := map[string]string{"SECRET_KEY": testKey, "TOKENS_DIR": dir}
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey = []byte(testKey)
	if _, err := newHandler(cfg, func(k string) string { return env[k] }); err == nil {
		t.Error("newHandler took a 0777 TOKENS_DIR")
	}
}

// sharedDir is a directory with mode 0777.
func sharedDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Without TOKENS_DIR both twins use the same directory, so two apps
// started side by side share their users; a token either writes the other
// reads; flask_app.py refuses a shared directory too.
func TestTokensDirTwins(t *testing.T) {
	py := flaskoracle.Require(t, debianFlask).Path
	for _, m := range flaskModules {
		if out, err := exec.Command(py, "-c", "import "+m.Import).CombinedOutput(); err != nil {
			realtest.Missing(t, "%s is not importable under %s (Debian: apt-get install %s): %v: %s", m.Import, py, m.Debian, err, out)
		}
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	want := defaultTokensDir()
	if runtime.GOOS != "windows" && want != filepath.Join(tmp, "flasksession-accounts-tokens-"+strconv.Itoa(os.Getuid())) {
		t.Errorf("defaultTokensDir() = %q", want)
	}
	// python imports flask_app.py (which opens its token store) and
	// prints the directory and the token of the user argv[1].
	python := func(tokensDir, name string) (string, error) {
		cmd := exec.Command(py, "-c", "import sys, flask_app; print(flask_app.tokens.dir); print(flask_app.tokens.ensure(sys.argv[1]))", name)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + tmp, "SECRET_KEY=" + testKey, "PYTHONDONTWRITEBYTECODE=1"}
		if tokensDir != "" {
			cmd.Env = append(cmd.Env, "TOKENS_DIR="+tokensDir)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := python("", trickyName)
	if err != nil {
		t.Fatalf("flask_app.py: %v\n%s", err, out)
	}
	dir, tok, _ := strings.Cut(strings.TrimSpace(out), "\n")
	if dir != want {
		t.Errorf("flask_app.py's default token directory %q, the Gin app's %q", dir, want)
	}
	s, err := openTokenStore(want)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.current(trickyName); err != nil || got != tok {
		t.Errorf("the Gin app reads %q, %v; flask_app.py wrote %q", got, err, tok)
	}
	goTok, err := s.rotate(trickyName)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := python("", trickyName); err != nil || !strings.HasSuffix(out, "\n"+goTok+"\n") {
		t.Errorf("flask_app.py after the Gin app's rotation: %v\n%s; want %s", err, out, goTok)
	}

	if runtime.GOOS != "windows" {
		if out, err := python(sharedDir(t), "x"); err == nil || !strings.Contains(out, "writable by other users") {
			t.Errorf("flask_app.py with a 0777 TOKENS_DIR: %v\n%s", err, out)
		}
	}
}
