package redisstore_test

import (
	"log"
	"net/http"
	"os"
	"time"

	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/redisstore"
	redigo "github.com/gomodule/redigo/redis"
)

// Sessions in Redis: handlers are the same as with cookie sessions.
func ExampleNewStore() {
	// One random key, the same on every instance, signs the session-ID cookie.
	store, err := redisstore.NewStore(10, "tcp", "localhost:6379", "", os.Getenv("REDIS_PASSWORD"),
		[]byte(os.Getenv("SESSION_ID_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		Store:             store,
		PermanentLifetime: 7 * 24 * time.Hour, // also the records' Redis TTL
		CookieSecure:      true,
	}))
	r.POST("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Regenerate() // a new ID on login, against session fixation
		s.Set("user", c.PostForm("user"))
		s.SetPermanent(true)
		c.Redirect(http.StatusSeeOther, "/")
	})
	r.POST("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy() // deletes the record: logged out everywhere
		c.Redirect(http.StatusSeeOther, "/")
	})
}

// A managed Redis over TLS with a user and password, by URL.
func ExampleNewStoreWithURL() {
	store, err := redisstore.NewStoreWithURL(10, os.Getenv("REDIS_URL"), // rediss://user:pass@host:6380/0
		[]byte(os.Getenv("SESSION_ID_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	// Keep this app's sessions apart from others' in the same Redis.
	if err := ginredis.SetKeyPrefix(store, "myapp:session:"); err != nil {
		log.Fatal(err)
	}
	gin.New().Use(flasksession.New(flasksession.Config{Store: store}))
}

// A pool of your own (Sentinel, custom TLS, other timeouts): build the
// store with gin-contrib, then Configure it.
func ExampleConfigure() {
	pool := &redigo.Pool{
		MaxIdle: 10,
		Dial: func() (redigo.Conn, error) {
			return redigo.Dial("tcp", "redis.internal:6379",
				redigo.DialUseTLS(true),
				redigo.DialConnectTimeout(2*time.Second),
				redigo.DialReadTimeout(time.Second),
				redigo.DialWriteTimeout(time.Second))
		},
	}
	store, err := ginredis.NewStoreWithPool(pool, []byte(os.Getenv("SESSION_ID_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	if err := redisstore.Configure(store); err != nil {
		log.Fatal(err)
	}
	gin.New().Use(flasksession.New(flasksession.Config{Store: store}))
}
