package flaskjwt

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/internal/webtest"
)

// debianFlask is Debian's Flask 2.2 with python3-python-flask-jwt-extended
// (Flask-JWT-Extended 4.4.4, PyJWT 2.6).
var debianFlask = flaskoracle.Debian

const liveKey = "flaskjwt-live-key-0123456789abcdef"

// flaskJWTApp is the Flask side: Flask-JWT-Extended with its defaults but
// for headers and cookies as locations, a blocklist by jti, and the routes
// the Go side has too. /mint-fixed mints with a frozen clock and given
// uuid4 bytes, to compare tokens byte for byte.
const flaskJWTApp = `
import os, uuid
from datetime import datetime, timedelta, timezone
from flask import Flask, jsonify, request
import flask_jwt_extended.tokens as fjt_tokens
from flask_jwt_extended import (JWTManager, create_access_token, create_refresh_token,
    jwt_required, get_jwt_identity, get_jwt, get_jwt_request_location,
    set_access_cookies, set_refresh_cookies, unset_jwt_cookies)

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = os.environ["JWT_KEY"]
app.config["JWT_TOKEN_LOCATION"] = ["headers", "cookies"]
jwt = JWTManager(app)
REVOKED = set()

@jwt.token_in_blocklist_loader
def in_blocklist(jwt_header, jwt_payload):
    return jwt_payload["jti"] in REVOKED

@app.get("/")
def index():
    return "ok"

@app.post("/revoke")
def revoke():
    REVOKED.add(request.json["jti"])
    return "", 204

def mint(body, with_refresh=True):
    kw = {}
    if "fresh_for" in body:
        kw["fresh"] = timedelta(seconds=body["fresh_for"])
    else:
        kw["fresh"] = bool(body.get("fresh"))
    if "expires" in body:
        kw["expires_delta"] = timedelta(seconds=body["expires"])
    if "claims" in body:
        kw["additional_claims"] = body["claims"]
    access = create_access_token(body["identity"], **kw)
    if not with_refresh:
        return access, None
    rkw = {k: v for k, v in kw.items() if k != "fresh"}
    refresh = create_refresh_token(body["identity"], **rkw)
    return access, refresh

@app.post("/login")
def login():
    access, refresh = mint(request.json)
    resp = jsonify(access=access, refresh=refresh)
    if not request.json.get("no_cookies"):
        set_access_cookies(resp, access)
        set_refresh_cookies(resp, refresh)
    return resp

@app.post("/mint-fixed")
def mint_fixed():
    body = request.json
    frozen = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=body["now_us"])
    rand = [bytes.fromhex(h) for h in body["uuids"]]
    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen
    class FixedUUID:
        @staticmethod
        def uuid4():
            return uuid.UUID(bytes=rand.pop(0), version=4)
    saved = fjt_tokens.datetime, fjt_tokens.uuid
    fjt_tokens.datetime, fjt_tokens.uuid = FrozenDatetime, FixedUUID
    try:
        access, _ = mint(body, with_refresh=False)
    finally:
        fjt_tokens.datetime, fjt_tokens.uuid = saved
    return jsonify(access=access)

@app.post("/logout")
def logout():
    resp = jsonify(msg="logout")
    unset_jwt_cookies(resp)
    return resp

def whoami():
    return jsonify(identity=get_jwt_identity(), claims=get_jwt(), location=get_jwt_request_location())

@app.route("/protected", methods=["GET", "POST", "DELETE"])
@jwt_required()
def protected():
    return whoami()

@app.route("/fresh", methods=["GET", "POST"])
@jwt_required(fresh=True)
def fresh():
    return whoami()

@app.route("/optional", methods=["GET", "POST"])
@jwt_required(optional=True)
def optional():
    return whoami()

@app.route("/refresh", methods=["GET", "POST"])
@jwt_required(refresh=True)
def refresh():
    return jsonify(access=create_access_token(get_jwt_identity()))
`

// goSide is the Gin app with the same routes as flaskJWTApp.
type goSide struct {
	m       *Manager
	srv     *httptest.Server
	mu      sync.Mutex
	revoked map[string]bool
}

func newGoSide(t *testing.T) *goSide {
	t.Helper()
	g := &goSide{revoked: map[string]bool{}}
	m, err := New(Config{
		SecretKey:     []byte(liveKey),
		TokenLocation: []Location{LocationHeaders, LocationCookies},
		TokenInBlocklist: func(_ context.Context, tok *Token) (bool, error) {
			g.mu.Lock()
			defer g.mu.Unlock()
			return g.revoked[tok.JTI()], nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	g.m = m
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.POST("/login", func(c *gin.Context) {
		var body mintBody
		if err := c.ShouldBindJSON(&body); err != nil {
			c.AbortWithStatus(400)
			return
		}
		access, refresh, err := body.mint(m)
		if err != nil {
			c.AbortWithError(500, err)
			return
		}
		if !body.NoCookies {
			if err := m.SetAccessCookies(c, access); err != nil {
				c.AbortWithError(500, err)
				return
			}
			if err := m.SetRefreshCookies(c, refresh); err != nil {
				c.AbortWithError(500, err)
				return
			}
		}
		c.JSON(200, gin.H{"access": access, "refresh": refresh})
	})
	r.POST("/logout", func(c *gin.Context) {
		m.UnsetJWTCookies(c)
		c.JSON(200, gin.H{"msg": "logout"})
	})
	whoami := func(c *gin.Context) {
		c.JSON(200, gin.H{"identity": Identity(c), "claims": Claims(c), "location": nullIfEmpty(RequestLocation(c))})
	}
	r.Match([]string{"GET", "POST", "DELETE"}, "/protected", m.Required(), whoami)
	r.Match([]string{"GET", "POST"}, "/fresh", m.Required(Fresh()), whoami)
	r.Match([]string{"GET", "POST"}, "/optional", m.Required(Optional()), whoami)
	r.Match([]string{"GET", "POST"}, "/refresh", m.Required(Refresh()), func(c *gin.Context) {
		access, err := m.CreateAccessToken(Identity(c))
		if err != nil {
			c.AbortWithError(500, err)
			return
		}
		c.JSON(200, gin.H{"access": access})
	})
	g.srv = httptest.NewServer(r)
	t.Cleanup(g.srv.Close)
	return g
}

func nullIfEmpty(l Location) any {
	if l == "" {
		return nil
	}
	return string(l)
}

func (g *goSide) revoke(jti string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.revoked[jti] = true
}

// mintBody is /login's request, on both sides.
type mintBody struct {
	Identity any            `json:"identity"`
	Fresh    bool           `json:"fresh,omitempty"`
	FreshFor *float64       `json:"fresh_for,omitempty"`
	Expires  *float64       `json:"expires,omitempty"`
	Claims   map[string]any `json:"claims,omitempty"`
	NowUS    int64          `json:"now_us,omitempty"`
	UUIDs    []string       `json:"uuids,omitempty"`
	// NoCookies skips set_access_cookies, which refuses an expired token.
	NoCookies bool `json:"no_cookies,omitempty"`
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func (b mintBody) options() []TokenOption {
	var opts []TokenOption
	if b.FreshFor != nil {
		opts = append(opts, WithFreshFor(seconds(*b.FreshFor)))
	} else if b.Fresh {
		opts = append(opts, WithFresh())
	}
	if b.Expires != nil {
		d := seconds(*b.Expires)
		if d < 0 {
			// timedelta(seconds=-60) is truthy: an exp in the past.
			return append(opts, WithClaims(map[string]any{"exp": json.Number(itoa(time.Now().Add(d).Unix()))}))
		}
		opts = append(opts, WithExpiresIn(d))
	}
	if b.Claims != nil {
		opts = append(opts, WithClaims(b.Claims))
	}
	return opts
}

func (b mintBody) mint(m *Manager) (access, refresh string, err error) {
	opts := b.options()
	if access, err = m.CreateAccessToken(b.Identity, opts...); err != nil {
		return "", "", err
	}
	refresh, err = m.CreateRefreshToken(b.Identity, opts...)
	return access, refresh, err
}

// answer is one side's reply.
type answer struct {
	status      int
	body        []byte
	cookies     []string
	contentType string
}

type call struct {
	method, path string
	bearer       string
	cookies      map[string]string
	csrf         string
	json         any
}

func send(t *testing.T, base string, c call) answer {
	t.Helper()
	a, _ := sendFrom(t, base, c)
	return a
}

// sendFrom sends c from a new browser holding c.cookies, and returns the
// answer and the browser after it.
func sendFrom(t *testing.T, base string, c call) (answer, *webtest.Client) {
	t.Helper()
	cl := webtest.NewHTTP(t)
	for k, v := range c.cookies {
		cl.SetCookie(k, v)
	}
	var body io.Reader
	if c.json != nil {
		b, _ := json.Marshal(c.json)
		body = bytes.NewReader(b)
	}
	req := cl.Request(c.method, base+c.path, body)
	if c.json != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-TOKEN", c.csrf)
	}
	r := cl.Send(req)
	return answer{r.Status, []byte(r.Body), r.Header.Values("Set-Cookie"), r.Header.Get("Content-Type")}, cl
}

// startFlaskJWT serves flaskJWTApp, or skips (fails under
// FLASKSESSION_REQUIRE_REAL=1) without Flask-JWT-Extended.
func startFlaskJWT(t *testing.T) string {
	t.Helper()
	py := flaskoracle.Require(t, debianFlask)
	if out, err := exec.Command(py.Path, "-c", "import flask_jwt_extended").CombinedOutput(); err != nil {
		realtest.Missing(t, "flask_jwt_extended is not importable under %s (Debian: apt-get install python3-python-flask-jwt-extended): %v: %s", py.Path, err, out)
	}
	return flaskoracle.StartApp(t, debianFlask, flaskJWTApp, map[string]string{"JWT_KEY": liveKey})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// login mints on one side and returns its tokens and cookies.
type minted struct {
	access, refresh string
	cookies         map[string]string
	setCookies      []string
}

func login(t *testing.T, base string, body mintBody) minted {
	t.Helper()
	a, cl := sendFrom(t, base, call{method: "POST", path: "/login", json: body})
	if a.status != 200 {
		t.Fatalf("%s/login: %d %s", base, a.status, a.body)
	}
	var out struct{ Access, Refresh string }
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatal(err)
	}
	return minted{access: out.Access, refresh: out.Refresh, cookies: cl.Cookies(), setCookies: a.cookies}
}

// both sends c to Flask and to Gin and requires the same answer: the same
// status, and for a refusal the same bytes and Content-Type; for a 200 the
// same identity and claims. It returns the status and the msg.
func both(t *testing.T, flask string, g *goSide, c call) (int, string) {
	t.Helper()
	fa, ga := send(t, flask, c), send(t, g.srv.URL, c)
	if fa.status != ga.status {
		t.Errorf("%s %s: Flask %d %s, Gin %d %s", c.method, c.path, fa.status, fa.body, ga.status, ga.body)
		return fa.status, ""
	}
	if fa.status != 200 {
		if !bytes.Equal(fa.body, ga.body) || fa.contentType != ga.contentType {
			t.Errorf("%s %s: Flask %d %q %q, Gin %q %q", c.method, c.path, fa.status, fa.contentType, fa.body, ga.contentType, ga.body)
		}
		var e struct{ Msg string }
		json.Unmarshal(fa.body, &e)
		return fa.status, e.Msg
	}
	var fj, gj map[string]any
	if err := json.Unmarshal(fa.body, &fj); err != nil {
		t.Fatalf("Flask answered %s: %v", fa.body, err)
	}
	if err := json.Unmarshal(ga.body, &gj); err != nil {
		t.Fatalf("Gin answered %s: %v", ga.body, err)
	}
	// New tokens differ by jti; each side's is checked where it is used.
	for _, j := range []map[string]any{fj, gj} {
		if a, ok := j["access"].(string); ok && a != "" {
			j["access"] = "<token>"
		}
	}
	if !reflect.DeepEqual(fj, gj) {
		t.Errorf("%s %s: Flask %s\nGin %s", c.method, c.path, fa.body, ga.body)
	}
	return 200, ""
}

func expect(t *testing.T, what string, status int, msg string, wantStatus int, wantMsg string) {
	t.Helper()
	if status != wantStatus || msg != wantMsg {
		t.Errorf("%s: %d %q, want %d %q", what, status, msg, wantStatus, wantMsg)
	}
}

// TestLiveFlaskJWTExtended runs every token through a real
// Flask-JWT-Extended app and the Gin app, minted on either side, and
// requires the same answer from both.
func TestLiveFlaskJWTExtended(t *testing.T) {
	flask := startFlaskJWT(t)
	g := newGoSide(t)
	sides := []struct {
		name, url string
	}{{"flask", flask}, {"gin", g.srv.URL}}

	for _, minter := range sides {
		t.Run("minted by "+minter.name, func(t *testing.T) {
			plain := login(t, minter.url, mintBody{Identity: "alice", Claims: map[string]any{"role": "admin", "n": 1}})
			fresh := login(t, minter.url, mintBody{Identity: 42, Fresh: true})
			freshFor := login(t, minter.url, mintBody{Identity: "Zoë", FreshFor: ptr(3600)})
			staleFor := login(t, minter.url, mintBody{Identity: "bob", FreshFor: ptr(-60)})
			expired := login(t, minter.url, mintBody{Identity: "carol", Expires: ptr(-60), NoCookies: true})

			s, msg := both(t, flask, g, call{method: "GET", path: "/protected", bearer: plain.access})
			expect(t, "access token in the header", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", cookies: only(plain.cookies, "access_token_cookie")})
			expect(t, "access cookie on GET", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: only(plain.cookies, "access_token_cookie"), csrf: plain.cookies["csrf_access_token"]})
			expect(t, "access cookie with the CSRF header", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: only(plain.cookies, "access_token_cookie")})
			expect(t, "access cookie without the CSRF header", s, msg, 401, "Missing CSRF token")
			s, msg = both(t, flask, g, call{method: "DELETE", path: "/protected", cookies: only(plain.cookies, "access_token_cookie"), csrf: "not-the-token"})
			expect(t, "access cookie with another CSRF value", s, msg, 401, "CSRF double submit tokens do not match")
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: only(plain.cookies, "access_token_cookie"), csrf: plain.cookies["csrf_refresh_token"]})
			expect(t, "access cookie with the refresh CSRF value", s, msg, 401, "CSRF double submit tokens do not match")

			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: plain.refresh})
			expect(t, "refresh token as access token", s, msg, 422, "Only non-refresh tokens are allowed")
			s, msg = both(t, flask, g, call{method: "GET", path: "/refresh", bearer: plain.access})
			expect(t, "access token at the refresh route", s, msg, 422, "Only refresh tokens are allowed")
			s, msg = both(t, flask, g, call{method: "POST", path: "/refresh", cookies: only(plain.cookies, "refresh_token_cookie"), csrf: plain.cookies["csrf_refresh_token"]})
			expect(t, "refresh cookie with its CSRF value", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "POST", path: "/refresh", cookies: only(plain.cookies, "refresh_token_cookie"), csrf: plain.cookies["csrf_access_token"]})
			expect(t, "refresh cookie with the access CSRF value", s, msg, 401, "CSRF double submit tokens do not match")
			for _, verifier := range sides {
				a := send(t, verifier.url, call{method: "POST", path: "/refresh", bearer: plain.refresh})
				var out struct{ Access string }
				json.Unmarshal(a.body, &out)
				s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: out.Access})
				expect(t, "access token refreshed by "+verifier.name, s, msg, 200, "")
				s, msg = both(t, flask, g, call{method: "GET", path: "/fresh", bearer: out.Access})
				expect(t, "refreshed token at a fresh route", s, msg, 401, "Fresh token required")
			}

			s, msg = both(t, flask, g, call{method: "GET", path: "/fresh", bearer: plain.access})
			expect(t, "not fresh at a fresh route", s, msg, 401, "Fresh token required")
			s, msg = both(t, flask, g, call{method: "GET", path: "/fresh", bearer: fresh.access})
			expect(t, "fresh=True at a fresh route", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "POST", path: "/fresh", cookies: only(freshFor.cookies, "access_token_cookie"), csrf: freshFor.cookies["csrf_access_token"]})
			expect(t, "fresh for an hour, in cookies", s, msg, 200, "")
			s, msg = both(t, flask, g, call{method: "GET", path: "/fresh", bearer: staleFor.access})
			expect(t, "fresh until a minute ago", s, msg, 401, "Fresh token required")
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: staleFor.access})
			expect(t, "fresh until a minute ago, at a plain route", s, msg, 200, "")

			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: expired.access})
			expect(t, "expired", s, msg, 401, "Token has expired")
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: map[string]string{"access_token_cookie": expired.access}, csrf: "wrong"})
			expect(t, "expired, with another CSRF value", s, msg, 401, "CSRF double submit tokens do not match")
			s, msg = both(t, flask, g, call{method: "GET", path: "/optional", bearer: expired.access})
			expect(t, "expired at an optional route", s, msg, 401, "Token has expired")

			notYet := login(t, minter.url, mintBody{Identity: "erin", Claims: map[string]any{"nbf": time.Now().Unix() + 3600}, NoCookies: true})
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: notYet.access})
			expect(t, "nbf in an hour", s, msg, 422, "The token is not yet valid (nbf)")
			parts := strings.Split(plain.access, ".")
			forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(payloadJSON(plain.access), `"alice"`, `"admin"`, 1))) + "." + parts[2]
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: forged})
			expect(t, "identity changed", s, msg, 422, "Signature verification failed")
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: map[string]string{"access_token_cookie": forged}, csrf: plain.cookies["csrf_access_token"]})
			expect(t, "identity changed, in a cookie", s, msg, 422, "Signature verification failed")
			resigned := signRaw(`{"alg":"HS512","typ":"JWT"}`, payloadJSON(plain.access), sha512.New, liveKey)
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: resigned})
			expect(t, "re-signed with HS512 and the key", s, msg, 422, "The specified alg value is not allowed")

			revoked := login(t, minter.url, mintBody{Identity: "dave"})
			tok, err := g.m.DecodeToken(revoked.access)
			if err != nil {
				t.Fatal(err)
			}
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: revoked.access})
			expect(t, "before revoking", s, msg, 200, "")
			send(t, flask, call{method: "POST", path: "/revoke", json: map[string]string{"jti": tok.JTI()}})
			g.revoke(tok.JTI())
			s, msg = both(t, flask, g, call{method: "GET", path: "/protected", bearer: revoked.access})
			expect(t, "revoked", s, msg, 401, "Token has been revoked")
		})
	}

	t.Run("no token", func(t *testing.T) {
		s, msg := both(t, flask, g, call{method: "GET", path: "/protected"})
		expect(t, "no token", s, msg, 401, `Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie "access_token_cookie")`)
		s, msg = both(t, flask, g, call{method: "GET", path: "/optional"})
		expect(t, "no token at an optional route", s, msg, 200, "")
		s, msg = both(t, flask, g, call{method: "POST", path: "/refresh", cookies: map[string]string{"access_token_cookie": "x"}})
		expect(t, "only an access cookie at the refresh route", s, msg, 401, `Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie "refresh_token_cookie")`)
	})

	t.Run("refused tokens", func(t *testing.T) {
		for _, tc := range badTokens(t) {
			s, msg := both(t, flask, g, call{method: "GET", path: "/protected", bearer: tc.token})
			expect(t, tc.name+" in the header", s, msg, tc.status, tc.msg)
			s, msg = both(t, flask, g, call{method: "POST", path: "/protected", cookies: map[string]string{"access_token_cookie": tc.token}, csrf: tc.csrf})
			if tc.csrf == "" {
				expect(t, tc.name+" in a cookie", s, msg, 401, "Missing CSRF token")
			} else {
				expect(t, tc.name+" in a cookie", s, msg, tc.status, tc.msg)
			}
		}
	})

	t.Run("Authorization headers", func(t *testing.T) {
		good := login(t, flask, mintBody{Identity: "alice"}).access
		for _, h := range []string{
			"Bearer " + good, "  Bearer " + good + "  ", "Bearer " + good + ",", "Basic Zm9v, Bearer " + good,
			"Bearer " + good + ", Basic Zm9v", "Bearer\t" + good, "bearer " + good, "Token " + good, good,
			"Bearer", "Bearer " + good + " extra", "Bearer a, Bearer b", "Basic Zm9v", ",,,", "Bearer ,x",
		} {
			fa, ga := sendAuth(t, flask, h), sendAuth(t, g.srv.URL, h)
			if fa.status != ga.status || fa.status != 200 && !bytes.Equal(fa.body, ga.body) {
				t.Errorf("Authorization %q: Flask %d %s, Gin %d %s", h, fa.status, fa.body, ga.status, ga.body)
			}
		}
	})

	t.Run("Set-Cookie", func(t *testing.T) {
		value := regexp.MustCompile(`^([^=]+)=[^;]*`)
		strip := func(cs []string) []string {
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = value.ReplaceAllString(c, "$1=V")
			}
			return out
		}
		fl, gl := login(t, flask, mintBody{Identity: "alice"}), login(t, g.srv.URL, mintBody{Identity: "alice"})
		if f, gg := strip(fl.setCookies), strip(gl.setCookies); !reflect.DeepEqual(f, gg) {
			t.Errorf("login Set-Cookie:\nFlask %q\nGin   %q", f, gg)
		}
		fo, gout := send(t, flask, call{method: "POST", path: "/logout"}), send(t, g.srv.URL, call{method: "POST", path: "/logout"})
		if !reflect.DeepEqual(fo.cookies, gout.cookies) {
			t.Errorf("logout Set-Cookie:\nFlask %q\nGin   %q", fo.cookies, gout.cookies)
		}
	})

	t.Run("byte for byte", func(t *testing.T) {
		now := time.Date(2024, 1, 2, 3, 4, 5, 678901000, time.UTC)
		uuids := []string{"00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"}
		for _, body := range []mintBody{
			{Identity: "alice"},
			{Identity: "Zoë <&> \u2028 😀", Fresh: true, Claims: map[string]any{"roles": []any{"a", "b"}, "type": "custom", "é": "x"}},
			{Identity: json.Number("12345678901234567890"), FreshFor: ptr(300)},
			{Identity: map[string]any{"id": 1, "org": "x"}, Expires: ptr(60), Claims: map[string]any{"jti": "fixed"}},
			{Identity: nil, FreshFor: ptr(0.5)},
		} {
			body.NowUS, body.UUIDs = now.UnixMicro(), uuids
			a := send(t, flask, call{method: "POST", path: "/mint-fixed", json: body})
			var out struct{ Access string }
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatalf("mint-fixed: %d %s", a.status, a.body)
			}
			var rnd bytes.Buffer
			for _, u := range uuids {
				b, _ := hex.DecodeString(u)
				rnd.Write(b)
			}
			m, err := New(Config{SecretKey: []byte(liveKey), TokenLocation: []Location{LocationHeaders, LocationCookies},
				Clock: func() time.Time { return now }, Rand: &rnd})
			if err != nil {
				t.Fatal(err)
			}
			opts := body.options()
			got, err := m.CreateAccessToken(body.Identity, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got != out.Access {
				t.Errorf("identity %v:\nFlask %s\n      %s\nGin   %s\n      %s", body.Identity, out.Access, payloadOf(out.Access), got, payloadOf(got))
			}
		}
	})
}

func payloadOf(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "?"
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return string(b)
}

func sendAuth(t *testing.T, base, auth string) answer {
	t.Helper()
	r := webtest.NewHTTP(t).Do("GET", base+"/protected", nil, http.Header{"Authorization": {auth}})
	return answer{status: r.Status, body: []byte(r.Body)}
}

func only(m map[string]string, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = m[n]
	}
	return out
}

func ptr(f float64) *float64 { return &f }
