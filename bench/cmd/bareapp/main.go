// Command bareapp is the load test's baseline: the example app's routes,
// templates, logger and answers, without a session. Where the example reads
// the session, bareapp answers as if it had: a request with a session
// cookie is logged in as "alice", and X-Bench-Flash: 1 stands for a flashed
// message waiting in the session.
//
//	go run ./cmd/bareapp -templates ../example/templates -addr 127.0.0.1:0
package main

import (
	"errors"
	"flag"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// page is what every template gets, as in the example.
type page struct {
	Title    string
	Flashes  []flasksession.FlashMessage
	LoggedIn bool
	Username string
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := flag.String("templates", "../example/templates", "the example's templates folder")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	tmpl, err := template.ParseGlob(filepath.Join(*dir, "*.html"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "Listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, newRouter(tmpl)); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func newRouter(tmpl *template.Template) *gin.Engine {
	r := gin.New()
	r.Use(gin.Logger(), gin.Recovery())
	r.SetHTMLTemplate(tmpl)
	flashed := []flasksession.FlashMessage{{Category: flasksession.DefaultFlashCategory, Message: "Logged in"}}
	r.GET("/", func(c *gin.Context) {
		p := page{Title: "Home"}
		if _, err := c.Cookie("session"); err == nil {
			p.LoggedIn, p.Username = true, "alice"
		}
		if c.GetHeader("X-Bench-Flash") != "" {
			p.Flashes = flashed
		}
		c.HTML(http.StatusOK, "index.html", p)
	})
	r.GET("/login", func(c *gin.Context) {
		c.HTML(http.StatusOK, "login.html", page{Title: "Log in"})
	})
	r.POST("/login", func(c *gin.Context) {
		if _, ok := c.GetPostForm("username"); !ok {
			c.String(http.StatusBadRequest, "Bad Request: the form has no username field")
			return
		}
		c.Redirect(http.StatusFound, "/")
	})
	r.GET("/logout", func(c *gin.Context) { c.Redirect(http.StatusFound, "/") })
	return r
}
