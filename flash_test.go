package flasksession

// Flash messages beyond Flask's own tests (#14, #15 in
// conformance_test.go): the stored shape, the first-read rule, and
// entries Flask-compatible code may leave behind.

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/webtest"
)

// Flashes are stored in Flask's shape: a list of (category, message)
// tuples under "_flashes".
func TestFlashStoredShape(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/", func(c *gin.Context) {
		Flash(c, "Hello")
		Flash(c, "Oops", "error")
		Flash(c, template.HTML("<em>Testing</em>"), "warning")
		c.Status(http.StatusOK)
	})
	m := a.decode(a.client().get("/").CookieValue(t, "session"))
	want := []any{Tuple{"message", "Hello"}, Tuple{"error", "Oops"}, Tuple{"warning", template.HTML("<em>Testing</em>")}}
	if fmt.Sprintf("%#v", m) != fmt.Sprintf("%#v", map[string]any{FlashesKey: want}) {
		t.Errorf("session %#v, want _flashes %#v", m, want)
	}
}

// The first read takes every message out of the session, filtered or not;
// later reads in the same request return the same messages; a message
// flashed after the first read waits for the next request.
func TestFlashFirstReadRule(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/flash", func(c *gin.Context) {
		Flash(c, "one", "a")
		Flash(c, "two", "b")
		c.Status(http.StatusOK)
	})
	type reads struct{ first, again, all []FlashMessage }
	var got box[reads]
	a.GET("/read", func(c *gin.Context) {
		var r reads
		r.first = Flashes(c, "a")
		r.again = Flashes(c, "a")
		Flash(c, "three", "a")
		r.all = Flashes(c)
		got.put(r)
		c.Status(http.StatusOK)
	})
	a.GET("/read2", func(c *gin.Context) {
		got.put(reads{first: Flashes(c)})
		c.Status(http.StatusOK)
	})
	cl := a.client()
	cl.get("/flash")
	cl.get("/read")
	r := got.get()
	if fmt.Sprint(r.first) != "[{a one}]" || fmt.Sprint(r.again) != "[{a one}]" {
		t.Errorf("filtered reads: %v, then %v; want [{a one}] twice", r.first, r.again)
	}
	if fmt.Sprint(r.all) != "[{a one} {b two}]" {
		t.Errorf("unfiltered read in the same request: %v, want both messages", r.all)
	}
	cl.get("/read2")
	if r := got.get(); fmt.Sprint(r.first) != "[{a three}]" {
		t.Errorf("next request: %v, want only the message flashed after the first read", r.first)
	}
	cl.get("/read2")
	if r := got.get(); len(r.first) != 0 {
		t.Errorf("third request: %v, want none", r.first)
	}
}

// Reading the flashes of a session that held nothing else deletes the
// cookie, as Flask's pop leaves an empty, modified session.
func TestFlashReadEmptiesSession(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/flash", func(c *gin.Context) { Flash(c, "hi"); c.Status(http.StatusOK) })
	a.GET("/read", func(c *gin.Context) { Flashes(c); c.Status(http.StatusOK) })
	cl := a.client()
	cl.get("/flash")
	raw, ok := cl.get("/read").Cookie(t, "session")
	if !ok || !webtest.IsDeletion(raw) {
		t.Errorf("Set-Cookie %q, want the deletion cookie", raw)
	}
}

// Reading when there are no flashes changes nothing (no Set-Cookie), but
// counts as an access (Vary), as get_flashed_messages does in 3.1.3.
func TestFlashesNoneTouchesNothing(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/set", func(c *gin.Context) { Get(c).Set("k", 1); c.Status(http.StatusOK) })
	var got box[[]FlashMessage]
	a.GET("/read", func(c *gin.Context) { got.put(Flashes(c)); c.Status(http.StatusOK) })
	cl := a.client()
	cl.get("/set")
	r := cl.get("/read")
	if len(got.get()) != 0 || len(r.SetCookies("session")) != 0 {
		t.Errorf("flashes %v, Set-Cookie %q; want none and none", got.get(), r.SetCookies("session"))
	}
	if v := r.Header.Values("Vary"); len(v) != 1 || v[0] != "Cookie" {
		t.Errorf("Vary %q", v)
	}
}

// Flask-compatible code may store flashes as plain [category, message]
// lists, or bare messages; they are read rather than dropped.
func TestFlashesForeignShapes(t *testing.T) {
	a := newTestApp(t, Config{})
	var got box[[]FlashMessage]
	a.GET("/read", func(c *gin.Context) { got.put(Flashes(c)); c.Status(http.StatusOK) })
	cookie, err := a.codec().Encode(map[string]any{FlashesKey: []any{
		[]any{"error", "as a list"},
		Tuple{"info", "as a tuple"},
		"bare",
		Tuple{1, "non-string category"},
		Tuple{"a", "b", "c"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cl := a.client()
	cl.SetCookie("session", cookie)
	cl.get("/read")
	want := []FlashMessage{
		{"error", "as a list"},
		{"info", "as a tuple"},
		{"message", "bare"},
		{"message", Tuple{1, "non-string category"}},
		{"message", Tuple{"a", "b", "c"}},
	}
	if fmt.Sprintf("%#v", got.get()) != fmt.Sprintf("%#v", want) {
		t.Errorf("got  %#v\nwant %#v", got.get(), want)
	}
}

// The returned slice is the caller's: changing it does not change what a
// later call returns.
func TestFlashesReturnsCopy(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/flash", func(c *gin.Context) { Flash(c, "x"); c.Status(http.StatusOK) })
	var second box[[]FlashMessage]
	a.GET("/read", func(c *gin.Context) {
		first := Flashes(c)
		first[0].Message = "changed"
		second.put(Flashes(c))
		c.Status(http.StatusOK)
	})
	cl := a.client()
	cl.get("/flash")
	cl.get("/read")
	if fmt.Sprint(second.get()) != "[{message x}]" {
		t.Errorf("second call %v", second.get())
	}
}

// Session.Flash keeps earlier messages, even when the caller holds the
// old list.
func TestFlashAppends(t *testing.T) {
	a := newTestApp(t, Config{})
	var held box[[]any]
	a.GET("/", func(c *gin.Context) {
		s := Get(c)
		s.Flash("1")
		v, _ := s.Get(FlashesKey)
		old := v.([]any)
		s.Flash("2", "second")
		held.put(old)
		c.Status(http.StatusOK)
	})
	m := a.decode(a.client().get("/").CookieValue(t, "session"))
	if fmt.Sprint(m[FlashesKey]) != "[[message 1] [second 2]]" {
		t.Errorf("stored %v", m[FlashesKey])
	}
	if len(held.get()) != 1 {
		t.Errorf("the caller's old list changed: %v", held.get())
	}
}

// FlashMessage marshals with lower-case keys, for JSON APIs that hand
// flashes to a front end.
func TestFlashMessageJSON(t *testing.T) {
	b, err := json.Marshal([]FlashMessage{{Category: "error", Message: "Bad password"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `[{"category":"error","message":"Bad password"}]`; got != want {
		t.Errorf("JSON %s, want %s", got, want)
	}
}

// A flash message that cannot be stored (an error value, which would be
// stored as {}) makes the save fail loudly, naming the key, and the
// client keeps its session.
func TestFlashUnstorableMessage(t *testing.T) {
	a := newTestApp(t, Config{})
	a.GET("/login", func(c *gin.Context) { Get(c).Set("user", "alice") })
	a.GET("/boom", func(c *gin.Context) {
		Flash(c, errors.New("boom"), "error")
		c.String(http.StatusOK, "%v", Get(c).Save())
	})
	tc := a.client()
	tc.get("/login")
	before := tc.sessionValue()
	r := tc.get("/boom")
	if !strings.Contains(r.Body, "_flashes") || a.ginErrs.count(ErrUnserializable) != 1 {
		t.Errorf("Save = %q; c.Errors %v: want ErrUnserializable naming _flashes", r.Body, a.ginErrs.all())
	}
	if tc.sessionValue() != before {
		t.Errorf("the session was replaced")
	}
}
