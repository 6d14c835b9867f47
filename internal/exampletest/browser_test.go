package exampletest

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// Each Browser method against a page whose answers the test knows.
func TestBrowser(t *testing.T) {
	b := NewBrowser(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodPost {
			fmt.Fprintf(w, `<title>done</title><p id="status"> %s, remember %q </p>`,
				html.EscapeString(r.PostFormValue("username")), r.PostFormValue("remember"))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/"})
		fmt.Fprint(w, `<title>form</title><p id="status">hi</p>
<ul class="flashes"><li class="message">one</li><li class="error">two</li></ul>
<form method="post" action="/done"><input name="username"><input type="checkbox" name="remember" value="y"><input type="submit"></form>`)
	}))
	defer srv.Close()

	b.Open(srv.URL + "/")
	if got := b.Text("#status"); got != "hi" {
		t.Errorf("Text = %q", got)
	}
	if got, want := b.Flashes(), []string{"message: one", "error: two"}; !slices.Equal(got, want) {
		t.Errorf("Flashes = %q, want %q", got, want)
	}
	if got := b.Eval(`document.title`); got != "form" {
		t.Errorf("Eval(document.title) = %q", got)
	}
	if c := b.Cookies(srv.URL + "/")["session"]; c == nil || c.Value != "s1" {
		t.Errorf("session cookie %+v, want s1", c)
	}
	b.DeleteCookie("session", srv.URL+"/")
	if c, ok := b.Cookies(srv.URL + "/")["session"]; ok {
		t.Errorf("the deleted cookie is still there: %+v", c)
	}

	for _, remember := range []bool{false, true} {
		b.Open(srv.URL + "/")
		b.FillLogin("Ada <L>", remember)
		if resp := b.Submit(); resp.Status != http.StatusOK || resp.URL != srv.URL+"/done" {
			t.Errorf("Submit: %d %s", resp.Status, resp.URL)
		}
		want := `Ada <L>, remember ""`
		if remember {
			want = `Ada <L>, remember "y"`
		}
		if got := b.Text("#status"); got != want {
			t.Errorf("remember %v: posted %q, want %q", remember, got, want)
		}
		if got := b.Location(); got != srv.URL+"/done" {
			t.Errorf("Location = %q", got)
		}
	}
}
