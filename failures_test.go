package flasksession

// Failures are loud and lose nothing: the size limit, unserializable
// values, changes after the headers went out, tampered and otherwise bad
// cookies, and invalid configurations.

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/testserver"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// randomText is n bytes of incompressible base64 text.
func randomText(t testing.TB, n int) string {
	b := make([]byte, n*3/4+3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// sizeApp serves /small (keep=old), /big (a ~5 KB incompressible value,
// with or without an explicit Save) and /read.
func sizeApp(t *testing.T, cfg Config, big string, callSave bool) (*testApp, *box[error], *box[map[string]any]) {
	a := newTestApp(t, cfg)
	var saveErr box[error]
	var got box[map[string]any]
	a.GET("/small", func(c *gin.Context) {
		Get(c).Set("keep", "old")
		c.String(http.StatusOK, "small")
	})
	a.GET("/big", func(c *gin.Context) {
		s := Get(c)
		s.Set("big", big)
		if callSave {
			saveErr.put(s.Save())
		}
		c.String(http.StatusOK, "big")
	})
	a.GET("/read", sessionDump(&got))
	return a, &saveErr, &got
}

func TestCookieTooLarge(t *testing.T) {
	big := randomText(t, 5000)
	for _, callSave := range []bool{true, false} {
		name := "auto-save"
		if callSave {
			name = "explicit-Save"
		}
		t.Run(name, func(t *testing.T) {
			a, saveErr, got := sizeApp(t, Config{}, big, callSave)
			cl := a.client()
			cl.get("/small")
			old := cl.sessionValue()
			if old == "" {
				t.Fatal("no cookie from /small")
			}

			r := cl.get("/big")
			if r.Status != http.StatusOK || r.Body != "big" {
				t.Errorf("/big: %d %q, want the handler's normal answer", r.Status, r.Body)
			}
			if sc := r.SetCookies("session"); len(sc) != 0 {
				t.Errorf("/big sent Set-Cookie %.80q, want none (the old cookie stays)", sc)
			}
			var check []error
			if callSave {
				check = append(check, saveErr.get())
			}
			hooked, ginErrs := a.hooked.all(), a.ginErrs.all()
			if len(hooked) != 1 || len(ginErrs) != 1 {
				t.Fatalf("ErrorHandler saw %v, c.Errors had %v; want one error each", hooked, ginErrs)
			}
			check = append(check, hooked[0], ginErrs[0])
			for _, err := range check {
				var tl *CookieTooLargeError
				if !errors.Is(err, ErrCookieTooLarge) || !errors.As(err, &tl) {
					t.Errorf("error %v, want ErrCookieTooLarge and *CookieTooLargeError", err)
					continue
				}
				if tl.Name != "session" || tl.Limit != DefaultMaxCookieSize || tl.Size <= tl.Limit {
					t.Errorf("CookieTooLargeError %+v", *tl)
				}
				if !strings.HasPrefix(err.Error(), "flasksession: ") {
					t.Errorf("message %q lacks the prefix", err)
				}
			}
			if cl.sessionValue() != old {
				t.Error("the client's cookie changed")
			}
			cl.get("/read")
			if g := got.get(); g["keep"] != "old" || g["big"] != nil {
				t.Errorf("next request sees %v, want the old session {keep: old}", g)
			}
		})
	}
}

// A session too large plain but small enough compressed is saved
// compressed, and loads back.
func TestCookieCompressedWhenLarge(t *testing.T) {
	text := strings.Repeat("hello world, ", 500) // 6500 bytes
	a, _, got := sizeApp(t, Config{}, text, true)
	cl := a.client()
	r := cl.get("/big")
	raw, ok := r.Cookie(t, "session")
	if !ok {
		t.Fatalf("no Set-Cookie; errors %v", a.hooked.all())
	}
	if len(raw) > DefaultMaxCookieSize {
		t.Errorf("Set-Cookie is %d bytes", len(raw))
	}
	if v := r.CookieValue(t, "session"); !strings.HasPrefix(v, ".") {
		t.Errorf("cookie %.40q... is not compressed", v)
	}
	cl.get("/read")
	if got.get()["big"] != text {
		t.Error("the compressed session did not load back")
	}
	// Small sessions stay uncompressed, so their bytes are Flask's.
	r = a.client().get("/small")
	if v := r.CookieValue(t, "session"); strings.HasPrefix(v, ".") {
		t.Errorf("small session compressed: %q", v)
	}
}

// The limit is on the whole Set-Cookie header value, inclusive, and
// compression is tried only when the plain cookie is over it. Random
// base64 text compresses by about a quarter, which puts the compressed
// size between the two limits tried.
func TestCookieSizeBoundary(t *testing.T) {
	value := randomText(t, 3000)
	at := time.Unix(1700000000, 0)
	header := func(limit int) (string, error) {
		t.Helper()
		var saveErr box[error]
		a := newTestApp(t, Config{MaxCookieSize: limit}, withClock(newFakeClock(at)))
		a.GET("/", func(c *gin.Context) {
			s := Get(c)
			s.Set("v", value)
			s.SetPermanent(true)
			saveErr.put(s.Save())
		})
		raw, _ := a.client().get("/").Cookie(t, "session")
		return raw, saveErr.get()
	}
	plain, err := header(-1)
	if err != nil || plain == "" {
		t.Fatalf("no limit: %v", err)
	}
	if strings.HasPrefix(plain, "session=.") {
		t.Fatal("compressed without a limit")
	}
	p := len(plain)
	if got, err := header(p); err != nil || got != plain {
		t.Errorf("limit = plain size %d: err %v, cookie %.60q", p, err, got)
	}
	compressed, err := header(p - 1)
	if err != nil || !strings.HasPrefix(compressed, "session=.") {
		t.Fatalf("limit = plain size - 1: err %v, cookie %.60q; want the compressed cookie", err, compressed)
	}
	c := len(compressed)
	if got, err := header(c); err != nil || got != compressed {
		t.Errorf("limit = compressed size %d: err %v", c, err)
	}
	got, err := header(c - 1)
	var tl *CookieTooLargeError
	if got != "" || !errors.As(err, &tl) || tl.Size != c || tl.Limit != c-1 {
		t.Errorf("limit = compressed size - 1: cookie sent %v, err %v; want *CookieTooLargeError{Size: %d, Limit: %d}", got != "", err, c, c-1)
	}
}

func TestUnserializable(t *testing.T) {
	tests := []struct {
		name  string
		value any
		path  string
		typ   string
	}{
		{"chan", make(chan int), "ch", "chan int"},
		{"nested func", []any{1, func() {}}, "ch[1]", "func()"},
		{"complex", map[string]any{"z": complex(1, 2)}, "ch.z", "complex128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t, Config{})
			var saveErr box[error]
			a.GET("/small", func(c *gin.Context) {
				Get(c).Set("keep", "old")
				c.String(http.StatusOK, "")
			})
			a.GET("/bad", func(c *gin.Context) {
				s := Get(c)
				s.Set("ch", tt.value)
				saveErr.put(s.Save())
				c.String(http.StatusOK, "")
			})
			var got box[map[string]any]
			a.GET("/read", sessionDump(&got))
			cl := a.client()
			cl.get("/small")
			r := cl.get("/bad")
			if sc := r.SetCookies("session"); len(sc) != 0 {
				t.Errorf("Set-Cookie %q, want none", sc)
			}
			err := saveErr.get()
			var ut *taggedjson.UnsupportedTypeError
			if !errors.Is(err, ErrUnserializable) || !errors.As(err, &ut) {
				t.Fatalf("Save() = %v, want ErrUnserializable wrapping *taggedjson.UnsupportedTypeError", err)
			}
			if ut.Path != tt.path || ut.Type.String() != tt.typ {
				t.Errorf("UnsupportedTypeError{Path %q, Type %v}, want %q, %s", ut.Path, ut.Type, tt.path, tt.typ)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "flasksession: ") || !strings.Contains(msg, `"`+tt.path+`"`) || !strings.Contains(msg, tt.typ) {
				t.Errorf("message %q should name the key %q and the type %s", msg, tt.path, tt.typ)
			}
			if a.hooked.count(ErrUnserializable) != 1 || a.ginErrs.count(ErrUnserializable) != 1 {
				t.Errorf("ErrorHandler saw %v, c.Errors had %v; want the error once in each", a.hooked.all(), a.ginErrs.all())
			}
			cl.get("/read")
			if g := got.get(); g["keep"] != "old" || len(g) != 1 {
				t.Errorf("next request sees %v, want the old session", g)
			}
		})
	}
}

func TestModifiedAfterWrite(t *testing.T) {
	a := newTestApp(t, Config{})
	var saveErr box[error]
	a.GET("/late-save", func(c *gin.Context) {
		c.String(http.StatusOK, "body")
		Get(c).Set("late", 1)
		saveErr.put(Get(c).Save())
	})
	a.GET("/late", func(c *gin.Context) {
		c.String(http.StatusOK, "body")
		Get(c).Set("late", 1)
	})
	a.GET("/late-read", func(c *gin.Context) {
		c.String(http.StatusOK, "body")
		Get(c).Get("late")
		Get(c).Has("x")
	})
	a.GET("/early-save-then-late-change", func(c *gin.Context) {
		s := Get(c)
		s.Set("early", 1)
		if err := s.Save(); err != nil {
			c.Error(err)
		}
		c.String(http.StatusOK, "body")
		s.Set("late", 1)
	})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))

	cl := a.client()
	r := cl.get("/late-save")
	if !errors.Is(saveErr.get(), ErrHeadersWritten) {
		t.Errorf("Save after the body = %v, want ErrHeadersWritten", saveErr.get())
	}
	if len(r.SetCookies("session")) != 0 {
		t.Errorf("Set-Cookie %q", r.SetCookies("session"))
	}
	if a.ginErrs.count(ErrHeadersWritten) != 1 || a.hooked.count(ErrHeadersWritten) != 1 {
		t.Errorf("/late-save: c.Errors %v, ErrorHandler %v; want ErrHeadersWritten once in each", a.ginErrs.all(), a.hooked.all())
	}
	if m := ErrHeadersWritten.Error(); !strings.HasPrefix(m, "flasksession: ") || !strings.Contains(m, "headers") {
		t.Errorf("ErrHeadersWritten message %q should say what happened", m)
	}

	a.ginErrs.reset()
	a.hooked.reset()
	cl.get("/late")
	if a.ginErrs.count(ErrHeadersWritten) != 1 || a.hooked.count(ErrHeadersWritten) != 1 {
		t.Errorf("/late: c.Errors %v, ErrorHandler %v; want ErrHeadersWritten once in each", a.ginErrs.all(), a.hooked.all())
	}
	cl.get("/read")
	if g := got.get(); g["late"] != nil {
		t.Errorf("the late change was saved somehow: %v", g)
	}

	a.ginErrs.reset()
	a.hooked.reset()
	cl.get("/late-read")
	if errs := a.hooked.all(); len(errs) != 0 {
		t.Errorf("reading after the body: errors %v, want none", errs)
	}

	a.ginErrs.reset()
	a.hooked.reset()
	cl.get("/early-save-then-late-change")
	if a.ginErrs.count(ErrHeadersWritten) != 1 || len(a.ginErrs.all()) != 1 {
		t.Errorf("early Save then late change: c.Errors %v, want ErrHeadersWritten only", a.ginErrs.all())
	}
	cl.get("/read")
	if g := got.get(); g["early"] != 1 || g["late"] != nil {
		t.Errorf("next request sees %v, want early=1 and no late", g)
	}
}

// tamperApp answers /read with the number of session keys, and counts
// what its ErrorHandler sees.
func tamperApp(t *testing.T) (*testApp, string) {
	a := newTestApp(t, Config{})
	a.GET("/set", func(c *gin.Context) {
		s := Get(c)
		s.Set("user", "alice")
		s.Set("admin", false)
		c.String(http.StatusOK, "")
	})
	a.GET("/read", func(c *gin.Context) {
		c.String(http.StatusOK, "%d", Get(c).Len())
	})
	cl := a.client()
	valid := cl.get("/set").CookieValue(t, "session")
	if r := cl.get("/read"); r.Body != "2" {
		t.Fatalf("valid cookie reads %q keys", r.Body)
	}
	a.hooked.reset()
	return a, valid
}

// readWith sends cookieHeader to /read and returns the response.
func readWith(a *testApp, cookieHeader string) *testResp {
	return a.client().do(http.MethodGet, "/read", http.Header{"Cookie": {cookieHeader}})
}

func TestTamperSweep(t *testing.T) {
	a, valid := tamperApp(t)
	var variants []string
	for i := 0; i < len(valid); i++ {
		for _, c := range "Az0-_." {
			if byte(c) != valid[i] {
				variants = append(variants, valid[:i]+string(c)+valid[i+1:])
			}
		}
		variants = append(variants, valid[:i]+valid[i+1:])
	}
	variants = append(variants, valid+"A", valid+".", "."+valid, valid+valid)

	accepted, errors500 := 0, 0
	for _, v := range variants {
		r := readWith(a, "session="+v)
		switch {
		case r.Status >= 500:
			errors500++
		case r.Status != http.StatusOK:
			t.Errorf("variant %q: status %d", v, r.Status)
		case r.Body != "0":
			accepted++
			t.Errorf("variant %q accepted: %s keys", v, r.Body)
		}
	}
	if accepted != 0 || errors500 != 0 {
		t.Errorf("%d variants: %d accepted, %d 500s; want 0 and 0", len(variants), accepted, errors500)
	}
	hooked := a.hooked.all()
	if len(hooked) != len(variants) {
		t.Errorf("ErrorHandler saw %d errors for %d variants", len(hooked), len(variants))
	}
	for _, err := range hooked {
		var ic *InvalidCookieError
		if !errors.Is(err, ErrInvalidCookie) || !errors.As(err, &ic) || ic.Err == nil {
			t.Errorf("ErrorHandler saw %v, want an *InvalidCookieError", err)
			break
		}
	}
	if n := len(a.ginErrs.all()); n != 0 {
		t.Errorf("c.Errors got %d errors; rejected cookies go to the ErrorHandler only", n)
	}
	t.Logf("%d variants of a %d-byte cookie, all rejected", len(variants), len(valid))
}

// signRaw signs an arbitrary payload as Flask would, so only the payload
// is wrong.
func signRaw(t *testing.T, key []byte, payload string, at time.Time) string {
	s, err := itsdangerous.NewTimestampSigner([][]byte{key}, itsdangerous.FlaskSessionConfig())
	if err != nil {
		t.Fatal(err)
	}
	return string(s.SignAt([]byte(payload), at))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func zlibB64(t *testing.T, data []byte) string {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	w.Write(data)
	w.Close()
	return "." + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func TestBadCookies(t *testing.T) {
	a, valid := tamperApp(t)
	codec := a.codec()
	now := time.Now()
	expired, _ := codec.EncodeAt(map[string]any{"user": "alice"}, now.Add(-DefaultPermanentLifetime-time.Hour))
	future, _ := codec.EncodeAt(map[string]any{"user": "alice"}, now.Add(time.Hour))
	otherKey := func() string {
		b := newTestApp(t, Config{SecretKey: []byte("another key of sufficient length")})
		v, _ := b.codec().Encode(map[string]any{"user": "alice"})
		return v
	}()

	tests := []struct {
		name   string
		cookie string // the whole Cookie header
		keys   string // expected /read answer
		hooked error  // nil: ErrorHandler sees nothing
	}{
		{"valid", "session=" + valid, "2", nil},
		{"quoted, as Werkzeug unquotes", `session="` + valid + `"`, "2", nil},
		{"among others", "a=1; session=" + valid + "; b=2", "2", nil},
		{"spaces around", "  session =  " + valid + "  ", "2", nil},
		{"empty value", "session=", "0", nil},
		{"no session cookie", "other=" + valid, "0", nil},
		{"name is a suffix", "xsession=" + valid, "0", nil},
		{"first of two wins, as in Werkzeug", "session=bad; session=" + valid, "0", ErrInvalidCookie},
		{"expired", "session=" + expired, "0", itsdangerous.ErrSignatureExpired},
		{"future-dated", "session=" + future, "0", itsdangerous.ErrSignatureExpired},
		{"other key", "session=" + otherKey, "0", itsdangerous.ErrBadSignature},
		{"garbage", "session=abc", "0", ErrInvalidCookie},
		{"dots only", "session=...", "0", ErrInvalidCookie},
		{"long garbage", "session=" + strings.Repeat("x.", 4000), "0", ErrInvalidCookie},
		{"non-ASCII", "session=é" + valid, "0", ErrInvalidCookie},
		{"payload not base64", "session=" + signRaw(t, testSecret, "!!!!", now), "0", itsdangerous.ErrBadPayload},
		{"payload not JSON", "session=" + signRaw(t, testSecret, b64("not json"), now), "0", itsdangerous.ErrBadPayload},
		{"payload empty", "session=" + signRaw(t, testSecret, "", now), "0", itsdangerous.ErrBadPayload},
		{"payload a list", "session=" + signRaw(t, testSecret, b64("[1,2]"), now), "0", itsdangerous.ErrBadPayload},
		{"payload trailing data", "session=" + signRaw(t, testSecret, b64(`{"a":1} x`), now), "0", itsdangerous.ErrBadPayload},
		{"bad uuid tag", "session=" + signRaw(t, testSecret, b64(`{"a":{" u":"zz"}}`), now), "0", itsdangerous.ErrBadPayload},
		// Flask 3.1.3 loads these three without error (checked): None gives
		// an empty session, " b" skips non-base64 characters, and a date
		// Werkzeug cannot parse is None.
		{"payload null, as Flask", "session=" + signRaw(t, testSecret, b64("null"), now), "0", nil},
		{"lenient bytes tag, as Flask", "session=" + signRaw(t, testSecret, b64(`{"a":{" b":"!!"}}`), now), "1", nil},
		{"unparsable date tag, as Flask", "session=" + signRaw(t, testSecret, b64(`{"a":{" d":"not a date"}}`), now), "1", nil},
		{"not zlib", "session=" + signRaw(t, testSecret, "."+b64("not zlib"), now), "0", itsdangerous.ErrBadPayload},
		// 2 MB of zeros in about 2 KB: over flaskcookie.DefaultMaxDecompressed.
		{"zlib bomb", "session=" + signRaw(t, testSecret, zlibB64(t, make([]byte, 2<<20)), now), "0", itsdangerous.ErrBadPayload},
		{"deep nesting", "session=" + signRaw(t, testSecret, b64(`{"a":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}`), now), "0", itsdangerous.ErrBadPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.hooked.reset()
			r := readWith(a, tt.cookie)
			if r.Status != http.StatusOK || r.Body != tt.keys {
				t.Errorf("status %d, %s keys; want 200, %s keys", r.Status, r.Body, tt.keys)
			}
			if len(r.SetCookies("session")) != 0 {
				t.Errorf("Set-Cookie %q; an untouched bad cookie is left alone", r.SetCookies("session"))
			}
			checkRejected(t, a.hooked.all(), tt.hooked)
		})
	}
}

// checkRejected checks what ErrorHandler saw for a bad cookie: nothing if
// want is nil, else one ErrInvalidCookie that also matches want.
func checkRejected(t *testing.T, hooked []error, want error) {
	t.Helper()
	if want == nil {
		if len(hooked) != 0 {
			t.Errorf("ErrorHandler saw %v, want nothing", hooked)
		}
		return
	}
	if len(hooked) != 1 || !errors.Is(hooked[0], ErrInvalidCookie) || !errors.Is(hooked[0], want) {
		t.Errorf("ErrorHandler saw %v, want one ErrInvalidCookie matching %v", hooked, want)
	}
}

// An untouched request sends no cookie for a bad one either. A session
// that is plainly not permanent would not be sent again if valid, so its
// signature is not even checked and nothing is reported; one that claims
// to be permanent is verified before its refresh, and refused loudly.
func TestUntouchedBadCookies(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/untouched", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	codec := a.codec()
	now := time.Now()
	mint := func(permanent bool, at time.Time, key []byte) string {
		t.Helper()
		m := map[string]any{"user": "alice"}
		if permanent {
			m["_permanent"] = true
		}
		c := codec
		if key != nil {
			c = newTestApp(t, Config{SecretKey: key}).codec()
		}
		v, err := c.EncodeAt(m, at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	old := now.Add(-DefaultPermanentLifetime - time.Hour)
	otherKey := []byte("another key of sufficient length")
	for _, tt := range []struct {
		name    string
		cookie  string
		refresh bool  // a Set-Cookie is expected
		hooked  error // nil: ErrorHandler sees nothing
	}{
		{"valid", mint(false, now, nil), false, nil},
		{"valid, permanent", mint(true, now, nil), true, nil},
		{"expired", mint(false, old, nil), false, nil},
		{"other key", mint(false, now, otherKey), false, nil},
		{"expired, permanent", mint(true, old, nil), false, itsdangerous.ErrSignatureExpired},
		{"other key, permanent", mint(true, now, otherKey), false, itsdangerous.ErrBadSignature},
		{"garbage", "abc", false, ErrInvalidCookie},
		{"payload not JSON", signRaw(t, testSecret, b64("not json"), now), false, itsdangerous.ErrBadPayload},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a.hooked.reset()
			r := a.client().do(http.MethodGet, "/untouched", http.Header{"Cookie": {"session=" + tt.cookie}})
			if got := len(r.SetCookies("session")) == 1; got != tt.refresh {
				t.Errorf("Set-Cookie %q, want one: %v", r.SetCookies("session"), tt.refresh)
			}
			checkRejected(t, a.hooked.all(), tt.hooked)
		})
	}
}

// A bad cookie the handler then writes to is replaced by a good one.
func TestBadCookieReplacedOnWrite(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/set", func(c *gin.Context) {
		Get(c).Set("fresh", true)
		c.String(http.StatusOK, "")
	})
	cl := a.client()
	cl.SetCookie("session", "bad.cookie.value")
	r := cl.get("/set")
	if m := a.decode(r.CookieValue(t, "session")); len(m) != 1 || m["fresh"] != true {
		t.Errorf("new cookie holds %v", m)
	}
}

func TestConfigValidate(t *testing.T) {
	key := []byte("0123456789abcdef") // exactly MinSecretKeyLen
	tests := []struct {
		name  string
		cfg   Config
		want  error  // nil: valid
		field string // ConfigError.Field, when want is ErrInvalidConfig
	}{
		{"no key", Config{}, ErrNoSecretKey, ""},
		{"empty key", Config{SecretKey: []byte{}}, ErrNoSecretKey, ""},
		{"short key", Config{SecretKey: key[:15]}, ErrWeakSecretKey, ""},
		{"short key allowed", Config{SecretKey: key[:1], AllowWeakSecretKey: true}, nil, ""},
		{"16-byte key", Config{SecretKey: key}, nil, ""},
		{"default config", withKey(DefaultConfig(), key), nil, ""},
		{"empty fallback", Config{SecretKey: key, SecretKeyFallbacks: [][]byte{[]byte("old"), nil}}, ErrInvalidConfig, "SecretKeyFallbacks"},
		{"short fallback", Config{SecretKey: key, SecretKeyFallbacks: [][]byte{[]byte("old")}}, ErrWeakSecretKey, "SecretKeyFallbacks"},
		{"short fallback allowed", Config{SecretKey: key, SecretKeyFallbacks: [][]byte{[]byte("old")}, AllowWeakSecretKey: true}, nil, ""},
		{"negative lifetime", Config{SecretKey: key, PermanentLifetime: -time.Second}, ErrInvalidConfig, "PermanentLifetime"},
		{"fractional lifetime", Config{SecretKey: key, PermanentLifetime: 1500 * time.Millisecond}, ErrInvalidConfig, "PermanentLifetime"},
		{"name with space", Config{SecretKey: key, CookieName: "my session"}, ErrInvalidConfig, "CookieName"},
		{"name with ;", Config{SecretKey: key, CookieName: "a;b"}, ErrInvalidConfig, "CookieName"},
		{"name with =", Config{SecretKey: key, CookieName: "a=b"}, ErrInvalidConfig, "CookieName"},
		{"name non-ASCII", Config{SecretKey: key, CookieName: "sessión"}, ErrInvalidConfig, "CookieName"},
		{"name ok", Config{SecretKey: key, CookieName: "my-app_session.v2"}, nil, ""},
		{"domain with ;", Config{SecretKey: key, CookieDomain: "a.com;b"}, ErrInvalidConfig, "CookieDomain"},
		{"domain with space", Config{SecretKey: key, CookieDomain: "a .com"}, ErrInvalidConfig, "CookieDomain"},
		{"domain with newline", Config{SecretKey: key, CookieDomain: "a.com\nX: y"}, ErrInvalidConfig, "CookieDomain"},
		{"domain ok", Config{SecretKey: key, CookieDomain: ".example.com"}, nil, ""},
		{"relative path", Config{SecretKey: key, CookiePath: "foo"}, ErrInvalidConfig, "CookiePath"},
		{"path with ;", Config{SecretKey: key, CookiePath: "/a;b"}, ErrInvalidConfig, "CookiePath"},
		{"path with space", Config{SecretKey: key, CookiePath: "/a b"}, ErrInvalidConfig, "CookiePath"},
		{"path ok", Config{SecretKey: key, CookiePath: "/app/"}, nil, ""},
		{"SameSite None without Secure", Config{SecretKey: key, CookieSameSite: http.SameSiteNoneMode}, ErrInvalidConfig, "CookieSameSite"},
		{"SameSite None with Secure", Config{SecretKey: key, CookieSameSite: http.SameSiteNoneMode, CookieSecure: true}, nil, ""},
		{"SameSite None with Partitioned", Config{SecretKey: key, CookieSameSite: http.SameSiteNoneMode, CookiePartitioned: true}, nil, ""},
		{"SameSite unknown", Config{SecretKey: key, CookieSameSite: http.SameSite(7)}, ErrInvalidConfig, "CookieSameSite"},
		{"size limit off", Config{SecretKey: key, MaxCookieSize: -1}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if msg := panicMessage(func() { New(tt.cfg) }); msg != "" {
					t.Errorf("New panicked: %s", msg)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Validate() = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "flasksession: ") {
				t.Errorf("message %q lacks the prefix", err)
			}
			if tt.field != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Field != tt.field || !strings.Contains(err.Error(), tt.field) {
					t.Errorf("Validate() = %v, want a *ConfigError for %s", err, tt.field)
				}
			}
			if msg := panicMessage(func() { New(tt.cfg) }); !strings.HasPrefix(msg, err.Error()) {
				t.Errorf("New panicked with %q, want the Validate message", msg)
			}
			if msg := panicMessage(func() { Plugin(tt.cfg) }); !strings.HasPrefix(msg, err.Error()) {
				t.Errorf("Plugin panicked with %q, want the Validate message", msg)
			}
			if _, serr := NewCookieStore(tt.cfg); !errors.Is(serr, tt.want) {
				t.Errorf("NewCookieStore: %v, want %v", serr, tt.want)
			}
		})
	}
}

func withKey(c Config, key []byte) Config { c.SecretKey = key; return c }

// The error is short; the panic at startup adds the fix.
func TestWeakKeyMessage(t *testing.T) {
	if msg := ErrWeakSecretKey.Error(); !strings.HasPrefix(msg, "flasksession: ") || !strings.Contains(msg, "16") {
		t.Errorf("ErrWeakSecretKey %q", msg)
	}
	msg := panicMessage(func() { New(Config{SecretKey: []byte("short")}) })
	for _, want := range []string{ErrWeakSecretKey.Error(), "AllowWeakSecretKey", "genkey"} {
		if !strings.Contains(msg, want) {
			t.Errorf("New panicked with %q, which lacks %q", msg, want)
		}
	}
}

func TestDefaultConfig(t *testing.T) {
	d := DefaultConfig()
	want := Config{
		PermanentLifetime: 31 * 24 * time.Hour,
		CookieName:        "session",
		CookiePath:        "/",
		CookieSameSite:    http.SameSiteLaxMode,
		MaxCookieSize:     4093,
	}
	if d.PermanentLifetime != want.PermanentLifetime || d.CookieName != want.CookieName || d.CookiePath != want.CookiePath ||
		d.CookieSameSite != want.CookieSameSite || d.MaxCookieSize != want.MaxCookieSize || d.DisableHTTPOnly ||
		d.DisableRefreshEachRequest || d.CookieSecure || d.CookiePartitioned || d.CookieDomain != "" || d.SecretKey != nil {
		t.Errorf("DefaultConfig() = %+v", d)
	}
}

// The zero Config plus a key, and DefaultConfig plus a key, give the same,
// Flask-like cookie (plus SameSite=Lax).
func TestZeroConfigCookie(t *testing.T) {
	for name, cfg := range map[string]Config{"zero": {}, "default": DefaultConfig()} {
		t.Run(name, func(t *testing.T) {
			a := newTestApp(t, cfg)
			a.GET("/", func(c *gin.Context) { Get(c).Set("k", "v") })
			r := a.client().get("/")
			raw, _ := r.Cookie(t, "session")
			if want := "session=" + r.CookieValue(t, "session") + "; HttpOnly; Path=/; SameSite=Lax"; raw != want {
				t.Errorf("Set-Cookie %q, want %q", raw, want)
			}
		})
	}
}

// A handler that learns from Save that the session is too large can fix
// it; the fixed session is saved when the response starts.
func TestRecoverFromTooLarge(t *testing.T) {
	big := randomText(t, 5000)
	a := newTestApp(t, Config{})
	var first box[error]
	a.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("small", "kept")
		s.Set("big", big)
		err := s.Save()
		first.put(err)
		if errors.Is(err, ErrCookieTooLarge) {
			s.Delete("big")
		}
		c.String(http.StatusOK, "ok")
	})
	r := a.client().get("/")
	if !errors.Is(first.get(), ErrCookieTooLarge) {
		t.Fatalf("first Save: %v", first.get())
	}
	if m := a.decode(r.CookieValue(t, "session")); m["small"] != "kept" || m["big"] != nil {
		t.Errorf("saved %v", m)
	}
}

// A second Save after a failed one returns nil although nothing was saved.
func TestSaveAgainAfterFailedSaveKeepsTheError(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret, MaxCookieSize: 100}))
	var first, second error
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("big", strings.Repeat("x", 500))
		first = s.Save()
		second = s.Save()
	})
	w := serveOnce(t, r, "")
	if !errors.Is(first, ErrCookieTooLarge) {
		t.Fatalf("first Save = %v, want ErrCookieTooLarge", first)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Fatalf("a cookie was sent")
	}
	if second == nil {
		t.Errorf("second Save = nil, but the session was not saved")
	}
}

// What the middleware saves, it can read back: a session whose JSON is
// over Config.MaxSessionSize is not saved, even when it would compress
// into a cookie (2 MiB of one letter is a 2.8 KB cookie), and the client
// keeps its old session. Under the limit, a compressible session saves
// and loads.
func TestSessionOverMaxSessionSizeNotSaved(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/login", func(c *gin.Context) { Get(c).Set("user", "alice") })
	a.GET("/blob", func(c *gin.Context) {
		s := Get(c)
		s.Set("blob", strings.Repeat("a", mustAtoi(t, c.Query("n"))))
		c.String(http.StatusOK, "%v", s.Save())
	})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	tc := a.client()
	tc.get("/login")
	before := tc.sessionValue()

	r := tc.get("/blob?n=" + fmt.Sprint(2<<20))
	if !strings.Contains(r.Body, "over the") || a.ginErrs.count(ErrCookieTooLarge) != 1 {
		t.Errorf("Save = %s; c.Errors %v: want ErrCookieTooLarge once", r.Body, a.ginErrs.all())
	}
	if len(r.SetCookies(DefaultCookieName)) != 0 || tc.sessionValue() != before {
		t.Fatalf("the session was replaced: %q", r.SetCookies(DefaultCookieName))
	}
	tc.get("/read")
	if got.get()["user"] != "alice" {
		t.Errorf("the old session is gone: %v", got.get())
	}

	r = tc.get("/blob?n=" + fmt.Sprint(100<<10))
	if r.Body != "<nil>" {
		t.Fatalf("a 100 KiB compressible session: Save = %s", r.Body)
	}
	tc.get("/read")
	if s, _ := got.get()["blob"].(string); len(s) != 100<<10 {
		t.Errorf("read back %d bytes of blob, want %d", len(s), 100<<10)
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Decoding cost is bounded: a validly signed cookie of about 1 KB that
// inflates to 200,000 empty objects (33 MiB of allocations before the
// limit) is refused before it is parsed, and one just under the limit
// allocates a bounded amount.
func TestDecodeCostBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	a := newTestApp(t, Config{})
	a.GET("/read", func(c *gin.Context) { c.String(http.StatusOK, "%d", Get(c).Len()) })
	now := time.Now()
	objects := func(n int) []byte {
		return []byte(`{"a":[` + strings.TrimSuffix(strings.Repeat("{},", n), ",") + `]}`)
	}
	deflate := func(data []byte) string {
		var buf bytes.Buffer
		w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
		w.Write(data)
		w.Close()
		return "." + base64.RawURLEncoding.EncodeToString(buf.Bytes())
	}
	bomb := "session=" + signRaw(t, testSecret, deflate(objects(200000)), now)
	if len(bomb) > 2048 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	r := readWith(a, bomb)
	if r.Body != "0" || a.hooked.count(ErrInvalidCookie) != 1 {
		t.Fatalf("bomb: %s keys, errors %v; want 0 and one ErrInvalidCookie", r.Body, a.hooked.all())
	}
	// The most a cookie can ask for: objects just under the limit.
	n := (flaskcookie.DefaultMaxSize - 10) / 3
	worst := "session=" + signRaw(t, testSecret, deflate(objects(n)), now)
	codec := a.codec()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := codec.DecodeAt(strings.TrimPrefix(worst, "session="), now); err != nil {
		t.Fatalf("%d objects: %v", n, err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 8<<20 {
		t.Errorf("decoding the largest cookie allowed allocated %d MiB, want at most 8", alloc>>20)
	}
	t.Logf("%d-byte cookie of %d objects: %d KiB allocated", len(worst), n, alloc>>10)
}

// With the session middleware first and gin.Logger after it, a session
// that cannot be saved after the chain (the handler wrote nothing) is
// printed to gin.DefaultErrorWriter: the Logger has printed c.Errors by
// then, and with no ErrorHandler nothing else would say it.
func TestErrorAfterChainIsLogged(t *testing.T) {
	var errOut, accessLog testserver.Output
	old := gin.DefaultErrorWriter
	gin.DefaultErrorWriter = &errOut
	defer func() { gin.DefaultErrorWriter = old }()

	big := randomText(t, 8<<10)
	r := gin.New(Plugin(Config{SecretKey: testSecret}))
	r.Use(gin.LoggerWithWriter(&accessLog))
	r.GET("/big", func(c *gin.Context) {
		Get(c).Set("blob", big) // over a cookie, written by nobody
	})
	r.GET("/ok", func(c *gin.Context) { Get(c).Set("user", "alice") })
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, path := range []string{"/big", "/ok"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := errOut.String()
	if !strings.Contains(got, "[flasksession] GET /big: flasksession: cookie \"session\" would be") {
		t.Errorf("gin.DefaultErrorWriter got %q, want the lost /big session", got)
	}
	if strings.Contains(got, "/ok") {
		t.Errorf("a session that saved was logged: %q", got)
	}
	if strings.Contains(accessLog.String(), "flasksession:") {
		t.Errorf("the Logger saw the error after all (%q): the test no longer tests the order", accessLog.String())
	}

	// With an ErrorHandler, that is where the error goes, and only there.
	errOut.Reset()
	var hooked errLog
	r2 := gin.New(Plugin(Config{SecretKey: testSecret, ErrorHandler: func(_ *gin.Context, err error) { hooked.add(err) }}))
	r2.GET("/big", func(c *gin.Context) { Get(c).Set("blob", big) })
	w := httptest.NewRecorder()
	r2.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/big", nil))
	if hooked.count(ErrCookieTooLarge) != 1 || errOut.String() != "" {
		t.Errorf("ErrorHandler saw %v, error writer %q: want the error in the handler only", hooked.all(), errOut.String())
	}
}
