package main

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/csrf"
	"github.com/ginflask/flasksession/flaskjwt"
	"github.com/ginflask/flasksession/flasklogin"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates are the HTML pages, parsed once at startup.
var pageTemplates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// staticFiles holds static/style.css, the pages' stylesheet, served at
// /static/style.css as flask_app.py's static folder serves it.
//
//go:embed static/style.css
var staticFiles embed.FS

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
// Users' tokens live in tokens, which flask_app.py shares; the JSON API
// (see addAPI) makes and checks JWTs with jwt, revoked ones in bl, which
// flask_app.py shares too.
func newRouter(cfg flasksession.Config, protection flasklogin.Protection, tokens *tokenStore, jwt *flaskjwt.Manager, bl *blocklist) *gin.Engine {
	r := gin.New()
	// The session middleware first: flasklogin keeps its state in the session.
	r.Use(flasksession.New(cfg), flasklogin.New(flasklogin.Config{
		SecretKey:         cfg.SecretKey,
		UserLoader:        tokens.loadUser,
		RevokeLogins:      tokens.revokeLogins,
		LoginView:         "/login",
		RefreshView:       "/login",
		SessionProtection: protection,
	}))
	// CSRFProtect(app): form posts need the token of the login form, the
	// same token flask_app.py's Flask-WTF makes and accepts.
	// The JSON API under /api takes JWTs in the Authorization header, no
	// cookies: exempt, as flask_app.py's csrf.exempt(api).
	r.Use(csrf.Protect(csrf.Config{SecretKey: cfg.SecretKey, ExemptGroups: []string{"/api"}}))
	r.Use(gin.Logger(), gin.Recovery())
	r.SetHTMLTemplate(pageTemplates)

	r.StaticFileFS("/static/style.css", "static/style.css", http.FS(staticFiles))
	r.GET("/", func(c *gin.Context) { render(c, http.StatusOK, "index.html", page{Title: "Home"}) })
	r.GET("/login", func(c *gin.Context) { render(c, http.StatusOK, "login.html", loginPage(c)) })
	r.POST("/login", func(c *gin.Context) { login(c, tokens) })
	r.GET("/private", flasklogin.LoginRequired(), private)
	r.GET("/settings", flasklogin.FreshLoginRequired(), func(c *gin.Context) {
		render(c, http.StatusOK, "settings.html", page{Title: "Settings"})
	})
	// Logging out changes state, so it is a POST with the CSRF token: a
	// link or an <img> on another site must not log anyone out. GET shows
	// the form that posts it.
	r.GET("/logout", func(c *gin.Context) {
		render(c, http.StatusOK, "logout.html", page{Title: "Log out", CSRFToken: csrf.Token(c)})
	})
	r.POST("/logout", logout)
	r.POST("/logout-others", flasklogin.LoginRequired(), logoutOthers)
	addAPI(r, jwt, bl)
	return r
}

// page is what every template gets.
type page struct {
	Title    string
	Flashes  []flasksession.FlashMessage
	LoggedIn bool
	// User is the user's name (not their ID, which holds the token).
	User  string
	Fresh bool
	// CSRFToken is {{ csrf_token() }}, for the page's form.
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
	if u, ok := flasklogin.CurrentUser(c).(user); ok {
		p.LoggedIn, p.User = true, u.name
	}
	p.Flashes = flasksession.Flashes(c)
	c.HTML(status, name, p)
}

// login: login_user(User(username, token), remember=...), then a local
// next or home. The user's first login makes their token.
func login(c *gin.Context, tokens *tokenStore) {
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
	// Werkzeug decodes the form as UTF-8 with replacement characters; the
	// same name here finds the same token file.
	username = strings.ToValidUTF8(username, "\uFFFD")
	token, err := tokens.ensure(username)
	if err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	flasklogin.LoginUser(c, user{name: username, token: token}, flasklogin.Remember(c.PostForm("remember") == "y"))
	flasksession.Flash(c, "Logged in.")
	// Werkzeug decodes the query as UTF-8 with replacement characters.
	next := strings.ToValidUTF8(c.Query("next"), "\uFFFD")
	if !flasklogin.IsSafeNext(next) {
		next = "/"
	}
	// Not c.Redirect: net/http cleans the path ("/a//b" becomes "/a/b"),
	// Flask sends the target as it is, made a URI.
	c.Header("Location", redirectURI(next))
	c.Status(http.StatusFound)
}

// redirectURI is the Location Flask's redirect() sends for a local
// target (Werkzeug's iri_to_uri with safe_conversion): the target as it
// is when it is ASCII without whitespace, else its path, query and
// fragment percent-encoded as UTF-8, all but URI characters, with an
// empty query or fragment dropped.
func redirectURI(target string) string {
	ascii := true
	for i := range len(target) {
		ascii = ascii && target[i] < utf8.RuneSelf
	}
	if ascii && len(strings.Fields(target)) == 1 {
		return target
	}
	rest, fragment, _ := strings.Cut(target, "#")
	path, query, _ := strings.Cut(rest, "?")
	var b strings.Builder
	quoteURI(&b, path)
	if query != "" {
		b.WriteByte('?')
		quoteURI(&b, query)
	}
	if fragment != "" {
		b.WriteByte('#')
		quoteURI(&b, fragment)
	}
	return b.String()
}

// quoteURI writes s with each byte but letters, digits and
// "-._~:/?#[]@!$&'()*+,;=%" percent-encoded.
func quoteURI(b *strings.Builder, s string) {
	const upperHex = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
}

// private is the login-required page, with the "Log out other devices"
// form.
func private(c *gin.Context) {
	render(c, http.StatusOK, "private.html", page{Title: "Private", Fresh: flasklogin.LoginFresh(c), CSRFToken: csrf.Token(c)})
}

// logout (POST, CSRF-checked): logout_user(), then home.
func logout(c *gin.Context) {
	flasklogin.LogoutUser(c)
	flasksession.Flash(c, "Logged out.")
	c.Redirect(http.StatusFound, "/")
}

// logoutOthers (POST, CSRF-checked, logged in): a new token for the user,
// which logs out every other session and remember cookie in both apps;
// this browser is logged in again under the new token, as fresh as it was,
// still remembered if it was.
func logoutOthers(c *gin.Context) {
	if err := flasklogin.LogoutOtherDevices(c); err != nil {
		// The token file could not be written: nothing changed.
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	flasksession.Flash(c, "Logged out of your other devices.")
	c.Redirect(http.StatusFound, "/private")
}
