package flasksession

// The Session API (Flask's dict rules) and the typed getters, on values
// that went through a real cookie, so their Go types are the ones
// handlers see.

import (
	"errors"
	"html/template"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// sessionRunner sets values in one request and runs functions against the
// loaded session in later ones.
type sessionRunner struct {
	a  *testApp
	cl *testClient
	fn box[func(c *gin.Context)]
}

func newSessionRunner(t *testing.T, values map[string]any) *sessionRunner {
	r := &sessionRunner{a: newTestApp(t, Config{})}
	r.a.GET("/set", func(c *gin.Context) {
		s := Get(c)
		for k, v := range values {
			s.Set(k, v)
		}
		c.Status(http.StatusOK)
	})
	r.a.GET("/run", func(c *gin.Context) {
		r.fn.get()(c)
		c.Status(http.StatusOK)
	})
	r.cl = r.a.client()
	r.cl.get("/set")
	if errs := r.a.hooked.all(); len(errs) != 0 {
		t.Fatalf("set: %v", errs)
	}
	return r
}

// run calls f with the session of a request carrying the cookie, without
// keeping the cookie that request sends back.
func (r *sessionRunner) run(f func(s *Session)) *testResp {
	r.fn.put(func(c *gin.Context) { f(Get(c)) })
	saved := r.cl.sessionValue()
	resp := r.cl.get("/run")
	r.cl.SetCookie("session", saved)
	return resp
}

type getterUser struct {
	Name  string   `json:"name"`
	ID    int      `json:"id"`
	Roles []string `json:"roles"`
}

func TestGetAs(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	r := newSessionRunner(t, map[string]any{
		"int":      42,
		"neg":      -7,
		"float":    2.5,
		"whole":    2.0,
		"str":      "hi",
		"bool":     true,
		"huge":     huge,
		"max":      math.MaxInt64,
		"list":     []any{"a", "b"},
		"user":     getterUser{Name: "alice", ID: 3, Roles: []string{"admin"}},
		"userMap":  map[string]any{"name": "bob", "id": 4},
		"tuple":    Tuple{1, 2},
		"nil":      nil,
		"floatBig": 1e300,
	})
	type result struct {
		got any
		err error
	}
	tests := []struct {
		name string
		get  func(s *Session) (any, error)
		want any   // when err is nil
		err  error // sentinel, or errTypeError for *TypeError
	}{
		{"int as int", func(s *Session) (any, error) { return GetAs[int](s, "int") }, 42, nil},
		{"int as int64", func(s *Session) (any, error) { return GetAs[int64](s, "int") }, int64(42), nil},
		{"int as int8", func(s *Session) (any, error) { return GetAs[int8](s, "int") }, int8(42), nil},
		{"int as uint", func(s *Session) (any, error) { return GetAs[uint](s, "int") }, uint(42), nil},
		{"int as float64", func(s *Session) (any, error) { return GetAs[float64](s, "int") }, 42.0, nil},
		{"negative as uint", func(s *Session) (any, error) { return GetAs[uint](s, "neg") }, nil, errTypeError},
		{"float as float64", func(s *Session) (any, error) { return GetAs[float64](s, "float") }, 2.5, nil},
		{"float as float32", func(s *Session) (any, error) { return GetAs[float32](s, "float") }, float32(2.5), nil},
		{"fraction as int", func(s *Session) (any, error) { return GetAs[int](s, "float") }, nil, errTypeError},
		{"whole float as int", func(s *Session) (any, error) { return GetAs[int](s, "whole") }, 2, nil},
		{"1e300 as float32", func(s *Session) (any, error) { return GetAs[float32](s, "floatBig") }, nil, errTypeError},
		{"big as int64", func(s *Session) (any, error) { return GetAs[int64](s, "huge") }, nil, errTypeError},
		{"big as *big.Int", func(s *Session) (any, error) { return GetAs[*big.Int](s, "huge") }, huge, nil},
		{"big as float64", func(s *Session) (any, error) { return GetAs[float64](s, "huge") }, 1.2345678901234568e+29, nil},
		{"max int64", func(s *Session) (any, error) { return GetAs[int64](s, "max") }, int64(math.MaxInt64), nil},
		{"max int64 as int32", func(s *Session) (any, error) { return GetAs[int32](s, "max") }, nil, errTypeError},
		{"string", func(s *Session) (any, error) { return GetAs[string](s, "str") }, "hi", nil},
		{"string as int", func(s *Session) (any, error) { return GetAs[int](s, "str") }, nil, errTypeError},
		{"int as string", func(s *Session) (any, error) { return GetAs[string](s, "int") }, nil, errTypeError},
		{"bool", func(s *Session) (any, error) { return GetAs[bool](s, "bool") }, true, nil},
		{"list as []string", func(s *Session) (any, error) { return GetAs[[]string](s, "list") }, []string{"a", "b"}, nil},
		{"list as []any", func(s *Session) (any, error) { return GetAs[[]any](s, "list") }, []any{"a", "b"}, nil},
		{"list as []int", func(s *Session) (any, error) { return GetAs[[]int](s, "list") }, nil, errTypeError},
		{"struct back as struct", func(s *Session) (any, error) { return GetAs[getterUser](s, "user") }, getterUser{"alice", 3, []string{"admin"}}, nil},
		{"map as struct", func(s *Session) (any, error) { return GetAs[getterUser](s, "userMap") }, getterUser{Name: "bob", ID: 4}, nil},
		{"struct as map", func(s *Session) (any, error) { return GetAs[map[string]any](s, "user") }, map[string]any{"name": "alice", "id": 3, "roles": []any{"admin"}}, nil},
		{"tuple", func(s *Session) (any, error) { return GetAs[Tuple](s, "tuple") }, Tuple{1, 2}, nil},
		{"tuple as []int", func(s *Session) (any, error) { return GetAs[[]int](s, "tuple") }, []int{1, 2}, nil},
		{"nil as *int", func(s *Session) (any, error) { return GetAs[*int](s, "nil") }, (*int)(nil), nil},
		{"nil as int", func(s *Session) (any, error) { return GetAs[int](s, "nil") }, nil, errTypeError},
		{"bool as int", func(s *Session) (any, error) { return GetAs[int](s, "bool") }, nil, errTypeError},
		{"missing", func(s *Session) (any, error) { return GetAs[int](s, "nope") }, nil, ErrNoKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res box[result]
			r.run(func(s *Session) {
				got, err := tt.get(s)
				res.put(result{got, err})
			})
			got := res.get()
			switch {
			case tt.err == nil:
				if got.err != nil {
					t.Fatalf("error %v", got.err)
				}
				if !equalValue(got.got, tt.want) {
					t.Errorf("got %#v (%T), want %#v (%T)", got.got, got.got, tt.want, tt.want)
				}
			case tt.err == errTypeError:
				var te *TypeError
				if !errors.As(got.err, &te) {
					t.Fatalf("error %v, want a *TypeError", got.err)
				}
				if te.Key == "" || te.Want == "" || te.Got == "" || !strings.HasPrefix(te.Error(), "flasksession: ") || !strings.Contains(te.Error(), te.Key) {
					t.Errorf("TypeError %+v: %q", *te, te.Error())
				}
			default:
				if !errors.Is(got.err, tt.err) {
					t.Errorf("error %v, want %v", got.err, tt.err)
				}
				if !strings.HasPrefix(got.err.Error(), "flasksession: ") {
					t.Errorf("message %q lacks the prefix", got.err)
				}
			}
		})
	}
}

// errTypeError marks table cases expecting a *TypeError.
var errTypeError = errors.New("want *TypeError")

func equalValue(got, want any) bool {
	if g, ok := got.(*big.Int); ok {
		w, ok := want.(*big.Int)
		return ok && g.Cmp(w) == 0
	}
	return reflect.DeepEqual(got, want)
}

func TestShorthandGetters(t *testing.T) {
	r := newSessionRunner(t, map[string]any{"s": "x", "i": 7, "f": 7.0, "b": false, "frac": 7.5})
	type res struct {
		s, sWrong   string
		sOK, sWOK   bool
		i, iF, iFr  int
		iOK, iFOK   bool
		iFrOK       bool
		b           bool
		bOK, bIntOK bool
		missingOK   bool
	}
	var out box[res]
	r.run(func(s *Session) {
		var v res
		v.s, v.sOK = s.GetString("s")
		v.sWrong, v.sWOK = s.GetString("i")
		v.i, v.iOK = s.GetInt("i")
		v.iF, v.iFOK = s.GetInt("f")
		v.iFr, v.iFrOK = s.GetInt("frac")
		v.b, v.bOK = s.GetBool("b")
		_, v.bIntOK = s.GetBool("i")
		_, v.missingOK = s.GetString("missing")
		out.put(v)
	})
	v := out.get()
	if v.s != "x" || !v.sOK || v.sWrong != "" || v.sWOK {
		t.Errorf("GetString: %+v", v)
	}
	if v.i != 7 || !v.iOK || v.iF != 7 || !v.iFOK || v.iFr != 0 || v.iFrOK {
		t.Errorf("GetInt: %+v", v)
	}
	if v.b || !v.bOK || v.bIntOK || v.missingOK {
		t.Errorf("GetBool / missing: %+v", v)
	}
}

func TestDecode(t *testing.T) {
	r := newSessionRunner(t, map[string]any{"user": getterUser{Name: "alice", ID: 3}, "n": 5})
	var u box[getterUser]
	var errs box[[]error]
	r.run(func(s *Session) {
		var x getterUser
		e1 := s.Decode("user", &x)
		u.put(x)
		var notPtr getterUser
		e2 := s.Decode("user", notPtr)
		var y getterUser
		e3 := s.Decode("missing", &y)
		var str string
		e4 := s.Decode("n", &str)
		errs.put([]error{e1, e2, e3, e4})
	})
	e := errs.get()
	if e[0] != nil || u.get().Name != "alice" || u.get().ID != 3 {
		t.Errorf("Decode: %+v, %v", u.get(), e[0])
	}
	if e[1] == nil || !strings.Contains(e[1].Error(), "pointer") {
		t.Errorf("Decode into a non-pointer: %v", e[1])
	}
	if !errors.Is(e[2], ErrNoKey) || !strings.Contains(e[2].Error(), "missing") {
		t.Errorf("Decode of a missing key: %v", e[2])
	}
	var te *TypeError
	if !errors.As(e[3], &te) || te.Key != "n" {
		t.Errorf("Decode of an int into a string: %v", e[3])
	}
}

// Flask's dict semantics, flag by flag (modified and accessed, as Flask
// 3.1.3 sets them).
func TestSessionDictRules(t *testing.T) {
	r := newSessionRunner(t, map[string]any{"a": 1, "b": "two"})
	type flags struct{ accessed, modified bool }
	tests := []struct {
		name string
		do   func(s *Session) any
		want any
		f    flags
	}{
		{"fresh", func(s *Session) any { return nil }, nil, flags{false, false}},
		{"Get", func(s *Session) any { v, ok := s.Get("a"); return [2]any{v, ok} }, [2]any{1, true}, flags{true, false}},
		{"Get missing", func(s *Session) any { v, ok := s.Get("z"); return [2]any{v, ok} }, [2]any{nil, false}, flags{true, false}},
		{"Has", func(s *Session) any { return s.Has("a") }, true, flags{true, false}},
		{"Len", func(s *Session) any { return s.Len() }, 2, flags{true, false}},
		{"Keys sorted", func(s *Session) any { return s.Keys() }, []string{"a", "b"}, flags{true, false}},
		{"Permanent", func(s *Session) any { return s.Permanent() }, false, flags{true, false}},
		{"Set same value", func(s *Session) any { s.Set("a", 1); return s.Len() }, 2, flags{true, true}},
		{"Pop", func(s *Session) any { v, ok := s.Pop("a"); return [3]any{v, ok, s.Keys()} }, [3]any{1, true, []string{"b"}}, flags{true, true}},
		{"Pop missing", func(s *Session) any { v, ok := s.Pop("z"); return [2]any{v, ok} }, [2]any{nil, false}, flags{true, false}},
		{"Delete", func(s *Session) any { s.Delete("b"); return s.Keys() }, []string{"a"}, flags{true, true}},
		{"Delete missing", func(s *Session) any { s.Delete("z"); return s.Len() }, 2, flags{true, false}},
		{"Clear", func(s *Session) any { s.Clear(); return s.Len() }, 0, flags{true, true}},
		{"MarkModified", func(s *Session) any { s.MarkModified(); return nil }, nil, flags{true, true}},
		{"SetPermanent stores _permanent", func(s *Session) any {
			s.SetPermanent(true)
			v, _ := s.Get(PermanentKey)
			return [2]any{v, s.Permanent()}
		}, [2]any{true, true}, flags{true, true}},
		{"SetPermanent(false) is a write", func(s *Session) any {
			s.SetPermanent(false)
			return s.Keys()
		}, []string{PermanentKey, "a", "b"}, flags{true, true}},
		{"Destroy is Clear for cookies", func(s *Session) any { s.Destroy(); return s.Len() }, 0, flags{true, true}},
		{"Regenerate keeps data, re-saves", func(s *Session) any { s.Regenerate(); return s.Keys() }, []string{"a", "b"}, flags{true, true}},
		{"Clear drops _permanent", func(s *Session) any {
			s.SetPermanent(true)
			s.Clear()
			return s.Permanent()
		}, false, flags{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got box[any]
			var f box[flags]
			r.run(func(s *Session) {
				got.put(tt.do(s))
				f.put(flags{s.Accessed(), s.Modified()})
			})
			if !reflect.DeepEqual(got.get(), tt.want) {
				t.Errorf("got %#v, want %#v", got.get(), tt.want)
			}
			if f.get() != tt.f {
				t.Errorf("accessed, modified = %+v, want %+v", f.get(), tt.f)
			}
		})
	}
}

// Nested changes are not seen (as in Flask) unless MarkModified is called.
func TestNestedChangeNeedsMarkModified(t *testing.T) {
	for _, mark := range []bool{false, true} {
		r := newSessionRunner(t, map[string]any{"cart": map[string]any{"n": 1}})
		r.fn.put(func(c *gin.Context) {
			s := Get(c)
			v, _ := s.Get("cart")
			v.(map[string]any)["n"] = 2
			if mark {
				s.MarkModified()
			}
		})
		r.cl.get("/run") // keeps the cookie it gets back
		var got box[any]
		r.run(func(s *Session) { v, _ := s.Get("cart"); got.put(v.(map[string]any)["n"]) })
		want := 1
		if mark {
			want = 2
		}
		if got.get() != want {
			t.Errorf("MarkModified %v: n = %v, want %d", mark, got.get(), want)
		}
	}
}

func TestGetWithoutMiddleware(t *testing.T) {
	c, _ := gin.CreateTestContext(nil)
	if s, ok := Lookup(c); ok || s != nil {
		t.Errorf("Lookup = %v, %v", s, ok)
	}
	if err, _ := panicValue(func() { Get(c) }).(error); !errors.Is(err, ErrNoMiddleware) {
		t.Errorf("Get panicked with %v, want an error matching ErrNoMiddleware", err)
	}
	if msg := panicMessage(func() { Flash(c, "x") }); msg == "" {
		t.Error("Flash without the middleware did not panic")
	}
}

// Plugin registers the same middleware as an engine option.
func TestPlugin(t *testing.T) {
	e := gin.New(Plugin(Config{SecretKey: testSecret}))
	e.GET("/", func(c *gin.Context) {
		Get(c).Set("via", "plugin")
		c.String(http.StatusOK, "ok")
	})
	a := &testApp{Engine: e, t: t, cfg: Config{SecretKey: testSecret}, hooked: &errLog{}, ginErrs: &errLog{}}
	r := a.client().get("/")
	if m := a.decode(r.CookieValue(t, "session")); m["via"] != "plugin" {
		t.Errorf("cookie holds %v", m)
	}
}

func TestValueForTemplates(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret}))
	tmpl := template.Must(template.New("t").Parse(`{{ .session.Value "user" }}|{{ .session.Value "missing" }}`))
	r.SetHTMLTemplate(tmpl)
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("user", "<alice>")
		c.HTML(http.StatusOK, "t", gin.H{"session": s})
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if got, want := w.Body.String(), "&lt;alice&gt;|"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
}

// Session.Decode(key, nil) must return an error, not panic: convert
// rejects the nil dst, then building the TypeError calls
// reflect.TypeOf(nil).String().
func TestDecodeNilDstIsAnError(t *testing.T) {
	r := gin.New()
	r.Use(New(Config{SecretKey: testSecret}))
	var err error
	var panicked any
	r.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Set("k", map[string]any{"a": 1})
		func() {
			defer func() { panicked = recover() }()
			err = s.Decode("k", nil)
		}()
	})
	serveOnce(t, r, "")
	if panicked != nil {
		t.Fatalf("Decode(key, nil) panicked: %v", panicked)
	}
	if err == nil {
		t.Fatal("Decode(key, nil) returned nil")
	}
}
