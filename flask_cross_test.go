package flasksession

// Cross-checks with real Flask, run as a subprocess (`flask run`) under
// both witnesses: `python3` (Flask 3.1) and /usr/bin/python3 (Debian's
// Flask 2.2). Cookies the middleware sets load in Flask with the same
// values and types, flashes and permanent sessions included; cookies
// Flask sets load here; Set-Cookie headers match Werkzeug's byte for byte
// (apart from the value and the Expires date); and the outcome table
// (TestFlask_OutcomeTable) matches Flask's. Skipped when Flask is missing, failed
// under FLASKSESSION_REQUIRE_REAL=1.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/webtest"
)

// crossLifetime is PERMANENT_SESSION_LIFETIME on both sides.
const crossLifetime = time.Hour

// crossApp is the Flask side. Each request may pick a cookie
// configuration with ?cfg=NAME (applied before the view, read by Flask at
// save time).
const crossApp = `
import base64, calendar, datetime, os, uuid
from importlib.metadata import version
import flask
from flask import Flask, session, request, flash, get_flashed_messages, jsonify
from markupsafe import Markup

app = Flask(__name__)
app.secret_key = os.environ["FS_SECRET_KEY"]
BASE = {
    "PERMANENT_SESSION_LIFETIME": datetime.timedelta(seconds=int(os.environ["FS_LIFETIME"])),
    "SESSION_COOKIE_DOMAIN": None, "SESSION_COOKIE_PATH": None, "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_PARTITIONED": False,
}
CONFIGS = {
    "default": {},
    "flaskdefault": {"SESSION_COOKIE_SAMESITE": None},
    "full": {"SESSION_COOKIE_DOMAIN": "example.com", "SESSION_COOKIE_PATH": "/x",
             "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": "Strict"},
    "dotdomain": {"SESSION_COOKIE_DOMAIN": ".example.com"},
    "partitioned": {"SESSION_COOKIE_PARTITIONED": True, "SESSION_COOKIE_HTTPONLY": False,
                    "SESSION_COOKIE_SAMESITE": "None"},
}

@app.before_request
def configure():
    app.config.update(BASE)
    app.config.update(CONFIGS[request.args.get("cfg", "default")])

def to_typed(v):
    if v is None: return {"t": "none"}
    if isinstance(v, bool): return {"t": "bool", "v": v}
    if isinstance(v, int): return {"t": "int", "v": str(v)}
    if isinstance(v, float): return {"t": "float", "v": repr(v)}
    if hasattr(v, "__html__"): return {"t": "markup", "v": str(v.__html__())}
    if isinstance(v, str): return {"t": "str", "v": v}
    if isinstance(v, bytes): return {"t": "bytes", "v": base64.b64encode(v).decode("ascii")}
    if isinstance(v, tuple): return {"t": "tuple", "v": [to_typed(x) for x in v]}
    if isinstance(v, list): return {"t": "list", "v": [to_typed(x) for x in v]}
    if isinstance(v, dict): return {"t": "dict", "v": {k: to_typed(x) for k, x in v.items()}}
    if isinstance(v, uuid.UUID): return {"t": "uuid", "v": v.hex}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None or v.microsecond: raise TypeError(repr(v))
        return {"t": "datetime", "v": calendar.timegm(v.utctimetuple())}
    raise TypeError(type(v).__name__)

def from_typed(t):
    k, v = t["t"], t.get("v")
    if k == "none": return None
    if k == "bool": return bool(v)
    if k == "int": return int(v)
    if k == "float": return float(v)
    if k == "str": return v
    if k == "bytes": return base64.b64decode(v)
    if k == "tuple": return tuple(from_typed(x) for x in v)
    if k == "list": return [from_typed(x) for x in v]
    if k == "dict": return {a: from_typed(x) for a, x in v.items()}
    if k == "markup": return Markup(v)
    if k == "uuid": return uuid.UUID(hex=v)
    if k == "datetime": return datetime.datetime.fromtimestamp(int(v), datetime.timezone.utc)
    raise ValueError(k)

@app.route("/")
def index():
    return "ok"

@app.route("/version")
def ver():
    return jsonify(flask=version("flask"),
                   partitioned="SESSION_COOKIE_PARTITIONED" in Flask.default_config)

@app.route("/dump")
def dump():
    return jsonify(to_typed(dict(session)))

@app.route("/set", methods=["POST"])
def set_values():
    session.update(from_typed(request.get_json()))
    if request.args.get("permanent"):
        session.permanent = True
    return "ok"

@app.route("/flash", methods=["POST"])
def flash_messages():
    for cat, msg in request.get_json():
        flash(from_typed(msg), cat)
    return "ok"

@app.route("/flashes")
def flashes():
    return jsonify([[c, to_typed(m)] for c, m in get_flashed_messages(with_categories=True)])

@app.route("/hdr/set")
def hdr_set():
    session["k"] = "v"
    session.permanent = bool(request.args.get("permanent"))
    return "ok"

@app.route("/hdr/clear")
def hdr_clear():
    session.clear()
    return "ok"

def _getitem():
    return session["a"] if "a" in session else None

ACTIONS = {
    "nothing": lambda: None,
    "get": lambda: session.get("a"),
    "getitem": _getitem,
    "in": lambda: "a" in session,
    "len": lambda: len(session),
    "keys": lambda: list(session.keys()),
    "permanent": lambda: session.permanent,
    "setdefault": lambda: session.setdefault("a", 5),
    "setsame": lambda: session.__setitem__("a", 1),
    "popmissing": lambda: session.pop("zz", None),
    "deletemissing": lambda: session.pop("zz", None),
    "clear": lambda: session.clear(),
    "modified": lambda: setattr(session, "modified", True),
    "setdel": lambda: (session.__setitem__("x", 1), session.__delitem__("x")),
    "permfalse": lambda: setattr(session, "permanent", False),
    "flashesnone": lambda: get_flashed_messages(),
}

@app.route("/o/<name>")
def outcome(name):
    ACTIONS[name]()
    return "x"
`

// flaskSide is a running Flask app.
type flaskSide struct {
	url         string
	version     string
	partitioned bool // Flask >= 3.1: SESSION_COOKIE_PARTITIONED
}

// newVary reports Flask >= 3.1.3, whose Vary rules (any use of the
// session) the middleware follows.
func (f *flaskSide) newVary() bool {
	var maj, min, patch int
	fmt.Sscanf(f.version, "%d.%d.%d", &maj, &min, &patch)
	return maj > 3 || maj == 3 && (min > 1 || min == 1 && patch >= 3)
}

func startFlask(t *testing.T, py flaskoracle.Python) *flaskSide {
	url := flaskoracle.StartApp(t, py, crossApp, map[string]string{
		"FS_SECRET_KEY": string(testSecret),
		"FS_LIFETIME":   "3600",
	})
	f := &flaskSide{url: url}
	var v struct {
		Flask       string `json:"flask"`
		Partitioned bool   `json:"partitioned"`
	}
	r := httpDo(t, "GET", url+"/version", "", nil)
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("/version: %q: %v", r.Body, err)
	}
	f.version, f.partitioned = v.Flask, v.Partitioned
	t.Logf("Flask %s under %s", f.version, py.Path)
	return f
}

// httpDo sends one request with an optional session cookie and JSON body.
func httpDo(t *testing.T, method, url, cookie string, body any) *testResp {
	t.Helper()
	c := webtest.NewHTTP(t)
	c.SetCookie("session", cookie)
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := c.Request(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	r := c.Send(req)
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, r.Status, r.Body)
	}
	return r
}

// typedSession decodes a /dump answer.
func typedSession(t *testing.T, body string) map[string]any {
	t.Helper()
	var typed any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&typed); err != nil {
		t.Fatalf("bad /dump %q: %v", body, err)
	}
	m, err := flaskoracle.FromTypedSession(typed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// crossValues are specialValues plus a long, compressible string, which
// makes Flask compress its cookie.
func crossValues() map[string]any {
	v := specialValues()
	v["long"] = strings.Repeat("compress me ", 300)
	return v
}

func TestFlaskCross(t *testing.T) {
	for _, py := range flaskoracle.Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			f := startFlask(t, py)
			t.Run("GoCookieLoadsInFlask", func(t *testing.T) { crossGoToFlask(t, f) })
			t.Run("FlaskCookieLoadsInGo", func(t *testing.T) { crossFlaskToGo(t, f) })
			t.Run("Flashes", func(t *testing.T) { crossFlashes(t, f) })
			t.Run("SetCookieHeaders", func(t *testing.T) { crossHeaders(t, f) })
			t.Run("OutcomeTable", func(t *testing.T) { crossOutcomes(t, f) })
		})
	}
}

func crossGoToFlask(t *testing.T, f *flaskSide) {
	for _, permanent := range []bool{false, true} {
		a := newTestApp(t, Config{PermanentLifetime: crossLifetime, MaxCookieSize: -1})
		a.GET("/set", func(c *gin.Context) {
			s := Get(c)
			for k, v := range crossValues() {
				s.Set(k, v)
			}
			s.SetPermanent(permanent)
		})
		cookie := a.client().get("/set").CookieValue(t, "session")
		got := typedSession(t, httpDo(t, "GET", f.url+"/dump", cookie, nil).Body)
		want := crossValues()
		want[PermanentKey] = permanent
		if d := flaskoracle.Diff(want, got); d != "" {
			t.Errorf("permanent=%v: Flask loaded the Go cookie as:\n%s", permanent, d)
		}
	}
	// A compressed Go cookie (over the size limit plain) loads in Flask.
	a := newTestApp(t, Config{PermanentLifetime: crossLifetime})
	big := strings.Repeat("hello world, ", 500)
	a.GET("/set", func(c *gin.Context) { Get(c).Set("big", big) })
	cookie := a.client().get("/set").CookieValue(t, "session")
	if !strings.HasPrefix(cookie, ".") {
		t.Fatal("Go cookie not compressed")
	}
	got := typedSession(t, httpDo(t, "GET", f.url+"/dump", cookie, nil).Body)
	if d := flaskoracle.Diff(map[string]any{"big": big}, got); d != "" {
		t.Errorf("compressed Go cookie in Flask:\n%s", d)
	}
}

func crossFlaskToGo(t *testing.T, f *flaskSide) {
	a := newTestApp(t, Config{PermanentLifetime: crossLifetime})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	for _, permanent := range []bool{false, true} {
		q := ""
		if permanent {
			q = "?permanent=1"
		}
		r := httpDo(t, "POST", f.url+"/set"+q, "", flaskoracle.ToTyped(crossValues()))
		cookie := r.CookieValue(t, "session")
		if !strings.HasPrefix(cookie, ".") {
			t.Errorf("Flask did not compress (test premise): %.40q", cookie)
		}
		cl := a.client()
		cl.SetCookie("session", cookie)
		cl.get("/read")
		want := crossValues()
		if permanent {
			want[PermanentKey] = true
		}
		if d := flaskoracle.Diff(want, got.get()); d != "" {
			t.Errorf("permanent=%v: Go loaded the Flask cookie as:\n%s", permanent, d)
		}
		if errs := a.hooked.all(); len(errs) != 0 {
			t.Errorf("errors: %v", errs)
		}
		if permanent {
			// Flask computes Expires (now + lifetime, cut to the second)
			// before it signs (the signing second), so the clock can only
			// tick forward between the two: Expires is signing time +
			// lifetime, or one second less.
			checkExpires(t, "Flask", r, -time.Second, 0)
		}
	}
	// Go's own permanent cookie: Expires is exactly signing time + lifetime.
	a.GET("/perm", func(c *gin.Context) { Get(c).SetPermanent(true) })
	checkExpires(t, "Go", a.client().get("/perm"), 0, 0)
}

// checkExpires checks that a permanent cookie's Expires is its signing
// time plus crossLifetime, plus between lo and hi.
func checkExpires(t *testing.T, who string, r *testResp, lo, hi time.Duration) {
	t.Helper()
	raw, _ := r.Cookie(t, "session")
	c, err := http.ParseSetCookie(raw)
	if err != nil || c.Expires.IsZero() {
		t.Fatalf("%s: permanent Set-Cookie %q has no Expires", who, raw)
	}
	d, err := flaskcookie.ParseUnverified(c.Value)
	if err != nil {
		t.Fatal(err)
	}
	if off := c.Expires.Sub(d.SignedAt) - crossLifetime; off < lo || off > hi {
		t.Errorf("%s: Expires %v is signing time %v + lifetime + %v", who, c.Expires, d.SignedAt, off)
	}
}

func crossFlashes(t *testing.T, f *flaskSide) {
	msgs := []FlashMessage{
		{"message", "Hello World"},
		{"error", "Oops"},
		{"warning", template.HTML("<em>Testing</em>")},
	}
	// Go flashes, Flask reads.
	a := newTestApp(t, Config{PermanentLifetime: crossLifetime})
	a.GET("/flash", func(c *gin.Context) {
		for _, m := range msgs {
			Flash(c, m.Message, m.Category)
		}
	})
	var got box[[]FlashMessage]
	a.GET("/flashes", func(c *gin.Context) { got.put(Flashes(c)) })
	cookie := a.client().get("/flash").CookieValue(t, "session")
	r := httpDo(t, "GET", f.url+"/flashes", cookie, nil)
	var pairs [][2]json.RawMessage
	if err := json.Unmarshal([]byte(r.Body), &pairs); err != nil {
		t.Fatalf("/flashes %q: %v", r.Body, err)
	}
	var fromFlask []FlashMessage
	for _, p := range pairs {
		var cat string
		var typed any
		json.Unmarshal(p[0], &cat)
		json.Unmarshal(p[1], &typed)
		msg, err := flaskoracle.FromTyped(typed)
		if err != nil {
			t.Fatal(err)
		}
		fromFlask = append(fromFlask, FlashMessage{cat, msg})
	}
	if fmtFlashes(fromFlask) != fmtFlashes(msgs) {
		t.Errorf("Flask read the Go flashes as %s, want %s", fmtFlashes(fromFlask), fmtFlashes(msgs))
	}
	// Flask removed them: its answer deletes the cookie.
	if raw, _ := r.Cookie(t, "session"); !webtest.IsDeletion(raw) {
		t.Errorf("Flask's answer after reading: %q, want the deletion cookie", raw)
	}

	// Flask flashes, Go reads.
	var body [][2]any
	for _, m := range msgs {
		body = append(body, [2]any{m.Category, flaskoracle.ToTyped(m.Message)})
	}
	fc := httpDo(t, "POST", f.url+"/flash", "", body).CookieValue(t, "session")
	cl := a.client()
	cl.SetCookie("session", fc)
	cl.get("/flashes")
	if fmtFlashes(got.get()) != fmtFlashes(msgs) {
		t.Errorf("Go read the Flask flashes as %s, want %s", fmtFlashes(got.get()), fmtFlashes(msgs))
	}
}

func fmtFlashes(fs []FlashMessage) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Category + ":")
		switch m := f.Message.(type) {
		case template.HTML:
			b.WriteString("Markup(" + string(m) + ")")
		case string:
			b.WriteString(m)
		default:
			b.WriteString("?")
		}
		b.WriteString(" ")
	}
	return b.String()
}

var (
	cookieValueRE = regexp.MustCompile(`^session=[^;]+`)
	expiresRE     = regexp.MustCompile(`Expires=[^;]+`)
)

// normalizeSetCookie hides the value and the date of a set (not deleting)
// cookie.
func normalizeSetCookie(raw string) string {
	if webtest.IsDeletion(raw) {
		return raw
	}
	raw = cookieValueRE.ReplaceAllString(raw, "session=V")
	return expiresRE.ReplaceAllString(raw, "Expires=D")
}

func crossHeaders(t *testing.T, f *flaskSide) {
	configs := []struct {
		name     string
		cfg      Config
		needs3_1 bool // Werkzeug 2.2 differs on purpose (leading dot) or lacks the feature
	}{
		{"default", Config{}, false},
		{"flaskdefault", Config{CookieSameSite: http.SameSiteDefaultMode}, false},
		{"full", Config{CookieDomain: "example.com", CookiePath: "/x", CookieSecure: true, CookieSameSite: http.SameSiteStrictMode}, false},
		{"dotdomain", Config{CookieDomain: ".example.com"}, true},
		{"partitioned", Config{CookiePartitioned: true, DisableHTTPOnly: true, CookieSameSite: http.SameSiteNoneMode}, true},
	}
	for _, c := range configs {
		if c.needs3_1 && !f.partitioned {
			continue
		}
		cfg := c.cfg
		cfg.PermanentLifetime = crossLifetime
		a := newTestApp(t, cfg)
		a.GET("/hdr/set", func(c *gin.Context) {
			s := Get(c)
			s.Set("k", "v")
			s.SetPermanent(c.Query("permanent") != "")
		})
		a.GET("/hdr/clear", func(c *gin.Context) { Get(c).Clear() })
		for _, path := range []string{"/hdr/set", "/hdr/set?permanent=1", "/hdr/clear"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			fr := httpDo(t, "GET", f.url+path+sep+"cfg="+c.name, "", nil)
			gr := a.client().get(path)
			fraw, _ := fr.Cookie(t, "session")
			graw, _ := gr.Cookie(t, "session")
			if normalizeSetCookie(graw) != normalizeSetCookie(fraw) {
				t.Errorf("%s %s:\n Go    %q\n Flask %q", c.name, path, graw, fraw)
			} else if sameSigningSecond(graw, fraw) && graw != fraw {
				// Signed in the same second, the whole header, value and
				// Expires included, must be Flask's.
				t.Errorf("%s %s, same second:\n Go    %q\n Flask %q", c.name, path, graw, fraw)
			}
			if fv, gv := fr.Header.Values("Vary"), gr.Header.Values("Vary"); f.newVary() && strings.Join(fv, "|") != strings.Join(gv, "|") {
				t.Errorf("%s %s: Vary Go %q, Flask %q", c.name, path, gv, fv)
			}
		}
		// The same session bytes: Flask's value for {k: v} equals ours when
		// signed in the same second, which we cannot arrange here; the
		// codec's known-answer vectors cover that.
	}
}

// sameSigningSecond reports whether two session Set-Cookie headers were
// signed in the same second and each has Expires = signing time +
// lifetime (or none), so that they must be identical.
func sameSigningSecond(a, b string) bool {
	var at [2]time.Time
	for i, raw := range []string{a, b} {
		c, err := http.ParseSetCookie(raw)
		if err != nil || c.Value == "" {
			return false
		}
		d, err := flaskcookie.ParseUnverified(c.Value)
		if err != nil {
			return false
		}
		if !c.Expires.IsZero() && !c.Expires.Equal(d.SignedAt.Add(crossLifetime)) {
			return false
		}
		at[i] = d.SignedAt
	}
	return at[0].Equal(at[1])
}

// crossOutcomes runs the outcome views on both sides with the same request
// cookies. Flask 3.1.3 must agree exactly; Flask 2.2 on the Set-Cookie
// action only, since its Vary rules are older (Flask 3.1.3 counts any use as access), and so
// would Flask 3.1.0-3.1.2.
func crossOutcomes(t *testing.T, f *flaskSide) {
	a := outcomeApp(t)
	codec := a.codec()
	plain, _ := codec.Encode(map[string]any{"a": 1})
	perm, _ := codec.Encode(map[string]any{"a": 1, PermanentKey: true})
	for _, v := range outcomeViews {
		for i, cookie := range []string{"", plain, perm} {
			cl := a.client()
			cl.SetCookie("session", cookie)
			g := outcome(t, cl.get("/"+v.name))
			fl := outcome(t, httpDo(t, "GET", f.url+"/o/"+v.name, cookie, nil))
			if !f.newVary() {
				g, fl = strings.TrimSuffix(g, "+Vary"), strings.TrimSuffix(fl, "+Vary")
			}
			if g != fl {
				t.Errorf("%s, cookie %d: Go %s, Flask %s %s", v.name, i, g, f.version, fl)
			}
		}
	}
}
