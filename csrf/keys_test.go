package csrf_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
)

// The key rules are the session middleware's: a key of at least
// flasksession.MinSecretKeyLen bytes unless AllowWeakSecretKey, no empty or
// short fallback; and, new with one key, an empty key is valid.
func TestKeyRules(t *testing.T) {
	key := []byte(testKey)
	short := []byte("fifteen bytes!!")
	if len(short) != flasksession.MinSecretKeyLen-1 {
		t.Fatalf("short key of %d bytes", len(short))
	}
	for _, tc := range []struct {
		name  string
		cfg   csrf.Config
		is    []error // sentinels the error matches; nil: valid
		field string  // the *ConfigError's Field; "" for none
		msg   string
	}{
		{"no key: the session's", csrf.Config{}, nil, "", ""},
		{"key", csrf.Config{SecretKey: key}, nil, "", ""},
		{"16 bytes", csrf.Config{SecretKey: []byte("sixteen bytes!!!")}, nil, "", ""},
		{"15 bytes", csrf.Config{SecretKey: short}, []error{csrf.ErrWeakSecretKey}, "",
			"csrf: Config.SecretKey is shorter than 16 bytes"},
		{"1 byte", csrf.Config{SecretKey: []byte("k")}, []error{csrf.ErrWeakSecretKey}, "",
			"csrf: Config.SecretKey is shorter than 16 bytes"},
		{"short key allowed", csrf.Config{SecretKey: short, AllowWeakSecretKey: true}, nil, "", ""},
		{"1 byte allowed", csrf.Config{SecretKey: []byte("k"), AllowWeakSecretKey: true}, nil, "", ""},
		{"short fallback", csrf.Config{SecretKey: key, SecretKeyFallbacks: [][]byte{key, short}},
			[]error{csrf.ErrWeakSecretKey, csrf.ErrInvalidConfig}, "SecretKeyFallbacks",
			"csrf: invalid Config.SecretKeyFallbacks: entry 1 is shorter than 16 bytes"},
		{"short fallback allowed", csrf.Config{SecretKey: key, SecretKeyFallbacks: [][]byte{short}, AllowWeakSecretKey: true}, nil, "", ""},
		{"empty fallback", csrf.Config{SecretKey: key, SecretKeyFallbacks: [][]byte{{}}},
			[]error{csrf.ErrInvalidConfig}, "SecretKeyFallbacks",
			"csrf: invalid Config.SecretKeyFallbacks: entry 0 is empty"},
		{"empty fallback, weak keys allowed", csrf.Config{SecretKey: key, SecretKeyFallbacks: [][]byte{nil}, AllowWeakSecretKey: true},
			[]error{csrf.ErrInvalidConfig}, "SecretKeyFallbacks",
			"csrf: invalid Config.SecretKeyFallbacks: entry 0 is empty"},
		{"fallbacks without key", csrf.Config{SecretKeyFallbacks: [][]byte{key}},
			[]error{csrf.ErrNoSecretKey, csrf.ErrInvalidConfig}, "SecretKeyFallbacks",
			"csrf: invalid Config.SecretKeyFallbacks: set without SecretKey"},
		{"separate key missing", csrf.Config{SeparateSecretKey: true},
			[]error{csrf.ErrNoSecretKey, csrf.ErrInvalidConfig}, "SecretKey",
			"csrf: invalid Config.SecretKey: empty, with SeparateSecretKey set"},
		{"separate key", csrf.Config{SecretKey: []byte(otherKey), SeparateSecretKey: true}, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.is == nil {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				csrf.Protect(tc.cfg) // does not panic
				return
			}
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("Validate: %v, want %q", err, tc.msg)
			}
			for _, s := range tc.is {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(%v, %v) = false", err, s)
				}
			}
			var ce *csrf.ConfigError
			if got := errors.As(err, &ce); got != (tc.field != "") {
				t.Fatalf("errors.As *ConfigError = %v, want %v", got, tc.field != "")
			}
			if ce != nil && ce.Field != tc.field {
				t.Errorf("Field %q, want %q", ce.Field, tc.field)
			}
			p := catch(func() { csrf.Protect(tc.cfg) })
			if perr, _ := p.(error); perr == nil || perr.Error() != tc.msg || !errors.Is(perr, tc.is[0]) {
				t.Errorf("Protect panicked with %#v, want the error %q", p, tc.msg)
			}
		})
	}
}

// The sentinels and ConfigError have the root package's shape.
func TestErrorShapes(t *testing.T) {
	for _, err := range []error{csrf.ErrNoSecretKey, csrf.ErrWeakSecretKey, csrf.ErrInvalidConfig,
		csrf.ErrKeyMismatch, csrf.ErrNoSession, csrf.ErrNotProtected} {
		if !strings.HasPrefix(err.Error(), "csrf: ") {
			t.Errorf("%q lacks the package prefix", err)
		}
	}
	inner := errors.New("inner")
	ce := &csrf.ConfigError{Field: "Methods", Msg: "entry 0 is empty", Err: inner}
	if got, want := ce.Error(), "csrf: invalid Config.Methods: entry 0 is empty"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(ce, csrf.ErrInvalidConfig) || !errors.Is(ce, inner) || errors.Unwrap(ce) != inner {
		t.Error("ConfigError: Is(ErrInvalidConfig), Is(Err) and Unwrap() = Err")
	}
	if errors.Is(csrf.ErrInvalidConfig, csrf.ErrNoSecretKey) || errors.Is(&csrf.ConfigError{}, csrf.ErrNoSecretKey) {
		t.Error("a ConfigError without Err matches ErrNoSecretKey")
	}
}

// oneKeyApp is a Gin app whose csrf.Config leaves the key to the session
// middleware: GET /token answers {"token", "raw"}, POST /submit "ok".
func oneKeyApp(sess flasksession.Config, protect gin.HandlerFunc) *gin.Engine {
	r := gin.New(flasksession.Plugin(sess))
	r.Use(protect)
	r.GET("/token", func(c *gin.Context) {
		tok := csrf.Token(c)
		raw, _ := flasksession.Get(c).GetString("csrf_token")
		c.JSON(http.StatusOK, gin.H{"token": tok, "raw": raw})
	})
	r.POST("/submit", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

// An empty csrf key signs with the session middleware's key and checks
// with its fallbacks too.
func TestOneKey(t *testing.T) {
	const oldKey = "csrf tests: the key before the rotation"
	match := func(t *testing.T, key, token, raw string) error {
		t.Helper()
		m, err := csrf.NewMatcher(csrf.Config{SecretKey: []byte(key), AllowWeakSecretKey: true})
		if err != nil {
			t.Fatal(err)
		}
		return m(token, raw)
	}

	t.Run("signs with the session key", func(t *testing.T) {
		base := serve(t, oneKeyApp(flasksession.Config{SecretKey: []byte(testKey)}, csrf.Protect(csrf.Config{})))
		v := newVisitor(t)
		tok, raw := v.token(base)
		if err := match(t, testKey, tok, raw); err != nil {
			t.Errorf("the token does not verify under the session key: %v", err)
		}
		if err := match(t, otherKey, tok, raw); !errors.Is(err, csrf.ErrTokenInvalid) {
			t.Errorf("under another key: %v, want ErrTokenInvalid", err)
		}
		if got := v.post(base, tok); got != accepted {
			t.Errorf("post: %v", got)
		}
	})

	t.Run("checks with the session fallbacks", func(t *testing.T) {
		sess := flasksession.Config{SecretKey: []byte(testKey), SecretKeyFallbacks: [][]byte{[]byte(oldKey)}}
		base := serve(t, oneKeyApp(sess, csrf.Protect(csrf.Config{})))
		v := newVisitor(t)
		tok, raw := v.token(base)
		if err := match(t, testKey, tok, raw); err != nil {
			t.Errorf("new tokens are not signed with SecretKey: %v", err)
		}
		if got := v.post(base, csrf.SignForTest(csrf.Config{SecretKey: []byte(oldKey)}, raw)); got != accepted {
			t.Errorf("token of the fallback key: %v, want accepted", got)
		}
		if got := v.post(base, csrf.SignForTest(csrf.Config{SecretKey: []byte(otherKey)}, raw)); got != refused(csrf.ErrTokenInvalid) {
			t.Errorf("token of a stranger's key: %v", got)
		}
	})

	t.Run("one Protect, two session keys", func(t *testing.T) {
		// The serializer is made per distinct session key: one handler
		// under two session middlewares signs with each one's key.
		h := csrf.Protect(csrf.Config{})
		a := serve(t, oneKeyApp(flasksession.Config{SecretKey: []byte(testKey)}, h))
		b := serve(t, oneKeyApp(flasksession.Config{SecretKey: []byte(otherKey)}, h))
		for range 2 {
			for _, app := range []struct{ base, key, other string }{{a, testKey, otherKey}, {b, otherKey, testKey}} {
				v := newVisitor(t)
				tok, raw := v.token(app.base)
				if err := match(t, app.key, tok, raw); err != nil {
					t.Errorf("%s: not signed with its session key: %v", app.base, err)
				}
				if err := match(t, app.other, tok, raw); err == nil {
					t.Errorf("%s: signed with the other app's key", app.base)
				}
			}
		}
	})

	t.Run("weak session key", func(t *testing.T) {
		// A short key the session middleware accepted is taken as it is.
		sess := flasksession.Config{SecretKey: []byte("dev-key"), AllowWeakSecretKey: true}
		base := serve(t, oneKeyApp(sess, csrf.Protect(csrf.Config{})))
		v := newVisitor(t)
		r := v.do(http.MethodGet, base+"/token", nil, nil)
		var got struct{ Token, Raw string }
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(r)
		}
		if err := match(t, "dev-key", got.Token, got.Raw); err != nil {
			t.Errorf("not signed with the session's short key: %v", err)
		}
	})
}

// catch runs f and returns what it panicked with.
func catch(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}
