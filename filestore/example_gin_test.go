package filestore_test

import (
	"log"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/filestore"
)

// Sessions in a directory that every worker process of the machine uses.
func ExampleNew() {
	store, err := filestore.New("/var/lib/myapp/sessions")
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{
		SecretKey: []byte(os.Getenv("SECRET_KEY")),
		Store:     store,
	}))
}
