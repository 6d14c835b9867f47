package redisstore_test

import (
	"net/http"
	"testing"

	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
)

// Whole requests through gin, in process, on the cookie store and on a
// real Redis (redis-server on loopback, one connection round trip per
// load or save), beside a bare engine:
//
//	go test -run '^$' -bench Request -benchmem -count 6 ./redisstore | benchstat -
//
// Scenarios as in the root package's BenchmarkRequest: untouched session;
// new session, set one key; valid 5-key session, read one key; same, read,
// modify one key, save.

func BenchmarkRequest(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	defer gin.SetMode(gin.TestMode)
	flaskCookie := benchcase.Cookie(b)
	srv := redistest.Start(b)
	store, err := redisstore.NewStore(8, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		b.Fatal(err)
	}
	closeStore(b, store)
	redisCookie := seedRedis(b, store)

	for _, sc := range benchcase.Scenarios() {
		for _, backend := range []string{"bare", "cookie", "redis"} {
			r := gin.New()
			cookie := ""
			switch backend {
			case "bare":
				r.GET("/", sc.Bare)
			case "cookie":
				r.Use(flasksession.New(flasksession.Config{SecretKey: benchcase.Key}))
				r.GET("/", sc.Handler)
				cookie = flaskCookie
			case "redis":
				r.Use(flasksession.New(flasksession.Config{Store: store}))
				r.GET("/", sc.Handler)
				cookie = redisCookie
			}
			if !sc.Cookie {
				cookie = ""
			}
			b.Run(sc.Name+"/"+backend, func(b *testing.B) {
				benchcase.Run(b, r, cookie, backend != "bare" && sc.Saves)
			})
		}
	}
}

// seedRedis stores the 5-key session through the middleware and returns
// its ID cookie value.
func seedRedis(b *testing.B, store ginredis.Store) string {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{Store: store}))
	r.GET("/seed", func(c *gin.Context) {
		s := flasksession.Get(c)
		for k, v := range benchcase.Values() {
			s.Set(k, v)
		}
		c.String(http.StatusOK, "%v", s.Save())
	})
	return sessionCookie(b, do(r, "/seed", ""))
}
