package flasksession

// One test per way a Gin handler can answer: the session is saved before
// the first header byte goes out, whichever it is.

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestResponseKinds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(file, []byte("file body"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		handler gin.HandlerFunc
		status  int
		body    string // "" = not checked
		empty   bool   // the body must be empty
	}{
		{"JSON", "GET", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) }, 200, `{"ok":true}`, false},
		{"String", "GET", func(c *gin.Context) { c.String(http.StatusCreated, "hello %d", 1) }, 201, "hello 1", false},
		{"HTML", "GET", func(c *gin.Context) { c.HTML(http.StatusOK, "page", gin.H{"n": "x"}) }, 200, "<p>x</p>", false},
		{"Data", "GET", func(c *gin.Context) { c.Data(http.StatusOK, "application/octet-stream", []byte{1, 2, 3}) }, 200, "\x01\x02\x03", false},
		{"RedirectGET", "GET", func(c *gin.Context) { c.Redirect(http.StatusFound, "/elsewhere") }, 302, "", false},
		{"RedirectPOST", "POST", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/elsewhere") }, 303, "", true},
		{"AbortWithStatus", "GET", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) }, 401, "", true},
		{"AbortWithStatusJSON", "GET", func(c *gin.Context) { c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"e": 1}) }, 403, `{"e":1}`, false},
		{"StatusNoBody", "GET", func(c *gin.Context) { c.Status(http.StatusNoContent) }, 204, "", true},
		{"StatusOnly200", "GET", func(c *gin.Context) { c.Status(http.StatusAccepted) }, 202, "", true},
		{"Nothing", "GET", func(c *gin.Context) {}, 200, "", true},
		{"WriterWrite", "GET", func(c *gin.Context) { c.Writer.Write([]byte("raw")) }, 200, "raw", false},
		{"WriterWriteString", "GET", func(c *gin.Context) { c.Writer.WriteString("raw string") }, 200, "raw string", false},
		{"WriteHeaderThenWrite", "GET", func(c *gin.Context) {
			c.Writer.WriteHeader(http.StatusTeapot)
			c.Writer.Write([]byte("tea"))
		}, 418, "tea", false},
		{"WriteHeaderNow", "GET", func(c *gin.Context) {
			c.Writer.WriteHeader(http.StatusAccepted)
			c.Writer.WriteHeaderNow()
		}, 202, "", true},
		{"FlushFirst", "GET", func(c *gin.Context) {
			c.Writer.Flush()
			c.Writer.Write([]byte("after flush"))
		}, 200, "after flush", false},
		{"ResponseControllerFlush", "GET", func(c *gin.Context) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				c.Error(err)
			}
			io.WriteString(c.Writer, "rc")
		}, 200, "rc", false},
		{"Stream", "GET", func(c *gin.Context) {
			n := 0
			c.Stream(func(w io.Writer) bool {
				n++
				fmt.Fprintf(w, "chunk%d;", n)
				return n < 3
			})
		}, 200, "chunk1;chunk2;chunk3;", false},
		{"SSEvent", "GET", func(c *gin.Context) { c.SSEvent("msg", "hi") }, 200, "event:msg\ndata:hi\n\n", false},
		{"File", "GET", func(c *gin.Context) { c.File(file) }, 200, "file body", false},
		{"FprintfToWriter", "GET", func(c *gin.Context) { fmt.Fprintf(c.Writer, "fmt %s", "ok") }, 200, "fmt ok", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t, Config{})
			a.SetHTMLTemplate(template.Must(template.New("page").Parse(`<p>{{.n}}</p>`)))
			a.Handle(tt.method, "/answer", func(c *gin.Context) {
				Get(c).Set("kind", tt.name)
				tt.handler(c)
			})
			var got box[map[string]any]
			a.GET("/read", sessionDump(&got))
			cl := a.client()
			r := cl.do(tt.method, "/answer", nil)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d", r.Status, tt.status)
			}
			if tt.body != "" && r.Body != tt.body {
				t.Errorf("body %q, want %q", r.Body, tt.body)
			}
			if tt.empty && r.Body != "" {
				t.Errorf("body %q, want none", r.Body)
			}
			v := r.cookieValue(t, "session")
			if m := a.decode(v); m["kind"] != tt.name {
				t.Errorf("cookie holds %v, want kind=%s", m, tt.name)
			}
			if got := r.vary(); len(got) != 1 || got[0] != "Cookie" {
				t.Errorf("Vary %q, want [Cookie]", got)
			}
			cl.get("/read")
			if got.get()["kind"] != tt.name {
				t.Errorf("next request sees %v", got.get())
			}
			if errs := a.hooked.all(); len(errs) != 0 {
				t.Errorf("errors: %v", errs)
			}
		})
	}
}

// Hijack: after hijacking, the handler owns the connection and writes the
// raw response itself; net/http sends nothing from the header map. What
// the middleware can do, and what we assert, is that the session was saved
// into c.Writer.Header() before Hijack returned, so a handler (or a
// websocket upgrader given those headers) can send it on. Here the
// handler copies Set-Cookie and Vary from the header map into its raw
// response, and the cookie loads on the next request.
func TestResponseKinds_Hijack(t *testing.T) {
	// The client has its answer before the hijacking handler returns; the
	// change after Hijack is reported only then, so wait for the chain.
	lateDone := make(chan struct{})
	a := newTestApp(t, Config{}, withBefore(func(c *gin.Context) {
		c.Next()
		if c.FullPath() == "/hijack-then-change" {
			close(lateDone)
		}
	}))
	a.GET("/hijack", func(c *gin.Context) {
		Get(c).Set("kind", "hijack")
		conn, rw, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		var b strings.Builder
		b.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n")
		for _, k := range []string{"Set-Cookie", "Vary"} {
			for _, v := range c.Writer.Header().Values(k) {
				b.WriteString(k + ": " + v + "\r\n")
			}
		}
		b.WriteString("\r\nhijacked")
		rw.WriteString(b.String())
		rw.Flush()
	})
	a.GET("/hijack-then-change", func(c *gin.Context) {
		conn, rw, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		rw.Flush()
		// Too late: the connection is the handler's now.
		Get(c).Set("late", true)
	})
	var got box[map[string]any]
	a.GET("/read", sessionDump(&got))
	cl := a.client()
	r := cl.get("/hijack")
	if r.Body != "hijacked" {
		t.Errorf("body %q", r.Body)
	}
	if m := a.decode(r.cookieValue(t, "session")); m["kind"] != "hijack" {
		t.Errorf("cookie holds %v", m)
	}
	if got := r.vary(); len(got) != 1 || got[0] != "Cookie" {
		t.Errorf("Vary %q, want [Cookie]", got)
	}
	cl.get("/read")
	if got.get()["kind"] != "hijack" {
		t.Errorf("next request sees %v", got.get())
	}
	if errs := a.hooked.all(); len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}

	cl.get("/hijack-then-change")
	select {
	case <-lateDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the hijacking handler did not return")
	}
	if n := a.hooked.count(ErrHeadersWritten); n != 1 {
		t.Errorf("change after Hijack: ErrorHandler saw %d ErrHeadersWritten (all: %v), want 1", n, a.hooked.all())
	}
}

// A handler that panics under gin.Recovery still gets its session saved on
// the 500, as Flask saves it on the 500 of an unhandled exception.
func TestResponseKinds_PanicRecovered(t *testing.T) {
	for _, order := range []string{"recovery-outside", "recovery-inside"} {
		t.Run(order, func(t *testing.T) {
			var a *testApp
			if order == "recovery-outside" {
				a = newTestApp(t, Config{}, withBefore(gin.RecoveryWithWriter(io.Discard)))
			} else {
				a = newTestApp(t, Config{})
				a.Use(gin.RecoveryWithWriter(io.Discard))
			}
			a.GET("/boom", func(c *gin.Context) {
				Get(c).Set("before", "panic")
				panic("boom")
			})
			r := a.client().get("/boom")
			if r.Status != http.StatusInternalServerError {
				t.Errorf("status %d", r.Status)
			}
			raw, ok := r.cookie(t, "session")
			if !ok {
				t.Fatalf("no Set-Cookie on the 500 (Flask sends one)")
			}
			c, _ := http.ParseSetCookie(raw)
			if m := a.decode(c.Value); m["before"] != "panic" {
				t.Errorf("cookie holds %v", m)
			}
		})
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
	raw, ok := r.cookie(t, "session")
	if !ok || !strings.Contains(raw, "Expires=") {
		t.Errorf("404: Set-Cookie %q, want a refreshed permanent cookie", raw)
	}
	if got := r.vary(); len(got) != 1 || got[0] != "Cookie" {
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
	if m := a.decode(r.cookieValue(t, "session")); m["a"] != 1 || m["b"] != 2 {
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
	raw, ok := r.cookie(t, "my-app_session")
	if !ok || !strings.HasSuffix(raw, "; HttpOnly; Path=/; SameSite=Lax") {
		t.Fatalf("Set-Cookie %q", r.Header.Values("Set-Cookie"))
	}
	cl.get("/read")
	if got.get()["k"] != "v" {
		t.Errorf("read %v", got.get())
	}
	other := a.client()
	other.setCookie("session", cl.cookies["my-app_session"])
	other.get("/read")
	if len(got.get()) != 0 {
		t.Errorf("a cookie under the default name was used: %v", got.get())
	}
}
