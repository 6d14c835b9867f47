package contribstore_test

import (
	"log"
	"os"

	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/contribstore"
)

// gin-contrib's Redis store behind the middleware: the adapter gets the
// key the store was made with. Lift the store's 4096-byte record limit.
func ExampleNew() {
	idKey := []byte(os.Getenv("SESSION_ID_KEY"))
	rs, err := ginredis.NewStore(10, "tcp", "localhost:6379", "", "", idKey)
	if err != nil {
		log.Fatal(err)
	}
	if raw, err := ginredis.GetRedisStore(rs); err == nil {
		raw.SetMaxLength(0)
	}
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		SecretKey: []byte(os.Getenv("SECRET_KEY")), // signs the session ID cookie
		Store:     contribstore.New(rs, idKey),
	}))
}
