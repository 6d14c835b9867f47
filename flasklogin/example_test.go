package flasklogin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flasklogin"
)

type user struct{ name string }

func (u user) ID() string { return u.name }

// A Gin app with Flask-Login's login flow: /private redirects anonymous
// visitors to /login?next=..., and a remembered login survives the loss
// of the session cookie.
func Example() {
	key := []byte("an-example-key-0123456789abcdef!")
	sessCfg := flasksession.DefaultConfig()
	sessCfg.SecretKey = key
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(flasksession.New(sessCfg), flasklogin.New(flasklogin.Config{
		SecretKey: key,
		UserLoader: func(_ context.Context, id string) (flasklogin.User, error) {
			return user{id}, nil // any name is a user in this example
		},
		LoginView: "/login",
	}))
	r.POST("/login", func(c *gin.Context) {
		flasklogin.LoginUser(c, user{c.PostForm("username")}, flasklogin.Remember(c.PostForm("remember") == "y"))
		next := c.Query("next")
		if !flasklogin.IsSafeNext(next) {
			next = "/"
		}
		c.Redirect(http.StatusFound, next)
	})
	r.GET("/private", flasklogin.LoginRequired(), func(c *gin.Context) {
		fresh := "not fresh"
		if flasklogin.LoginFresh(c) {
			fresh = "fresh"
		}
		c.String(http.StatusOK, "Private page of %s (%s)", flasklogin.CurrentUser(c).ID(), fresh)
	})

	send := func(req *http.Request, cookies ...string) *httptest.ResponseRecorder {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	cookie := func(w *httptest.ResponseRecorder, name string) string {
		for _, c := range w.Result().Cookies() {
			if c.Name == name {
				return c.Name + "=" + c.Value
			}
		}
		return ""
	}

	w := send(httptest.NewRequest("GET", "/private", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))

	form := httptest.NewRequest("POST", "/login?next=/private", strings.NewReader("username=ada&remember=y"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = send(form)
	fmt.Println(w.Code, w.Header().Get("Location"))
	session, remember := cookie(w, "session"), cookie(w, "remember_token")

	fmt.Println(send(httptest.NewRequest("GET", "/private", nil), session).Body)
	fmt.Println(send(httptest.NewRequest("GET", "/private", nil), remember).Body)
	// Output:
	// 302 /login?next=%2Fprivate
	// 302 /private
	// Private page of ada (fresh)
	// Private page of ada (not fresh)
}

func ExampleRememberCodec() {
	codec := flasklogin.NewRememberCodec([]byte("flasklogin-test-key-0123456789ab"))
	value := codec.Encode("alice") // Flask-Login's encode_cookie("alice")
	fmt.Println(value[:22] + "...")
	id, err := codec.Decode(value)
	fmt.Println(id, err)
	_, err = codec.Decode("alice|" + value[6:20])
	fmt.Println(err)
	// Output:
	// alice|a45b878d766f7063...
	// alice <nil>
	// flasklogin: bad remember cookie
}

func ExampleLoginURL() {
	r := httptest.NewRequest("GET", "/orders/42?page=2", nil)
	fmt.Println(flasklogin.LoginURL("/login", r))
	fmt.Println(flasklogin.LoginURL("/login?lang=en", r))
	// Output:
	// /login?next=%2Forders%2F42%3Fpage%3D2
	// /login?lang=en&next=%2Forders%2F42%3Fpage%3D2
}

func ExampleIsSafeNext() {
	for _, next := range []string{"/private?x=1", "", "https://evil.example/", "//evil.example/", `/\evil.example`} {
		fmt.Printf("%q %v\n", next, flasklogin.IsSafeNext(next))
	}
	// Output:
	// "/private?x=1" true
	// "" false
	// "https://evil.example/" false
	// "//evil.example/" false
	// "/\\evil.example" false
}
