package main

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/flasklogin"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates are the HTML pages, parsed once at startup.
var pageTemplates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// user is anyone who gives a name: a demo, so there is no password.
type user struct{ name string }

// ID is Flask-Login's get_id().
func (u user) ID() string { return u.name }

// loadUser is flask_app.py's user_loader: every name is a user.
func loadUser(_ context.Context, id string) (flasklogin.User, error) {
	return user{id}, nil
}

// parseProtection reads SESSION_PROTECTION as Flask-Login does: "basic"
// (also when unset), "strong", or "off" (Flask-Login disables protection
// for any other value; here only "off" and "none" do, to catch typos).
func parseProtection(s string) (flasklogin.Protection, error) {
	switch s {
	case "", "basic":
		return flasklogin.ProtectionBasic, nil
	case "strong":
		return flasklogin.ProtectionStrong, nil
	case "off", "none":
		return flasklogin.ProtectionOff, nil
	}
	return 0, fmt.Errorf("SESSION_PROTECTION=%q: want basic, strong or off", s)
}

// newRouter returns the accounts app; it answers as flask_app.py does.
func newRouter(cfg flasksession.Config, protection flasklogin.Protection) *gin.Engine {
	r := gin.New()
	// The session middleware first: flasklogin keeps its state in the session.
	r.Use(flasksession.New(cfg), flasklogin.New(flasklogin.Config{
		SecretKey:         cfg.SecretKey,
		UserLoader:        loadUser,
		LoginView:         "/login",
		RefreshView:       "/login",
		SessionProtection: protection,
	}))
	// CSRFProtect(app): form posts need the token of the login form, the
	// same token flask_app.py's Flask-WTF makes and accepts.
	r.Use(csrf.Protect(csrf.Config{SecretKey: cfg.SecretKey}))
	r.Use(gin.Logger(), gin.Recovery())
	r.SetHTMLTemplate(pageTemplates)

	r.GET("/", func(c *gin.Context) { render(c, http.StatusOK, "index.html", page{Title: "Home"}) })
	r.GET("/login", func(c *gin.Context) { render(c, http.StatusOK, "login.html", loginPage(c)) })
	r.POST("/login", login)
	r.GET("/private", flasklogin.LoginRequired(), private)
	r.GET("/settings", flasklogin.FreshLoginRequired(), func(c *gin.Context) {
		render(c, http.StatusOK, "settings.html", page{Title: "Settings"})
	})
	r.GET("/logout", logout)
	return r
}

// page is what every template gets.
type page struct {
	Title    string
	Flashes  []flasksession.FlashMessage
	LoggedIn bool
	User     string
	Fresh    bool
	// CSRFToken is {{ csrf_token() }}, for the login form.
	CSRFToken string
}

// loginPage is the login form's page, with its CSRF token made before the
// page starts (a new token goes into the session cookie).
func loginPage(c *gin.Context) page {
	return page{Title: "Log in", CSRFToken: csrf.Token(c)}
}

// render shows a page with current_user and the flashed messages, as
// Flask's render_template does with Flask-Login's context processor.
func render(c *gin.Context, status int, name string, p page) {
	p.LoggedIn = flasklogin.IsAuthenticated(c)
	p.User = flasklogin.CurrentUser(c).ID()
	p.Flashes = flasksession.Flashes(c)
	c.HTML(status, name, p)
}

// login: login_user(User(username), remember=...), then a local next or home.
func login(c *gin.Context) {
	username, ok := c.GetPostForm("username")
	if !ok {
		// Flask's request.form["username"] answers 400 Bad Request too.
		c.String(http.StatusBadRequest, "Bad Request: the form has no username field")
		return
	}
	if username == "" {
		flasksession.Flash(c, "Please enter a user name.", "error")
		render(c, http.StatusBadRequest, "login.html", loginPage(c))
		return
	}
	flasklogin.LoginUser(c, user{username}, flasklogin.Remember(c.PostForm("remember") == "y"))
	flasksession.Flash(c, "Logged in.")
	next := c.Query("next")
	if !flasklogin.IsSafeNext(next) {
		next = "/"
	}
	// Not c.Redirect: net/http cleans the path ("/a//b" becomes "/a/b"),
	// Flask sends the target as it is.
	c.Header("Location", next)
	c.Status(http.StatusFound)
}

func private(c *gin.Context) {
	render(c, http.StatusOK, "private.html", page{Title: "Private", Fresh: flasklogin.LoginFresh(c)})
}

// logout: logout_user(), then home.
func logout(c *gin.Context) {
	flasklogin.LogoutUser(c)
	flasksession.Flash(c, "Logged out.")
	c.Redirect(http.StatusFound, "/")
}
