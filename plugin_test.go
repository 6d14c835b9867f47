package flasksession

// The middleware's behaviour, read first: TestMiddleware is one table of
// every way a handler answers × where sessions live × what the handler
// did with the session, and the response's session cookie and Vary.

import (
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/internal/webtest"
)

// responseKinds are the ways a Gin handler can answer. Each writes its
// answer after the session was used; the session must be committed before
// the first header byte goes out, whichever it is.
func responseKinds(file string) []responseKind {
	return []responseKind{
		{"String", "GET", func(c *gin.Context) { c.String(http.StatusCreated, "hello %d", 1) }, 201, "hello 1"},
		{"JSON", "GET", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) }, 200, `{"ok":true}`},
		{"HTML", "GET", func(c *gin.Context) { c.HTML(http.StatusOK, "page", gin.H{"n": "x"}) }, 200, "<p>x</p>"},
		{"Data", "GET", func(c *gin.Context) { c.Data(http.StatusOK, "application/octet-stream", []byte{1, 2, 3}) }, 200, "\x01\x02\x03"},
		{"RedirectGET", "GET", func(c *gin.Context) { c.Redirect(http.StatusFound, "/elsewhere") }, 302, anyBody},
		{"RedirectPOST", "POST", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/elsewhere") }, 303, ""},
		{"AbortWithStatus", "GET", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) }, 401, ""},
		{"AbortWithStatusJSON", "GET", func(c *gin.Context) { c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"e": 1}) }, 403, `{"e":1}`},
		{"StatusNoBody", "GET", func(c *gin.Context) { c.Status(http.StatusNoContent) }, 204, ""},
		{"StatusOnly", "GET", func(c *gin.Context) { c.Status(http.StatusAccepted) }, 202, ""},
		{"NoBody", "GET", func(c *gin.Context) {}, 200, ""},
		{"WriterWrite", "GET", func(c *gin.Context) { c.Writer.Write([]byte("raw")) }, 200, "raw"},
		{"WriterWriteString", "GET", func(c *gin.Context) { c.Writer.WriteString("raw string") }, 200, "raw string"},
		{"WriteHeaderThenWrite", "GET", func(c *gin.Context) {
			c.Writer.WriteHeader(http.StatusTeapot)
			c.Writer.Write([]byte("tea"))
		}, 418, "tea"},
		{"WriteHeaderNow", "GET", func(c *gin.Context) {
			c.Writer.WriteHeader(http.StatusAccepted)
			c.Writer.WriteHeaderNow()
		}, 202, ""},
		{"Flush", "GET", func(c *gin.Context) {
			c.Writer.Flush()
			c.Writer.Write([]byte("after flush"))
		}, 200, "after flush"},
		{"ResponseControllerFlush", "GET", func(c *gin.Context) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				c.Error(err)
			}
			io.WriteString(c.Writer, "rc")
		}, 200, "rc"},
		{"Stream", "GET", func(c *gin.Context) {
			n := 0
			c.Stream(func(w io.Writer) bool {
				n++
				fmt.Fprintf(w, "chunk%d;", n)
				return n < 3
			})
		}, 200, "chunk1;chunk2;chunk3;"},
		{"SSEvent", "GET", func(c *gin.Context) { c.SSEvent("msg", "hi") }, 200, "event:msg\ndata:hi\n\n"},
		{"File", "GET", func(c *gin.Context) { c.File(file) }, 200, "file body"},
		{"Fprintf", "GET", func(c *gin.Context) { fmt.Fprintf(c.Writer, "fmt %s", "ok") }, 200, "fmt ok"},
		{"Hijack", "GET", hijackAnswer, 200, "hijacked"},
		{"PanicUnderRecovery", "GET", func(c *gin.Context) { panic("boom") }, 500, ""},
	}
}

type responseKind struct {
	name    string
	method  string
	handler gin.HandlerFunc
	status  int
	body    string // anyBody: not checked
}

const anyBody = "\x00any"

// hijackAnswer writes a raw response after Hijack. The handler owns the
// connection then and net/http sends nothing from the header map, so what
// the middleware must do is have the session's headers in c.Writer.Header()
// when Hijack returns; this handler sends them on, as a websocket upgrader
// given those headers does.
func hijackAnswer(c *gin.Context) {
	h := c.Writer.Header()
	conn, rw, err := c.Writer.Hijack()
	if err != nil {
		c.Error(err)
		return
	}
	defer conn.Close()
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n")
	for _, k := range []string{"Set-Cookie", "Vary"} {
		for _, v := range h.Values(k) {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\nhijacked")
	rw.WriteString(b.String())
	rw.Flush()
}

// sessionActions are what the handler does with the session before it
// answers, starting from a session the client already has, and what the
// response must then carry.
var sessionActions = []struct {
	name      string
	permanent bool // the client's session before the request
	act       func(s *Session, kind string)
	outcome   string // "set", "deleted" or "none": the session cookie
	vary      bool   // Vary: Cookie
	after     string // the "kind" the next request reads; "" for none
}{
	{"Set", false, func(s *Session, kind string) { s.Set("kind", kind) }, "set", true, "{kind}"},
	{"Clear", false, func(s *Session, _ string) { s.Clear() }, "deleted", true, ""},
	{"Read", false, func(s *Session, _ string) { s.Get("kind") }, "none", true, "primed"},
	{"Untouched", false, func(*Session, string) {}, "none", false, "primed"},
	{"UntouchedPermanent", true, func(*Session, string) {}, "set", true, "primed"},
}

// TestMiddleware is the middleware's behaviour in one table: every way a
// handler answers × where sessions live × what the handler did with the
// session → the session cookie set, deleted or not sent, and Vary.
func TestMiddleware(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(file, []byte("file body"), 0o644); err != nil {
		t.Fatal(err)
	}
	forEach(t, []backendKind{cookieKind, memKind}, func(t *testing.T, b *backendCase) {
		for _, kind := range responseKinds(file) {
			for _, action := range sessionActions {
				t.Run(kind.name+"/"+action.name, func(t *testing.T) {
					a := newTestApp(t, b.config(Config{}), withBefore(gin.RecoveryWithWriter(io.Discard)))
					a.SetHTMLTemplate(template.Must(template.New("page").Parse(`<p>{{.n}}</p>`)))
					a.GET("/prime", func(c *gin.Context) {
						Get(c).Set("kind", "primed")
						Get(c).SetPermanent(action.permanent)
					})
					a.Handle(kind.method, "/answer", func(c *gin.Context) {
						action.act(Get(c), kind.name)
						kind.handler(c)
					})
					var got box[map[string]any]
					a.GET("/read", sessionDump(&got))
					cl := a.client()
					cl.get("/prime")

					r := cl.do(kind.method, "/answer", nil)
					if r.Status != kind.status {
						t.Errorf("status %d, want %d", r.Status, kind.status)
					}
					if kind.body != anyBody && r.Body != kind.body {
						t.Errorf("body %q, want %q", r.Body, kind.body)
					}
					raw, sent := r.Cookie(t, DefaultCookieName)
					switch {
					case action.outcome == "none" && sent:
						t.Errorf("Set-Cookie %q, want none", raw)
					case action.outcome == "deleted" && !(sent && webtest.IsDeletion(raw)):
						t.Errorf("Set-Cookie %q (sent: %v), want a deletion", raw, sent)
					case action.outcome == "set" && !(sent && !webtest.IsDeletion(raw)):
						t.Errorf("Set-Cookie %q (sent: %v), want a session cookie", raw, sent)
					case action.outcome == "set" && action.permanent && !strings.Contains(raw, "; Expires="):
						t.Errorf("Set-Cookie %q, want a refreshed Expires", raw)
					}
					if vary := r.Header.Values("Vary"); action.vary != (len(vary) == 1 && vary[0] == "Cookie") || len(vary) > 1 {
						t.Errorf("Vary %q, want Cookie: %v", vary, action.vary)
					}
					cl.get("/read")
					want := strings.ReplaceAll(action.after, "{kind}", kind.name)
					if k, _ := got.get()["kind"].(string); k != want {
						t.Errorf("next request reads kind %q, want %q", k, want)
					}
					if errs := a.hooked.all(); len(errs) != 0 {
						t.Errorf("errors: %v", errs)
					}
				})
			}
		}
	})
}

// A change after Hijack cannot be sent: the connection is the handler's.
// It is reported once the chain returns.
func TestHijackThenChange(t *testing.T) {
	lateDone := make(chan struct{})
	a := newTestApp(t, Config{}, withBefore(func(c *gin.Context) {
		c.Next()
		close(lateDone)
	}))
	a.GET("/hijack-then-change", func(c *gin.Context) {
		conn, rw, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		rw.Flush()
		Get(c).Set("late", true)
	})
	a.client().get("/hijack-then-change")
	select {
	case <-lateDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the hijacking handler did not return")
	}
	if n := a.hooked.count(ErrHeadersWritten); n != 1 {
		t.Errorf("ErrorHandler saw %d ErrHeadersWritten (all: %v), want 1", n, a.hooked.all())
	}
}

// Recovery inside the session middleware: the 500 still carries the
// session, as Flask saves it on the 500 of an unhandled exception.
func TestPanicRecoveredInside(t *testing.T) {
	a := newTestApp(t, Config{})
	a.Use(gin.RecoveryWithWriter(io.Discard))
	a.GET("/boom", func(c *gin.Context) {
		Get(c).Set("before", "panic")
		panic("boom")
	})
	r := a.client().get("/boom")
	if r.Status != http.StatusInternalServerError {
		t.Errorf("status %d", r.Status)
	}
	if m := a.decode(r.CookieValue(t, "session")); m["before"] != "panic" {
		t.Errorf("cookie holds %v", m)
	}
}

// Routing's 404 runs the global middleware too: a permanent session is
// refreshed on it, as in Flask.
func TestResponseKinds_NotFoundRefreshesPermanent(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/login", func(c *gin.Context) {
		Get(c).SetPermanent(true)
		c.String(http.StatusOK, "")
	})
	cl := a.client()
	cl.get("/login")
	r := cl.get("/no/such/route")
	if r.Status != http.StatusNotFound {
		t.Fatalf("status %d", r.Status)
	}
	raw, ok := r.Cookie(t, "session")
	if !ok || !strings.Contains(raw, "Expires=") {
		t.Errorf("404: Set-Cookie %q, want a refreshed permanent cookie", raw)
	}
	if got := r.Header.Values("Vary"); len(got) != 1 || got[0] != "Cookie" {
		t.Errorf("Vary %q, want [Cookie]", got)
	}
}

// Cookies the handler sets itself survive the session's saves, before and
// after them, including a re-save after a late change.
func TestOtherCookiesKept(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/", func(c *gin.Context) {
		s := Get(c)
		c.SetCookie("before", "1", 0, "/", "", false, true)
		s.Set("a", 1)
		if err := s.Save(); err != nil {
			c.Error(err)
		}
		c.SetCookie("after", "2", 0, "/", "", false, true)
		s.Set("b", 2) // saved again when the response starts
		c.String(http.StatusOK, "ok")
	})
	r := a.client().get("/")
	names := map[string]int{}
	for _, raw := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(raw)
		if err != nil {
			t.Fatal(err)
		}
		names[c.Name]++
	}
	if names["before"] != 1 || names["after"] != 1 || names["session"] != 1 {
		t.Errorf("Set-Cookie headers %q", r.Header.Values("Set-Cookie"))
	}
	if m := a.decode(r.CookieValue(t, "session")); m["a"] != 1 || m["b"] != 2 {
		t.Errorf("session cookie holds %v, want a and b", m)
	}
}

// A custom cookie name is read and written; a cookie under the default
// name is ignored.
func TestCustomCookieName(t *testing.T) {
	a := newTestApp(t, Config{CookieName: "my-app_session"})
	a.GET("/set", func(c *gin.Context) { Get(c).Set("k", "v") })
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	cl := a.client()
	r := cl.get("/set")
	raw, ok := r.Cookie(t, "my-app_session")
	if !ok || !strings.HasSuffix(raw, "; HttpOnly; Path=/; SameSite=Lax") {
		t.Fatalf("Set-Cookie %q", r.Header.Values("Set-Cookie"))
	}
	cl.get("/read")
	if got.get()["k"] != "v" {
		t.Errorf("read %v", got.get())
	}
	other := a.client()
	other.SetCookie("session", cl.Cookie("my-app_session"))
	other.get("/read")
	if len(got.get()) != 0 {
		t.Errorf("a cookie under the default name was used: %v", got.get())
	}
}

// Registering the middleware twice (engine and group) makes the outer
// copy refresh a permanent session from the request's cookie after the
// inner copy saved the change; the stale cookie comes last and wins.
func TestRegisteredTwiceOneSessionOneCookie(t *testing.T) {
	cfg := Config{SecretKey: testSecret}
	codec, _ := flaskcookie.New(flaskcookie.Config{SecretKey: testSecret})
	old, _ := codec.EncodeAt(map[string]any{PermanentKey: true, "n": 1}, time.Now())
	r := gin.New()
	r.Use(New(cfg))
	g := r.Group("/", New(cfg))
	g.GET("/", func(c *gin.Context) { Get(c).Set("n", 2); c.String(200, "ok") })
	cookies := serveOnce(t, r, "session="+old).Result().Cookies()
	if len(cookies) == 0 {
		t.Fatal("no cookie")
	}
	last := cookies[len(cookies)-1]
	got, err := codec.Decode(last.Value)
	if err != nil {
		t.Fatal(err)
	}
	if got["n"] != 2 {
		t.Errorf("%d Set-Cookie headers; the last (which the browser keeps) has n=%v, want 2", len(cookies), got["n"])
	}
}

func serveOnce(t *testing.T, r *gin.Engine, cookie string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// A second middleware with its own Config, on an admin group say, applies
// to that group's routes: one session, one cookie, the group's cookie
// attributes and lifetime. If something used the session before the
// second middleware ran, that is reported and the first Config stays.
func TestSecondConfigOnAGroup(t *testing.T) {
	now := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := newFakeClock(now)
	site, err := newMiddleware(Config{SecretKey: testSecret}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := newMiddleware(Config{SecretKey: testSecret, CookieSecure: true, PermanentLifetime: 15 * time.Minute}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	var errs errLog
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		for _, e := range c.Errors {
			errs.add(e.Err)
		}
	})
	r.Use(site.handle)
	login := func(c *gin.Context) { Get(c).Set("user", "root"); Get(c).SetPermanent(true) }
	r.GET("/login", login)
	r.Group("/admin", admin.handle).GET("/login", login)
	r.Group("/early", func(c *gin.Context) { Get(c).Get("user") }, admin.handle).GET("/login", login)

	for _, tt := range []struct {
		path, want string
		errs       int
	}{
		{"/login", "; Expires=" + now.Add(DefaultPermanentLifetime).Format(http.TimeFormat) + "; HttpOnly; Path=/; SameSite=Lax", 0},
		{"/admin/login", "; Expires=" + now.Add(15*time.Minute).Format(http.TimeFormat) + "; Secure; HttpOnly; Path=/; SameSite=Lax", 0},
		{"/early/login", "; Expires=" + now.Add(DefaultPermanentLifetime).Format(http.TimeFormat) + "; HttpOnly; Path=/; SameSite=Lax", 1},
	} {
		errs.reset()
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
		sc := w.Header().Values("Set-Cookie")
		if len(sc) != 1 || !strings.HasSuffix(sc[0], tt.want) {
			t.Errorf("%s: Set-Cookie %q, want one ending %q", tt.path, sc, tt.want)
		}
		if n := errs.count(ErrInvalidConfig); n != tt.errs {
			t.Errorf("%s: %d ErrInvalidConfig in c.Errors (%v), want %d", tt.path, n, errs.all(), tt.errs)
		}
	}
}

// The middleware gives c.Request a context of its own, so a multipart form
// the handler parses lands on that copy; the server removes the form's
// temporary files through the request it passed in, which must get the
// form back, also when the handler panics under an outer Recovery.
func TestMultipartFilesRemoved(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			r := gin.New()
			r.MaxMultipartMemory = 1 // every file goes to disk
			r.Use(gin.CustomRecovery(func(c *gin.Context, _ any) { c.AbortWithStatus(http.StatusInternalServerError) }))
			r.Use(New(Config{SecretKey: testSecret}))
			var tmp string
			r.POST("/upload", func(c *gin.Context) {
				fh, err := c.FormFile("f")
				if err != nil {
					t.Fatal(err)
				}
				f, err := fh.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				osf, ok := f.(*os.File)
				if !ok {
					t.Fatalf("the upload is in memory (%T), not in a temporary file", f)
				}
				tmp = osf.Name()
				Get(c).Set("uploaded", true)
				if panics {
					panic("after the upload")
				}
				c.String(http.StatusOK, "ok")
			})
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			w, _ := mw.CreateFormFile("f", "a.txt")
			io.WriteString(w, strings.Repeat("x", 4096))
			mw.Close()
			req := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(body.String()))
			req.Header.Set("Content-Type", mw.FormDataContentType())
			r.ServeHTTP(httptest.NewRecorder(), req)
			if tmp == "" {
				t.Fatal("the handler saw no temporary file")
			}
			if _, err := os.Stat(tmp); err != nil {
				t.Fatalf("the temporary file is gone before the server is done: %v", err)
			}
			// What net/http's server does once the handler returns.
			if req.MultipartForm == nil {
				t.Fatal("the server's request has no form to clean up")
			}
			req.MultipartForm.RemoveAll()
			if _, err := os.Stat(tmp); !os.IsNotExist(err) {
				t.Errorf("temporary file %s left behind: %v", tmp, err)
			}
		})
	}
}

// Every request allocates its request struct, so it is kept within 512
// bytes: larger objects holding pointers get an 8-byte malloc header and
// the next size class up (640 bytes).
func TestRequestSize(t *testing.T) {
	if n := unsafe.Sizeof(request{}); n > 512 {
		t.Errorf("request is %d bytes, over 512", n)
	}
}
