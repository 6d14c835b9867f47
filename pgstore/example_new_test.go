package pgstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions in PostgreSQL: create the table once, then handlers are the
// same as with cookie sessions.
func ExampleNew() {
	ctx := context.Background()
	// Two hosts: the pool connects to whichever takes writes.
	pool, err := pgxpool.New(ctx, "postgres://app@db1.internal,db2.internal/app?target_session_attrs=read-write")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.CreateTable(ctx, pool); err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		SecretKey:         []byte(os.Getenv("SECRET_KEY")),
		Store:             pgstore.New(pool),
		PermanentLifetime: 7 * 24 * time.Hour, // the rows' expiry
	}))
	r.POST("/logout", func(c *gin.Context) {
		flasksession.Get(c).Destroy() // deletes the row: the cookie is dead everywhere
		c.Redirect(http.StatusSeeOther, "/")
	})
}

// Flask-Session's table (SESSION_TYPE = "sqlalchemy"), shared with a
// Flask app on the same database.
func ExampleWithFlaskSessionTable() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	// The table "sessions", IDs under "session:": Flask-Session's defaults.
	store := pgstore.New(pool, pgstore.WithFlaskSessionTable())
	gin.New().Use(flasksession.New(flasksession.Config{
		SecretKey: []byte(os.Getenv("SECRET_KEY")),
		Store:     store,
	}))
}
