package memstore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/memstore"
)

// Server-side sessions in one process: a logout ends the session for
// every copy of its cookie.
func Example_gin() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		SecretKey: []byte("use 32 random bytes from genkey!"), // signs the session ID
		Store:     memstore.New(),
	}))
	r.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate() // a new ID at login
		s.Set("user", "alice")
		c.Status(http.StatusNoContent)
	})
	r.GET("/me", func(c *gin.Context) {
		user, _ := flasksession.Get(c).GetString("user")
		c.String(http.StatusOK, "user=%q", user)
	})
	r.POST("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy()
		c.Status(http.StatusNoContent)
	})

	do := func(method, path, cookie string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Cookie", cookie)
		r.ServeHTTP(w, req)
		return w
	}
	login := do("POST", "/login", "").Result().Cookies()[0]
	cookie := login.Name + "=" + login.Value // a copy, as a thief would keep

	fmt.Println(do("GET", "/me", cookie).Body)
	do("POST", "/logout", cookie)
	fmt.Println(do("GET", "/me", cookie).Body) // the copy is dead
	// Output:
	// user="alice"
	// user=""
}
