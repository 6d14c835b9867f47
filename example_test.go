package flasksession_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/itsdangerous"
)

// Keep gin's debug lines out of the examples' output.
func init() { gin.SetMode(gin.TestMode) }

// exampleKey stands in for os.Getenv("SECRET_KEY").
const exampleKey = "change-me-to-a-long-random-key"

// send runs one request through r, with a session cookie if given, and
// returns the response.
func send(r http.Handler, method, path, cookie string, form url.Values) *http.Response {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w.Result()
}

// sessionCookie returns the session cookie a response set, and the
// Set-Cookie header with the signed value (which changes every second)
// left out.
func sessionCookie(resp *http.Response) (value, header string) {
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			h := resp.Header.Get("Set-Cookie")
			if c.Value != "" {
				h = strings.Replace(h, c.Value, "…", 1)
			}
			return c.Value, h
		}
	}
	return "", ""
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Flask's quickstart in Gin: the middleware gives each request its
// session, and saves it, as Flask does, when the response starts.
func Example() {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))

	r.GET("/", func(c *gin.Context) {
		// if "username" in session: return f"Logged in as {session['username']}"
		if name, ok := flasksession.Get(c).GetString("username"); ok {
			c.String(http.StatusOK, "Logged in as %s", name)
			return
		}
		c.String(http.StatusOK, "You are not logged in")
	})
	r.POST("/login", func(c *gin.Context) {
		flasksession.Get(c).Set("username", c.PostForm("username")) // session["username"] = ...
		c.Redirect(http.StatusFound, "/")
	})
	r.GET("/logout", func(c *gin.Context) {
		flasksession.Get(c).Pop("username") // session.pop("username", None)
		c.Redirect(http.StatusFound, "/")
	})

	resp := send(r, "POST", "/login", "", url.Values{"username": {"alice"}})
	cookie, header := sessionCookie(resp)
	fmt.Println("login:", resp.StatusCode, header)

	// The cookie is Flask's: anyone can read it, only the key holder can make it.
	d, _ := flaskcookie.ParseUnverified(cookie)
	fmt.Println("cookie holds:", d.Session)

	fmt.Println("home:", body(send(r, "GET", "/", cookie, nil)))

	resp = send(r, "GET", "/logout", cookie, nil)
	_, header = sessionCookie(resp)
	fmt.Println("logout:", resp.StatusCode, header)
	fmt.Println("home:", body(send(r, "GET", "/", "", nil)))
	// Output:
	// login: 302 session=…; HttpOnly; Path=/; SameSite=Lax
	// cookie holds: map[username:alice]
	// home: Logged in as alice
	// logout: 302 session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax
	// home: You are not logged in
}

// The middleware can also be installed when the engine is made.
func ExamplePlugin() {
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.GET("/", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("visits", s.Len())
		c.Status(http.StatusNoContent)
	})
	_, header := sessionCookie(send(r, "GET", "/", "", nil))
	fmt.Println(header)
	// Output:
	// session=…; HttpOnly; Path=/; SameSite=Lax
}

// flash() in one request, get_flashed_messages() in the next. Messages are
// stored in the session exactly as Flask stores them, so a Flask app reads
// flashes a Gin handler made, and the other way round.
func ExampleFlash() {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.POST("/save", func(c *gin.Context) {
		flasksession.Flash(c, "Saved")                       // flash("Saved")
		flasksession.Flash(c, "Disk almost full", "warning") // flash("...", "warning")
		c.Redirect(http.StatusSeeOther, "/")
	})
	r.GET("/", func(c *gin.Context) {
		// get_flashed_messages(with_categories=True)
		for _, f := range flasksession.Flashes(c) {
			fmt.Printf("%s: %v\n", f.Category, f.Message)
		}
		c.Status(http.StatusOK)
	})

	cookie, _ := sessionCookie(send(r, "POST", "/save", "", nil))
	d, _ := flaskcookie.ParseUnverified(cookie)
	fmt.Println("stored:", d.Session["_flashes"])

	resp := send(r, "GET", "/", cookie, nil) // shows and removes them
	_, header := sessionCookie(resp)
	fmt.Println("then:", header)
	// Output:
	// stored: [[message Saved] [warning Disk almost full]]
	// message: Saved
	// warning: Disk almost full
	// then: session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax
}

// get_flashed_messages(category_filter=["error"]): as in Flask, the first
// call takes every message out of the session, filtered or not, and later
// calls in the same request see the same messages.
func ExampleFlashes() {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.POST("/", func(c *gin.Context) {
		flasksession.Flash(c, "Welcome back")
		flasksession.Flash(c, "Card declined", "error")
		flasksession.Flash(c, "Address missing", "error")
		c.Status(http.StatusOK)
	})
	r.GET("/", func(c *gin.Context) {
		for _, f := range flasksession.Flashes(c, "error") {
			fmt.Println("error:", f.Message)
		}
		fmt.Println("all:", len(flasksession.Flashes(c)))
		c.Status(http.StatusOK)
	})
	cookie, _ := sessionCookie(send(r, "POST", "/", "", nil))
	send(r, "GET", "/", cookie, nil)
	// Output:
	// error: Card declined
	// error: Address missing
	// all: 3
}

// A session value read as a Go type: numbers convert when they fit, and
// maps decode into structs through their json tags. Values Flask stored
// come back the same way.
func ExampleGetAs() {
	type Cart struct {
		Items []string `json:"items"`
		Total float64  `json:"total"`
	}
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.POST("/", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("user_id", 42)
		s.Set("cart", map[string]any{"items": []any{"tea", "milk"}, "total": 4.5})
		c.Status(http.StatusOK)
	})
	r.GET("/", func(c *gin.Context) {
		s := flasksession.Get(c)
		id, err := flasksession.GetAs[int64](s, "user_id")
		fmt.Println(id, err)
		cart, err := flasksession.GetAs[Cart](s, "cart")
		fmt.Printf("%+v %v\n", cart, err)
		_, err = flasksession.GetAs[string](s, "user_id")
		fmt.Println(err)
		c.Status(http.StatusOK)
	})
	cookie, _ := sessionCookie(send(r, "POST", "/", "", nil))
	send(r, "GET", "/", cookie, nil)
	// Output:
	// 42 <nil>
	// {Items:[tea milk] Total:4.5} <nil>
	// flasksession: session value "user_id" is a int, not convertible to string: json: cannot unmarshal number into Go value of type string
}

// session.permanent = True: the cookie outlives the browser, for
// Config.PermanentLifetime (31 days by default), and is refreshed on every
// response.
func ExampleSession_SetPermanent() {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("user_id", 42)
		s.SetPermanent(c.PostForm("remember") == "on")
		c.Status(http.StatusOK)
	})
	for _, remember := range []string{"", "on"} {
		resp := send(r, "POST", "/login", "", url.Values{"remember": {remember}})
		for _, c := range resp.Cookies() {
			fmt.Printf("remember=%q: expires set: %v, max age %v\n", remember, !c.Expires.IsZero(), c.MaxAge)
		}
	}
	// Output:
	// remember="": expires set: false, max age 0
	// remember="on": expires set: true, max age 0
}

// As in Flask, changing a value inside a stored map or slice is not seen:
// store it again, or call MarkModified (session.modified = True).
func ExampleSession_MarkModified() {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{SecretKey: []byte(exampleKey)}))
	r.POST("/", func(c *gin.Context) {
		flasksession.Get(c).Set("cart", map[string]any{"tea": 1})
		c.Status(http.StatusOK)
	})
	r.POST("/add", func(c *gin.Context) {
		s := flasksession.Get(c)
		cart, _ := s.Get("cart")
		cart.(map[string]any)["milk"] = 2 // a nested change
		if c.Query("mark") == "1" {
			s.MarkModified()
		}
		c.Status(http.StatusOK)
	})
	cookie, _ := sessionCookie(send(r, "POST", "/", "", nil))
	without, _ := sessionCookie(send(r, "POST", "/add", cookie, nil))
	with, _ := sessionCookie(send(r, "POST", "/add?mark=1", cookie, nil))
	d, _ := flaskcookie.ParseUnverified(with)
	fmt.Printf("without MarkModified: saved %v\n", without != "")
	fmt.Printf("with MarkModified: saved %v, cart %v\n", with != "", d.Session["cart"])
	// Output:
	// without MarkModified: saved false
	// with MarkModified: saved true, cart map[milk:2 tea:1]
}

// Config.ErrorHandler sees cookies the middleware turned away: the request
// itself goes on with an empty session, never a 500.
func ExampleConfig_errorHandler() {
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey = []byte(exampleKey)
	var rejected error
	cfg.ErrorHandler = func(c *gin.Context, err error) {
		rejected = err // log it, count it...
	}
	r := gin.New()
	r.Use(flasksession.New(cfg))
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, "keys: %v", flasksession.Get(c).Keys())
	})
	resp := send(r, "GET", "/", "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.forged-signature", nil)
	fmt.Println(resp.StatusCode, body(resp))
	fmt.Println(errors.Is(rejected, flasksession.ErrInvalidCookie))
	fmt.Println(errors.Is(rejected, itsdangerous.ErrBadSignature))
	// Output:
	// 200 keys: []
	// true
	// true
}
