package main

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates are the HTML pages, parsed once at startup.
var pageTemplates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// newRouter returns the quickstart app: Flask's session example with
// templates, flash messages and "remember me". It answers as
// flask_app.py does.
func newRouter(cfg flasksession.Config) *gin.Engine {
	r := gin.New(flasksession.Plugin(cfg))
	r.Use(gin.Logger(), gin.Recovery())
	r.SetHTMLTemplate(pageTemplates)

	r.GET("/", index)
	r.GET("/login", loginForm)
	r.POST("/login", login)
	r.GET("/logout", logout)
	return r
}

// page is what every template gets.
type page struct {
	Title    string
	Flashes  []flasksession.FlashMessage
	LoggedIn bool
	Username string
}

// render shows a page, taking the flashed messages out of the session as
// Flask's get_flashed_messages() in a template does.
func render(c *gin.Context, name string, p page) {
	p.Flashes = flasksession.Flashes(c)
	c.HTML(http.StatusOK, name, p)
}

// index: `if "username" in session: return f"Logged in as {...}"`.
func index(c *gin.Context) {
	sess := flasksession.Get(c)
	p := page{Title: "Home"}
	if sess.Has("username") {
		p.LoggedIn = true
		p.Username, _ = sess.GetString("username")
	}
	render(c, "index.html", p)
}

func loginForm(c *gin.Context) {
	render(c, "login.html", page{Title: "Log in"})
}

// login: `session["username"] = request.form["username"]`, then back home.
func login(c *gin.Context) {
	username, ok := c.GetPostForm("username")
	if !ok {
		// Flask's request.form["username"] answers 400 Bad Request too.
		c.String(http.StatusBadRequest, "Bad Request: the form has no username field")
		return
	}
	sess := flasksession.Get(c)
	// A new session ID at every change of who is logged in, against
	// session fixation: with -store the old record is deleted. Flask's
	// quickstart has no such call (Flask-Session cannot do it); with
	// cookie sessions there is no ID and it only re-signs the cookie.
	sess.Regenerate()
	sess.Set("username", username)
	// "Remember me" keeps the cookie for Config.PermanentLifetime (31
	// days); otherwise it ends with the browser session.
	_, remember := c.GetPostForm("remember")
	sess.SetPermanent(remember)
	flasksession.Flash(c, "Logged in")
	c.Redirect(http.StatusFound, "/")
}

// logout: `session.pop("username", None)`, then back home; under a new
// session ID, as login.
func logout(c *gin.Context) {
	sess := flasksession.Get(c)
	sess.Regenerate()
	sess.Pop("username")
	flasksession.Flash(c, "Logged out")
	c.Redirect(http.StatusFound, "/")
}
