package csrf_test

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
)

// A login form with Flask-WTF's hidden field, and what Protect answers to
// posts without and with the token.
func Example() {
	key := []byte("one SECRET_KEY for Flask and Gin alike")
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: key}))
	r.Use(csrf.Protect(csrf.Config{})) // CSRFProtect(app), signing with the session's key

	page := template.Must(template.New("login").Parse(
		`<form method="post"><input type="hidden" name="csrf_token" value="{{call .csrf_token}}">` +
			`<input name="username"></form>`))
	r.SetHTMLTemplate(page)
	r.GET("/login", func(c *gin.Context) {
		c.HTML(http.StatusOK, "login", gin.H{"csrf_token": csrf.TemplateFunc(c)})
	})
	r.POST("/login", func(c *gin.Context) {
		flasksession.Get(c).Set("username", c.PostForm("username"))
		c.String(http.StatusOK, "Logged in")
	})

	// A browser opens the form: it gets a session cookie and a token.
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
	cookie := w.Result().Cookies()[0]
	token := strings.Split(strings.Split(w.Body.String(), `value="`)[1], `"`)[0]

	post := func(form url.Values, header http.Header) {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header = header
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	post(url.Values{"username": {"ada"}}, http.Header{})
	post(url.Values{"username": {"ada"}, "csrf_token": {"forged"}}, http.Header{})
	post(url.Values{"username": {"ada"}, "csrf_token": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	post(url.Values{"username": {"ada"}, "csrf_token": {token}}, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	// Output:
	// 400 The CSRF token is missing.
	// 400 The CSRF token is invalid.
	// 403 The request is cross-origin.
	// 200 Logged in
}

// An error page of the app's own, with Flask-WTF's reason in it: Flask's
// @app.errorhandler(CSRFError).
func ExampleConfig_errorHandler() {
	key := []byte("one SECRET_KEY for Flask and Gin alike")
	r := gin.New(flasksession.Plugin(flasksession.Config{SecretKey: key}))
	r.Use(csrf.Protect(csrf.Config{
		ErrorHandler: func(c *gin.Context, err error) {
			if errors.Is(err, csrf.ErrTokenMissing) {
				c.String(http.StatusBadRequest, "Please submit the form from our site. (%s)", csrf.Reason(err))
				return
			}
			c.String(csrf.Status(err), "Refused: %s", csrf.Reason(err))
		},
	}))
	r.POST("/comment", func(c *gin.Context) { c.String(http.StatusOK, "Thanks") })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/comment", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 400 Please submit the form from our site. (The CSRF token is missing.)
}

func ExampleReason() {
	err := fmt.Errorf("saving the comment: %w", csrf.ErrTokensDoNotMatch)
	fmt.Println(csrf.Reason(err))
	fmt.Println(csrf.Status(err))
	// Output:
	// The CSRF tokens do not match.
	// 400
}
