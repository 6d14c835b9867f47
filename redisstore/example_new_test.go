package redisstore_test

import (
	"crypto/tls"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/redisstore"
	"github.com/redis/go-redis/v9"
)

// Sessions in one Redis server: handlers are the same as with cookie
// sessions.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		Password:              os.Getenv("REDIS_PASSWORD"),
		ContextTimeoutEnabled: true, // the store's timeout reaches the socket
	})
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		SecretKey:         []byte(os.Getenv("SECRET_KEY")),
		Store:             redisstore.New(client),
		PermanentLifetime: 7 * 24 * time.Hour, // also the records' Redis TTL
	}))
	r.POST("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy() // deletes the record: the cookie is dead everywhere
		c.Redirect(http.StatusSeeOther, "/")
	})
}

// A master with replicas watched by Sentinel: the client follows the
// master through a failover.
func ExampleNew_sentinel() {
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            "mymaster",
		SentinelAddrs:         []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
		Username:              "myapp-sessions",
		Password:              os.Getenv("REDIS_PASSWORD"),
		TLSConfig:             &tls.Config{MinVersion: tls.VersionTLS12},
		ContextTimeoutEnabled: true,
	})
	store := redisstore.New(client, redisstore.WithPrefix("myapp:session:"))
	gin.New().Use(flasksession.New(flasksession.Config{
		SecretKey: []byte(os.Getenv("SECRET_KEY")),
		Store:     store,
	}))
}

// A Redis Cluster: each session's commands go to the master owning its key.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true,
	})
	store := redisstore.New(client, redisstore.WithTimeout(time.Second))
	gin.New().Use(flasksession.New(flasksession.Config{
		SecretKey: []byte(os.Getenv("SECRET_KEY")),
		Store:     store,
	}))
}
