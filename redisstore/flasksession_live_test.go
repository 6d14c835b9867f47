package redisstore_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/ginflask/flasksession/taggedjson"
)

// Live tests of Config.FlaskSession against Debian's Flask 2.2 with
// Flask-Session 0.3.2 (python3-flask-session), both on one real Redis
// with one SECRET_KEY: the values such apps keep cross both ways, and
// what Flask-Session itself does to the guarantees.

// debianFlask has python3-flask-session and python3-redis.
var debianFlask = flaskoracle.Debian

const liveKey = "a secret key both apps share, 32+"

// flaskSessionApp is a Flask-Session 0.3.2 app as the Go twin below is
// configured: Redis, signed IDs, sessions permanent only when asked.
// /slow loads the session, then waits for the file in ?release to exist.
const flaskSessionApp = `
import datetime, json, os, time
import redis
from flask import Flask, request, session
from flask_session import Session

app = Flask(__name__)
app.secret_key = os.environ["LIVE_KEY"]
app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(os.environ["REDIS_URL"]),
                  SESSION_USE_SIGNER=True, SESSION_PERMANENT=False)
Session(app)

VALUES = {
    "s": "h\u00e9llo \u2713", "i": 42, "neg": -7, "big": 2**100, "f": 1.5, "t": True, "fa": False,
    "n": None, "l": [1, "two", 3.0], "d": {"a": {"b": [1, 2]}, "c": "x"}, "b": b"\x00\xffbytes",
    "tup": (1, "a"), "dt": datetime.datetime(2026, 12, 6, 20, 5, 13, 123456),
    "dtz": datetime.datetime(2026, 12, 6, 20, 5, 13, tzinfo=datetime.timezone.utc),
}

@app.route("/set-values", methods=["POST"])
def set_values():
    session.update(VALUES)
    return "ok"

@app.route("/values")
def values():
    return json.dumps({k: repr(session.get(k, "<missing>")) for k in VALUES})

@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.args["user"]
    session.permanent = "permanent" in request.args
    return "ok"

@app.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return "ok"

@app.route("/whoami")
def whoami():
    return session.get("user", "")

@app.route("/slow", methods=["POST"])
def slow():
    session.get("user")
    with open(request.args["loaded"], "w"):
        pass
    for _ in range(600):
        if os.path.exists(request.args["release"]):
            break
        time.sleep(0.05)
    return "ok"
`

// pyReprs are what Python's repr gives for flaskSessionApp's VALUES.
var pyReprs = map[string]string{
	"s": `'héllo ✓'`, "i": "42", "neg": "-7", "big": "1267650600228229401496703205376", "f": "1.5",
	"t": "True", "fa": "False", "n": "None", "l": "[1, 'two', 3.0]", "d": "{'a': {'b': [1, 2]}, 'c': 'x'}",
	"b": `b'\x00\xffbytes'`, "tup": "(1, 'a')", "dt": "datetime.datetime(2026, 12, 6, 20, 5, 13, 123456)",
	"dtz": "datetime.datetime(2026, 12, 6, 20, 5, 13, tzinfo=datetime.timezone.utc)",
}

// goValues are the same values as the Go side reads and writes them.
func goValues() map[string]any {
	big100 := new(big.Int).Lsh(big.NewInt(1), 100)
	return map[string]any{
		"s": "héllo ✓", "i": 42, "neg": -7, "big": big100, "f": 1.5, "t": true, "fa": false,
		"n": nil, "l": []any{1, "two", 3.0}, "d": map[string]any{"a": map[string]any{"b": []any{1, 2}}, "c": "x"},
		"b": []byte("\x00\xffbytes"), "tup": taggedjson.Tuple{1, "a"},
		"dt":  time.Date(2026, 12, 6, 20, 5, 13, 123456000, flaskrecord.Naive),
		"dtz": time.Date(2026, 12, 6, 20, 5, 13, 0, time.UTC),
	}
}

// canon writes a value so that equal values of the types above, and
// only those, read the same: type and content, times with their zone.
func canon(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case *big.Int:
		return "big:" + v.String()
	case time.Time:
		return "time:" + v.Format(time.RFC3339Nano) + "@" + v.Location().String()
	case []byte:
		return fmt.Sprintf("bytes:%q", v)
	case taggedjson.Tuple:
		return "tuple" + canon([]any(v))
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = canon(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%q:%s", k, canon(v[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// twins are the Flask-Session app and a Go app configured alike, on one
// Redis, and a browser (one cookie jar) that visits both: they are on
// one host, so the jar sends the session cookie to each.
type twins struct {
	t           *testing.T
	flask, gin  string
	redis       *redistest.Server
	browser     *webtest.Client // one browser on both apps
	errs        chan error
	goLoaded    chan struct{}
	goRelease   chan struct{}
	flaskGateAt string
}

func startTwins(t *testing.T) *twins {
	t.Helper()
	if out, err := exec.Command(debianFlask.Path, "-c", "import flask_session, redis").CombinedOutput(); err != nil {
		realtest.Missing(t, "%s cannot import flask_session and redis (Debian: apt-get install python3-flask-session python3-redis): %v: %s", debianFlask.Path, err, out)
	}
	rs := redistest.Start(t)
	tw := &twins{t: t, redis: rs, errs: make(chan error, 100), flaskGateAt: t.TempDir()}
	tw.flask = flaskoracle.StartApp(t, debianFlask, flaskSessionApp, map[string]string{
		"LIVE_KEY": liveKey, "REDIS_URL": "redis://" + rs.Addr + "/0",
	})

	cfg := flasksession.Config{
		SecretKey: []byte(liveKey),
		Store:     redisstore.New(newClient(t, rs.Addr)),
		// Flask-Session 0.3.2 sends no SameSite; Lax, the default here,
		// is safer, but the cookies are compared byte for byte below.
		CookieSameSite: http.SameSiteDefaultMode,
		FlaskSession:   &flasksession.FlaskSession{Codec: flaskrecord.Codec{Format: flaskrecord.Pickle}, UseSigner: true},
		ErrorHandler:   func(_ *gin.Context, err error) { tw.errs <- err },
	}
	r := gin.New()
	r.Use(flasksession.New(cfg))
	r.POST("/set-values", func(c *gin.Context) {
		s := flasksession.Get(c)
		for k, v := range goValues() {
			s.Set(k, v)
		}
	})
	r.GET("/values", func(c *gin.Context) {
		s := flasksession.Get(c)
		got := map[string]string{}
		for k := range goValues() {
			v, _ := s.Get(k)
			got[k] = canon(v)
		}
		c.JSON(http.StatusOK, got)
	})
	r.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate()
		s.Set("user", c.Query("user"))
		_, permanent := c.GetQuery("permanent")
		s.SetPermanent(permanent)
	})
	r.GET("/whoami", func(c *gin.Context) {
		u, _ := flasksession.Get(c).GetString("user")
		c.String(http.StatusOK, "%s", u)
	})
	r.POST("/logout", func(c *gin.Context) { flasksession.Get(c).Destroy() })
	r.POST("/slow", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Has("user")
		tw.goLoaded <- struct{}{}
		<-tw.goRelease
		s.Set("seen", true)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	tw.gin = srv.URL

	tw.browser = webtest.NewHTTP(t)
	return tw
}

// do sends a request to base+path with the browser's cookies and returns
// the body.
func (tw *twins) do(method, base, path string) string {
	tw.t.Helper()
	r := tw.browser.Do(method, base+path, nil, nil)
	if r.Status != http.StatusOK {
		tw.t.Fatalf("%s %s%s: %d: %s", method, base, path, r.Status, r.Body)
	}
	return r.Body
}

// cookie is the browser's session cookie value.
func (tw *twins) cookie() string { return tw.browser.Cookie(flasksession.DefaultCookieName) }

// The Set-Cookie of a login is Flask-Session's, byte for byte but for
// the ID (and the signature over it) and the second of Expires.
func TestFlaskSessionLiveSetCookie(t *testing.T) {
	tw := startTwins(t)
	for _, path := range []string{"/login?user=ann", "/login?user=ann&permanent=1"} {
		var got [2]string
		for i, base := range []string{tw.flask, tw.gin} {
			raw := webtest.NewHTTP(t).Post(base+path, nil).Header.Get("Set-Cookie")
			c, err := http.ParseSetCookie(raw)
			if err != nil {
				t.Fatalf("%s%s: Set-Cookie %q: %v", base, path, raw, err)
			}
			raw = strings.Replace(raw, c.Value, "<ID>", 1)
			if c.RawExpires != "" {
				raw = strings.Replace(raw, c.RawExpires, "<Expires>", 1)
				if d := time.Until(c.Expires); d < 31*24*time.Hour-time.Minute || d > 31*24*time.Hour {
					t.Errorf("%s%s: Expires in %v, want 31 days", base, path, d)
				}
			}
			got[i] = raw
		}
		t.Logf("%s: Set-Cookie %s", path, got[0])
		if got[0] != got[1] {
			t.Errorf("%s: Set-Cookie\nFlask-Session: %s\nGo:            %s", path, got[0], got[1])
		}
	}
}

// Every value type a Flask-Session app keeps comes through both ways equal.
func TestFlaskSessionLiveValues(t *testing.T) {
	tw := startTwins(t)
	want := map[string]string{}
	for k, v := range goValues() {
		want[k] = canon(v)
	}

	tw.do(http.MethodPost, tw.flask, "/set-values")
	var fromFlask map[string]string
	if err := json.Unmarshal([]byte(tw.do(http.MethodGet, tw.gin, "/values")), &fromFlask); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if fromFlask[k] != w {
			t.Errorf("Flask wrote %s, Go read %s, want %s", k, fromFlask[k], w)
		}
	}

	tw.browser.ClearCookies() // a new visitor
	tw.do(http.MethodPost, tw.gin, "/set-values")
	var fromGo map[string]string
	if err := json.Unmarshal([]byte(tw.do(http.MethodGet, tw.flask, "/values")), &fromGo); err != nil {
		t.Fatal(err)
	}
	for k, w := range pyReprs {
		if fromGo[k] != w {
			t.Errorf("Go wrote %s, Flask read %s, want %s", k, fromGo[k], w)
		}
	}
	// And back: what Flask rewrote (it saves on every request) Go reads.
	if err := json.Unmarshal([]byte(tw.do(http.MethodGet, tw.gin, "/values")), &fromFlask); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if fromFlask[k] != w {
			t.Errorf("after Flask's rewrite, Go read %s as %s, want %s", k, fromFlask[k], w)
		}
	}
	select {
	case err := <-tw.errs:
		t.Errorf("session error on the Go side: %v", err)
	default:
	}
}

// What Flask-Session 0.3.2 does to the guarantees the Go side keeps,
// shown live (docs/server-side.md cites these):
//   - it adopts an ID it has no record of, so a client (or an attacker
//     fixing a victim's session) chooses the ID a login is saved under;
//   - a slow Flask request that loaded a session before a logout on the Go
//     side writes it back at its end (SETEX of the whole record), undoing
//     the logout; the Go side never does that to a Flask logout.
func TestFlaskSessionLiveGuarantees(t *testing.T) {
	tw := startTwins(t)
	ctx := t.Context()
	rdb := newClient(t, tw.redis.Addr)

	t.Run("Flask-Session adopts a chosen ID", func(t *testing.T) {
		chosen := "0b9d6d3e-6c5a-4a57-9d6e-0f4ed0a4d2c1"
		tw.browser.ClearCookies()
		tw.browser.SetCookie("session", signID(t, chosen))
		tw.do(http.MethodPost, tw.flask, "/login?user=victim")
		if n, _ := rdb.Exists(ctx, "session:"+chosen).Result(); n != 1 {
			t.Errorf("Flask-Session did not save under the client's ID (0.3.2 adopts it; did its behaviour change?)")
		}
		tw.browser.ClearCookies()
		tw.browser.SetCookie("session", signID(t, "1c9d6d3e-6c5a-4a57-9d6e-0f4ed0a4d2c1"))
		tw.do(http.MethodPost, tw.gin, "/login?user=victim")
		if n, _ := rdb.Exists(ctx, "session:1c9d6d3e-6c5a-4a57-9d6e-0f4ed0a4d2c1").Result(); n != 0 {
			t.Errorf("the Go side saved under the client's ID")
		}
	})

	t.Run("a slow Flask request undoes a Go logout", func(t *testing.T) {
		tw.browser.ClearCookies()
		tw.do(http.MethodPost, tw.gin, "/login?user=alice")
		stolen := tw.cookie()
		loaded := filepath.Join(tw.flaskGateAt, "loaded")
		release := filepath.Join(tw.flaskGateAt, "release")
		done := make(chan struct{})
		go func() {
			defer close(done)
			thief := webtest.NewHTTP(t)
			thief.SetCookie("session", stolen)
			thief.Post(tw.flask+"/slow?loaded="+url.QueryEscape(loaded)+"&release="+url.QueryEscape(release), nil)
		}()
		waitFile(t, loaded)
		tw.do(http.MethodPost, tw.gin, "/logout")
		if got := whoami(t, tw.gin, stolen); got != "" {
			t.Fatalf("right after the logout, the old cookie gives %q", got)
		}
		if err := os.WriteFile(release, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		<-done
		if got := whoami(t, tw.gin, stolen); got != "alice" {
			t.Errorf("after Flask's slow request ended, the old cookie gives %q; Flask-Session 0.3.2 was expected to bring the session back", got)
		}
	})

	t.Run("a slow Go request never undoes a Flask logout", func(t *testing.T) {
		tw.browser.ClearCookies()
		tw.do(http.MethodPost, tw.flask, "/login?user=bob")
		stolen := tw.cookie()
		tw.goLoaded, tw.goRelease = make(chan struct{}), make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			thief := webtest.NewHTTP(t)
			thief.SetCookie("session", stolen)
			thief.Post(tw.gin+"/slow", nil)
		}()
		<-tw.goLoaded
		tw.do(http.MethodPost, tw.flask, "/logout") // Flask-Session deletes the emptied record
		close(tw.goRelease)
		<-done
		if got := whoami(t, tw.flask, stolen); got != "" {
			t.Errorf("after the Go request ended, the logged-out cookie gives %q on Flask", got)
		}
	})
}

// signID signs id as Flask-Session's SESSION_USE_SIGNER does, with
// Debian's itsdangerous.
func signID(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command(debianFlask.Path, "-c",
		"import sys; from itsdangerous import Signer; print(Signer(sys.argv[1], salt='flask-session', key_derivation='hmac').sign(sys.argv[2]).decode())",
		liveKey, id).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func whoami(t *testing.T, base, cookie string) string {
	t.Helper()
	c := webtest.NewHTTP(t)
	c.SetCookie("session", cookie)
	return c.Get(base + "/whoami").Body
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for range 600 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}
